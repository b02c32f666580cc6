"""The CPU time of a candidate process and of every process it starts, from a cgroup.

The complexity engine times candidate code by the kernel's CPU clock of the
candidate process, which candidate code can neither see nor change. That
clock leaves out child processes: a cache that keeps its data in a helper
process and scans it there would look O(1). Where the grader may make cgroups
(root, cgroup v1's ``cpuacct`` controller), each candidate process enters one
of its own before anything of the candidate's runs (Landlock then forbids it
to move), and its ``cpuacct.usage`` counts every thread of every process in
it. After the test everything in it is killed, whatever session it moved to.
Elsewhere the engine falls back to the process's clock, and to wall time while
the candidate process has children (``boundary/cpuclock.py``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from mlgrader.boundary.cpuclock import USAGE

V1 = Path("/sys/fs/cgroup/cpuacct")


class CpuAccounts:
    """The grading run's cgroup, holding one cgroup per candidate process (``path`` is None
    where none can be made)."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._pending: list[Path] = []  # groups of retired candidates, removed once empty
        if os.geteuid() != 0 or not (V1 / USAGE).is_file():
            return
        path = V1 / f"mlgrader-{os.getpid()}-{os.urandom(4).hex()}"
        with contextlib.suppress(OSError):
            path.mkdir()
            self.path = path

    def release(self, pid: int) -> None:
        """After the test: every process in the candidate's cgroup killed, the group removed
        (now, or once its processes are gone)."""
        if self.path is None:
            return
        group = self.path / str(pid)
        _kill_members(group)
        self._pending.append(group)
        self._pending = [g for g in self._pending if not _remove(g)]

    def close(self, rounds: int = 100) -> None:
        """At the end of the run: every group emptied and removed."""
        if self.path is None:
            return
        groups = [*self._pending, *(p for p in self.path.iterdir() if p.is_dir())]
        for _ in range(rounds):
            groups = [g for g in dict.fromkeys(groups) if g.exists() and not _remove(g)]
            if not groups:
                break
            for group in groups:
                _kill_members(group)
            time.sleep(0.01)
        _remove(self.path)
        self.path = None


def enter(parent: Path) -> Path | None:
    """In a new candidate process, before Landlock and before any candidate code: move
    into a cgroup of its own under ``parent``; None when that cannot be done."""
    group = parent / str(os.getpid())
    try:
        group.mkdir()
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        _remove(group)
        return None
    return group


def _kill_members(group: Path) -> None:
    try:
        pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _remove(group: Path) -> bool:
    """Remove an empty cgroup; True once it is gone."""
    try:
        group.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True
