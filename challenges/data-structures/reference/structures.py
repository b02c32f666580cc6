"""Three data structures a search service needs, each within its stated time bound.

- `RunningMedian`: two heaps, the lower half a max-heap (stored negated) and the
  upper half a min-heap, kept within one element of each other in size.
- `Autocomplete`: a trie of dicts; completions walk it depth-first in character
  order and stop as soon as `limit` words are found.
- `OrderedMap`: a treap (a binary search tree whose nodes also keep heap order on
  random priorities), balanced with high probability whatever the insertion order.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from typing import Any


class RunningMedian:
    """The median of a growing stream of numbers.

    `add` is O(log n), `median` and `len` are O(1).
    """

    def __init__(self) -> None:
        """Start with no numbers."""
        self._low: list[float] = []  # the smaller half, negated: a max-heap
        self._high: list[float] = []  # the larger half: a min-heap

    def add(self, value: float) -> None:
        """Add `value` (an int or float, not a bool; NaN is refused) to the stream."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected an int or float, got {type(value).__name__}")
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("NaN has no place in an order: refused")
        if self._low and value > -self._low[0]:
            heapq.heappush(self._high, value)
        else:
            heapq.heappush(self._low, -value)
        self._rebalance()

    def _rebalance(self) -> None:
        """Keep the lower half as large as the upper half, or one larger."""
        if len(self._low) > len(self._high) + 1:
            heapq.heappush(self._high, -heapq.heappop(self._low))
        elif len(self._high) > len(self._low):
            heapq.heappush(self._low, -heapq.heappop(self._high))

    def median(self) -> float:
        """The middle value, or the mean of the two middle values of an even count.

        Raises `ValueError` when no number has been added.
        """
        if not self._low:
            raise ValueError("the median of no numbers is undefined")
        if len(self._low) > len(self._high):
            return -self._low[0]
        return (-self._low[0] + self._high[0]) / 2

    def __len__(self) -> int:
        """How many numbers have been added."""
        return len(self._low) + len(self._high)


class _TrieNode:
    """One character position: its children by character, and whether a word ends here."""

    __slots__ = ("children", "word")

    def __init__(self) -> None:
        self.children: dict[str, _TrieNode] = {}
        self.word: str | None = None


class Autocomplete:
    """Words stored for prefix completion.

    `add` and `in` cost O(len(word)); `complete` costs O(len(prefix)) plus the
    length of the words it returns, however many words are stored.
    """

    def __init__(self) -> None:
        """Start with no words."""
        self._root = _TrieNode()
        self._size = 0

    def add(self, word: str) -> None:
        """Store `word` (a non-empty str); storing a stored word again changes nothing."""
        _require_str(word, "word")
        if not word:
            raise ValueError("cannot store the empty word")
        node = self._root
        for char in word:
            node = node.children.setdefault(char, _TrieNode())
        if node.word is None:
            node.word = word
            self._size += 1

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Up to `limit` stored words that start with `prefix`, in ascending order."""
        _require_str(prefix, "prefix")
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise TypeError(f"limit must be an int, got {type(limit).__name__}")
        if limit < 0:
            raise ValueError(f"limit must be at least 0, got {limit}")
        node = self._find(prefix)
        if node is None or limit == 0:
            return []
        found: list[str] = []
        for word in _words_below(node):
            found.append(word)
            if len(found) == limit:
                break
        return found

    def _find(self, prefix: str) -> _TrieNode | None:
        """The node that `prefix` leads to, if any stored word starts with it."""
        node: _TrieNode | None = self._root
        for char in prefix:
            node = node.children.get(char) if node is not None else None
        return node

    def __contains__(self, word: object) -> bool:
        """Whether `word` is stored (a non-str is never stored)."""
        if not isinstance(word, str):
            return False
        node = self._find(word)
        return node is not None and node.word is not None

    def __len__(self) -> int:
        """How many distinct words are stored."""
        return self._size


def _words_below(node: _TrieNode) -> Iterator[str]:
    """The words at and below `node`, in ascending order, found lazily (depth first)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.word is not None:
            yield current.word
        # children pushed in descending order so the smallest is visited next
        stack.extend(current.children[c] for c in sorted(current.children, reverse=True))


