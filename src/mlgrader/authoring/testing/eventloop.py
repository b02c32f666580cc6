"""Did asyncio code ever block its event loop?

An "async" data loader that calls ``time.sleep`` or reads a file synchronously
inside a coroutine works, but serves one client at a time.
:func:`run_without_blocking` runs a coroutine in a fresh event loop that times
every step (each callback the loop runs, such as one step of a task) and fails
with each step that held the loop longer than a threshold, its duration and
what it was.

A step's time is its wall time minus the time its thread sat waiting for a CPU
(the run-queue delay the kernel keeps in ``/proc/thread-self/schedstat``). On a
busy machine a step of correct code can wait 0.1 s for a core; that is not the
candidate blocking the loop, while ``time.sleep`` or a synchronous read still
counts in full, since the thread is asleep, not waiting to run. asyncio's own
debug-mode check (``slow_callback_duration``) times wall clock only, and failed
correct code under load. Where schedstat is missing, steps are timed on the
wall clock.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from contextvars import Context
from dataclasses import dataclass
from typing import Any, TypeVar, TypeVarTuple

from mlgrader.errors import UserInputError

__all__ = ["SlowCallback", "run_without_blocking"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class SlowCallback:
    """One step of the loop that ran longer than the threshold."""

    seconds: float
    what: str


class _RunQueueClock:
    """This thread's total time spent waiting for a CPU, in seconds (0 if unknown)."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def __call__(self) -> float:
        if self._fd is None:
            return 0.0
        return int(os.pread(self._fd, 128, 0).split()[1]) / 1e9

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _describe(callback: Callable[..., Any]) -> str:
    """The task a step belongs to (with its coroutine and, in debug mode, where it was created)."""
    owner = getattr(callback, "__self__", None)
    return repr(owner) if isinstance(owner, asyncio.Future) else repr(callback)


class _TimingLoop(asyncio.SelectorEventLoop):
    """An event loop that times each callback it schedules, less run-queue delay."""

    def __init__(self, threshold: float) -> None:
        super().__init__()
        self.threshold = threshold
        self.slow: list[SlowCallback] = []
        self._waited = _RunQueueClock()

    def close(self) -> None:
        super().close()
        self._waited.close()

    def _timed(self, callback: Callable[[*Ts], object]) -> Callable[[*Ts], object]:
        def step(*args: *Ts) -> object:
            wall, waited = time.perf_counter(), self._waited()
            try:
                return callback(*args)
            finally:
                held = time.perf_counter() - wall - (self._waited() - waited)
                if held > self.threshold:
                    self.slow.append(SlowCallback(held, _describe(callback)))

        return step

    def call_soon(
        self,
        callback: Callable[[*Ts], object],
        *args: *Ts,
        context: Context | None = None,
    ) -> asyncio.Handle:
        return super().call_soon(self._timed(callback), *args, context=context)

    def call_soon_threadsafe(
        self,
        callback: Callable[[*Ts], object],
        *args: *Ts,
        context: Context | None = None,
    ) -> asyncio.Handle:
        return super().call_soon_threadsafe(self._timed(callback), *args, context=context)

    def call_at(
        self,
        when: float,
        callback: Callable[[*Ts], object],
        *args: *Ts,
        context: Context | None = None,
    ) -> asyncio.TimerHandle:
        return super().call_at(when, self._timed(callback), *args, context=context)


def run_without_blocking(main: Callable[[], Awaitable[T]], *, threshold: float = 0.05) -> T:
    """Run ``main()`` in a new event loop; fail if any step blocked it over ``threshold`` s.

    Returns what ``main()`` returned. The failure message lists the slowest steps
    with asyncio's description of each (the task, its coroutine and the source
    line that created it).
    """
    if threshold <= 0:
        raise UserInputError(f"threshold must be a positive number of seconds, got {threshold!r}")
    loop = _TimingLoop(threshold)
    # Debug mode records where each task was created; its own wall-clock check is silenced.
    loop.slow_callback_duration = float("inf")
    with asyncio.Runner(debug=True, loop_factory=lambda: loop) as runner:
        result: T = runner.run(main())  # type: ignore[arg-type]
    if loop.slow:
        worst = sorted(loop.slow, key=lambda s: -s.seconds)
        lines = [
            f"the event loop was blocked {len(worst)} time(s) for more than {threshold:g} s "
            "(a blocking call such as time.sleep or synchronous I/O inside async code):"
        ]
        lines += [f"  {s.seconds:.3f} s: {s.what[:300]}" for s in worst[:5]]
        raise AssertionError("\n".join(lines))
    return result
