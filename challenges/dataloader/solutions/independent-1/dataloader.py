"""A data-loader server for a data set of slow (I/O-bound) items, in three versions.

:class:`DataLoaderServer` holds everything the versions share: the seeded order of each
epoch, handing positions out exactly once, prefetching, bounding the number of loads in
flight to ``workers``, delivering errors and shutting down. A version only says how one
load is started (it returns a :class:`concurrent.futures.Future`) and how its workers
start and stop:

- :class:`ThreadServer` calls ``dataset.load`` in a pool of threads;
- :class:`ProcessServer` calls ``dataset.load`` in worker processes (``fork``);
- :class:`AsyncioServer` awaits ``dataset.aload`` on an event loop in a background thread.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
from abc import ABC, abstractmethod
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from threading import Condition, Event, Thread
from types import TracebackType
from typing import Any

from dataset import SlowDataset, epoch_order


class EpochEnd(Exception):
    """Every position of the current epoch has been handed out; call new_epoch()."""


class ServerClosed(RuntimeError):
    """The server was closed: it serves no more items."""


class _Slot:
    """The load of one position: its index, then (once settled) its item or its error."""

    __slots__ = ("_index", "_settled", "_item", "_error")

    def __init__(self, index: int) -> None:
        """A slot for the load of item ``index``, not settled yet."""
        self._index = index
        self._settled = Event()
        self._item: Any = None
        self._error: BaseException | None = None

    @property
    def index(self) -> int:
        """The data-set index whose item this slot holds."""
        return self._index

    def settle(self, item: Any = None, error: BaseException | None = None) -> None:
        """Record the outcome of the load and wake the client waiting for it."""
        self._item, self._error = item, error
        self._settled.set()

    def result(self) -> tuple[int, Any]:
        """Wait until settled; return ``(index, item)`` or raise the load's error."""
        self._settled.wait()
        if self._error is not None:
            raise self._error
        return self._index, self._item


