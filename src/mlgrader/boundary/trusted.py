"""The trusted test process's end: references to candidate objects, and what it lets through.

A ``Ref`` stands for one object in the candidate process. Attribute access,
calls and the container protocol go over the channel; what comes back is plain
data (built by ``wire`` here, never unpickled or imported) or another ``Ref``.
A ``Ref`` is never local data: ``==`` is identity (a candidate ``__eq__`` that
always says yes would otherwise pass every comparison), numpy refuses it, and
dunder attributes are not fetched (numpy's ``__array_interface__`` from a
candidate could point anywhere in this process's memory).

The other direction: the test may pass its own objects (a support service, a
callback) to candidate code. They cross as references whose reachable surface
is their public attributes and methods, never a module, a code object or a
dunder, so candidate code cannot walk from a callback's ``__globals__`` to the
hidden test module.
"""

from __future__ import annotations

import builtins
import itertools
import threading
import types
import weakref
from collections.abc import Iterable
from typing import Any, TypeVar

from mlgrader.boundary import wire
from mlgrader.boundary.endpoint import Endpoint
from mlgrader.boundary.exceptions import rebuild
from mlgrader.boundary.mirrors import Content, MirrorTable, mirrorable, write_plain
from mlgrader.boundary.wrappers import Args, Shipped

_T = TypeVar("_T")

#: Dunder methods a candidate may call on a trusted object it was given.
TRUSTED_DUNDERS = frozenset(
    {
        "__call__",
        "__len__",
        "__iter__",
        "__next__",
        "__getitem__",
        "__contains__",
        "__enter__",
        "__exit__",
    }
)
_FORBIDDEN = (
    types.ModuleType,
    types.CodeType,
    types.FrameType,
    types.TracebackType,
    types.CellType,
)


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

    def __exit__(self, *exc: Any) -> Any:
        return self._mlg_op("exit")

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

    def __neg__(self) -> Any:
        return self._mlg_op("neg")

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


def ref_mro(ref: Ref) -> list[tuple[str, str]]:
    desc = object.__getattribute__(ref, "_mlg_desc")
    return [tuple(x) for x in desc.get("mro", [])]


def ref_desc(ref: Ref) -> dict[str, Any]:
    desc: dict[str, Any] = object.__getattribute__(ref, "_mlg_desc")
    return desc


class TypeAnswers:
    """isinstance and issubclass for candidate classes.

    The default answers from the class hierarchy the candidate process reported
    when the reference was made; ``engine`` installs one that answers from the
    submission's source instead (see ``sourcetypes``).
    """

    def isinstance(self, instance: Any, cls: Ref) -> bool:
        if type(instance) is not Ref:
            return False
        return ref_mro(cls)[0] in ref_mro(instance)

    def issubclass(self, subclass: Any, cls: Ref) -> bool:
        if type(subclass) is not Ref or not ref_desc(subclass).get("class"):
            return False
        return ref_mro(cls)[0] in ref_mro(subclass)


