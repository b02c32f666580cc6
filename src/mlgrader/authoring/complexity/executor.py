"""Where a complexity check's inputs are built and its calls timed: here, or in the candidate process.

The engine (timing.py) asks an executor three things: build the input of size
n, time a batch of calls on it, and count the bytecodes of a call on a fresh
input (an input in the candidate process is forgotten there once the engine
drops its reference). ``LocalExecutor`` does them in this process, as ``timeit``
would, with the garbage collector off during a batch. ``RemoteExecutor`` is
used behind the process boundary: ``make_input`` and the timed call are shipped
to the candidate process by value (cloudpickle: the functions, what they close
over and the module globals they name, never the whole test module), inputs stay
there, and time is read here from the kernel: the candidate process's CPU
clock around each batch, which candidate code can neither see nor change (with
the CPU of every process it started, where it has a cgroup of its own:
sandbox/cpuaccount.py; elsewhere wall time while it has child processes). The
garbage collector is left alone there, so a timed batch looks like any other
call. Counts gathered there are candidate-controlled evidence, so they may only
fail a submission (``trusted_counts`` is False).
"""

from __future__ import annotations

import gc
import itertools
import time
from collections.abc import Callable
from typing import Any

from mlgrader.authoring.complexity.workcount import counted_keys, median_count
from mlgrader.authoring.shipping import ship
from mlgrader.boundary.connection import Connection
from mlgrader.boundary.cpuclock import CandidateClock

Func = Callable[[Any], object]
MakeInput = Callable[[int], Any]


class LocalExecutor:
    """Inputs built and calls timed in this process."""

    trusted_counts = True

    def __init__(self, func: Func, make_input: MakeInput) -> None:
        self.func = func
        self.make_input = make_input

    def build(self, n: int) -> Any:
        return self.make_input(n)

    @staticmethod
    def work() -> float:
        """Seconds of this process's CPU: what a check's budget counts (builds run here)."""
        return time.process_time()

    def time(self, arg: Any, loops: int) -> float:
        """Seconds per call over one batch of ``loops`` calls, garbage collector off."""
        func = self.func
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            for _ in itertools.repeat(None, loops):
                func(arg)
            elapsed = time.perf_counter() - start
        finally:
            if gc_was_enabled:
                gc.enable()
        return elapsed / loops

    def count(self, n: int, keys: bool, calls: int) -> tuple[int, float]:
        """Median bytecodes per call on a fresh input of size ``n`` (counted keys if asked),
        and the CPU seconds building and rewriting that input took."""
        started = self.work()
        arg = _prepare(self.make_input, n, keys)
        prepared = self.work() - started
        return median_count(self.func, arg, calls), prepared


def _prepare(make_input: MakeInput, n: int, keys: bool) -> Any:
    arg = make_input(n)
    return counted_keys(arg) if keys else arg


class RemoteExecutor:
    """Inputs built and calls made in the candidate process; time read from outside."""

    trusted_counts = False

    def __init__(self, conn: Connection, func: Func, make_input: MakeInput) -> None:
        self.conn = conn
        # shipped without names: nothing on the candidate's stack says "a timed batch"
        self.func = ship(conn, func)
        self.make_input = ship(conn, make_input)
        self.preparer = conn.ship(_prepare)
        self.counter = conn.ship(median_count)
        self.clock = CandidateClock(conn.pid, conn.account)

    def build(self, n: int) -> Any:
        return self.conn.call(self.make_input, n, keep=True)

    def work(self) -> float:
        """Seconds of CPU the measurement costs, what a check's budget counts: the
        candidate's (see CandidateClock) and this process's (sending calls, reading
        clocks, fitting), so that a cheap function's budget is not spent on round trips
        the candidate's clock never sees, and a busy machine still changes nothing."""
        return self.clock.total() + time.process_time()

    def time(self, arg: Any, loops: int) -> float:
        """Seconds of the candidate's CPU per call, over one batch of ``loops`` calls."""
        start = self.clock.start()
        self.conn.call(self.func, arg, loops=loops, keep=None)
        return self.clock.since(start) / loops

    def count(self, n: int, keys: bool, calls: int) -> tuple[int, float]:
        """As LocalExecutor.count, measured in the candidate process (evidence to fail only)."""
        started = self.work()  # the input's preparation, on the clocks the budget counts
        arg = self.conn.call(self.preparer, self.make_input, n, keys, keep=True)
        prepared = self.work() - started
        ops = self.conn.call(self.counter, self.func, arg, calls)
        if type(ops) is not int or ops < 0:
            raise TypeError("the candidate process answered a count that is not a count")
        return ops, prepared
