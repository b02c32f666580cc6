"""Exceptions candidate code raised, rebuilt on the trusted side from data.

The candidate process sends a raised exception as data: its class's MRO as
names, its message and plain args, a traceback text and a reference to the
object. Here it becomes an instance of a class made at run time with the
candidate's class name, deriving from the nearest builtin exception in that MRO
and from ``CandidateError``: ``pytest.raises(ValueError)`` catches a candidate
``class MyError(ValueError)``, and nothing of the candidate's class is
imported or run. ``SystemExit`` and ``KeyboardInterrupt`` become
``RuntimeError``: candidate code never stops a test run.
"""

from __future__ import annotations

import builtins
from typing import Any

from mlgrader.boundary import wire


class CandidateError(Exception):
    """Mixed into every exception rebuilt from one candidate code raised."""

    candidate_type = "Exception"
    candidate_traceback = ""


def rebuild(error: Any, cache: dict[tuple[Any, ...], type]) -> BaseException:
    """The exception candidate code raised, as a trusted class with the nearest trusted base.

    ``cache`` keeps one class per candidate class, so two raises compare equal by type.
    """
    if type(error) is not dict:
        raise wire.WireError("an error is a dict")
    mro = [tuple(x) for x in error.get("mro", []) if type(x) is tuple and len(x) == 2]
    name = str(mro[0][1]) if mro else "Exception"
    base = _trusted_base(mro)
    key = (tuple(mro[:1]), base)
    cls: type[BaseException] | None = cache.get(key)
    if cls is None:
        cls = type(name, (base, CandidateError), {"__module__": "candidate"})
        cache[key] = cls
    args = error.get("args", ())
    if type(args) is not tuple:
        args = (str(error.get("message", "")),)
    exc: BaseException
    try:
        exc = cls(*args)
    except Exception:
        exc = BaseException.__new__(cls)
        exc.args = (str(error.get("message", "")),)
    tb = error.get("traceback", "")
    tb = tb if type(tb) is str else ""
    ref = error.get("ref")
    setattr(exc, "candidate_type", name)  # noqa: B010 - a class made at run time
    setattr(exc, "candidate_traceback", tb)  # noqa: B010
    setattr(exc, "candidate", ref)  # noqa: B010 - a reference to the object, for attributes
    if tb:
        exc.add_note("in the candidate process:\n" + tb)
    return exc


def _trusted_base(mro: list[tuple[Any, ...]]) -> type:
    for module, name in mro:
        if module == "builtins":
            base = getattr(builtins, str(name), None)
            if isinstance(base, type) and issubclass(base, Exception):
                return base
            if isinstance(base, type) and issubclass(base, BaseException):
                return RuntimeError  # SystemExit, KeyboardInterrupt: never out of a test
    return Exception