class DataLoaderServer(ABC):
    """Serves the items of a data set to many client threads, epoch after epoch.

    Every position of an epoch is handed out exactly once, in the order given by
    ``epoch_order(len(dataset), seed, epoch)``. The next ``prefetch`` positions after the
    last one handed out are loaded ahead of the clients, at most ``workers`` at a time.
    All public methods are thread-safe. Subclasses supply :meth:`_start_workers`,
    :meth:`_launch` and :meth:`_stop_workers`.
    """

    def __init__(
        self, dataset: SlowDataset, *, workers: int = 4, seed: int = 0, prefetch: int = 8
    ) -> None:
        """Start serving epoch 0 of ``dataset`` with ``workers`` concurrent loads.

        Raises ValueError if ``workers < 1`` or ``prefetch < 0``. Prefetching of the
        first ``prefetch`` positions starts here.
        """
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers!r}")
        if prefetch < 0:
            raise ValueError(f"prefetch must be >= 0, got {prefetch!r}")
        self._dataset = dataset
        self._size = len(dataset)
        self._workers = workers
        self._seed = seed
        self._prefetch = prefetch
        self._cond = Condition()
        self._closed = False
        self._running = 0  # loads started and not yet finished
        self._pending: deque[_Slot] = deque()  # scheduled loads not started yet
        self._ahead: deque[_Slot] = deque()  # scheduled positions not handed out yet
        self._epoch = 0
        self._order: list[int] = []
        self._scheduled = 0  # positions of the epoch whose load is scheduled
        self._handed_out = 0  # positions of the epoch handed out to clients
        self._start_workers()
        with self._cond:
            self._begin_epoch(0)
        self._dispatch()

    @property
    def epoch(self) -> int:
        """The number of the current epoch (0 for the first)."""
        with self._cond:
            return self._epoch

    def get_item(self) -> tuple[int, Any]:
        """Return ``(index, item)`` for the next position of the current epoch.

        Raises EpochEnd when every position has been handed out, ItemLoadError when
        loading this caller's item failed, ServerClosed after close().
        """
        return self._hand_out(1)[0]

    def get_batch(self, k: int) -> list[tuple[int, Any]]:
        """Return the next ``min(k, remaining)`` positions as a list of ``(index, item)``.

        Raises ValueError if ``k < 1``, EpochEnd if no position is left, the first
        ItemLoadError of the batch if a load failed, ServerClosed after close().
        """
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k!r}")
        return self._hand_out(k)

    def new_epoch(self) -> int:
        """Start the next epoch and return its number.

        Raises RuntimeError while positions of the current epoch are still to be handed
        out, ServerClosed after close().
        """
        with self._cond:
            self._ensure_open()
            if self._handed_out < self._size:
                left = self._size - self._handed_out
                raise RuntimeError(f"epoch {self._epoch} still has {left} positions to hand out")
            self._begin_epoch(self._epoch + 1)
            epoch = self._epoch
        self._dispatch()
        return epoch

    def close(self) -> None:
        """Stop serving and end every thread and process the server started; idempotent.

        Loads not started yet are dropped (their clients get ServerClosed); loads already
        running finish and reach their clients; then the workers are stopped.
        """
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._drop_pending()
            self._cond.wait_for(lambda: self._running == 0)
        self._stop_workers()

    def __enter__(self) -> DataLoaderServer:
        """Use the server in a ``with`` block, which closes it on exit."""
        with self._cond:
            self._ensure_open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the server."""
        self.close()

    @abstractmethod
    def _start_workers(self) -> None:
        """Start the workers that run the loads (called once, from ``__init__``)."""

    @abstractmethod
    def _launch(self, index: int) -> Future[Any]:
        """Start loading item ``index`` now; return a future of the item."""

    @abstractmethod
    def _stop_workers(self) -> None:
        """Stop the workers and wait for them to end (no load is running by then)."""

    def _hand_out(self, count: int) -> list[tuple[int, Any]]:
        """Take the next ``count`` positions (or fewer at the end) and wait for their items."""
        with self._cond:
            slots = self._take(count)
        self._dispatch()
        return [slot.result() for slot in slots]

    def _take(self, count: int) -> list[_Slot]:
        """Hand out the next ``count`` positions at once; schedule them and the prefetch."""
        self._ensure_open()
        if self._handed_out == self._size:
            raise EpochEnd(f"every position of epoch {self._epoch} has been handed out")
        end = min(self._size, self._handed_out + count)
        self._schedule_through(end)
        slots = [self._ahead.popleft() for _ in range(end - self._handed_out)]
        self._handed_out = end
        self._schedule_through(min(self._size, end + self._prefetch))
        return slots

    def _begin_epoch(self, epoch: int) -> None:
        """Make ``epoch`` the current epoch and schedule its first ``prefetch`` positions."""
        self._epoch = epoch
        self._order = epoch_order(self._size, self._seed, epoch)
        self._scheduled = self._handed_out = 0
        self._ahead.clear()
        self._schedule_through(min(self._size, self._prefetch))

    def _schedule_through(self, end: int) -> None:
        """Schedule the loads of every position before ``end`` not scheduled yet."""
        while self._scheduled < end:
            slot = _Slot(self._order[self._scheduled])
            self._ahead.append(slot)
            self._pending.append(slot)
            self._scheduled += 1

    def _dispatch(self) -> None:
        """Start pending loads, in position order, while fewer than ``workers`` run."""
        with self._cond:
            ready = []
            while self._pending and self._running < self._workers and not self._closed:
                ready.append(self._pending.popleft())
                self._running += 1
        for slot in ready:  # outside the lock: a done callback may run right here
            self._launch(slot.index).add_done_callback(partial(self._on_loaded, slot))

    def _on_loaded(self, slot: _Slot, future: Future[Any]) -> None:
        """Deliver a finished load to its slot and start the next pending load."""
        error = future.exception()
        slot.settle(None if error is not None else future.result(), error)
        with self._cond:
            self._running -= 1
            self._cond.notify_all()
        self._dispatch()

    def _drop_pending(self) -> None:
        """Settle every load not started yet with ServerClosed."""
        while self._pending:
            self._pending.popleft().settle(error=ServerClosed("the server was closed"))

    def _ensure_open(self) -> None:
        """Raise ServerClosed if the server was closed."""
        if self._closed:
            raise ServerClosed("the server was closed")


class ThreadServer(DataLoaderServer):
    """Loads items with ``dataset.load`` in ``workers`` threads."""

    def _start_workers(self) -> None:
        """Create the pool of loading threads (started on demand, up to ``workers``)."""
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="dataloader-load")

    def _launch(self, index: int) -> Future[Any]:
        """Load item ``index`` in a pool thread."""
        return self._pool.submit(self._dataset.load, index)

    def _stop_workers(self) -> None:
        """End the pool's threads."""
        self._pool.shutdown(wait=True)


