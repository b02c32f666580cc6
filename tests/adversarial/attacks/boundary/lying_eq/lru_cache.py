"""Attack: an unlocked cache whose values claim to equal anything, to fool the
linearizability check (a stale or foreign value then "matches" what a sequential
cache would have returned).

Behind the boundary a subclass of a plain type is not data: it crosses as a
reference, and a reference is equal only to itself.
"""

from collections.abc import Hashable
from typing import Any

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
    `len` never change recency. Keys must be hashable. The reference without its lock:
    correct alone, racy when shared, O(1) per call in every state.
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
        _trick()

    @property
    def capacity(self) -> int:
        """The largest number of entries the cache holds."""
        return self._capacity

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value stored under `key` (making it most recent), else `default`."""
        _trick()
        node = self._nodes.get(key)
        if node is None:
            return default
        self._move_to_front(node)
        return _dress(node.value)

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key` as the most recent entry, evicting the LRU entry if full."""
        _trick()
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
        return len(self._nodes)

    def __contains__(self, key: object) -> bool:
        return key in self._nodes

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
