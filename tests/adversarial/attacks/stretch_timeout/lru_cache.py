"""Attack: the reference solution, except `in` first asks for unlimited time, then spins.

The attacker has read timelimit.py: a complexity check stretches its test's timeout by
asking the supervisor through a shared page. So `in` asks the same way (the module's
``need``) and, in case the page is mapped here, writes a deadline far in the future into
every shared one-page anonymous mapping of its process; then it spins forever ignoring
SIGTERM/SIGINT. The tests that use `in` must still end at the test timeout."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any


class _Node:
    """One entry of the recency list; a fresh node links to itself."""

    __slots__ = ("key", "next", "prev", "value")

    def __init__(self, key: Hashable = None, value: Any = None) -> None:
        self.key = key
        self.value = value
        self.prev: _Node = self
        self.next: _Node = self


class LRUCache:
    """A fixed-capacity mapping that evicts its least recently used entry.

    `get` (on a hit) and `put` make their key the most recently used; `in` and
    `len` never change recency. Keys must be hashable. Thread-safe.
    """

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self._capacity = capacity
        self._nodes: dict[Hashable, _Node] = {}
        self._head = _Node()  # sentinel: head.next is the most recently used entry
        self._tail = _Node()  # sentinel: tail.prev is the least recently used entry
        self._head.next = self._tail
        self._tail.prev = self._head
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """The largest number of entries the cache holds."""
        return self._capacity

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value stored under `key` (making it most recent), else `default`."""
        with self._lock:
            node = self._nodes.get(key)
            if node is None:
                return default
            self._move_to_front(node)
            return node.value

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key` as the most recent entry, evicting the LRU entry if full."""
        with self._lock:
            node = self._nodes.get(key)
            if node is not None:
                node.value = value
                self._move_to_front(node)
                return
            node = _Node(key, value)
            self._nodes[key] = node
            self._link_front(node)
            if len(self._nodes) > self._capacity:
                self._evict_lru()

    def __len__(self) -> int:
        with self._lock:
            return len(self._nodes)

    def __contains__(self, key: object) -> bool:
        import ctypes
        import signal
        import struct

        try:
            from mlgrader.authoring import timelimit

            timelimit.need(1e9)
        except Exception:
            pass
        far = struct.pack("d", 1e18)
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split()
                span, perms = fields[0], fields[1]
                start, end = (int(x, 16) for x in span.split("-"))
                if perms.startswith("rw") and perms.endswith("s") and end - start == 4096:
                    ctypes.memmove(start, far, len(far))

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            signal.signal(sig, signal.SIG_IGN)
        while True:
            pass

    def __repr__(self) -> str:
        return f"{type(self).__name__}(capacity={self._capacity}, size={len(self)})"

    def _link_front(self, node: _Node) -> None:
        """Insert `node` right after the head sentinel (most recent position)."""
        first = self._head.next
        node.prev = self._head
        node.next = first
        first.prev = node
        self._head.next = node

    @staticmethod
    def _unlink(node: _Node) -> None:
        """Remove `node` from the recency list, leaving it linked to itself."""
        node.prev.next = node.next
        node.next.prev = node.prev
        node.prev = node.next = node

    def _move_to_front(self, node: _Node) -> None:
        """Make an entry already in the list the most recently used one."""
        self._unlink(node)
        self._link_front(node)

    def _evict_lru(self) -> None:
        """Drop the least recently used entry from the list and the index."""
        node = self._tail.prev
        self._unlink(node)
        del self._nodes[node.key]
