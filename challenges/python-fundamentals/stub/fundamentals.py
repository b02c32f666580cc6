"""Python fundamentals: decorators, lazy generators, a value type, and a classic bug fixed.

Replace every `raise NotImplementedError` with your implementation; keep the names,
signatures and defaults below.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def memoize(maxsize: int = 128) -> Callable[[F], F]:
    """A decorator that caches results by arguments; see README.md."""
    raise NotImplementedError


def retry(
    times: int = 3,
    exceptions: tuple[type[BaseException], ...] = (Exception,),
    backoff: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[F], F]:
    """A decorator that retries on `exceptions`; see README.md."""
    raise NotImplementedError


def batched(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Tuples of `n` consecutive items (the last may be shorter), lazily."""
    raise NotImplementedError


def window(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Every run of `n` consecutive items, lazily, in constant memory."""
    raise NotImplementedError


class Vector:
    """An immutable, hashable vector of numbers; see README.md."""

    def __init__(self, *components: float) -> None:
        raise NotImplementedError


def append_item(item, items=[]):  # noqa: B006 - the bug to fix
    """Append `item` to `items` and return the list. Buggy: fix it."""
    items.append(item)
    return items
