"""An in-memory least-recently-used (LRU) cache.

Put it in front of the slow key-value service (see `kv_service.py`) so that hot
keys are answered from memory.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any


class LRUCache:
    """A fixed-capacity mapping that evicts its least recently used entry.

    - `get` (on a hit) and `put` make their key the most recently used entry.
    - `in` and `len()` never change recency.
    - `get` and `put` run in O(1) time on average, whatever the capacity.
    - One instance is safe to share between threads.
    - Keys must be hashable: an unhashable key raises `TypeError`.

    Entries live in a plain dict, which keeps insertion order: the first key
    is the least recently used one, and a key is moved to the end by popping
    and re-inserting it.
    """

    def __init__(self, capacity: int) -> None:
        """Create an empty cache that holds at most `capacity` entries.

        Raises `TypeError` if `capacity` is not an `int` and `ValueError` if
        it is smaller than 1.
        """
        if not isinstance(capacity, int):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._data: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """The largest number of entries the cache holds (read-only)."""
        return self._capacity

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value stored under `key`, or `default` if it is absent.

        A hit makes `key` the most recently used entry; a miss changes nothing.
        """
        with self._lock:
            value = self._data.pop(key, None)
            if value is None:
                return default
            self._data[key] = value
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key` and make `key` the most recently used entry.

        Overwriting an existing key replaces its value and does not change the
        size. Inserting a new key into a full cache evicts the least recently
        used entry.
        """
        with self._lock:
            if key in self._data:
                del self._data[key]
            elif len(self._data) >= self._capacity:
                self._evict_oldest()
            self._data[key] = value

    def _evict_oldest(self) -> None:
        """Drop the least recently used entry (the first key in the dict)."""
        oldest = next(iter(self._data))
        del self._data[oldest]

    def __len__(self) -> int:
        """The number of entries currently stored."""
        with self._lock:
            return len(self._data)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is stored. Never changes recency."""
        with self._lock:
            return key in self._data
