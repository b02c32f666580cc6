"""Python fundamentals: decorators, lazy generators, a value type, and a classic bug fixed."""

from __future__ import annotations

import functools
import math
import numbers
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from typing import Any, NamedTuple, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


# --------------------------------------------------------------------------- memoize


class CacheInfo(NamedTuple):
    """Statistics of a memoized function: `(hits, misses, size)`."""

    hits: int
    misses: int
    size: int


class _Key:
    """A cache key that hashes its parts once, so lookups never re-hash the arguments."""

    __slots__ = ("_parts", "_hash")

    def __init__(self, parts: tuple[Hashable, ...]) -> None:
        """Hash `parts` now; raises `TypeError` if any part is unhashable."""
        self._parts = parts
        self._hash = hash(parts)

    def __hash__(self) -> int:
        """The hash computed at construction."""
        return self._hash

    def __eq__(self, other: object) -> bool:
        """Keys are equal when their parts are."""
        if not isinstance(other, _Key):
            return NotImplemented
        return self._hash == other._hash and self._parts == other._parts


def _make_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Key | None:
    """The cache key for a call, or None when an argument is unhashable."""
    parts = (args, tuple(sorted(kwargs.items()))) if kwargs else (args,)
    try:
        return _Key(parts)
    except TypeError:
        return None


class _LruCache:
    """A thread-safe LRU map of results that computes each missing key in one thread only.

    A hit is O(1): one dict lookup and one `move_to_end` on an `OrderedDict`. The
    function itself runs outside the lock; other threads asking for the same key wait
    for it instead of computing it again.
    """

    def __init__(self, maxsize: int) -> None:
        """An empty cache holding at most `maxsize` results."""
        self._maxsize = maxsize
        self._entries: OrderedDict[_Key, Any] = OrderedDict()
        self._pending: dict[_Key, threading.Event] = {}
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def info(self) -> CacheInfo:
        """A consistent snapshot of `(hits, misses, size)`."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, len(self._entries))

    def count_uncached_call(self) -> None:
        """Record a call that bypassed the cache (it counts as a miss)."""
        with self._lock:
            self._misses += 1

    def get(self, key: _Key, compute: Callable[[], Any]) -> Any:
        """The result for `key`, from the cache or by calling `compute` on a miss."""
        while True:
            with self._lock:
                if key in self._entries:
                    return self._hit(key)
                event = self._pending.get(key)
                if event is None:
                    event = self._claim(key)
                    break
            event.wait()
        return self._fill(key, event, compute)

    def _hit(self, key: _Key) -> Any:
        """Count a hit and mark `key` most recently used. Caller holds the lock."""
        self._hits += 1
        self._entries.move_to_end(key)
        return self._entries[key]

    def _claim(self, key: _Key) -> threading.Event:
        """Count a miss and make this thread the one computing `key`. Caller holds the lock."""
        self._misses += 1
        event = self._pending[key] = threading.Event()
        return event

    def _fill(self, key: _Key, event: threading.Event, compute: Callable[[], Any]) -> Any:
        """Compute and store the result for `key`, then wake the threads waiting for it."""
        try:
            value = compute()
            with self._lock:
                self._store(key, value)
            return value
        finally:
            with self._lock:
                del self._pending[key]
            event.set()

    def _store(self, key: _Key, value: Any) -> None:
        """Insert `value` as most recent, evicting the least recent beyond `maxsize`."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)


def memoize(maxsize: int = 128) -> Callable[[F], F]:
    """Cache a function's results by its arguments, keeping the `maxsize` most recent.

    Keyword arguments are part of the key (in any order). A call with an unhashable
    argument is not cached and calls the function (it counts as a miss). The wrapper
    keeps the function's metadata, offers `cache_info()` -> `(hits, misses, size)`,
    and is safe to call from many threads. Raises `ValueError` if `maxsize` < 1.
    """
    if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
        raise ValueError(f"maxsize must be an int of at least 1, got {maxsize!r}")

    def decorate(func: F) -> F:
        """Wrap `func` with its own cache."""
        cache = _LruCache(maxsize)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _make_key(args, kwargs)
            if key is None:
                cache.count_uncached_call()
                return func(*args, **kwargs)
            return cache.get(key, functools.partial(func, *args, **kwargs))

        wrapper.cache_info = cache.info  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


# --------------------------------------------------------------------------- retry


