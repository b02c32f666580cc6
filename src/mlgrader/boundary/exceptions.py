"""Exceptions candidate code raised, rebuilt on the trusted side from data.

The candidate process sends a raised exception as data: its class's MRO as
names, its message and plain args, a traceback text and a reference to the
object. Here it becomes an instance of a class made at run time with the
candidate's class name, deriving from the nearest builtin exception in that MRO
(or exception class of a support module, such as a data set's ItemLoadError)
and from ``CandidateError``: ``pytest.raises(ValueError)`` catches a candidate
``class MyError(ValueError)``, and nothing of the candidate's class is
imported or run. ``SystemExit`` and ``KeyboardInterrupt`` become
``RuntimeError``: candidate code never stops a test run.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlgrader.boundary import wire


class CandidateError(Exception):
    """Mixed into every exception rebuilt from one candidate code raised."""

    candidate_type = "Exception"
    candidate_traceback = ""


def is_exception_class(mro: Any) -> bool:
    """A reference's MRO (as the candidate process described it) is an exception class's."""
    return type(mro) is list and ("builtins", "BaseException") in [tuple(x) for x in mro]


def exception_class(
    mro: Any, cache: dict[tuple[Any, ...], type], trusted_modules: frozenset[str] = frozenset()
) -> type[BaseException]:
    """The trusted class standing for the candidate exception class with this MRO: one per
    candidate class (``cache``), so ``except module.MyError`` in a test catches what candidate
    code raises. Its base is the nearest trusted class in the MRO: a builtin exception, or
    an exception class of a support module (``trusted_modules``), looked up here by name."""
    pairs = [tuple(x) for x in mro if type(x) in (list, tuple) and len(x) == 2]
    name = str(pairs[0][1]) if pairs else "Exception"
    base = _trusted_base(pairs, trusted_modules)
    key = (tuple(pairs[:1]), base)
    cls: type[BaseException] | None = cache.get(key)
    if cls is None:
        bases = (CandidateError,) if issubclass(CandidateError, base) else (base, CandidateError)
        made = type(name, bases, {"__module__": "candidate"})
        cls = cache.setdefault(key, made)  # atomic: threads raising at once share one class
    return cls


def rebuild(
    error: Any,
    cache: dict[tuple[Any, ...], type],
    trusted_modules: frozenset[str] = frozenset(),
    believe: Callable[[Any], list[tuple[str, str]]] = lambda mro: mro,
) -> BaseException:
    """The exception candidate code raised, as a trusted class with the nearest trusted base.

    ``cache`` keeps one class per candidate class, so two raises compare equal by type;
    ``believe`` turns the MRO the candidate process reported into the one to trust.
    """
    if type(error) is not dict:
        raise wire.WireError("an error is a dict")
    mro = error.get("mro", [])
    cls = exception_class(believe(mro if type(mro) is list else []), cache, trusted_modules)
    name = cls.__name__
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
    tb = without_grader_frames(tb) if type(tb) is str else ""
    ref = error.get("ref")
    setattr(exc, "candidate_type", name)  # noqa: B010 - a class made at run time
    setattr(exc, "candidate_traceback", tb)  # noqa: B010
    setattr(exc, "candidate", ref)  # noqa: B010 - a reference to the object, for attributes
    if tb:
        exc.add_note("in the candidate process:\n" + tb)
    return exc


#: Where mlgrader's own files are: the frames of the candidate process's serving loop.
_GRADER_FILES = f'  File "{Path(__file__).resolve().parents[1]}/'


def without_grader_frames(tb: str) -> str:
    """A candidate traceback without the frames of mlgrader's own code (the loop serving
    the trusted side's requests), which say nothing about the candidate's mistake."""
    kept: list[str] = []
    skipping = False
    for line in tb.splitlines():
        if line.startswith("  File "):
            skipping = line.startswith(_GRADER_FILES)
        elif not line.startswith("    "):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + ("\n" if tb.endswith("\n") else "")


def _trusted_base(mro: list[tuple[Any, ...]], trusted_modules: frozenset[str]) -> type:
    for module, name in mro:
        if module in trusted_modules and module in sys.modules:
            found: Any = sys.modules[module]
            for part in str(name).split("."):
                found = getattr(found, part, None)
            if isinstance(found, type) and issubclass(found, Exception):
                return found
        if module == "builtins":
            base = getattr(builtins, str(name), None)
            if isinstance(base, type) and issubclass(base, Exception):
                return base
            if isinstance(base, type) and issubclass(base, BaseException):
                return RuntimeError  # SystemExit, KeyboardInterrupt: never out of a test
    return Exception
