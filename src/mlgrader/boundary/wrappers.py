"""How the trusted side marks what it sends: arguments to mirror, closures to ship by value."""

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
