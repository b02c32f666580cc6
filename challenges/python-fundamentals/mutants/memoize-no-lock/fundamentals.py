"""Python fundamentals: decorators, lazy generators, a value type, and a classic bug fixed."""

from __future__ import annotations

import functools
import itertools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class CacheInfo(NamedTuple):
    """Counters of a memoized function's cache."""

    hits: int
    misses: int
    size: int


def memoize(maxsize: int = 128) -> Callable[[F], F]:
    """Cache a function's results by its arguments, keeping the ``maxsize`` most recent.

    Keyword arguments are part of the key. A call with an unhashable argument
    bypasses the cache. The cache is safe to share between threads. The wrapper
    keeps the function's name and docstring, and has ``cache_info()``.
    """
    if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
        raise ValueError(f"maxsize must be an int >= 1, got {maxsize!r}")

    def decorate(func: F) -> F:
        cache: OrderedDict[Hashable, Any] = OrderedDict()
        lock = _NoLock()
        counts = {"hits": 0, "misses": 0}

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = (args, tuple(sorted(kwargs.items())))
            try:
                hash(key)
            except TypeError:
                return func(*args, **kwargs)
            with lock:
                if key in cache:
                    cache.move_to_end(key)
                    counts["hits"] += 1
                    return cache[key]
            value = func(*args, **kwargs)
            with lock:
                counts["misses"] += 1
                cache[key] = value
                cache.move_to_end(key)
                while len(cache) > maxsize:
                    cache.popitem(last=False)
            return value

        def cache_info() -> CacheInfo:
            with lock:
                return CacheInfo(counts["hits"], counts["misses"], len(cache))

        wrapper.cache_info = cache_info  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def retry(
    times: int = 3,
    exceptions: tuple[type[BaseException], ...] = (Exception,),
    backoff: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[F], F]:
    """Call the function up to ``times`` times while it raises one of ``exceptions``.

    Before attempt k + 2 it waits ``backoff * 2**k`` seconds (through ``sleep``). The
    last exception is re-raised; any other exception propagates at once.
    """
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be an int >= 1, got {times!r}")
    if backoff < 0:
        raise ValueError(f"backoff must be >= 0, got {backoff!r}")

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(times):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == times - 1:
                        raise
                    sleep(backoff * 2**attempt)
            raise AssertionError("unreachable")

        return wrapper  # type: ignore[return-value]

    return decorate


def batched(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Tuples of ``n`` consecutive items (the last may be shorter), lazily."""
    _check_size(n)
    return _batched(iter(iterable), n)


def _batched(it: Iterator[T], n: int) -> Iterator[tuple[T, ...]]:
    while batch := tuple(itertools.islice(it, n)):
        yield batch


def window(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Every run of ``n`` consecutive items, lazily, holding only ``n`` items at a time."""
    _check_size(n)
    return _window(iter(iterable), n)


def _window(it: Iterator[T], n: int) -> Iterator[tuple[T, ...]]:
    recent: deque[T] = deque(itertools.islice(it, n - 1), maxlen=n)
    for item in it:
        recent.append(item)
        yield tuple(recent)


def _check_size(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")


class Vector:
    """An immutable, hashable vector of numbers: equal vectors hash alike."""

    __slots__ = ("_items",)

    def __init__(self, *components: float) -> None:
        object.__setattr__(self, "_items", tuple(components))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Vector is immutable")

    def __iter__(self) -> Iterator[float]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vector):
            return NotImplemented
        return self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __add__(self, other: Vector) -> Vector:
        return Vector(*(a + b for a, b in zip(self, _same_length(self, other), strict=True)))

    def __sub__(self, other: Vector) -> Vector:
        return Vector(*(a - b for a, b in zip(self, _same_length(self, other), strict=True)))

    def __mul__(self, scalar: float) -> Vector:
        return Vector(*(a * scalar for a in self))

    __rmul__ = __mul__

    def __abs__(self) -> float:
        return math.sqrt(sum(a * a for a in self))

    def __repr__(self) -> str:
        return f"Vector({', '.join(map(repr, self._items))})"


def _same_length(a: Vector, b: object) -> Vector:
    if not isinstance(b, Vector) or len(a) != len(b):
        raise ValueError(f"cannot combine {a!r} with {b!r}")
    return b


def append_item(item: T, items: list[T] | None = None) -> list[T]:
    """Append ``item`` to ``items`` (a new list when none is given) and return the list.

    The classic bug was ``def append_item(item, items=[])``: the default list is made
    once, when the function is defined, so every call without ``items`` shared it.
    """
    if items is None:
        items = []
    items.append(item)
    return items


class _NoLock:
    """A lock that does nothing (the mutant's flaw)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
