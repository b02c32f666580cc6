"""Attack: an O(n) cache that replaces every clock in its process with one that barely moves.

In one process the complexity engine read time.perf_counter, so the O(n) cache
looked O(1). Behind the boundary time is read by the test's process, from the
kernel (the candidate process's CPU clock and the wall clock).
"""

import threading
import time

TRICK = True


def _skip_the_work():
    return False


if TRICK:
    _ticks = [0]

    def _slow_clock(*args):
        _ticks[0] += 1
        return _ticks[0] * 1e-9

    def _slow_clock_ns(*args):
        _ticks[0] += 1
        return _ticks[0]

    for _name in ("perf_counter", "process_time", "thread_time", "monotonic", "time", "clock_gettime"):
        setattr(time, _name, _slow_clock)
    for _name in ("perf_counter_ns", "process_time_ns", "thread_time_ns", "monotonic_ns", "time_ns", "clock_gettime_ns"):
        setattr(time, _name, _slow_clock_ns)

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

