"""Exact work counters: how many bytecodes one call executes.

Timing cannot tell O(log n) from O(1) when a cache level adds as much time as a
binary search does, nor O(n log n) from O(n) when memory stalls grow with ``n``.
A count of executed instructions has no such noise: a binary search in Python
runs a fixed number of bytecodes more each time ``n`` doubles, on an idle
machine or a busy one.

Two counters, used together:

* **Bytecode counting.** ``sys.settrace`` with per-opcode events (Python 3.11 has
  no ``sys.monitoring``) counts every instruction run in Python frames during one
  call. It costs ~80 ns an instruction, so it is only used at sizes where a call
  is cheap; the counts are exact, so small sizes suffice.
* **Counted keys.** Work inside C builtins (``sorted``, ``bisect``, ``heapq``,
  ``x in list``, ``set(...)``) is invisible to bytecode counts. So the input's
  ints, floats and strings are replaced by subclasses whose comparisons and hash
  are written in Python, and every comparison or hash a builtin makes on them runs
  a few bytecodes that the counter sees. Arithmetic on them returns counted values
  too, so a key computed from a key (``sorted(xs, key=lambda x: -x)``) is still
  counted. The subclasses delegate to the base type, so values are unchanged; only
  containers the engine can rebuild (list, dict, set, deque, tuple, nested two
  deep) are rewritten, and numeric numpy arrays become object arrays of counted
  keys, which makes numpy's loops (``searchsorted``, ``sort``, ``@``) countable.

Counts are a lower bound on the work: C work that neither runs Python code nor
touches a counted key (``memmove`` in ``list.insert(0, x)``, numpy kernels) stays
invisible, which is why the complexity engine combines counts with timing.
"""

from __future__ import annotations

import statistics
import sys
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any

import numpy as np

_MAX_DEPTH = 2  # containers inside containers rewritten: a tuple of lists, a dict of lists


class _Int(int):
    """An int whose comparisons, hash and arithmetic run Python bytecode (and are counted)."""

    __slots__ = ()


class _Float(float):
    """A float whose comparisons, hash and arithmetic run Python bytecode."""

    __slots__ = ()


class _Str(str):
    """A str whose comparisons, hash and concatenation run Python bytecode."""

    __slots__ = ()


def _delegate(base: type, name: str, result: type | None = None) -> Callable[..., Any]:
    """``base.name`` called from a Python frame, so the counter sees every call.

    With ``result``, the value is counted too, so keys computed from keys
    (``key=lambda x: -x``, ``x % 1000``) are compared and hashed in sight of the counter.
    """
    method = getattr(base, name)

    def op(self: Any, *args: Any) -> Any:
        value = method(self, *args)
        if result is None or value is NotImplemented:
            return value
        return result(value)

    op.__name__ = name
    return op


_INT_OPS = [
    "__neg__",
    "__pos__",
    "__abs__",
    "__invert__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__and__",
    "__rand__",
    "__or__",
    "__ror__",
    "__xor__",
    "__rxor__",
    "__lshift__",
    "__rshift__",
]
_FLOAT_OPS = [
    "__neg__",
    "__pos__",
    "__abs__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
]
_COMPARE_OPS = ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__"]
for _type, _base in ((_Int, int), (_Float, float), (_Str, str)):
    for _name in _COMPARE_OPS:
        setattr(_type, _name, _delegate(_base, _name))
for _name in _INT_OPS:
    setattr(_Int, _name, _delegate(int, _name, _Int))
for _name in ("__truediv__", "__rtruediv__"):
    setattr(_Int, _name, _delegate(int, _name, _Float))
for _name in _FLOAT_OPS:
    setattr(_Float, _name, _delegate(float, _name, _Float))
for _name in ("__add__", "__mul__", "__rmul__"):
    setattr(_Str, _name, _delegate(str, _name, _Str))

_COUNTED: dict[type, type] = {int: _Int, float: _Float, str: _Str}


def _key(value: Any) -> Any:
    """``value`` as a counted key if it is exactly an int, float or str."""
    wrap = _COUNTED.get(type(value))
    return value if wrap is None else wrap(value)


def counted_keys(arg: Any, depth: int = 0) -> Any:
    """Rewrite ``arg``'s scalar elements as counted keys, in place where possible.

    Returns the argument to call with: ``arg`` itself for mutable containers
    (rewritten in place, so aliases see the same keys), a new tuple or array where
    the container is immutable or of fixed dtype, and a bare scalar unchanged
    (arithmetic on it would shed the subclass anyway). A numeric numpy array
    becomes an object array of counted keys, so that numpy's own loops
    (``searchsorted``, ``sort``, ``sum``, ``@``) call Python for every comparison
    and operation. Objects of other types are never touched: their behaviour is
    the candidate's.
    """
    if depth > _MAX_DEPTH:
        return arg
    kind = type(arg)
    if kind is list:
        arg[:] = [_nested(x, depth) for x in arg]
    elif kind is deque:
        items = [_nested(x, depth) for x in arg]
        arg.clear()
        arg.extend(items)
    elif kind is dict:
        pairs = [(_key(k), _nested(v, depth)) for k, v in arg.items()]
        arg.clear()
        arg.update(pairs)
    elif kind is set:
        members = [_key(x) for x in arg]
        arg.clear()
        arg.update(members)
    elif kind is tuple:
        return tuple(_nested(x, depth) for x in arg)
    elif kind is np.ndarray:
        return _counted_array(arg)
    return arg


def _counted_array(arr: np.ndarray) -> np.ndarray:
    """A numeric array as an object array of counted keys, same shape and values."""
    wrap = {"f": _Float, "i": _Int, "u": _Int, "b": None}.get(arr.dtype.kind)
    if wrap is None or arr.ndim == 0:
        return arr
    values = arr.ravel().tolist()
    flat = np.fromiter((wrap(v) for v in values), dtype=object, count=len(values))
    return flat.reshape(arr.shape)


def _nested(value: Any, depth: int) -> Any:
    if type(value) in _COUNTED:
        return _key(value)
    return counted_keys(value, depth + 1)


def count_bytecodes(func: Callable[[Any], object], arg: Any) -> int:
    """Bytecode instructions executed by ``func(arg)`` in this thread's Python frames.

    Any tracer already installed (a debugger, coverage) is restored afterwards. An
    exception from ``func`` propagates: a count of a failed call means nothing.
    """
    count = 0

    def local(frame: FrameType, event: str, _arg: object) -> Any:
        nonlocal count
        if event == "opcode":
            count += 1
        return local

    def on_call(frame: FrameType, _event: str, _arg: object) -> Any:
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        return local

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        func(arg)
    finally:
        sys.settrace(previous)
    return count


def median_count(func: Callable[[Any], object], arg: Any, calls: int = 3) -> int:
    """Median bytecode count over ``calls`` calls after one uncounted warm-up call.

    The warm-up absorbs one-time work (a lazy import, a cache filled on first use);
    the median ignores an occasional expensive call (an amortised resize).
    """
    func(arg)
    return int(statistics.median(count_bytecodes(func, arg) for _ in range(calls)))
