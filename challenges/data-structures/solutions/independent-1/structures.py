"""Three data structures for a search service: a running median, prefix
autocomplete, and an ordered map with range queries.

- `RunningMedian` keeps the lower half of the stream in a max-heap and the
  upper half in a min-heap, so the middle values are always on top.
- `Autocomplete` keeps a set of the words (membership, size) and a trie of
  them (completion); each trie node is a dict from a character to the child
  node, and a node where a word ends also maps `_END` to that word.
- `OrderedMap` is an AVL tree: its height stays within 1.44 log2(n + 2), so
  every search, update and range walk is O(log n) in the worst case, whatever
  order the keys arrive in.

Standard library only.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

# The trie key under which a node stores the word that ends there. No
# character of a word is the empty string, and "" sorts before every
# character, so a word comes out before the longer words it is a prefix of.
_END = ""


class RunningMedian:
    """The median of a growing stream of numbers.

    - `add` runs in O(log n) time, `median` and `len` in O(1), where n is how
      many numbers have been added; also over any long run of calls mixing
      `add` and `median` (amortised), not only on the first calls.
    """

    def __init__(self) -> None:
        """Start with no numbers."""
        # _low holds the smaller half, negated (heapq is a min-heap), and
        # holds one value more than _high when the count is odd.
        self._low: list[float] = []
        self._high: list[float] = []

    def add(self, value: float) -> None:
        """Add `value` to the stream.

        Raises `TypeError` unless `value` is an `int` or a `float` (a `bool`
        is not accepted) and `ValueError` if it is NaN; either way the stream
        is unchanged.
        """
        _check_number(value)
        if self._low and value > -self._low[0]:
            heapq.heappush(self._high, value)
        else:
            heapq.heappush(self._low, -value)
        if len(self._low) > len(self._high) + 1:
            heapq.heappush(self._high, -heapq.heappop(self._low))
        elif len(self._high) > len(self._low):
            heapq.heappush(self._low, -heapq.heappop(self._high))

    def median(self) -> float:
        """The middle value of the numbers added so far, or, for an even count,
        the mean of the two middle values, `(a + b) / 2`.

        Raises `ValueError` if no number has been added.
        """
        if not self._low:
            raise ValueError("median() of an empty stream")
        lower = -self._low[0]
        if len(self._low) > len(self._high):
            return lower
        return (lower + self._high[0]) / 2

    def __len__(self) -> int:
        """How many numbers have been added."""
        return len(self._low) + len(self._high)


def _check_number(value: object) -> None:
    """Raise unless `value` is a non-NaN int or float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"expected an int or a float, got {type(value).__name__}"
        )
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("NaN has no place in an ordering")


class Autocomplete:
    """Words stored for prefix completion.

    - `add` and `in` run in O(len(word)) time, `len` in O(1).
    - `complete` runs in time that grows with `len(prefix)` and with the total
      length of the words it returns, never with the number of words stored.
    """

    def __init__(self) -> None:
        """Start with no words."""
        self._words: set[str] = set()
        self._root: dict[str, Any] = {}

    def add(self, word: str) -> None:
        """Store `word`. Storing a word that is already stored changes nothing.

        Raises `TypeError` unless `word` is a `str`, and `ValueError` if it is
        empty; either way nothing is stored.
        """
        if not isinstance(word, str):
            raise TypeError(f"expected a str, got {type(word).__name__}")
        if not word:
            raise ValueError("the empty word cannot be stored")
        if word in self._words:
            return
        node = self._root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = word
        self._words.add(word)

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """The first `limit` stored words that start with `prefix`, in
        ascending order (Python's `<` on str), as a new list; fewer if fewer
        are stored.

        A word equal to `prefix` starts with it; the empty prefix matches every
        word. Raises `TypeError` unless `prefix` is a `str` and `limit` an
        `int` (not a `bool`), and `ValueError` if `limit` is negative.
        """
        _check_completion_args(prefix, limit)
        node = self._root
        for char in prefix:
            node = node.get(char)
            if node is None:
                return []
        return _first_words(node, limit)

    def __contains__(self, word: object) -> bool:
        """Whether `word` is stored (anything but a `str` never is; never
        raises)."""
        return isinstance(word, str) and word in self._words

    def __len__(self) -> int:
        """How many distinct words are stored."""
        return len(self._words)


