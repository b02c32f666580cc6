"""The candidate's CPU time, read from outside its process.

The complexity engine times candidate code by CPU, not wall time, so that a
busy machine does not slow a correct solution into a wrong verdict; and it
reads that CPU from the kernel, in the test's process, so candidate code can
neither see nor change the clock. The kernel's per-process CPU clock leaves
out child processes, so where the candidate process has a cgroup of its own
(``sandbox/cpuaccount.py``, as root) its usage is read instead, every process
it started included; elsewhere the process clock plus its reaped children's
CPU, and wall time while it has children running.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

USAGE = "cpuacct.usage"  # a cgroup's CPU in nanoseconds, every task in it and below


def usage(group: Path) -> float:
    """Seconds of CPU used by every process that has been in cgroup ``group``."""
    return int((group / USAGE).read_text()) / 1e9


class CandidateClock:
    """The candidate's CPU time, read from outside: its cgroup's usage (every process it
    started included) where it has one; else the process's CPU clock plus what its
    finished children used, or wall time while it has children running, whose CPU the
    process clock cannot see."""

    def __init__(self, pid: int, account: Path | None) -> None:
        self.pid = pid
        self.account = account
        self.process = cpu_clock(pid)

    def start(self) -> tuple[float, float, bool]:
        return self._cpu(), time.perf_counter(), self._has_children()

    def since(self, start: tuple[float, float, bool]) -> float:
        cpu, wall, had_children = start
        if self._group() is None and (had_children or self._has_children()):
            return time.perf_counter() - wall
        return self._cpu() - cpu

    def total(self) -> float:
        """CPU seconds used so far (cgroup or process clock plus reaped children): what a
        complexity check's budget counts; children still running are bounded by its wall cap."""
        return self._cpu()

    def _group(self) -> Path | None:
        if self.account is not None and (self.account / USAGE).is_file():
            return self.account
        return None

    def _cpu(self) -> float:
        group = self._group()
        if group is not None:
            return usage(group)
        return self.process() + _reaped_children_cpu(self.pid)

    def _has_children(self) -> bool:
        try:
            tasks = os.listdir(f"/proc/{self.pid}/task")
            return any(
                Path(f"/proc/{self.pid}/task/{t}/children").read_text().strip() for t in tasks
            )
        except OSError:
            return False


def _reaped_children_cpu(pid: int) -> float:
    """CPU seconds of the process's children it has waited for (``cutime`` + ``cstime``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / _CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_clock(pid: int) -> Callable[[], float]:
    """Seconds of CPU the process ``pid`` has used, all its threads (Linux: the kernel's
    per-process CPU clock, ``clock_getcpuclockid``); elsewhere wall time bounds it."""
    clock_id = ((~pid) << 3) | 2  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)
    try:
        time.clock_gettime(clock_id)
    except (OSError, OverflowError, AttributeError):
        return time.perf_counter
    return lambda: time.clock_gettime(clock_id)
