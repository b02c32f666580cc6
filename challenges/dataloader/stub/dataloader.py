"""A data-loader server for a data set of slow (I/O-bound) items, in three versions.

Replace every ``raise NotImplementedError``. Keep the names and signatures below: the
grader calls them. You may add private helpers (methods, functions, classes), and you
may (should) change which methods are abstract and what the subclasses contain: the
split below is only a starting point. See README.md for the full contract.
"""

from __future__ import annotations

from abc import ABC
from types import TracebackType
from typing import Any

from dataset import SlowDataset


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

        Raises ValueError if ``workers < 1`` or ``prefetch < 0``. Prefetching of the
        first ``prefetch`` positions starts here.
        """
        raise NotImplementedError

    @property
    def epoch(self) -> int:
        """The number of the current epoch (0 for the first)."""
        raise NotImplementedError

    def get_item(self) -> tuple[int, Any]:
        """Return ``(index, item)`` for the next position of the current epoch.

        Raises EpochEnd when every position has been handed out, ItemLoadError when
        loading this caller's item failed, ServerClosed after close().
        """
        raise NotImplementedError

    def get_batch(self, k: int) -> list[tuple[int, Any]]:
        """Return the next ``min(k, remaining)`` positions as a list of ``(index, item)``.

        Raises ValueError if ``k < 1``, EpochEnd if no position is left, the first
        ItemLoadError of the batch if a load failed, ServerClosed after close().
        """
        raise NotImplementedError

    def new_epoch(self) -> int:
        """Start the next epoch and return its number.

        Raises RuntimeError while positions of the current epoch are still to be handed
        out, ServerClosed after close().
        """
        raise NotImplementedError

    def close(self) -> None:
        """Stop serving and end every thread and process the server started; idempotent."""
        raise NotImplementedError

    def __enter__(self) -> DataLoaderServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ThreadServer(DataLoaderServer):
    """Loads items with ``dataset.load`` in ``workers`` threads."""


class ProcessServer(DataLoaderServer):
    """Loads items with ``dataset.load`` in ``workers`` worker processes."""


class AsyncioServer(DataLoaderServer):
    """Loads items with ``dataset.aload`` on an asyncio event loop run in a background thread.

    At most ``workers`` loads run at once.
    """
