"""Counters a peer keeps about its traffic; one Metrics may be shared by many peers."""

from __future__ import annotations

import threading


class Metrics:
    """Named counters (``messages_sent``, ``bytes_received``, ``rounds``, ...).

    Any number of threads may call :meth:`add`, :meth:`get` and :meth:`snapshot` at
    once: every ``add`` is counted exactly once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, float] = {}

    def add(self, name: str, amount: float = 1) -> None:
        """Add ``amount`` to the counter ``name`` (created at 0)."""
        with self._lock:
            self._values[name] = self._values.get(name, 0) + amount

    def get(self, name: str) -> float:
        """The counter's value, 0 if it was never added to."""
        with self._lock:
            return self._values.get(name, 0)

    def snapshot(self) -> dict[str, float]:
        """A copy of every counter, taken at one instant."""
        with self._lock:
            return dict(self._values)

    def reset(self) -> None:
        """Forget every counter."""
        with self._lock:
            self._values.clear()
