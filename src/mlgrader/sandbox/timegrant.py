"""A test's wall-clock deadline, which its own process may move later, up to a limit.

A complexity check may need longer than the test timeout on a busy machine
(``authoring.timelimit`` says why). The test's process asks through one shared,
anonymous memory page, mapped before the fork: it writes the monotonic time it asks
to run until, and the supervisor reads it each time it wakes while it waits (every
``fork.EXIT_POLL_S``). No message, no extra descriptor: a page the child writes and
the parent reads.

Who can write it: the test's process (trusted code behind the process boundary) and
nothing else. A candidate's process is forked by the fork server, started by exec
before any test, so it never maps the page. Where a challenge opts out of the boundary
and candidate code runs in the test's own process, that code could write it, so the
supervisor caps what it reads at the limit it was given (the run's deadline, which
already bounds every test) and ignores what is not a finite number.
"""

from __future__ import annotations

import math
import mmap
import struct
import time

_CELL = struct.Struct("d")


class TimeGrant:
    """The deadline of one test, shared by the supervisor and the test's process."""

    def __init__(self) -> None:
        self._cell = mmap.mmap(-1, _CELL.size)
        self.start = self.base = self.limit = 0.0

    def begin(self, timeout_s: float, limit_s: float) -> None:
        """The test starts now with ``timeout_s``; asking may stretch it to ``limit_s``."""
        self.start = time.monotonic()
        self.base = self.start + timeout_s
        self.limit = self.start + max(timeout_s, limit_s)

    def deadline(self) -> float:
        """When the test must have finished: its timeout, or later if it asked."""
        asked = float(_CELL.unpack_from(self._cell)[0])
        if not math.isfinite(asked):
            asked = 0.0
        return min(max(self.base, asked), self.limit)

    def ask(self, seconds: float) -> float:
        """In the test's process: run until at least ``seconds`` from now, if the limit
        allows. Returns the deadline now granted."""
        until = min(time.monotonic() + seconds, self.limit)
        if until > self.deadline():
            _CELL.pack_into(self._cell, 0, until)
        return self.deadline()

    def granted(self) -> float:
        """Seconds the test was given in all (its timeout, stretched or not)."""
        return self.deadline() - self.start

    def stretched(self) -> bool:
        """Whether the test asked for, and got, longer than its timeout."""
        return self.deadline() > self.base

    def close(self) -> None:
        self._cell.close()
