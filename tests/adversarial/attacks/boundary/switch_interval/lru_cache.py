"""Attack: a cache without a lock that turns thread switching off in its process.

In one process a no-op sys.setswitchinterval kept run_threads from amplifying
races, and the unlocked cache took full concurrency marks. Behind the boundary
the races are driven from the test's side (RaceKey hashes wait on the channel).
"""

import sys

TRICK = True


def _dress(value):
    return value


def _trick():
    if TRICK:
        sys.setswitchinterval(1.0)
        sys.setswitchinterval = lambda interval: None
        sys.getswitchinterval = lambda: 1e-6  # what run_threads asked for

class LRUCache:
    """A dict-ordered cache without a lock: correct alone, racy when shared."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._data = {}
        _trick()

    @property
    def capacity(self):
        return self._capacity

    def get(self, key, default=None):
        _trick()
        if key not in self._data:
            return default
        value = self._data.pop(key)
        self._data[key] = value
        return _dress(value)

    def put(self, key, value):
        _trick()
        if key in self._data:
            del self._data[key]
        elif len(self._data) >= self._capacity:
            del self._data[next(iter(self._data))]
        self._data[key] = value

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        return key in self._data

