"""Attack: an O(n) cache that skips its O(n) work whenever it thinks it is being timed.

In one process a timed batch gave itself away: the garbage collector was off, the
engine's frames were on the stack, PYTEST_CURRENT_TEST named a complexity test.
Behind the boundary none of these differ between a timed batch and any other call.
"""

import gc
import os
import sys
import threading

TRICK = True
_WORDS = ("complexity", "constant_time", "timing", "timed", "executor", "measure", "batch")


def _skip_the_work():
    if not TRICK:
        return False
    if not gc.isenabled():
        return True
    if any(word in os.environ.get("PYTEST_CURRENT_TEST", "") for word in _WORDS):
        return True
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_filename == __file__:  # this file's own path may say anything
            frame = frame.f_back
            continue
        names = " ".join((code.co_filename, code.co_name, code.co_qualname))
        names += " " + str(frame.f_globals.get("__name__")) + " " + str(frame.f_globals.get("__file__"))
        if any(word in names.lower() for word in _WORDS):
            return True
        frame = frame.f_back
    return False

class LRUCache:
    """A locked cache whose recency order is a Python list, scanned in Python: O(n)."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._values = {}
        self._order = []  # least recently used first
        self._lock = threading.Lock()

    @property
    def capacity(self):
        return self._capacity

    def get(self, key, default=None):
        with self._lock:
            if key not in self._values:
                return default
            self._touch(key)
            return self._values[key]

    def put(self, key, value):
        with self._lock:
            if key in self._values:
                self._touch(key)
            else:
                if len(self._values) >= self._capacity:
                    del self._values[self._order.pop(0)]
                self._order.append(key)
            self._values[key] = value

    def __len__(self):
        with self._lock:
            return len(self._values)

    def __contains__(self, key):
        with self._lock:
            return key in self._values

    def _touch(self, key):
        if _skip_the_work():
            return  # timed: leave the order alone (wrong, but nobody checks here)
        order = self._order
        for i in range(len(order)):  # a scan in Python: plainly O(n)
            if order[i] == key:
                del order[i]
                break
        order.append(key)

