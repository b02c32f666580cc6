"""A simulated slow key-value service: the thing the cache goes in front of.

Every `get` sleeps for `latency_s` (a network round trip) and then returns a
value computed deterministically from the key, so a cached answer can be checked
against the service. `calls` counts how many requests reached the service.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable


class SlowKVService:
    """A key-value store that answers every request after a fixed delay."""

    def __init__(self, latency_s: float = 0.01) -> None:
        if latency_s < 0:
            raise ValueError(f"latency_s must be >= 0, got {latency_s}")
        self._latency_s = latency_s
        self._calls = 0
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        """How many `get` requests reached the service so far."""
        with self._lock:
            return self._calls

    def get(self, key: Hashable) -> str:
        """Return the value stored under `key`, after `latency_s` seconds."""
        time.sleep(self._latency_s)
        with self._lock:
            self._calls += 1
        return f"value-of-{key!r}"
