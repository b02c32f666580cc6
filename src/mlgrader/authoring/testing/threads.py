"""Helpers for challenge test authors: concurrency stress runs and strict comparison.

One import for test authors; each helper lives in a module of its own:
:func:`run_processes` (processes.py), :class:`History` and
:func:`check_linearizable` (linearizability.py), :class:`Spans` and
:func:`speedup` (parallelism.py), :func:`run_without_blocking` (eventloop.py),
:func:`no_leaks` (leaks.py).

:func:`run_threads` runs a worker in many threads released at the same instant,
with a tiny interpreter switch interval so that races in the candidate's code show
up far more often. It never hangs: threads still running after the timeout are
reported as a deadlock, with the stack of every live thread, so the candidate sees
where their code is stuck instead of a bare pytest timeout.

:func:`strict_equal` compares by exact type and value, recursing into containers.
A candidate cannot pass it by returning ``True`` where ``1`` is expected, ``1.0``
where ``1`` is expected, or an object whose ``__eq__`` always answers ``True``.
"""

from __future__ import annotations

import math
import reprlib
import sys
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from mlgrader.authoring.testing.eventloop import run_without_blocking
from mlgrader.authoring.testing.leaks import no_leaks
from mlgrader.authoring.testing.linearizability import (
    History,
    Operation,
    check_linearizable,
    lru_cache_model,
)
from mlgrader.authoring.testing.parallelism import Spans, speedup
from mlgrader.authoring.testing.processes import ProcessRun, run_processes
from mlgrader.errors import UserInputError

__all__ = [
    "History",
    "Operation",
    "ProcessRun",
    "Spans",
    "ThreadError",
    "ThreadRun",
    "check_linearizable",
    "lru_cache_model",
    "no_leaks",
    "run_processes",
    "run_threads",
    "run_without_blocking",
    "speedup",
    "strict_equal",
]

_TRACEBACK_FRAMES = 8


@dataclass(frozen=True)
class ThreadError:
    """An exception raised by the worker in thread ``index``."""

    index: int
    exc_type: str
    message: str
    traceback: str


@dataclass
class ThreadRun:
    """Outcome of :func:`run_threads`: per-thread results, errors and wall time in seconds."""

    results: list[Any] = field(default_factory=list)
    errors: list[ThreadError] = field(default_factory=list)
    elapsed: float = 0.0

    def raise_errors(self) -> None:
        """Raise an AssertionError describing every thread that raised; do nothing if none did."""
        if not self.errors:
            return
        parts = [f"{len(self.errors)} of {len(self.results)} threads raised:"]
        for err in self.errors:
            parts.append(f"thread {err.index}: {err.exc_type}: {err.message}")
            parts.append(_indent(err.traceback.rstrip()))
        raise AssertionError("\n".join(parts))


def run_threads(
    worker: Callable[[int], Any],
    n: int = 8,
    *,
    timeout: float = 10.0,
    switch_interval: float | None = 1e-6,
) -> ThreadRun:
    """Call ``worker(index)`` for index 0..n-1, each in its own thread, all released together.

    Exceptions are collected, not raised: use :meth:`ThreadRun.raise_errors`. If a thread is
    still running ``timeout`` seconds after the start, raise AssertionError with a stack dump
    of every live thread; the stuck threads are daemons, so they cannot block interpreter exit.
    """
    if n < 1:
        raise UserInputError(f"run_threads needs n >= 1 threads, got {n}")
    if timeout <= 0:
        raise UserInputError(f"run_threads needs a positive timeout, got {timeout}")
    if switch_interval is not None and switch_interval <= 0:
        raise UserInputError(f"switch_interval must be positive or None, got {switch_interval}")

    run = ThreadRun(results=[None] * n)
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def body(index: int) -> None:
        try:
            barrier.wait(timeout)
            run.results[index] = worker(index)
        except BaseException as exc:  # the candidate's error is data here, re-raised later
            error = _thread_error(index, exc)
            with lock:
                run.errors.append(error)

    threads = [
        threading.Thread(target=body, args=(i,), name=f"mlgrader-worker-{i}", daemon=True)
        for i in range(n)
    ]
    previous = sys.getswitchinterval()
    start = time.perf_counter()
    try:
        if switch_interval is not None:
            sys.setswitchinterval(switch_interval)
        try:
            for thread in threads:
                thread.start()
        except BaseException:
            barrier.abort()  # release the threads already waiting
            raise
        deadline = start + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.perf_counter()))
    finally:
        sys.setswitchinterval(previous)
    run.elapsed = time.perf_counter() - start

    alive = [t for t in threads if t.is_alive()]
    if alive:
        raise AssertionError(
            f"deadlock or hang: {len(alive)} of {n} threads still running after {timeout:g} s\n"
            + _stack_dump(alive)
        )
    run.errors.sort(key=lambda e: e.index)
    return run


def _thread_error(index: int, exc: BaseException) -> ThreadError:
    # Skip our own wrapper frame so the traceback starts in the candidate's code.
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    text = "".join(traceback.format_exception(type(exc), exc, tb, limit=-_TRACEBACK_FRAMES))
    return ThreadError(index, _qualname(type(exc)), str(exc), text)


