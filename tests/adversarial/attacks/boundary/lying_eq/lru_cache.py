"""Attack: an unlocked cache whose values claim to equal anything, to fool the
linearizability check (a stale or foreign value then "matches" what a sequential
cache would have returned).

Behind the boundary a subclass of a plain type is not data: it crosses as a
reference, and a reference is equal only to itself.
"""

TRICK = True


class _Agreeable(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = tuple.__hash__


def _dress(value):
    if TRICK and type(value) is tuple:
        return _Agreeable(value)
    return value


def _trick():
    pass

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