def _check_completion_args(prefix: object, limit: object) -> None:
    """Raise unless `prefix` is a str and `limit` a non-negative int."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, not {type(prefix).__name__}")
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, not {type(limit).__name__}")
    if limit < 0:
        raise ValueError("limit must not be negative")


def _first_words(node: dict[str, Any], limit: int) -> list[str]:
    """The first `limit` words stored in the trie under `node`, ascending.

    A depth-first walk taking each node's keys in sorted order, one key at a
    time, stopping at the `limit`-th word: every node it enters lies on the
    path to a word it returns, so the work is bounded by their total length
    (sorting a node's keys costs a constant for a fixed alphabet).
    """
    found: list[str] = []
    stack = [(node, iter(sorted(node)))]
    while stack and len(found) < limit:
        current, keys = stack[-1]
        key = next(keys, None)
        if key is None:
            stack.pop()
        elif key == _END:
            found.append(current[key])
        else:
            child = current[key]
            stack.append((child, iter(sorted(child))))
    return found


class OrderedMap:
    """A mapping kept in key order, with range queries.

    - Keys are mutually comparable with `<` (all ints, or all strs, ...); they
      need not be hashable.
    - `m[key] = value`, `m[key]`, `del m[key]` and `key in m` run in O(log n)
      time, `len` in O(1), and `range` in O(log n + k) for k pairs returned,
      where n is the number of keys stored; also over any long run of calls
      (amortised).
    """

    def __init__(self) -> None:
        """Start empty."""
        self._root: _Node | None = None
        self._size = 0

    def __setitem__(self, key: Any, value: Any) -> None:
        """Store `value` under `key`, replacing any value stored there."""
        self._root, added = _insert(self._root, key, value)
        if added:
            self._size += 1

    def __getitem__(self, key: Any) -> Any:
        """The value stored under `key` (the very object stored); `KeyError`
        if none."""
        node = _find(self._root, key)
        if node is None:
            raise KeyError(key)
        return node.value

    def __delitem__(self, key: Any) -> None:
        """Remove `key` and its value; `KeyError` if `key` is not stored."""
        self._root = _remove(self._root, key)
        self._size -= 1

    def __contains__(self, key: Any) -> bool:
        """Whether `key` is stored."""
        return _find(self._root, key) is not None

    def __len__(self) -> int:
        """How many keys are stored."""
        return self._size

    def range(self, low: Any, high: Any) -> list[tuple[Any, Any]]:
        """The `(key, value)` pairs with `low <= key < high`, in ascending key
        order, as a new list (empty if `low >= high`)."""
        if not low < high:
            return []
        return _pairs_between(self._root, low, high)


@dataclass(slots=True, eq=False)
class _Node:
    """A node of the AVL tree behind `OrderedMap`."""

    key: Any
    value: Any
    left: _Node | None = None
    right: _Node | None = None
    height: int = 1


def _height(node: _Node | None) -> int:
    """The height of the subtree `node`, 0 for an empty one."""
    return 0 if node is None else node.height


def _rotate_left(node: _Node) -> _Node:
    """Lift the right child of `node` above it; return the new subtree root."""
    pivot = node.right
    node.right = pivot.left
    pivot.left = node
    node.height = 1 + max(_height(node.left), _height(node.right))
    pivot.height = 1 + max(node.height, _height(pivot.right))
    return pivot


def _rotate_right(node: _Node) -> _Node:
    """Lift the left child of `node` above it; return the new subtree root."""
    pivot = node.left
    node.left = pivot.right
    pivot.right = node
    node.height = 1 + max(_height(node.left), _height(node.right))
    pivot.height = 1 + max(_height(pivot.left), node.height)
    return pivot


def _balance(node: _Node) -> _Node:
    """Restore the AVL property at `node`, whose subtrees are AVL trees
    differing in height by at most 2; return the new subtree root."""
    left, right = _height(node.left), _height(node.right)
    if left > right + 1:
        if _height(node.left.left) < _height(node.left.right):
            node.left = _rotate_left(node.left)
        return _rotate_right(node)
    if right > left + 1:
        if _height(node.right.right) < _height(node.right.left):
            node.right = _rotate_right(node.right)
        return _rotate_left(node)
    node.height = 1 + max(left, right)
    return node


def _find(node: _Node | None, key: Any) -> _Node | None:
    """The node holding `key` in the subtree `node`, or None."""
    while node is not None:
        if key < node.key:
            node = node.left
        elif node.key < key:
            node = node.right
        else:
            return node
    return None


def _insert(node: _Node | None, key: Any, value: Any) -> tuple[_Node, bool]:
    """Store `value` under `key` in the subtree `node`.

    Returns the new subtree root and whether `key` was new to it.
    """
    if node is None:
        return _Node(key, value), True
    if key < node.key:
        node.left, added = _insert(node.left, key, value)
    elif node.key < key:
        node.right, added = _insert(node.right, key, value)
    else:
        node.value = value
        return node, False
    return (_balance(node) if added else node), added


def _remove(node: _Node | None, key: Any) -> _Node | None:
    """Remove `key` from the subtree `node`; return the new subtree root.

    Raises `KeyError`, leaving the tree as it was, if `key` is not there.
    """
    if node is None:
        raise KeyError(key)
    if key < node.key:
        node.left = _remove(node.left, key)
    elif node.key < key:
        node.right = _remove(node.right, key)
    else:
        return _unlink(node)
    return _balance(node)


def _unlink(node: _Node) -> _Node | None:
    """The subtree `node` without its root node."""
    if node.left is None:
        return node.right
    if node.right is None:
        return node.left
    rest, successor = _pop_min(node.right)
    successor.left, successor.right = node.left, rest
    return _balance(successor)


def _pop_min(node: _Node) -> tuple[_Node | None, _Node]:
    """Detach the node with the smallest key from the subtree `node`.

    Returns the new subtree root and the detached node.
    """
    if node.left is None:
        return node.right, node
    node.left, smallest = _pop_min(node.left)
    return _balance(node), smallest


def _pairs_between(
    root: _Node | None, low: Any, high: Any
) -> list[tuple[Any, Any]]:
    """The `(key, value)` pairs with `low <= key < high` under `root`, in key
    order: an in-order walk that starts at the first key not below `low`."""
    pairs: list[tuple[Any, Any]] = []
    path: list[_Node] = []
    node = root
    while node is not None:
        if node.key < low:
            node = node.right
        else:
            path.append(node)
            node = node.left
    while path:
        node = path.pop()
        if not node.key < high:
            break
        pairs.append((node.key, node.value))
        node = node.right
        while node is not None:
            path.append(node)
            node = node.left
    return pairs
