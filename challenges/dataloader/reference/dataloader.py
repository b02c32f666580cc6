"""A data-loader server for a data set of slow (I/O-bound) items, in three versions.

:class:`DataLoaderServer` holds everything the versions share: the seeded epoch order,
the cursor that hands each position of the epoch to exactly one caller, the prefetch
window, error delivery and shutdown. A version only says how one load is started: each
load is a :class:`concurrent.futures.Future`, so the base class can wait for it, read its
error, or cancel it the same way whether a thread pool, a process pool or an asyncio loop
runs it.
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

__all__ = [
    "AsyncioServer",
    "DataLoaderServer",
    "EpochEnd",
    "ProcessServer",
    "ServerClosed",
    "ThreadServer",
]


class EpochEnd(Exception):
    """Every position of the current epoch has been handed out; call new_epoch()."""


class ServerClosed(RuntimeError):
    """The server was closed: it serves no more items."""


class DataLoaderServer(ABC):
    """Serves the items of a data set to many client threads, epoch after epoch.

    Each epoch hands out the indices in the order ``epoch_order(len(dataset), seed,
    epoch)``; each position goes to exactly one call. Up to ``prefetch`` positions past
    the last one handed out are loaded in advance, by at most ``workers`` loads at a time.
    """

    def __init__(
        self, dataset: SlowDataset, *, workers: int = 4, seed: int = 0, prefetch: int = 8
    ) -> None:
        _require_int("workers", workers, minimum=1)
        _require_int("prefetch", prefetch, minimum=0)
        self._dataset = dataset
        self._workers = workers
        self._seed = seed
        self._prefetch = prefetch
        self._lock = threading.Lock()
        self._epoch = 0
        self._order = epoch_order(len(dataset), seed, 0)
        self._next = 0  # the next position of the epoch to hand out
        self._loads: dict[int, Future[Any]] = {}  # started, not yet handed out
        self._closed = False
        self._start()
        with self._lock:
            self._top_up()

    # -- what a version provides --------------------------------------------------------

    @abstractmethod
    def _start(self) -> None:
        """Start the workers (called once, from __init__)."""

    @abstractmethod
    def _submit(self, index: int) -> Future[Any]:
        """Start loading item ``index``; the future holds the item or the load's error."""

    @abstractmethod
    def _stop(self) -> None:
        """Stop the workers and wait until every thread and process they used has ended."""

    # -- the client interface --------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The number of the current epoch (0 for the first)."""
        with self._lock:
            return self._epoch

    def get_item(self) -> tuple[int, Any]:
        """Return ``(index, item)`` for the next position of the epoch.

        Raises EpochEnd when every position has been handed out, ItemLoadError when
        loading this caller's item failed, ServerClosed after close().
        """
        ((index, future),) = self._claim(1)
        return index, self._wait(future)

    def get_batch(self, k: int) -> list[tuple[int, Any]]:
        """Return the next ``min(k, remaining)`` positions of the epoch as ``(index, item)``.

        The positions are consecutive in the epoch order. Raises ValueError if ``k < 1``,
        EpochEnd if no position is left, the first ItemLoadError of the batch if a load
        failed (the whole batch is then consumed), ServerClosed after close().
        """
        _require_int("k", k, minimum=1)
        claimed = self._claim(k)
        return [(index, self._wait(future)) for index, future in claimed]

    def new_epoch(self) -> int:
        """Start the next epoch and return its number.

        Raises RuntimeError while positions of the current epoch are still to be
        handed out, ServerClosed after close().
        """
        with self._lock:
            self._check_open()
            left = len(self._order) - self._next
            if left:
                raise RuntimeError(f"epoch {self._epoch} still has {left} items to hand out")
            self._epoch += 1
            self._order = epoch_order(len(self._dataset), self._seed, self._epoch)
            self._next = 0
            self._top_up()
            return self._epoch

    def close(self) -> None:
        """Stop serving and end every worker; idempotent.

        Loads not yet started are cancelled: their callers get ServerClosed.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pending, self._loads = list(self._loads.values()), {}
        for future in pending:
            future.cancel()
        self._stop()

    def __enter__(self) -> DataLoaderServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- shared machinery ----------------------------------------------------------------

    def _claim(self, k: int) -> list[tuple[int, Future[Any]]]:
        """Take the next ``k`` positions (fewer at the end of the epoch) for one caller."""
        with self._lock:
            self._check_open()
            stop = min(self._next + k, len(self._order))
            if stop == self._next:
                raise EpochEnd(f"epoch {self._epoch} has no items left; call new_epoch()")
            claimed = [(self._order[p], self._load(p)) for p in range(self._next, stop)]
            self._next = stop
            self._top_up()
            return claimed

    def _load(self, position: int) -> Future[Any]:
        """The load of ``position``: the prefetched one, or one started now (lock held)."""
        future = self._loads.pop(position, None)
        return future if future is not None else self._submit(self._order[position])

    def _top_up(self) -> None:
        """Start loading the next ``prefetch`` positions not yet handed out (lock held)."""
        for position in range(self._next, min(self._next + self._prefetch, len(self._order))):
            if position not in self._loads:
                self._loads[position] = self._submit(self._order[position])

    def _check_open(self) -> None:
        if self._closed:
            raise ServerClosed("the server is closed")

    @staticmethod
    def _wait(future: Future[Any]) -> Any:
        """The loaded item; the load's own error if it failed; ServerClosed if cancelled."""
        try:
            return future.result()
        except CancelledError:
            raise ServerClosed("the server was closed before this item was loaded") from None


class ThreadServer(DataLoaderServer):
    """Loads items in a pool of ``workers`` threads."""

    def _start(self) -> None:
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="dataloader")

    def _submit(self, index: int) -> Future[Any]:
        return self._pool.submit(self._dataset.load, index)

    def _stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class ProcessServer(DataLoaderServer):
    """Loads items in a pool of ``workers`` forked processes."""

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(self._workers, mp_context=context)

    def _submit(self, index: int) -> Future[Any]:
        return self._pool.submit(self._dataset.load, index)

    def _stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class AsyncioServer(DataLoaderServer):
    """Loads items with ``aload`` on an asyncio loop in a background thread.

    A semaphore keeps at most ``workers`` loads running at once.
    """

    def _start(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._slots = asyncio.Semaphore(self._workers)
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="dataloader-asyncio", daemon=True
        )
        self._thread.start()

    def _submit(self, index: int) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(self._aload(index), self._loop)

    async def _aload(self, index: int) -> Any:
        async with self._slots:
            return await self._dataset.aload(index)

    def _stop(self) -> None:
        asyncio.run_coroutine_threadsafe(_cancel_tasks(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _cancel_tasks() -> None:
    """Cancel every other task of the running loop and wait until they have ended."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _require_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