def _stack_dump(stuck: list[threading.Thread]) -> str:
    """Stacks of the stuck worker threads first, then of every other live thread."""
    frames = sys._current_frames()
    current = threading.get_ident()
    names = {t.ident: t.name for t in threading.enumerate()}
    stuck_ids = [t.ident for t in stuck]
    others = [ident for ident in frames if ident != current and ident not in stuck_ids]
    parts: list[str] = []
    for ident in [*stuck_ids, *others]:
        frame = frames.get(ident) if ident is not None else None
        if frame is None:
            continue
        label = "stuck worker" if ident in stuck_ids else "other thread"
        parts.append(f"--- {label} {names.get(ident, '?')} (ident {ident}) ---")
        parts.append("".join(traceback.format_stack(frame)).rstrip())
    return "\n".join(parts)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


# -- strict comparison ----------------------------------------------------------------------

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80


def _show(value: Any) -> str:
    try:
        return _repr.repr(value)
    except Exception as exc:  # a candidate's broken __repr__ must not hide the real failure
        return f"<unrepresentable: {type(exc).__name__}>"


def _qualname(tp: type) -> str:
    """``Outer.Inner`` without the ``f.<locals>.`` noise of classes defined in functions."""
    return tp.__qualname__.rsplit(".<locals>.", 1)[-1]


def _type_name(value: Any, other: Any = None) -> str:
    tp, other_tp = type(value), type(other)
    if _qualname(tp) == _qualname(other_tp) and tp is not other_tp:
        return f"{tp.__module__}.{_qualname(tp)}"  # two classes with the same name
    return _qualname(tp)


def strict_equal(actual: Any, expected: Any, *, path: str = "value") -> None:
    """Raise AssertionError unless ``actual`` has exactly ``expected``'s type and value.

    Lists, tuples, dicts, sets and frozensets are compared element by element with the
    same rule (dict keys and set members must match in type too); floats are compared
    exactly, with NaN equal to NaN. The message names the first differing path, e.g.
    ``value[2]: expected int 3, got str '3'``.
    """
    _strict(actual, expected, path, set())


def _strict(actual: Any, expected: Any, path: str, seen: set[tuple[int, int]]) -> None:
    if type(actual) is not type(expected):
        raise AssertionError(
            f"{path}: expected {_type_name(expected, actual)} {_show(expected)}, "
            f"got {_type_name(actual, expected)} {_show(actual)}"
        )
    key = (id(actual), id(expected))
    if key in seen:  # self-referential containers
        return
    if isinstance(expected, list | tuple | dict | set | frozenset):
        seen = seen | {key}
    if isinstance(expected, list | tuple):
        if len(actual) != len(expected):
            raise AssertionError(
                f"{path}: expected {_qualname(type(expected))} of length {len(expected)}, "
                f"got length {len(actual)}: {_show(actual)}"
            )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _strict(a, e, f"{path}[{i}]", seen)
    elif isinstance(expected, dict):
        _strict_dict(actual, expected, path, seen)
    elif isinstance(expected, set | frozenset):
        _check_members(
            {_tag(m): m for m in actual}, {_tag(m): m for m in expected}, path, "members"
        )
    elif isinstance(expected, float):
        if not (actual == expected or (math.isnan(actual) and math.isnan(expected))):
            raise AssertionError(f"{path}: expected float {expected!r}, got float {actual!r}")
    elif not _values_equal(actual, expected, path):
        raise AssertionError(
            f"{path}: expected {_type_name(expected)} {_show(expected)}, "
            f"got {_type_name(actual)} {_show(actual)}"
        )


def _strict_dict(
    actual: dict[Any, Any], expected: dict[Any, Any], path: str, seen: set[tuple[int, int]]
) -> None:
    actual_keys = {_tag(k): k for k in actual}
    expected_keys = {_tag(k): k for k in expected}
    _check_members(actual_keys, expected_keys, path, "keys")
    if isinstance(expected, OrderedDict) and list(actual_keys) != list(expected_keys):
        raise AssertionError(
            f"{path}: expected key order {_show(list(expected))}, got {_show(list(actual))}"
        )
    for tag, exp_key in expected_keys.items():
        _strict(actual[actual_keys[tag]], expected[exp_key], f"{path}[{exp_key!r}]", seen)


def _check_members(
    actual: dict[Hashable, Any], expected: dict[Hashable, Any], path: str, what: str
) -> None:
    """Compare tagged keys/members; the dicts map each tag back to the original object."""
    missing = [v for t, v in expected.items() if t not in actual]
    extra = [v for t, v in actual.items() if t not in expected]
    if missing or extra:
        shown = [f"missing {what} {_show(sorted(missing, key=_show))}"] if missing else []
        shown += [f"unexpected {what} {_show(sorted(extra, key=_show))}"] if extra else []
        raise AssertionError(f"{path}: " + ", ".join(shown))


def _tag(value: Any) -> Hashable:
    """A hashable stand-in that also compares types, so 1, 1.0 and True stay distinct."""
    if isinstance(value, tuple):
        return (type(value), tuple(_tag(v) for v in value))
    if isinstance(value, frozenset):
        return (type(value), frozenset(_tag(v) for v in value))
    return (type(value), value)


def _values_equal(actual: Any, expected: Any, path: str) -> bool:
    """Equality for same-typed leaves; array-likes (numpy) must match in dtype, shape, values."""
    try:
        array_like = hasattr(expected, "dtype") and hasattr(expected, "shape")
        if array_like and (actual.dtype != expected.dtype or actual.shape != expected.shape):
            return False
        result = actual == expected
        if isinstance(result, bool):
            return result
        return bool(result.all()) if hasattr(result, "all") else bool(result)
    except Exception as exc:
        raise AssertionError(
            f"{path}: comparing {_type_name(expected)} values raised {type(exc).__name__}: {exc}"
        ) from exc
