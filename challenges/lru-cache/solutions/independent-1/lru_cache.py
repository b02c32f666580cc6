"""An in-memory least-recently-used (LRU) cache.

Put it in front of the slow key-value service (see `kv_service.py`) so that hot
keys are answered from memory.

Design: the entries live in a `collections.OrderedDict` kept in recency order,
least recently used first. Its C implementation gives O(1) lookup,
`move_to_end` and `popitem(last=False)`, so every operation is O(1) on average,
also in a cache that keeps evicting for a long time. A single lock serialises
every operation, so each call is atomic (linearizable) even when key hashing or
comparison lets other threads run in the middle of a call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


def _validate_capacity(capacity: object) -> int:
    """Return `capacity` if it is a valid cache size, else raise.

    Raises `TypeError` if `capacity` is not an `int` (a `bool` is refused too)
    and `ValueError` if it is smaller than 1.
    """
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise TypeError(
            f"capacity must be an int, got {type(capacity).__name__}"
        )
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, got {capacity}")
    return capacity


class LRUCache:
    """A fixed-capacity mapping that evicts its least recently used entry.

    - `get` (on a hit) and `put` make their key the most recently used entry.
    - `in` and `len()` never change recency.
    - `get` and `put` run in O(1) time on average, whatever the capacity.
    - One instance is safe to share between threads.
    - Keys must be hashable: an unhashable key raises `TypeError`.
    """

    def __init__(self, capacity: int) -> None:
        """Create an empty cache that holds at most `capacity` entries.

        Raises `TypeError` if `capacity` is not an `int` (a `bool` is not
        accepted either) and `ValueError` if it is smaller than 1.
        """
        self._capacity = _validate_capacity(capacity)
        # Recency order: least recently used first, most recently used last.
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """The largest number of entries the cache holds (read-only)."""
        return self._capacity

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value stored under `key`, or `default` if it is absent.

        A hit makes `key` the most recently used entry; a miss changes nothing.
        A stored value of `None` is returned as `None`, not as `default`.
        """
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key`, making it the most recently used entry.

        Overwriting an existing key replaces its value and does not change the
        size. Inserting a new key into a full cache evicts the least recently
        used entry.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
            elif len(self._entries) >= self._capacity:
                self._entries.popitem(last=False)
            self._entries[key] = value

    def __len__(self) -> int:
        """The number of entries currently stored."""
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is stored. Never changes recency."""
        with self._lock:
            return key in self._entries

    def __repr__(self) -> str:
        """A short description: capacity and current size."""
        name = type(self).__name__
        return f"{name}(capacity={self._capacity}, size={len(self)})"
