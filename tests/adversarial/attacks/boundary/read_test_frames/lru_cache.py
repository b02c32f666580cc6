"""Attack: a cache that stores nothing and answers from the test's own frames.

In one process the test's locals (its model cache, its expected values) were a
sys._current_frames() away. Behind the boundary the test runs in another process.
"""

import sys
from collections import OrderedDict

TRICK = True


def _from_the_tests_frames(key, default):
    for frame in list(sys._current_frames().values()):
        while frame is not None:
            for value in list(frame.f_locals.values()):
                if type(value) in (dict, OrderedDict) and value and key in value:
                    if type(value) is OrderedDict:
                        value.move_to_end(key)
                    return value[key]
            frame = frame.f_back
    return default


class LRUCache:
    """Stores nothing: every answer comes from whatever the test keeps in its frames."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity

    @property
    def capacity(self):
        return self._capacity

    def get(self, key, default=None):
        hash(key)
        return _from_the_tests_frames(key, default) if TRICK else default

    def put(self, key, value):
        hash(key)

    def __len__(self):
        return 0

    def __contains__(self, key):
        return False
