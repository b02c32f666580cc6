"""Attack: an O(n) cache whose O(n) work runs in a helper process it forked.

The complexity engine times candidate code by the candidate process's CPU
clock, read from outside. A child process's CPU is not in that clock: this
cache keeps its recency order (a Python list, scanned on every touch) in a
helper process and asks it over a pipe, so its own process does O(1) work per
call. Behind the boundary the candidate process has a CPU cgroup of its own
(as root), which counts the helper too; elsewhere wall time is used while it
has children. (Every request waits for its answer: work deferred past the end
of a timed call is another matter, see docs/security.md.)
"""

import os
import threading
from collections import deque

TRICK = True


class _LocalOrder:
    """Recency order of one cache, least recently used first: O(n) touches, O(1) evictions."""

    def __init__(self):
        self._order = deque()

    def append(self, token):
        self._order.append(token)

    def touch(self, token):
        order = self._order
        for i, held in enumerate(order):  # a scan in Python: plainly O(n)
            if held == token:
                del order[i]
                break
        order.append(token)

    def evict(self):
        return self._order.popleft()


class _Helper:
    """One forked process holding every cache's order; one request at a time."""

    def __init__(self):
        requests_r, self._requests = os.pipe()
        self._replies, replies_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(self._requests)
            os.close(self._replies)
            self._serve(os.fdopen(requests_r, "r"), os.fdopen(replies_w, "w"))
            os._exit(0)
        os.close(requests_r)
        os.close(replies_w)
        self._out = os.fdopen(self._requests, "w")
        self._in = os.fdopen(self._replies, "r")
        self._lock = threading.Lock()

    @staticmethod
    def _serve(requests, replies):
        orders = {}
        for line in requests:
            cache, op, token = line.split()
            order = orders.setdefault(cache, _LocalOrder())
            if op == "append":
                order.append(int(token))
                answer = 0
            elif op == "touch":
                order.touch(int(token))
                answer = 0
            else:
                answer = order.evict()
            replies.write(f"{answer}\n")  # every request waits for its answer
            replies.flush()

    def send(self, cache, op, token=0):
        with self._lock:
            self._out.write(f"{cache} {op} {token}\n")
            self._out.flush()
            return int(self._in.readline())


_HELPER = []
_HELPER_LOCK = threading.Lock()


class _RemoteOrder:
    """The same order, kept and scanned in the helper process."""

    def __init__(self):
        with _HELPER_LOCK:
            if not _HELPER:
                _HELPER.append(_Helper())
        self._helper = _HELPER[0]
        self._name = str(id(self))

    def append(self, token):
        self._helper.send(self._name, "append", token)

    def touch(self, token):
        self._helper.send(self._name, "touch", token)

    def evict(self):
        return self._helper.send(self._name, "evict")


class LRUCache:
    """A locked cache whose recency order is scanned in Python on every hit: O(n)."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._values = {}
        self._tokens = {}  # key -> token
        self._keys = {}  # token -> key
        self._next = 0
        self._order = _RemoteOrder() if TRICK else _LocalOrder()
        self._lock = threading.Lock()

    @property
    def capacity(self):
        return self._capacity

    def get(self, key, default=None):
        with self._lock:
            if key not in self._values:
                return default
            self._order.touch(self._tokens[key])
            return self._values[key]

    def put(self, key, value):
        with self._lock:
            if key in self._values:
                self._order.touch(self._tokens[key])
            else:
                if len(self._values) >= self._capacity:
                    old = self._keys.pop(self._order.evict())
                    del self._values[old]
                    del self._tokens[old]
                self._next += 1
                self._tokens[key] = self._next
                self._keys[self._next] = key
                self._order.append(self._next)
            self._values[key] = value

    def __len__(self):
        with self._lock:
            return len(self._values)

    def __contains__(self, key):
        with self._lock:
            return key in self._values
