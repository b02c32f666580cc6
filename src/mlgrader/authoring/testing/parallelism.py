"""Did the work really run in parallel? Spans of work, and speed-up against one worker.

A candidate can write a "thread pool" that runs one task at a time behind a
global lock, or a "process pool" that never forks. Results alone cannot tell. So
a test wraps each unit of work in ``spans.span()``, which records who ran it
(process id and thread id) and when, and then asks:

- ``spans.require_workers(k)``: at least k distinct workers did the work;
- ``spans.require_overlap(k)``: at some instant k spans were running at once;
- :func:`speedup`: wall time with one worker over wall time with N, on I/O-bound
  work, where threads and processes alike should approach N.

Spans are recorded through a ``multiprocessing`` queue only when asked
(``Spans(processes=True)``), so that thread-only tests need no extra process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mlgrader.errors import UserInputError

__all__ = ["Span", "Spans", "speedup"]


@dataclass(frozen=True)
class Span:
    """One unit of work: who ran it and when (``time.monotonic`` seconds, system-wide)."""

    pid: int
    thread: int
    start: float
    end: float
    label: str = ""

    @property
    def worker(self) -> tuple[int, int]:
        return self.pid, self.thread


class Spans:
    """A log of spans of work, safe to use from threads (and processes, if asked)."""

    def __init__(self, *, processes: bool = False) -> None:
        self._spans: list[Span] = []
        self._lock = threading.Lock()
        self._queue: Any = multiprocessing.get_context("fork").SimpleQueue() if processes else None
        self._pid = os.getpid()  # forked children inherit it and so know they are children

    @contextmanager
    def span(self, label: str = "") -> Iterator[None]:
        """Record the block as one span of work of this process and thread."""
        start = time.monotonic()
        try:
            yield
        finally:
            item = Span(os.getpid(), threading.get_ident(), start, time.monotonic(), label)
            if self._queue is not None and os.getpid() != self._pid:
                self._queue.put(item)
            else:
                with self._lock:
                    self._spans.append(item)

    @property
    def spans(self) -> list[Span]:
        """Every span so far, from this process and (if enabled) its children."""
        if self._queue is not None and os.getpid() == self._pid:
            while not self._queue.empty():
                item = self._queue.get()
                with self._lock:
                    self._spans.append(item)
        with self._lock:
            return sorted(self._spans, key=lambda s: s.start)

    def workers(self) -> set[tuple[int, int]]:
        """Distinct (pid, thread id) pairs that ran spans."""
        return {s.worker for s in self.spans}

    def max_overlap(self) -> int:
        """The largest number of spans running at one instant."""
        events = sorted(
            [(s.start, 1) for s in self.spans] + [(s.end, -1) for s in self.spans],
            key=lambda e: (e[0], e[1]),  # an end before a start at the same instant
        )
        running = best = 0
        for _, step in events:
            running += step
            best = max(best, running)
        return best

    def require_workers(self, k: int, *, processes: bool = False) -> None:
        """Fail unless at least ``k`` distinct workers (processes, if asked) ran spans."""
        spans = self.spans
        distinct = {s.pid for s in spans} if processes else {s.worker for s in spans}
        kind = "processes" if processes else "workers (process, thread)"
        if len(distinct) < k:
            raise AssertionError(
                f"expected at least {k} distinct {kind} to do the work, "
                f"saw {len(distinct)} over {len(spans)} spans"
            )

    def require_overlap(self, k: int) -> None:
        """Fail unless at some instant at least ``k`` spans were running at once."""
        got = self.max_overlap()
        if got < k:
            raise AssertionError(
                f"expected at least {k} units of work running at the same time, "
                f"at most {got} ever did (over {len(self.spans)} spans): the work ran one "
                "after another"
            )


def speedup(run: Callable[[int], object], workers: int, *, repeat: int = 3) -> float:
    """Wall time of ``run(1)`` over wall time of ``run(workers)`` (best of ``repeat``).

    ``run(k)`` does the same total work with k workers. On I/O-bound work (sleeps,
    sockets) a parallel implementation approaches ``workers``; a serial one stays
    near 1. Each side is the best of several runs because one wall-clock pair is at
    the mercy of a single stall: on a busy CI machine a parallel pool of sleeps once
    measured 0.93x (stop 38). Noise only ever slows a run, so the fastest is the
    closest to the code's own speed.
    """
    if workers < 2:
        raise UserInputError(f"speedup needs workers >= 2, got {workers}")
    if repeat < 1:
        raise UserInputError(f"speedup needs repeat >= 1, got {repeat}")

    def best(k: int) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run(k)
            times.append(time.perf_counter() - start)
        return min(times)

    return best(1) / max(best(workers), 1e-9)
