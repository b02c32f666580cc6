"""A candidate's LRU cache, bundled as an example submission for `mlgrader grade`.

It is correct, O(1) and thread-safe, but keeps its state in public attributes
and leaves its methods undocumented, so it loses some OOP points.
"""

import threading
from collections import OrderedDict


class LRUCache:
    """Least-recently-used cache built on OrderedDict."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be >= 1")
        self.cap = capacity
        self.data = OrderedDict()
        self.lock = threading.Lock()

    @property
    def capacity(self):
        return self.cap

    def get(self, key, default=None):
        with self.lock:
            if key not in self.data:
                return default
            self.data.move_to_end(key)
            return self.data[key]

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            if len(self.data) > self.cap:
                self.data.popitem(last=False)

    def __len__(self):
        with self.lock:
            return len(self.data)

    def __contains__(self, key):
        with self.lock:
            return key in self.data