def _require_str(value: object, name: str) -> None:
    """Raise `TypeError` unless `value` is a str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")


class _TreapNode:
    """A key and its value, with a random priority no smaller than its children's."""

    __slots__ = ("key", "left", "priority", "right", "value")

    def __init__(self, key: Any, value: Any, priority: float) -> None:
        self.key = key
        self.value = value
        self.priority = priority
        self.left: _TreapNode | None = None
        self.right: _TreapNode | None = None


class OrderedMap:
    """A mapping kept in key order, with range queries.

    Setting, getting, deleting and `in` cost O(log n) (with high probability, over
    the map's own random choices); `range` costs O(log n + k) for k results; `len`
    is O(1). Keys must be mutually comparable with `<`.
    """

    def __init__(self) -> None:
        """Start empty; priorities come from a seeded generator, so runs repeat exactly."""
        self._root: _TreapNode | None = None
        self._size = 0
        self._random = random.Random(0x5EED)

    def __setitem__(self, key: Any, value: Any) -> None:
        """Store `value` under `key`, replacing any value stored there."""
        node = self._node(key)
        if node is not None:
            node.value = value
            return
        left, right = _split(self._root, key)
        single = _TreapNode(key, value, self._random.random())
        self._root = _merge(_merge(left, single), right)
        self._size += 1

    def __getitem__(self, key: Any) -> Any:
        """The value stored under `key`; `KeyError` if there is none."""
        node = self._node(key)
        if node is None:
            raise KeyError(key)
        return node.value

    def __delitem__(self, key: Any) -> None:
        """Remove `key` and its value; `KeyError` if it is not stored."""
        if self._node(key) is None:
            raise KeyError(key)
        left, right = _split(self._root, key)
        _, right = _split_after_first(right)
        self._root = _merge(left, right)
        self._size -= 1

    def __contains__(self, key: object) -> bool:
        """Whether `key` is stored."""
        return self._node(key) is not None

    def __len__(self) -> int:
        """How many keys are stored."""
        return self._size

    def range(self, low: Any, high: Any) -> list[tuple[Any, Any]]:
        """The `(key, value)` pairs with `low <= key < high`, in ascending key order."""
        found: list[tuple[Any, Any]] = []
        stack: list[_TreapNode] = []
        node = self._root
        while stack or node is not None:
            if node is not None:
                if node.key < low:
                    node = node.right  # everything to the left is smaller still
                else:
                    stack.append(node)
                    node = node.left
                continue
            node = stack.pop()
            if not node.key < high:
                break
            found.append((node.key, node.value))
            node = node.right
        return found

    def _node(self, key: Any) -> _TreapNode | None:
        """The node holding `key`, if any."""
        node = self._root
        while node is not None:
            if key < node.key:
                node = node.left
            elif node.key < key:
                node = node.right
            else:
                return node
        return None


def _split(node: _TreapNode | None, key: Any) -> tuple[_TreapNode | None, _TreapNode | None]:
    """Split a treap into the keys below `key` and the keys at or above it."""
    if node is None:
        return None, None
    if node.key < key:
        node.right, right = _split(node.right, key)
        return node, right
    left, node.left = _split(node.left, key)
    return left, node


def _split_after_first(node: _TreapNode | None) -> tuple[_TreapNode | None, _TreapNode | None]:
    """Split off the smallest key of a treap from the rest."""
    if node is None:
        return None, None
    if node.left is None:
        rest, node.right = node.right, None
        return node, rest
    first, node.left = _split_after_first(node.left)
    return first, node


def _merge(left: _TreapNode | None, right: _TreapNode | None) -> _TreapNode | None:
    """Join two treaps whose keys are all smaller on the left."""
    if left is None:
        return right
    if right is None:
        return left
    if left.priority > right.priority:
        left.right = _merge(left.right, right)
        return left
    right.left = _merge(left, right.left)
    return right
