"""Comparison by exact type and value, which a candidate's ``__eq__`` cannot fool.

:func:`strict_equal` compares by exact type and value, recursing into containers.
A candidate cannot pass it by returning ``True`` where ``1`` is expected, ``1.0``
where ``1`` is expected, or an object whose ``__eq__`` always answers ``True``.
"""

from __future__ import annotations

import math
import reprlib
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["strict_equal"]

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
