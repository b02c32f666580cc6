"""How the trusted side marks what it sends (arguments to mirror, closures to ship by value),
and the docstring a reference shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Args:
    """Values the test passes to candidate code: lists, dicts, sets and arrays in them are mirrored.

    Everything else the trusted side sends (the protocol's own tuples, what a
    trusted callback returns) is plain data, copied.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Shipped:
    """Wraps a callable the test ships by value into the candidate process (cloudpickle)."""

    __slots__ = ("func",)

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func


class RemoteDoc:
    """``ref.__doc__`` of a reference is the far object's docstring, fetched like a name
    through the reference's ``__getattr__`` (a plain class docstring would shadow it: a
    decorator's ``functools.wraps`` copies it, and a test may check that it did). On the
    class itself it is the class's own docstring."""

    def __init__(self, doc: str | None) -> None:
        self.doc = doc

    def __get__(self, ref: Any, owner: type | None = None) -> str | None:
        if ref is None:
            return self.doc
        value: str | None = ref.__getattr__("__doc__")
        return value
