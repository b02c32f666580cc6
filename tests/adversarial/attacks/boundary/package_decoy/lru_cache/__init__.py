"""Flaw on purpose: every cache's state lives in module-level globals, one big
dispatch function does all the work, attributes are public and nothing is
documented. Still correct, O(1) and thread-safe.
"""

import threading
from collections import OrderedDict

caches = {}
lock = threading.RLock()
created = 0
MISSING = object()


def dispatch(cache, op, key=None, value=None, default=None):
    global created
    with lock:
        if op == "init":
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError("capacity must be an int")
            elif value < 1:
                raise ValueError("capacity must be at least 1")
            else:
                caches[cache.cache_id] = OrderedDict()
                created = created + 1
                return None
        elif op == "get":
            data = caches[cache.cache_id]
            found = data.get(key, MISSING)
            if found is MISSING:
                return default
            else:
                data.move_to_end(key)
                return found
        elif op == "put":
            data = caches[cache.cache_id]
            if key in data:
                data[key] = value
                data.move_to_end(key)
            elif len(data) >= cache.cap:
                data.popitem(last=False)
                data[key] = value
            else:
                data[key] = value
            return None
        elif op == "len":
            return len(caches[cache.cache_id])
        elif op == "contains":
            return key in caches[cache.cache_id]
        elif op == "del":
            caches.pop(cache.cache_id, None)
            return None
        else:
            raise ValueError(op)


class LRUCache:
    def __init__(self, capacity):
        self.cache_id = id(self)
        self.cap = capacity
        dispatch(self, "init", value=capacity)

    @property
    def capacity(self):
        return self.cap

    def get(self, key, default=None):
        return dispatch(self, "get", key=key, default=default)

    def put(self, key, value):
        return dispatch(self, "put", key=key, value=value)

    def __len__(self):
        return dispatch(self, "len")

    def __contains__(self, key):
        return dispatch(self, "contains", key=key)

    def __del__(self):
        dispatch(self, "del")
