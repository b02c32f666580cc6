"""References to candidate objects, as the trusted side holds them.

A ``Ref`` stands for one object in the candidate process. Attribute access,
calls and the container protocol go over the channel; what comes back is plain
data or another ``Ref``. A ``Ref`` is never local data: ``==`` is identity (a
candidate ``__eq__`` that always says yes would otherwise pass every
comparison), numpy refuses it, and dunder attributes other than names and
docstrings are not fetched (numpy's ``__array_interface__`` from a candidate
could point anywhere in this process's memory). ``MethodRef`` is ``ref.method``
for a method the reference's description names: calling it is one round trip.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, TypeVar

from mlgrader.boundary.wrappers import Args, RemoteDoc

#: pytest leaves this module's frames out of tracebacks (see boundary/__init__.py)
__tracebackhide__ = True

if TYPE_CHECKING:
    from mlgrader.boundary.trusted import TrustedSide

_T = TypeVar("_T")

#: Dunder attributes that are only names and text: fetched, and accepted only as str or None
#: (a decorator must keep ``__name__`` and ``__doc__``; a test may check that it did).
NAME_DUNDERS = frozenset({"__name__", "__qualname__", "__doc__"})


class Ref:
    """A reference to an object in the candidate process."""

    __slots__ = ("__weakref__", "_mlg_desc", "_mlg_key", "_mlg_side")

    def __init__(self, side: TrustedSide, key: int, desc: dict[str, Any]) -> None:
        object.__setattr__(self, "_mlg_side", side)
        object.__setattr__(self, "_mlg_key", key)
        object.__setattr__(self, "_mlg_desc", desc)

    def _mlg(self, op: str, *args: Any) -> Any:
        side: TrustedSide = object.__getattribute__(self, "_mlg_side")
        return side.call(op, self, *args)

    def _mlg_op(self, name: str, *args: Any) -> Any:
        return self._mlg("operator", name, Args(args))

    # attributes and calls
    def __getattr__(self, name: str) -> Any:
        if name in NAME_DUNDERS:
            value = self._mlg("getattr", name)
            if type(value) is not str and value is not None:
                raise AttributeError(f"{name} of {self!r} is not a string")
            return value
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"{name} of a candidate object is not fetched across the boundary")
        if name in object.__getattribute__(self, "_mlg_desc").get("methods", ()):
            return MethodRef(self, name)
        return self._mlg("getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._mlg("setattr", name, Args((value,)))

    def __delattr__(self, name: str) -> None:
        self._mlg("delattr", name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._mlg("call", Args(args), Args(kwargs), 1, False)

    # the container and iterator protocols, with the result types Python itself insists on
    def __len__(self) -> int:
        return _exact(self._mlg_op("len"), int, "len()")

    def __bool__(self) -> bool:
        return _exact(self._mlg_op("bool"), bool, "bool()")

    def __contains__(self, item: Any) -> bool:
        return _exact(self._mlg_op("contains", item), bool, "in")

    def __iter__(self) -> Any:
        return self._mlg_op("iter")

    def __next__(self) -> Any:
        return self._mlg_op("next")

    def __getitem__(self, key: Any) -> Any:
        return self._mlg_op("getitem", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._mlg_op("setitem", key, value)

    def __delitem__(self, key: Any) -> None:
        self._mlg_op("delitem", key)

    def __enter__(self) -> Any:
        return self._mlg_op("enter")

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> Any:
        # The test's exception stays here; candidate code learns only its class when that
        # is a builtin one (Exception otherwise), as __exit__ mostly asks "did it fail?".
        if kind is not None:
            kind = kind if getattr(builtins, kind.__name__, None) is kind else Exception
        return self._mlg_op("exit", kind, None, None)

    # comparisons: identity for ==, the candidate's answer (a bool) for ordering
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return hash(
            (
                id(object.__getattribute__(self, "_mlg_side")),
                object.__getattribute__(self, "_mlg_key"),
            )
        )

    def __lt__(self, other: Any) -> bool:
        return _exact(self._mlg_op("lt", other), bool, "<")

    def __le__(self, other: Any) -> bool:
        return _exact(self._mlg_op("le", other), bool, "<=")

    def __gt__(self, other: Any) -> bool:
        return _exact(self._mlg_op("gt", other), bool, ">")

    def __ge__(self, other: Any) -> bool:
        return _exact(self._mlg_op("ge", other), bool, ">=")

    def __add__(self, other: Any) -> Any:
        return self._mlg_op("add", other)

    def __sub__(self, other: Any) -> Any:
        return self._mlg_op("sub", other)

    def __mul__(self, other: Any) -> Any:
        return self._mlg_op("mul", other)

    def __truediv__(self, other: Any) -> Any:
        return self._mlg_op("truediv", other)

    def __matmul__(self, other: Any) -> Any:
        return self._mlg_op("matmul", other)

    def __radd__(self, other: Any) -> Any:
        return self._mlg_op("radd", other)

    def __rsub__(self, other: Any) -> Any:
        return self._mlg_op("rsub", other)

    def __rmul__(self, other: Any) -> Any:
        return self._mlg_op("rmul", other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._mlg_op("rtruediv", other)

    def __rmatmul__(self, other: Any) -> Any:
        return self._mlg_op("rmatmul", other)

    def __neg__(self) -> Any:
        return self._mlg_op("neg")

    def __abs__(self) -> Any:
        return self._mlg_op("abs")

    # never local data
    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{self!r} lives in the candidate process and is not array data")

    def __reduce__(self) -> Any:
        # Only ever pickled to ship a closure into the candidate process, where it
        # becomes the object it refers to.
        return (_resolve, (object.__getattribute__(self, "_mlg_key"),))

    def __repr__(self) -> str:
        desc = object.__getattribute__(self, "_mlg_desc")
        return f"<candidate {_type_name(desc)}>"

    def __str__(self) -> str:
        try:
            text = self._mlg_op("str")
        except Exception:
            return repr(self)
        return text[:2000] if type(text) is str else repr(self)

    # questions about types
    def __instancecheck__(self, instance: Any) -> bool:
        side: TrustedSide = object.__getattribute__(self, "_mlg_side")
        return side.types.isinstance(instance, self)

    def __subclasscheck__(self, subclass: Any) -> bool:
        side: TrustedSide = object.__getattribute__(self, "_mlg_side")
        return side.types.issubclass(subclass, self)

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[Any, ...]:
        raise TypeError("a trusted class cannot subclass a candidate class")


Ref.__doc__ = RemoteDoc(Ref.__doc__)  # type: ignore[assignment]


class MethodRef:
    """``obj.name`` for a method of a candidate object: calling it is one round trip.

    Bound at call time, as ``getattr(obj, name)(...)`` in the candidate process; it
    compares equal to another MethodRef of the same object and name, as bound methods do.
    """

    __slots__ = ("name", "ref")

    def __init__(self, ref: Ref, name: str) -> None:
        self.ref = ref
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        side: TrustedSide = object.__getattribute__(self.ref, "_mlg_side")
        return side.call("callmethod", self.ref, self.name, Args(args), Args(kwargs))

    def __eq__(self, other: object) -> bool:
        return type(other) is MethodRef and other.ref is self.ref and other.name == self.name

    def __hash__(self) -> int:
        return hash((id(self.ref), self.name))

    def __repr__(self) -> str:
        return f"<candidate method {self.name} of {self.ref!r}>"

    def __reduce__(self) -> Any:
        return (getattr, (self.ref, self.name))


def _resolve(key: int) -> Any:  # pragma: no cover - runs in the candidate process
    from mlgrader.boundary.candidate import current_side

    return current_side().local(key)


def _exact(value: Any, kind: type[_T], what: str) -> _T:
    if type(value) is not kind:
        raise TypeError(f"candidate {what} returned {_describe(value)}, not {kind.__name__}")
    return value


def _describe(value: Any) -> str:
    if type(value) is Ref:
        return repr(value)
    return type(value).__name__


def _type_name(desc: dict[str, Any]) -> str:
    mro = desc.get("mro") or [("?", "object")]
    name = mro[0][1]
    if desc.get("module"):
        return "module"
    if desc.get("class"):
        return f"class {name}"
    return f"{name} object"
