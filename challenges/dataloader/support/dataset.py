"""The data set the server holds: items that are slow to load (I/O-bound), and the epoch order.

This file is provided with the challenge; do not change it (the grader uses its own copy).

- :class:`SlowDataset` has ``n`` items. ``load(i)`` sleeps ``delay_s`` seconds (a read from
  slow storage: it blocks but uses no CPU) and returns the item ``f"item-{i}"``; its
  ``async`` twin ``aload(i)`` awaits ``asyncio.sleep`` instead. Indices listed in
  ``failing`` raise :class:`ItemLoadError` after the delay, every time. A data set pickles,
  so it can be sent to worker processes.
- :func:`epoch_order` fixes the shuffled order of every epoch: the server must hand out
  the indices of epoch ``e`` in exactly the order ``epoch_order(len(dataset), seed, e)``.
- When grading, the data set your code receives is the grader's: a copy whose loads ask
  the grader's process, which sleeps and keeps the trace there. It behaves exactly as
  described here (and pickles to worker processes just the same).
- With ``trace_dir`` set, every load appends one line to ``trace_dir/loads.log`` (from
  any thread or process) and :func:`read_trace` reads them back as :class:`LoadRecord`
  rows: which index was loaded, by which process and thread, when, and how. The tests
  use it to see prefetching and parallel loading; you may use it for your own tests too.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ItemLoadError", "LoadRecord", "SlowDataset", "epoch_order", "read_trace"]

TRACE_FILE = "loads.log"


class ItemLoadError(Exception):
    """Loading item ``index`` failed (a corrupt record, a storage error)."""

    def __init__(self, index: int, reason: str = "corrupt record") -> None:
        super().__init__(index, reason)
        self.index = index
        self.reason = reason

    def __str__(self) -> str:
        return f"could not load item {self.index}: {self.reason}"

    def __reduce__(self) -> tuple[type[ItemLoadError], tuple[int, str]]:
        return (type(self), (self.index, self.reason))


@dataclass(frozen=True)
class LoadRecord:
    """One load, as written to the trace: ``kind`` is "load" or "aload"; times are monotonic."""

    kind: str
    index: int
    pid: int
    thread: int
    start: float
    end: float
    ok: bool


class SlowDataset:
    """``n`` items, each taking ``delay_s`` seconds to load; indices in ``failing`` fail."""

    def __init__(
        self,
        n: int,
        delay_s: float = 0.005,
        failing: frozenset[int] = frozenset(),
        trace_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an int >= 0, got {n!r}")
        if delay_s < 0:
            raise ValueError(f"delay_s must be >= 0, got {delay_s!r}")
        self._n = n
        self._delay_s = float(delay_s)
        self._failing = frozenset(failing)
        self._trace = None if trace_dir is None else str(Path(trace_dir) / TRACE_FILE)
        self._service: str | None = None  # the grader's address, in the copy it sends

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return f"SlowDataset(n={self._n}, delay_s={self._delay_s}, failing={sorted(self._failing)})"

    @property
    def delay_s(self) -> float:
        """Seconds each load takes."""
        return self._delay_s

    @property
    def failing(self) -> frozenset[int]:
        """Indices whose load raises ItemLoadError."""
        return self._failing

    @staticmethod
    def item(index: int) -> str:
        """The item stored at ``index``: what ``load(index)`` returns."""
        return f"item-{index}"

    def load(self, index: int) -> str:
        """Load item ``index`` (blocking: sleeps ``delay_s``); raise ItemLoadError if it fails."""
        self._check(index)
        if self._service is not None:
            from mlgrader.boundary.services import call_service

            return _answer(index, call_service(self._service, _request("load", index)))
        start = time.monotonic()
        time.sleep(self._delay_s)
        return self._finish("load", index, start)

    async def aload(self, index: int) -> str:
        """The asyncio twin of :meth:`load`: awaits ``asyncio.sleep(delay_s)``."""
        self._check(index)
        if self._service is not None:
            return _answer(index, await _ask_async(self._service, _request("aload", index)))
        start = time.monotonic()
        await asyncio.sleep(self._delay_s)
        return self._finish("aload", index, start)

    def _check(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"index must be an int, got {type(index).__name__} {index!r}")
        if not 0 <= index < self._n:
            raise IndexError(f"index {index} out of range for a data set of {self._n} items")

    def __boundary_value__(self, serve: Callable[[object], str]) -> SlowDataset:
        """The copy candidate code gets when it runs in a process of its own (grading): its
        loads ask this object's process (``serve``), where they sleep and are traced, so the
        trace is the grader's record of which process and thread loaded what, and when."""
        copy = object.__new__(SlowDataset)
        copy.__dict__.update(self.__dict__)
        copy._trace = None
        copy._service = serve(_serve_loads(self))
        return copy

    def _finish(
        self, kind: str, index: int, start: float, worker: tuple[int, int] | None = None
    ) -> str:
        ok = index not in self._failing
        if self._trace is not None:
            pid, thread = worker or (os.getpid(), threading.get_ident())
            line = f"{kind} {index} {pid} {thread} {start:.6f} {time.monotonic():.6f} {int(ok)}\n"
            fd = os.open(self._trace, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())  # one short O_APPEND write: lines never interleave
            finally:
                os.close(fd)
        if not ok:
            raise ItemLoadError(index)
        return self.item(index)


