"""An in-memory least-recently-used (LRU) cache.

Put it in front of the slow key-value service (see `kv_service.py`) so that hot
keys are answered from memory. Replace every `raise NotImplementedError` with
your implementation; keep the names and signatures below.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any


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
        raise NotImplementedError

    @property
    def capacity(self) -> int:
        """The largest number of entries the cache holds (read-only)."""
        raise NotImplementedError

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value stored under `key`, or `default` if it is absent.

        A hit makes `key` the most recently used entry; a miss changes nothing.
        A stored value of `None` is returned as `None`, not as `default`.
        """
        raise NotImplementedError

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key` and make `key` the most recently used entry.

        Overwriting an existing key replaces its value and does not change the
        size. Inserting a new key into a full cache evicts the least recently
        used entry.
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of entries currently stored."""
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        """Whether `key` is stored. Never changes recency."""
        raise NotImplementedError
