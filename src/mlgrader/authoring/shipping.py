"""Test functions shipped to the candidate process, stripped of their names.

A test sometimes has to run a function of its own where the candidate's code
lives: a complexity check's ``make_input`` and timed call, or a question whose
answer is the candidate's own ``==``, ``hash`` or ``repr``
(``Submission.run``). ``ship`` sends such a function by value (cloudpickle; the
candidate process cannot import test modules, and must not read them).

A complexity check ships ``make_input`` and the timed call to the candidate
process, where they sit on the stack under candidate code for the whole timed
batch. As written they carry names that say what is going on: the test's name
in ``__qualname__`` (``test_get_hit_is_constant_time.<locals>.get_hit``), the
hidden test file in ``co_filename`` and in the module globals cloudpickle sends
along (``__file__``, ``__name__``). Candidate code that walks its frames could
read them and do its real work only when it is not being timed.

``anonymise`` rebuilds such a function, and every test-module function it
reaches through its globals and closure, with one neutral name, one neutral
file name, and globals holding only the names its code uses. What the function
does is unchanged.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgrader.boundary.connection import Connection
    from mlgrader.boundary.refs import Ref

#: The name every shipped test function, and its code, goes by.
NAME = "call"
#: The file name every shipped code object claims.
FILENAME = "<call>"
#: The module shipped functions claim (none by that name exists, so cloudpickle sends
#: them by value).
MODULE = "__mlgrader_call__"


def ship(conn: Connection, func: Callable[..., Any]) -> Ref:
    """``func``, anonymised, sent by value into ``conn``'s candidate process: a reference
    to the copy there."""
    module = test_module(func)
    if module is not None:
        import cloudpickle

        cloudpickle.register_pickle_by_value(module)
    return conn.ship(anonymise(func, is_test_code))


def test_module(func: Any) -> Any:
    """The test module that defines ``func``, or None (library code, or not a function)."""
    module = sys.modules.get(getattr(func, "__module__", "") or "")
    path = getattr(module, "__file__", None)
    if module is None or path is None:
        return None
    prefixes = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix})
    if str(Path(path).resolve()).startswith(prefixes):
        return None
    if module.__name__.split(".")[0] in ("mlgrader", "numpy"):
        return None
    return module


def is_test_code(func: Any) -> bool:
    return test_module(func) is not None


def anonymise(func: Callable[..., Any], is_test_code: Callable[[Any], bool]) -> Any:
    """``func`` rebuilt without names (see the module docstring); functions for which
    ``is_test_code`` is False (library code, candidate references) are kept as they are."""
    memo: dict[int, Any] = {}
    return _value(func, is_test_code, memo) if is_test_code(func) else func


def _value(value: Any, is_test_code: Callable[[Any], bool], memo: dict[int, Any]) -> Any:
    if not isinstance(value, types.FunctionType) or not is_test_code(value):
        return value
    if id(value) in memo:
        return memo[id(value)]
    globals_: dict[str, Any] = {}
    closure = None
    if value.__closure__ is not None:
        closure = tuple(types.CellType() for _ in value.__closure__)
    new = types.FunctionType(_code(value.__code__), globals_, NAME, value.__defaults__, closure)
    memo[id(value)] = new  # before the walk below: a recursive helper meets itself
    for name in _global_names(value.__code__):
        if name in value.__globals__:
            globals_[name] = _value(value.__globals__[name], is_test_code, memo)
    if value.__closure__ is not None and closure is not None:
        for old, cell in zip(value.__closure__, closure, strict=True):
            try:
                contents = old.cell_contents
            except ValueError:  # an empty cell (a name not bound yet)
                continue
            cell.cell_contents = _value(contents, is_test_code, memo)
    new.__kwdefaults__ = value.__kwdefaults__
    new.__module__ = MODULE
    new.__qualname__ = NAME
    new.__doc__ = None
    return new


def _code(code: types.CodeType) -> types.CodeType:
    consts = tuple(_code(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=FILENAME, co_name=NAME, co_qualname=NAME, co_consts=consts)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names