class TrustedSide:
    """References both ways, mirrors, and the rules for what the candidate may reach here."""

    def __init__(self, trusted_modules: Iterable[str] = ()) -> None:
        self.exposed: dict[int, Any] = {}
        self.exposed_ids: dict[int, int] = {}
        self._ids = itertools.count(1)
        self.refs: weakref.WeakValueDictionary[int, Ref] = weakref.WeakValueDictionary()
        self.released: list[tuple[int, int]] = []
        self._receipts: dict[int, list[int]] = {}  # id(Ref) -> [times its key was received]
        self.mirrors = MirrorTable(first_id=2)
        self.trusted_modules = frozenset(trusted_modules)
        self.types = TypeAnswers()
        self.hooks: wire.Hooks = _Hooks(self)
        self.lock = threading.RLock()
        self.endpoint: Endpoint | None = None
        self._error_types: dict[tuple[Any, ...], type] = {}

    def call(self, op: str, *args: Any) -> Any:
        assert self.endpoint is not None
        return self.endpoint.call(op, *args)

    # -- Side protocol ----------------------------------------------------------------------

    def handle(self, op: str, args: tuple[Any, ...]) -> Any:
        """A call from candidate code on a trusted object it was given."""
        if op == "getattr":
            obj, name = args
            return self._attribute(obj, name)
        if op == "call":
            obj, call_args, kwargs = args
            if not callable(obj):
                raise TypeError("not callable")
            return obj(*call_args, **kwargs)
        if op == "operator":
            obj, name, op_args = args
            method = self._attribute(obj, f"__{name}__")
            return method(*op_args)
        raise PermissionError(f"candidate code may not {op!r} a trusted object")

    def _attribute(self, obj: Any, name: Any) -> Any:
        if type(name) is not str:
            raise TypeError("attribute names are strings")
        if name.startswith("_") and name not in TRUSTED_DUNDERS:
            raise AttributeError(f"{name} of a trusted object is not reachable from candidate code")
        if name in TRUSTED_DUNDERS:
            return getattr(obj, name)
        value = getattr(obj, name)
        if isinstance(value, _FORBIDDEN) or (
            isinstance(value, type) and not self._trusted_class(value)
        ):
            raise AttributeError(f"{name} of a trusted object is not reachable from candidate code")
        return value

    def _trusted_class(self, cls: type) -> bool:
        return cls.__module__ in self.trusted_modules

    def updates(self) -> list[Any]:
        """Mirror updates, and as ``(0, [(key, count), ...])`` the references dropped here."""
        out: list[Any] = self.mirrors.updates(prune=True)
        if self.released:
            with self.lock:
                released, self.released = self.released, []
            out.append((0, released))
        return out

    def apply(self, updates: Any) -> None:
        if type(updates) is not list:
            raise wire.WireError("mirror updates are a list")
        for item in updates:
            if type(item) is not tuple or len(item) != 2 or type(item[0]) is not int:
                raise wire.WireError("a mirror update is (id, value)")
            mid, value = item
            if mid in self.mirrors.objects:  # else dropped here meanwhile: nothing to update
                self.mirrors.apply(mid, value)

    def error(self, exc: BaseException) -> Any:
        name = type(exc).__name__
        builtin = next(
            (k.__name__ for k in type(exc).__mro__ if getattr(builtins, k.__name__, None) is k),
            "Exception",
        )
        return {"name": builtin, "message": f"{name}: {exc}"[:2000]}

    def raise_error(self, error: Any) -> None:
        raise rebuild(error, self._error_types)

    # -- references ---------------------------------------------------------------------------

    def ref(self, key: int, desc: Any) -> Ref:
        """The Ref for candidate object ``key``, counting this receipt of it (see release)."""
        if type(desc) is not dict:
            raise wire.WireError("a reference's description is a dict")
        with self.lock:
            ref = self.refs.get(key)
            if ref is None:
                ref = Ref(self, key, desc)
                self.refs[key] = ref
                self._receipts[id(ref)] = receipts = [0]
                weakref.finalize(ref, self._release, key, receipts, id(ref))
            self._receipts[id(ref)][0] += 1
            return ref

    def _release(self, key: int, receipts: list[int], ref_id: int) -> None:
        # No lock: a finalizer may run in a garbage collection inside ``ref`` itself.
        self._receipts.pop(ref_id, None)
        self.released.append((key, receipts[0]))

    def expose(self, obj: Any) -> int:
        """A key for a trusted object candidate code may hold (and call back)."""
        if isinstance(obj, _FORBIDDEN) or (isinstance(obj, type) and not self._trusted_class(obj)):
            raise wire.Unencodable(
                f"{type(obj).__name__} objects may not be given to candidate code"
            )
        with self.lock:
            key = self.exposed_ids.get(id(obj))
            if key is not None and self.exposed.get(key) is obj:
                return key
            key = next(self._ids)
            self.exposed[key] = obj
            self.exposed_ids[id(obj)] = key
            return key


class _Hooks:
    def __init__(self, side: TrustedSide) -> None:
        self.side = side

    def before(self, value: Any, w: wire.Writer) -> bool:
        kind = type(value)
        if kind is Ref:
            if object.__getattribute__(value, "_mlg_side") is not self.side:
                raise wire.Unencodable("a reference into another candidate process")
            w.tag(b"L")
            w.integer(object.__getattribute__(value, "_mlg_key"))
            return True
        if kind is MethodRef:
            ref = value.ref
            if object.__getattribute__(ref, "_mlg_side") is not self.side:
                raise wire.Unencodable("a reference into another candidate process")
            w.tag(b"B")
            w.integer(object.__getattribute__(ref, "_mlg_key"))
            w.text(value.name)
            return True
        if kind is Shipped:
            import cloudpickle

            w.tag(b"X")
            w.blob(cloudpickle.dumps(value.func))
            return True
        if kind is Content:
            write_plain(value.value, w)
            return True
        if kind is Args:
            w.mirroring += 1
            try:
                w.container(value.value)
            finally:
                w.mirroring -= 1
            return True
        if w.mirroring and mirrorable(value):
            mid = self.side.mirrors.find(value)
            if mid is not None:
                w.tag(b"m")
                w.integer(mid)
                return True
            mid = self.side.mirrors.add(value)
            w.tag(b"M")
            w.integer(mid)
            write_plain(value, w)
            return True
        return False

    def other(self, value: Any, w: wire.Writer) -> None:
        key = self.side.expose(value)
        w.tag(b"R")
        w.integer(key)
        w.value({"type": type(value).__qualname__})

    def special(self, tag: bytes, r: wire.Reader) -> Any:
        if tag == b"R":
            key = r.integer()
            return self.side.ref(key, r.value())
        if tag == b"L":
            key = r.integer()
            try:
                return self.side.exposed[key]
            except KeyError:
                raise wire.WireError(f"no trusted object {key}") from None
        if tag == b"m":
            obj = self.side.mirrors.objects.get(r.integer())
            if obj is None:
                raise wire.WireError("no such mirror")
            return obj
        raise wire.WireError(f"tag {tag!r} may not come from the candidate process")
