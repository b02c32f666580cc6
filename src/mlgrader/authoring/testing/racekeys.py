"""RaceKey: dictionary keys that make candidate code interleave, driven from the test's side.

A cache or index shared between threads is only as thread-safe as the moments its
threads can be interrupted. In one process, ``run_threads`` shrinks the
interpreter's switch interval so those moments come often. Behind the process
boundary that knob belongs to the candidate process, which candidate code owns:
it could turn it back up and let a lock-free structure look safe.

A RaceKey takes the scheduling out of candidate hands. Its ``__hash__`` and
``__eq__`` run in the test's process: every dict lookup candidate code makes with
one sends a call over the channel and waits for the answer, and while it waits
the other candidate threads run. A check-then-act on a dict keyed by RaceKeys
therefore has a gap between the check and the act on every call, whatever the
candidate process's switch interval. In one process (no boundary) ``__hash__``
yields the interpreter lock (``time.sleep(0)``), which opens the same gaps.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any

__all__ = ["RaceKey"]


class RaceKey:
    """A hashable stand-in for ``value`` (plain data: numbers, strs, tuples of them): equal
    RaceKeys have equal values; hashing yields.

    ``repr`` is the value's, so failure messages and linearizability explanations read
    as if the plain value had been used.
    """

    __slots__ = ("_hash", "_value")

    def __init__(self, value: Hashable) -> None:
        self._value = value
        self._hash = hash(value)

    @property
    def value(self) -> Any:
        """The plain value this key stands for."""
        return self._value

    def __hash__(self) -> int:
        time.sleep(0)  # in one process: let another thread run between check and act
        return self._hash

    def __eq__(self, other: object) -> bool:
        return type(other) is RaceKey and other._value == self._value

    def __boundary_equality__(self) -> Any:
        """Behind the boundary, two RaceKeys compare by this in the candidate process (a
        dict probe then costs no round trip): only hashing is meant to wait."""
        return self._value

    def __repr__(self) -> str:
        return repr(self._value)
