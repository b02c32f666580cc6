"""An in-memory least-recently-used (LRU) cache.

Flaw on purpose: recency is kept in a Python list (oldest first), so a hit or an
overwrite pays `list.remove` and an eviction pays `list.pop(0)`: O(n) each.
Correct, thread-safe and cleanly structured otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any


class LRUCache:
    """A fixed-capacity mapping that evicts its least recently used entry."""

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._values: dict[Hashable, Any] = {}
        self._order: list[Hashable] = []  # least recently used first
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """The largest number of entries the cache holds."""
        return self._capacity

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value stored under `key` (making it most recent), else `default`."""
        with self._lock:
            if key not in self._values:
                return default
            self._touch(key)
            return self._values[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key` as the most recent entry, evicting the LRU entry if full."""
        with self._lock:
            if key in self._values:
                self._touch(key)
            else:
                if len(self._values) >= self._capacity:
                    self._evict_lru()
                self._order.append(key)
            self._values[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._values

    def _touch(self, key: Hashable) -> None:
        """Move `key` to the most recent end of the order list."""
        self._order.remove(key)
        self._order.append(key)

    def _evict_lru(self) -> None:
        """Drop the least recently used entry."""
        oldest = self._order.pop(0)
        del self._values[oldest]
