"""Three data structures for a search service: a running median, prefix
autocomplete, and an ordered map with range queries.

Standard library only.
"""

from __future__ import annotations

import bisect
import heapq
import math
from typing import Any


class RunningMedian:
    """The median of a growing stream of numbers (two heaps)."""

    def __init__(self) -> None:
        """Start with no numbers."""
        self._low: list[float] = []  # max-heap, negated
        self._high: list[float] = []  # min-heap

    def add(self, value: float) -> None:
        """Add `value` to the stream.

        Raises `TypeError` unless `value` is a number, `ValueError` if NaN.
        """
        if not isinstance(value, (int, float)):
            raise TypeError("value must be a number")
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("value must not be NaN")
        if self._low and value > -self._low[0]:
            heapq.heappush(self._high, value)
        else:
            heapq.heappush(self._low, -value)
        if len(self._low) > len(self._high) + 1:
            heapq.heappush(self._high, -heapq.heappop(self._low))
        elif len(self._high) > len(self._low):
            heapq.heappush(self._low, -heapq.heappop(self._high))

    def median(self) -> float:
        """The median of the numbers so far; `ValueError` if there are none."""
        if not self._low:
            raise ValueError("no numbers yet")
        if len(self._low) > len(self._high):
            return -self._low[0]
        return (-self._low[0] + self._high[0]) / 2

    def __len__(self) -> int:
        """How many numbers have been added."""
        return len(self._low) + len(self._high)


class _TrieNode:
    """One node of the autocomplete trie."""

    __slots__ = ("_children", "_word")

    def __init__(self) -> None:
        """An empty node."""
        self._children: dict[str, _TrieNode] = {}
        self._word: str | None = None

    def child(self, char: str) -> _TrieNode | None:
        """The child under `char`, if any."""
        return self._children.get(char)

    def make_child(self, char: str) -> _TrieNode:
        """The child under `char`, created if missing."""
        if char not in self._children:
            self._children[char] = _TrieNode()
        return self._children[char]

    def mark(self, word: str) -> bool:
        """Mark this node as the end of `word`; whether it was new."""
        if self._word is not None:
            return False
        self._word = word
        return True

    def is_word(self) -> bool:
        """Whether a word ends at this node."""
        return self._word is not None

    def words(self) -> list[str]:
        """Every word stored under this node."""
        found = []
        stack = [self]
        while stack:
            node = stack.pop()
            if node._word is not None:
                found.append(node._word)
            stack.extend(node._children.values())
        return found


class Autocomplete:
    """Words stored for prefix completion (a trie)."""

    def __init__(self) -> None:
        """Start with no words."""
        self._root = _TrieNode()
        self._count = 0

    def add(self, word: str) -> None:
        """Store `word`; `TypeError` unless a str, `ValueError` if empty."""
        if not isinstance(word, str):
            raise TypeError("word must be a str")
        if not word:
            raise ValueError("word must not be empty")
        node = self._root
        for char in word:
            node = node.make_child(char)
        if node.mark(word):
            self._count += 1

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """The first `limit` stored words starting with `prefix`, ascending."""
        if not isinstance(prefix, str):
            raise TypeError("prefix must be a str")
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError("limit must be an int")
        if limit < 0:
            raise ValueError("limit must not be negative")
        node = self._root
        for char in prefix:
            node = node.child(char)
            if node is None:
                return []
        return sorted(node.words())[:limit]

    def __contains__(self, word: object) -> bool:
        """Whether `word` is stored."""
        if not isinstance(word, str):
            return False
        node = self._root
        for char in word:
            node = node.child(char)
            if node is None:
                return False
        return node.is_word()

    def __len__(self) -> int:
        """How many distinct words are stored."""
        return self._count


class OrderedMap:
    """A mapping kept in key order, with range queries (sorted lists)."""

    def __init__(self) -> None:
        """Start empty."""
        self._keys: list[Any] = []
        self._values: list[Any] = []

    def _index(self, key: Any) -> int:
        """The position of `key`; `KeyError` if it is not stored."""
        i = bisect.bisect_left(self._keys, key)
        if i == len(self._keys) or self._keys[i] != key:
            raise KeyError(key)
        return i

    def __setitem__(self, key: Any, value: Any) -> None:
        """Store `value` under `key`, replacing any value stored there."""
        i = bisect.bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            self._values[i] = value
        else:
            self._keys.insert(i, key)
            self._values.insert(i, value)

    def __getitem__(self, key: Any) -> Any:
        """The value stored under `key`; `KeyError` if none."""
        return self._values[self._index(key)]

    def __delitem__(self, key: Any) -> None:
        """Remove `key` and its value; `KeyError` if `key` is not stored."""
        i = self._index(key)
        del self._keys[i]
        del self._values[i]

    def __contains__(self, key: Any) -> bool:
        """Whether `key` is stored."""
        try:
            self._index(key)
        except KeyError:
            return False
        return True

    def __len__(self) -> int:
        """How many keys are stored."""
        return len(self._keys)

    def range(self, low: Any, high: Any) -> list[tuple[Any, Any]]:
        """The `(key, value)` pairs with `low <= key < high`, ascending."""
        if low >= high:
            return []
        start = bisect.bisect_left(self._keys, low)
        stop = bisect.bisect_left(self._keys, high)
        return list(zip(self._keys[start:stop], self._values[start:stop]))