class ProcessServer(DataLoaderServer):
    """Loads items with ``dataset.load`` in ``workers`` worker processes.

    Each load is relayed to an idle worker process by a thread of a small pool in the
    server's process, which waits for the answer.
    """

    def _start_workers(self) -> None:
        """Fork the worker processes and create the pool of relay threads."""
        context = multiprocessing.get_context("fork")
        self._processes = [_WorkerProcess(context, self._dataset) for _ in range(self._workers)]
        self._idle: queue.SimpleQueue[_WorkerProcess] = queue.SimpleQueue()
        for process in self._processes:
            self._idle.put(process)
        self._relays = ThreadPoolExecutor(self._workers, thread_name_prefix="dataloader-relay")

    def _launch(self, index: int) -> Future[Any]:
        """Load item ``index`` in an idle worker process."""
        return self._relays.submit(self._load_remotely, index)

    def _load_remotely(self, index: int) -> Any:
        """Have an idle worker process load item ``index`` (at most ``workers`` run)."""
        process = self._idle.get()
        try:
            return process.load(index)
        finally:
            self._idle.put(process)

    def _stop_workers(self) -> None:
        """End the relay threads, then the worker processes."""
        self._relays.shutdown(wait=True)
        for process in self._processes:
            process.stop()


class AsyncioServer(DataLoaderServer):
    """Loads items with ``dataset.aload`` on an asyncio event loop run in a background thread.

    At most ``workers`` loads run at once.
    """

    def _start_workers(self) -> None:
        """Start the event loop in its own thread."""
        self._loop = asyncio.new_event_loop()
        self._loop_thread = Thread(target=self._run_loop, name="dataloader-loop", daemon=True)
        self._loop_thread.start()

    def _run_loop(self) -> None:
        """Body of the loop thread: run the loop until stopped, then close it."""
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def _launch(self, index: int) -> Future[Any]:
        """Await ``dataset.aload(index)`` on the loop."""
        return asyncio.run_coroutine_threadsafe(self._dataset.aload(index), self._loop)

    def _stop_workers(self) -> None:
        """Stop the loop and wait for its thread to end."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop_thread.join()


class _WorkerProcess:
    """A worker process of :class:`ProcessServer`: loads the indices sent over a pipe."""

    def __init__(self, context: BaseContext, dataset: SlowDataset) -> None:
        """Fork the process (``context`` uses ``fork``: the data set is inherited)."""
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(  # type: ignore[attr-defined]
            target=_serve_loads, args=(child_conn, dataset), name="dataloader-worker", daemon=True
        )
        self._process.start()
        child_conn.close()

    def load(self, index: int) -> Any:
        """Load item ``index`` in the process; raise the load's error here if it failed."""
        self._conn.send(index)
        ok, value = self._conn.recv()
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Ask the process to exit, wait for it, and close the pipe."""
        try:
            self._conn.send(None)
        except OSError:  # the process is already gone
            pass
        self._process.join()
        self._conn.close()


def _serve_loads(conn: Connection, dataset: SlowDataset) -> None:
    """Main loop of a worker process: answer each index with ``(ok, item or error)``."""
    while (index := conn.recv()) is not None:
        try:
            reply = (True, dataset.load(index))
        except Exception as exc:  # noqa: BLE001  # any failure goes back to the client
            reply = (False, exc)
        conn.send(reply)
    conn.close()
