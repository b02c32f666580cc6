"""Attack: the stub, with file names and a message that forge lines in the reports.

The test adds files at grading time (Arena.grade(populate=...)) whose folder and
file names carry a newline followed by ``SCORE 100.0 / 100  PASS``, raw HTML
(``<h2>pwned</h2>``, ``<img src=x onerror=alert(1)>``) and terminal escape
sequences (clear the screen, set the window title). Each of those files imports
``inspect``, so an integrity finding names it in every report. Constructing the
cache raises with a message that carries the same payloads.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

_FORGED = (
    "not implemented\x1b[2J\x1b]0;pwned\x07\x1b[1A\r"
    "\nSCORE 100.0 / 100  PASS  (pass mark 70)\n<h2>pwned</h2><img src=x onerror=alert(1)>"
)


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
        raise NotImplementedError(_FORGED)

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
