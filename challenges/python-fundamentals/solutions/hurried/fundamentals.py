"""Python fundamentals: decorators, lazy generators, a value type, and a classic bug fixed."""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from numbers import Number
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

_KWARGS_MARK = ("<kwargs>",)


def _make_key(args: tuple, kwargs: dict) -> tuple:
    """A hashable key for a call; keyword arguments are sorted by name."""
    if not kwargs:
        return args
    return args + (_KWARGS_MARK,) + tuple(sorted(kwargs.items()))


def memoize(maxsize: int = 128) -> Callable[[F], F]:
    """A decorator that caches results by arguments, keeping at most `maxsize` entries.

    Unhashable arguments bypass the cache. The wrapper has `cache_info()`
    returning `(hits, misses, size)` and is safe to call from many threads.
    """
    if maxsize < 1:
        raise ValueError(f"maxsize must be at least 1, got {maxsize}")

    def decorator(func: F) -> F:
        cache: OrderedDict = OrderedDict()
        lock = threading.Lock()
        stats = {"hits": 0, "misses": 0}

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _make_key(args, kwargs)
            try:
                hash(key)
            except TypeError:
                return func(*args, **kwargs)
            with lock:
                if key in cache:
                    stats["hits"] += 1
                    return cache[key]
                stats["misses"] += 1
            result = func(*args, **kwargs)
            with lock:
                cache[key] = result
                if len(cache) > maxsize:
                    cache.popitem(last=False)
            return result

        def cache_info() -> tuple[int, int, int]:
            """(hits, misses, size) of the cache."""
            with lock:
                return stats["hits"], stats["misses"], len(cache)

        wrapper.cache_info = cache_info  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def retry(
    times: int = 3,
    exceptions: tuple[type[BaseException], ...] = (Exception,),
    backoff: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[F], F]:
    """A decorator that calls the function up to `times` times while it raises `exceptions`.

    Waits `backoff * 2**k` between attempts (through `sleep`) and re-raises the
    last exception; any other exception propagates at once.
    """

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    if attempt == times:
                        raise
                    if backoff:
                        sleep(backoff * 2**attempt)
            raise RuntimeError("unreachable")

        return wrapper  # type: ignore[return-value]

    return decorator


def _check_n(n: int) -> None:
    """ValueError unless `n` is an int of at least 1."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int of at least 1, got {n!r}")


def batched(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Tuples of `n` consecutive items (the last may be shorter), lazily."""
    _check_n(n)
    it = iter(iterable)
    while True:
        batch = tuple(islice(it, n))
        if not batch:
            return
        yield batch


def window(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Every run of `n` consecutive items, lazily, in constant memory."""
    _check_n(n)
    it = iter(iterable)
    buf = deque(islice(it, n), maxlen=n)
    if len(buf) < n:
        return
    yield tuple(buf)
    for item in it:
        buf.append(item)
        yield tuple(buf)


class Vector:
    """An immutable, hashable vector of numbers."""

    __slots__ = ("_components",)

    def __init__(self, *components: float) -> None:
        """Store the components as a tuple."""
        object.__setattr__(self, "_components", tuple(components))

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse every attribute assignment."""
        raise AttributeError("Vector is immutable")

    def __delattr__(self, name: str) -> None:
        """Refuse every attribute deletion."""
        raise AttributeError("Vector is immutable")

    def __repr__(self) -> str:
        """Like `Vector(1, 2)`."""
        return f"Vector({', '.join(repr(c) for c in self._components)})"

    def __len__(self) -> int:
        """The number of components."""
        return len(self._components)

    def __iter__(self) -> Iterator[float]:
        """Iterate over the components."""
        return iter(self._components)

    def __eq__(self, other: object) -> bool:
        """Equal to another Vector with the same components (never to a tuple)."""
        if not isinstance(other, Vector):
            return NotImplemented
        return self._components == other._components

    def __hash__(self) -> int:
        """Hash of the components, consistent with `==`."""
        return hash((Vector, self._components))

    def _check_same_length(self, other: Vector) -> None:
        """ValueError unless both vectors have the same length."""
        if len(self) != len(other):
            raise ValueError(f"length mismatch: {len(self)} != {len(other)}")

    def __add__(self, other: Vector) -> Vector:
        """Component-wise sum."""
        if not isinstance(other, Vector):
            return NotImplemented
        self._check_same_length(other)
        return Vector(*(a + b for a, b in zip(self, other)))

    def __sub__(self, other: Vector) -> Vector:
        """Component-wise difference."""
        if not isinstance(other, Vector):
            return NotImplemented
        self._check_same_length(other)
        return Vector(*(a - b for a, b in zip(self, other)))

    def __mul__(self, scalar: float) -> Vector:
        """Multiplication by a number."""
        if not isinstance(scalar, Number):
            return NotImplemented
        return Vector(*(c * scalar for c in self._components))

    __rmul__ = __mul__

    def __abs__(self) -> float:
        """The Euclidean norm."""
        return math.sqrt(sum(c * c for c in self._components))


def append_item(item, items=None):
    """Append `item` to `items` (a new list if none is given) and return the list.

    The old default `items=[]` was evaluated once, when the function was
    defined, so every call without `items` appended to the same shared list.
    """
    if items is None:
        items = []
    items.append(item)
    return items