def _request(kind: str, index: int) -> dict[str, object]:
    return {"kind": kind, "index": index, "thread": threading.get_ident()}


async def _ask_async(address: str, request: dict[str, object]) -> object:
    """The grader's answer to ``request``, awaited on the running loop.

    Every wait goes through ``loop.sock_*``, whose pending futures the loop's selector
    holds, as it holds the timer of ``asyncio.sleep``: a task running ``aload`` stays
    alive while it waits even if nobody keeps its future, exactly as with the kit's data
    set. (A stream reader would be held only by the task's own frame, and a garbage
    collection in the middle would destroy the pending task and hang its client.)
    """
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        await loop.sock_connect(sock, address)
        await loop.sock_sendall(sock, json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = await loop.sock_recv(sock, 4096)
            if not chunk:
                break
            data += chunk
    reply = json.loads(data) if data else {"error": "the grader closed the connection"}
    if "error" in reply:
        raise RuntimeError(f"the grader's data set failed: {reply['error']}")
    return reply.get("ok")


def _answer(index: int, reply: object) -> str:
    """The item the grader's process loaded, or its ItemLoadError raised here."""
    if reply is None:
        raise ItemLoadError(index)
    return str(reply)


def _serve_loads(dataset: SlowDataset) -> object:
    """The grader's side of a copy's loads: checked, slept and traced here (see
    ``SlowDataset.__boundary_value__``)."""

    def handle(caller: object, request: dict[str, object]) -> str | None:
        kind, index, thread = request.get("kind"), request.get("index"), request.get("thread")
        if kind not in ("load", "aload") or type(index) is not int or type(thread) is not int:
            raise ValueError("a load request names its kind, index and thread")
        dataset._check(index)
        start = time.monotonic()
        time.sleep(dataset._delay_s)
        pid = getattr(caller, "pid", 0)
        try:
            return dataset._finish(str(kind), index, start, (int(pid), thread))
        except ItemLoadError:
            return None

    return handle


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """The order in which the indices 0..n-1 are handed out in ``epoch`` (seeded shuffle)."""
    order = list(range(n))
    random.Random(f"dataloader:{seed}:{epoch}").shuffle(order)
    return order


def read_trace(trace_dir: str | os.PathLike[str]) -> list[LoadRecord]:
    """Every load recorded so far in ``trace_dir``, in the order they finished."""
    path = Path(trace_dir) / TRACE_FILE
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        kind, index, pid, thread, start, end, ok = line.split()
        records.append(
            LoadRecord(kind, int(index), int(pid), int(thread), float(start), float(end), ok == "1")
        )
    return records
