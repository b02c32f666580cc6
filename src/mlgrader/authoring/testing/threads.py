"""Many threads against one shared object, released together, never hanging a test.

:func:`run_threads` runs a worker in many threads released at the same instant,
with a tiny interpreter switch interval so that races in the candidate's code show
up far more often. It never hangs: threads still running after the timeout are
reported as a deadlock, with the stack of every live thread, so the candidate sees
where their code is stuck instead of a bare pytest timeout.

Behind the process boundary the workers still run here, and each calls into the
candidate process through a thread of its own there; the tiny switch interval
is set in the candidate process too (through the channel, with the builtin
taken before candidate code existed), checked while the threads run, and a
candidate that changes it back fails the test. A deadlock is reported with the
candidate process's stacks.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mlgrader.authoring.testing.strict import _qualname
from mlgrader.boundary.connection import Connection
from mlgrader.boundary.connection import current as current_connection
from mlgrader.errors import UserInputError

__all__ = ["ThreadError", "ThreadRun", "run_threads"]

_TRACEBACK_FRAMES = 8
_POLL_S = 0.25  # how often the candidate's switch interval is checked while threads run


@dataclass(frozen=True)
class ThreadError:
    """An exception raised by the worker in thread ``index``."""

    index: int
    exc_type: str
    message: str
    traceback: str


@dataclass
class ThreadRun:
    """Outcome of :func:`run_threads`: per-thread results, errors and wall time in seconds."""

    results: list[Any] = field(default_factory=list)
    errors: list[ThreadError] = field(default_factory=list)
    elapsed: float = 0.0

    def raise_errors(self) -> None:
        """Raise an AssertionError describing every thread that raised; do nothing if none did."""
        if not self.errors:
            return
        parts = [f"{len(self.errors)} of {len(self.results)} threads raised:"]
        for err in self.errors:
            parts.append(f"thread {err.index}: {err.exc_type}: {err.message}")
            parts.append(_indent(err.traceback.rstrip()))
        raise AssertionError("\n".join(parts))


def run_threads(
    worker: Callable[[int], Any],
    n: int = 8,
    *,
    timeout: float = 10.0,
    switch_interval: float | None = 1e-6,
) -> ThreadRun:
    """Call ``worker(index)`` for index 0..n-1, each in its own thread, all released together.

    Exceptions are collected, not raised: use :meth:`ThreadRun.raise_errors`. If a thread is
    still running ``timeout`` seconds after the start, raise AssertionError with a stack dump
    of every live thread; the stuck threads are daemons, so they cannot block interpreter exit.
    """
    if n < 1:
        raise UserInputError(f"run_threads needs n >= 1 threads, got {n}")
    if timeout <= 0:
        raise UserInputError(f"run_threads needs a positive timeout, got {timeout}")
    if switch_interval is not None and switch_interval <= 0:
        raise UserInputError(f"switch_interval must be positive or None, got {switch_interval}")

    run = ThreadRun(results=[None] * n)
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def body(index: int) -> None:
        try:
            barrier.wait(timeout)
            run.results[index] = worker(index)
        except BaseException as exc:  # the candidate's error is data here, re-raised later
            error = _thread_error(index, exc)
            with lock:
                run.errors.append(error)

    threads = [
        threading.Thread(target=body, args=(i,), name=f"mlgrader-worker-{i}", daemon=True)
        for i in range(n)
    ]
    remote = current_connection()  # behind the boundary: the candidate process's threads
    previous = sys.getswitchinterval()
    remote_previous = None
    tampered: list[float] = []
    start = time.perf_counter()
    try:
        if switch_interval is not None:
            sys.setswitchinterval(switch_interval)
            if remote is not None:
                remote_previous = remote.switch_interval()
                remote.switch_interval(switch_interval)
        try:
            for thread in threads:
                thread.start()
        except BaseException:
            barrier.abort()  # release the threads already waiting
            raise
        deadline = start + timeout
        # (the list, not any() then next(): a thread may finish between the two)
        while (alive := [t for t in threads if t.is_alive()]) and time.perf_counter() < deadline:
            alive[0].join(max(0.0, min(_POLL_S, deadline - time.perf_counter())))
            if remote is not None and switch_interval is not None:
                _check_interval(remote, switch_interval, tampered)
    finally:
        sys.setswitchinterval(previous)
        if remote is not None and remote_previous is not None:
            with contextlib.suppress(Exception):
                remote.switch_interval(remote_previous)
    run.elapsed = time.perf_counter() - start

    if tampered:
        raise AssertionError(
            f"the candidate process changed the switch interval run_threads set "
            f"({switch_interval:g} s) to {tampered[0]:g} s while the threads ran: races are "
            "amplified on purpose, and switching that off is not allowed"
        )
    alive = [t for t in threads if t.is_alive()]
    if alive:
        stacks = remote.stacks() if remote is not None else _stack_dump(alive)
        raise AssertionError(
            f"deadlock or hang: {len(alive)} of {n} threads still running after {timeout:g} s\n"
            + stacks
        )
    run.errors.sort(key=lambda e: e.index)
    return run


def _check_interval(remote: Connection, wanted: float, tampered: list[float]) -> None:
    """Note the candidate process's switch interval if it is no longer the one set."""
    with contextlib.suppress(Exception):  # a dead or stuck process is reported otherwise
        now = remote.switch_interval()
        if now != wanted and not tampered:
            tampered.append(now)


def _thread_error(index: int, exc: BaseException) -> ThreadError:
    # Skip our own wrapper frame so the traceback starts in the candidate's code.
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    text = "".join(traceback.format_exception(type(exc), exc, tb, limit=-_TRACEBACK_FRAMES))
    return ThreadError(index, _qualname(type(exc)), str(exc), text)


def _stack_dump(stuck: list[threading.Thread]) -> str:
    """Stacks of the stuck worker threads first, then of every other live thread."""
    frames = sys._current_frames()
    current = threading.get_ident()
    names = {t.ident: t.name for t in threading.enumerate()}
    stuck_ids = [t.ident for t in stuck]
    others = [ident for ident in frames if ident != current and ident not in stuck_ids]
    parts: list[str] = []
    for ident in [*stuck_ids, *others]:
        frame = frames.get(ident) if ident is not None else None
        if frame is None:
            continue
        label = "stuck worker" if ident in stuck_ids else "other thread"
        parts.append(f"--- {label} {names.get(ident, '?')} (ident {ident}) ---")
        parts.append("".join(traceback.format_stack(frame)).rstrip())
    return "\n".join(parts)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