def retry(
    times: int = 3,
    exceptions: tuple[type[BaseException], ...] = (Exception,),
    backoff: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[F], F]:
    """Call the function up to `times` times in all while it raises one of `exceptions`.

    Before attempt k + 2 it waits `backoff * 2**k` seconds by calling `sleep`. The
    last attempt's exception propagates; any other exception propagates at once.
    Raises `ValueError` if `times` < 1.
    """
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError(f"times must be an int of at least 1, got {times!r}")

    def decorate(func: F) -> F:
        """Wrap `func` with the retry loop."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(times - 1):
                try:
                    return func(*args, **kwargs)
                except exceptions:
                    sleep(backoff * 2**attempt)
            return func(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


# --------------------------------------------------------------------------- generators


def _check_size(n: int) -> None:
    """Raise `ValueError` unless `n` is an int (not a bool) of at least 1."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int of at least 1, got {n!r}")


def batched(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Tuples of `n` consecutive items (the last may be shorter), lazily.

    Raises `ValueError` at once for an `n` that is not an int of at least 1.
    """
    _check_size(n)
    return _batches(iter(iterable), n)


def _batches(items: Iterator[T], n: int) -> Iterator[tuple[T, ...]]:
    """Pull `n` items at a time from `items` and yield them as a tuple."""
    while batch := tuple(islice(items, n)):
        yield batch


def window(iterable: Iterable[T], n: int) -> Iterator[tuple[T, ...]]:
    """Every run of `n` consecutive items, lazily, in constant memory.

    Raises `ValueError` at once for an `n` that is not an int of at least 1.
    """
    _check_size(n)
    return _windows(iter(iterable), n)


def _windows(items: Iterator[T], n: int) -> Iterator[tuple[T, ...]]:
    """Slide a buffer of the last `n` items over `items`, yielding each full one."""
    buffer: deque[T] = deque(islice(items, n - 1), maxlen=n)
    for item in items:
        buffer.append(item)
        yield tuple(buffer)


# --------------------------------------------------------------------------- Vector


class Vector:
    """An immutable, hashable vector of numbers.

    Equal components make equal vectors with equal hashes; a vector never equals a
    tuple. Supports `+`, `-` (same length), scalar `*` on either side, `abs()` (the
    Euclidean norm), `len()`, iteration and `repr()`.
    """

    __slots__ = ("_components",)

    def __init__(self, *components: float) -> None:
        """A vector of the given numeric components; `TypeError` for a non-number."""
        for component in components:
            if not isinstance(component, numbers.Number):
                raise TypeError(f"Vector components must be numbers, got {component!r}")
        object.__setattr__(self, "_components", tuple(components))

    def __setattr__(self, name: str, value: Any) -> None:
        """Vectors are immutable."""
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        """Vectors are immutable."""
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        """`Vector(1, 2)`."""
        return f"{type(self).__name__}({', '.join(map(repr, self._components))})"

    def __eq__(self, other: object) -> bool:
        """Equal to another vector with the same components, never to a tuple."""
        if not isinstance(other, Vector):
            return NotImplemented
        return self._components == other._components

    def __hash__(self) -> int:
        """Consistent with `==`."""
        return hash((Vector, self._components))

    def __len__(self) -> int:
        """The number of components."""
        return len(self._components)

    def __iter__(self) -> Iterator[float]:
        """The components in order."""
        return iter(self._components)

    def __abs__(self) -> float:
        """The Euclidean norm."""
        return math.hypot(*self._components)

    def __add__(self, other: object) -> Vector:
        """Component-wise sum; `ValueError` for vectors of different lengths."""
        if not isinstance(other, Vector):
            return NotImplemented
        return Vector(*(a + b for a, b in self._pairs(other)))

    def __sub__(self, other: object) -> Vector:
        """Component-wise difference; `ValueError` for vectors of different lengths."""
        if not isinstance(other, Vector):
            return NotImplemented
        return Vector(*(a - b for a, b in self._pairs(other)))

    def __mul__(self, scalar: object) -> Vector:
        """Every component multiplied by a number."""
        if isinstance(scalar, Vector) or not isinstance(scalar, numbers.Number):
            return NotImplemented
        return Vector(*(component * scalar for component in self._components))

    __rmul__ = __mul__

    def _pairs(self, other: Vector) -> Iterator[tuple[float, float]]:
        """Matching components of two same-length vectors; `ValueError` otherwise."""
        if len(self) != len(other):
            raise ValueError(f"length mismatch: {len(self)} and {len(other)}")
        return zip(self._components, other._components)


# --------------------------------------------------------------------------- the bug


def append_item(item: Any, items: list[Any] | None = None) -> list[Any]:
    """Append `item` to `items` (a new list when omitted) and return the list.

    The old default `items=[]` was evaluated once, when the function was defined, so
    every call without `items` appended to that same shared list. `None` as the
    default and a fresh list per call fixes it.
    """
    if items is None:
        items = []
    items.append(item)
    return items
