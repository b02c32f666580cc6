"""A data-loader server for a data set of slow (I/O-bound) items, in three versions.

The base class :class:`DataLoaderServer` owns everything the versions share: the
seeded order of each epoch, handing positions out under one lock, prefetching,
delivering a failed load to its own client and shutting down. A version only says
how one item is loaded (``_submit`` returns a ``concurrent.futures.Future``) and how
its workers start and stop.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from abc import ABC, abstractmethod
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from types import TracebackType
from typing import Any

from dataset import SlowDataset, epoch_order


class EpochEnd(Exception):
    """Every position of the current epoch has been handed out; call new_epoch()."""


class ServerClosed(RuntimeError):
    """The server was closed: it serves no more items."""


class DataLoaderServer(ABC):
    """Serves the items of a data set to many client threads, epoch after epoch.

    The logic the three versions share lives here; each subclass only supplies how
    items are loaded (threads, processes, asyncio).
    """

    def __init__(
        self, dataset: SlowDataset, *, workers: int = 4, seed: int = 0, prefetch: int = 8
    ) -> None:
        """Start serving epoch 0 of ``dataset`` with ``workers`` concurrent loads.

        Raises ValueError if ``workers < 1``. Prefetching of the first ``prefetch``
        positions starts here.
        """
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers!r}")
        self._dataset = dataset
        self._size = len(dataset)
        self._workers = workers
        self._seed = seed
        self._prefetch = prefetch
        self._lock = threading.Lock()
        self._closed = False
        self._epoch = 0
        self._order = epoch_order(self._size, seed, 0)
        self._next = 0
        self._loads: dict[int, Future[Any]] = {}
        self._start_workers()
        with self._lock:
            self._schedule_prefetch()

    # -- what a version supplies ---------------------------------------------------------

    @abstractmethod
    def _start_workers(self) -> None:
        """Start the version's workers (called once, from ``__init__``)."""

    @abstractmethod
    def _submit(self, index: int) -> Future[Any]:
        """Start loading item ``index``; the future holds the item or its ItemLoadError."""

    @abstractmethod
    def _stop_workers(self) -> None:
        """Drop loads not yet started, wait for the running ones, end every worker."""

    # -- public API ----------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The number of the current epoch (0 for the first)."""
        with self._lock:
            return self._epoch

    def get_item(self) -> tuple[int, Any]:
        """Return ``(index, item)`` for the next position of the current epoch.

        Raises EpochEnd when every position has been handed out, ItemLoadError when
        loading this caller's item failed, ServerClosed after close().
        """
        return self._take(1)[0]

    def get_batch(self, k: int) -> list[tuple[int, Any]]:
        """Return the next ``min(k, remaining)`` positions as a list of ``(index, item)``.

        Raises ValueError if ``k < 1``, EpochEnd if no position is left, the first
        ItemLoadError of the batch if a load failed, ServerClosed after close().
        """
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k!r}")
        return self._take(k)

    def new_epoch(self) -> int:
        """Start the next epoch and return its number.

        Raises RuntimeError while positions of the current epoch are still to be handed
        out, ServerClosed after close().
        """
        with self._lock:
            self._check_open()
            if self._next < self._size:
                left = self._size - self._next
                raise RuntimeError(f"epoch {self._epoch} still has {left} positions to hand out")
            self._epoch += 1
            self._order = epoch_order(self._size, self._seed, self._epoch)
            self._next = 0
            self._loads.clear()
            self._schedule_prefetch()
            return self._epoch

    def close(self) -> None:
        """Stop serving and end every thread and process the server started; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._loads.clear()
        self._stop_workers()

    def __enter__(self) -> DataLoaderServer:
        """Return the server itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the server."""
        self.close()

    # -- shared machinery ----------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ServerClosed("the server is closed")

    def _take(self, k: int) -> list[tuple[int, Any]]:
        """Hand out the next ``k`` positions at once, then wait for their items."""
        with self._lock:
            self._check_open()
            if self._next >= self._size:
                raise EpochEnd(f"epoch {self._epoch} is exhausted")
            positions = range(self._next, min(self._next + k, self._size))
            self._next = positions.stop
            taken = [(self._order[p], self._future_for(p)) for p in positions]
            self._schedule_prefetch()
        return [(index, self._result(future)) for index, future in taken]

    def _future_for(self, position: int) -> Future[Any]:
        """The load of ``position``: the prefetched one, or a new one started now."""
        future = self._loads.pop(position, None)
        if future is None:
            future = self._submit(self._order[position])
        return future

    def _schedule_prefetch(self) -> None:
        """Start loading the ``prefetch`` positions after the last one handed out."""
        last = min(self._next + self._prefetch, self._size - 1)
        for position in range(self._next, last + 1):
            if position not in self._loads:
                self._loads[position] = self._submit(self._order[position])

    @staticmethod
    def _result(future: Future[Any]) -> Any:
        """The item of ``future``; its ItemLoadError is raised, a dropped load is ServerClosed."""
        try:
            return future.result()
        except CancelledError:
            raise ServerClosed("the server was closed before this item was loaded") from None


class ThreadServer(DataLoaderServer):
    """Loads items with ``dataset.load`` in ``workers`` threads."""

    def _start_workers(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="loader")

    def _submit(self, index: int) -> Future[Any]:
        return self._pool.submit(self._dataset.load, index)

    def _stop_workers(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class ProcessServer(DataLoaderServer):
    """Loads items with ``dataset.load`` in ``workers`` worker processes."""

    def _start_workers(self) -> None:
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)

    def _submit(self, index: int) -> Future[Any]:
        return self._pool.submit(self._dataset.load, index)

    def _stop_workers(self) -> None:
        self._pool.shutdown(wait=True)


class AsyncioServer(DataLoaderServer):
    """Loads items with ``dataset.aload`` on an asyncio event loop run in a background thread.

    At most ``workers`` loads run at once.
    """

    def _start_workers(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._slots = asyncio.Semaphore(self._workers)
        self._queued: set[asyncio.Task[Any]] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="loader-loop")
        self._thread.start()

    def _submit(self, index: int) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(self._load(index), self._loop)

    async def _load(self, index: int) -> Any:
        """Wait for a free slot, then load; a load still waiting at close() is cancelled."""
        task = asyncio.current_task()
        self._queued.add(task)
        try:
            await self._slots.acquire()
        finally:
            self._queued.discard(task)
        try:
            return await self._dataset.aload(index)
        finally:
            self._slots.release()

    async def _drain(self) -> None:
        """Cancel the loads still waiting for a slot and let the running ones finish."""
        for task in list(self._queued):
            task.cancel()
        running = asyncio.all_tasks() - {asyncio.current_task()}
        await asyncio.gather(*running, return_exceptions=True)

    def _stop_workers(self) -> None:
        asyncio.run_coroutine_threadsafe(self._drain(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
