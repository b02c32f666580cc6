"""Three data structures for a search service: a running median, prefix autocomplete,
and an ordered map with range queries.

Replace every `raise NotImplementedError` with your implementation; keep the names and
signatures below. Standard library only. The time bounds are part of the task: the
hidden tests measure them.
"""

from __future__ import annotations

from typing import Any


class RunningMedian:
    """The median of a growing stream of numbers.

    - `add` runs in O(log n) time and `median` in O(1), where n is how many numbers
      have been added; also over any long run of calls mixing `add` and
      `median` (amortised), not only on the first calls.
    """

    def __init__(self) -> None:
        """Start with no numbers."""
        raise NotImplementedError

    def add(self, value: float) -> None:
        """Add `value` to the stream.

        Raises `TypeError` unless `value` is an `int` or a `float` (a `bool` is not
        accepted) and `ValueError` if it is NaN.
        """
        raise NotImplementedError

    def median(self) -> float:
        """The middle value of the numbers added so far, or, for an even count, the
        mean of the two middle values, `(a + b) / 2`.

        Raises `ValueError` if no number has been added.
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """How many numbers have been added."""
        raise NotImplementedError


class Autocomplete:
    """Words stored for prefix completion.

    - `add` and `in` run in O(len(word)) time.
    - `complete` runs in time that grows with `len(prefix)` and with the total
      length of the words it returns, never with the number of words stored.
    """

    def __init__(self) -> None:
        """Start with no words."""
        raise NotImplementedError

    def add(self, word: str) -> None:
        """Store `word`. Storing a word that is already stored changes nothing.

        Raises `TypeError` unless `word` is a `str`, and `ValueError` if it is empty.
        """
        raise NotImplementedError

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """The first `limit` stored words that start with `prefix`, in ascending order
        (Python's `<` on str), as a new list; fewer if fewer are stored.

        A word equal to `prefix` starts with it; the empty prefix matches every word.
        Raises `TypeError` unless `prefix` is a `str` and `limit` an `int` (not a
        `bool`), and `ValueError` if `limit` is negative.
        """
        raise NotImplementedError

    def __contains__(self, word: object) -> bool:
        """Whether `word` is stored (anything but a `str` never is; never raises)."""
        raise NotImplementedError

    def __len__(self) -> int:
        """How many distinct words are stored."""
        raise NotImplementedError


class OrderedMap:
    """A mapping kept in key order, with range queries.

    - Keys are mutually comparable with `<` (all ints, or all strs, ...); they need
      not be hashable.
    - `m[key] = value`, `m[key]`, `del m[key]` and `key in m` run in O(log n) time,
      and `range` in O(log n + k) for k pairs returned, where n is the number of keys
      stored, whatever order keys arrive in; also over any long run of calls
      (amortised).
    """

    def __init__(self) -> None:
        """Start empty."""
        raise NotImplementedError

    def __setitem__(self, key: Any, value: Any) -> None:
        """Store `value` under `key`, replacing the value stored there, if any."""
        raise NotImplementedError

    def __getitem__(self, key: Any) -> Any:
        """The value stored under `key` (the very object stored); `KeyError` if none."""
        raise NotImplementedError

    def __delitem__(self, key: Any) -> None:
        """Remove `key` and its value; `KeyError` if `key` is not stored."""
        raise NotImplementedError

    def __contains__(self, key: Any) -> bool:
        """Whether `key` is stored."""
        raise NotImplementedError

    def __len__(self) -> int:
        """How many keys are stored."""
        raise NotImplementedError

    def range(self, low: Any, high: Any) -> list[tuple[Any, Any]]:
        """The `(key, value)` pairs with `low <= key < high`, in ascending key order,
        as a new list (empty if `low >= high`)."""
        raise NotImplementedError
