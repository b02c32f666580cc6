"""The trusted test process's end: the references it holds, and what it lets through.

What the candidate process sends is decoded here into plain data (built by
``wire``, never unpickled or imported) or a ``refs.Ref``.

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
from typing import Any

from mlgrader.boundary import wire
from mlgrader.boundary.byvalue import Copies, write_copy
from mlgrader.boundary.endpoint import Endpoint
from mlgrader.boundary.exceptions import exception_class, is_exception_class, rebuild
from mlgrader.boundary.lineage import Lineage
from mlgrader.boundary.mirrors import Content, MirrorTable, mirrorable, write_plain
from mlgrader.boundary.refs import MethodRef, Ref
from mlgrader.boundary.typeanswers import Key, TypeAnswers, reported
from mlgrader.boundary.wrappers import Args, Shipped

#: pytest leaves this module's frames out of tracebacks (see boundary/__init__.py)
__tracebackhide__ = True

#: Dunder methods a candidate may call on a trusted object it was given.
TRUSTED_DUNDERS = frozenset(
    {
        "__call__",
        "__eq__",
        "__hash__",
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


class TrustedSide:
    """References both ways, mirrors, and the rules for what the candidate may reach here."""

    def __init__(self, trusted_modules: Iterable[str] = (), lineage: Lineage | None = None) -> None:
        self.exposed: dict[int, Any] = {}
        self.exposed_ids: dict[int, int] = {}
        self._ids = itertools.count(1)
        self.refs: weakref.WeakValueDictionary[int, Ref] = weakref.WeakValueDictionary()
        self.released: list[tuple[int, int]] = []
        self._receipts: dict[int, list[int]] = {}  # id(Ref) -> [times its key was received]
        self.mirrors = MirrorTable(first_id=2)
        self.trusted_modules = frozenset(trusted_modules)
        self.lineage = lineage
        self.types = TypeAnswers(self.believed_mro)
        self.hooks: wire.Hooks = _Hooks(self)
        self.lock = threading.RLock()
        self.endpoint: Endpoint | None = None
        self._error_types: dict[tuple[Any, ...], type] = {}
        self.copies = Copies(self._trusted_class)

    def believed_mro(self, mro: Any) -> list[Key]:
        """The MRO to trust for a class the candidate process describes by ``mro``: its first
        entry names the class; the rest comes from the submission's source (``lineage``)."""
        pairs = reported(mro)
        if self.lineage is None or not pairs:
            return pairs
        return self.lineage.mro(pairs[0])

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
            if name == "eq":  # == itself, so NotImplemented never has to cross
                return bool(obj == op_args[0])
            if name == "hash":  # hash() itself: an unhashable object raises TypeError
                return hash(obj)
            return method(*op_args)
        raise PermissionError(f"candidate code may not {op!r} a trusted object")

    def _attribute(self, obj: Any, name: Any) -> Any:
        if type(name) is not str:
            raise TypeError("attribute names are strings")
        if name in ("__name__", "__doc__"):  # a decorator copies them (functools.wraps)
            value = getattr(obj, name, None)
            return value if type(value) is str else None
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
        raise rebuild(error, self._error_types, self.trusted_modules, self.believed_mro)

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
        if kind is type and _builtin_class(value):  # exceptions=(ConnectionError,): by name
            w.tag(b"Y")
            w.text(value.__name__)
            return True
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
        copy = self.side.copies.copy_of(value)
        if copy is not None:  # a support object sent by value (byvalue.py)
            write_copy(copy, w)
            return
        key = self.side.expose(value)
        w.tag(b"R")
        w.integer(key)
        desc: dict[str, Any] = {"type": type(value).__qualname__}
        equality = getattr(type(value), "__boundary_equality__", None)
        if equality is not None:  # see refs.TrustedRef.__eq__: compared without a round trip
            desc["equality"] = equality(value)
        write_plain(desc, w)

    def special(self, tag: bytes, r: wire.Reader) -> Any:
        if tag == b"R":
            key = r.integer()
            desc = r.value()
            mro = self.side.believed_mro(desc.get("mro")) if type(desc) is dict else []
            if type(desc) is dict and desc.get("class") and is_exception_class(mro):
                # ``except module.MyError``: the test gets the trusted class raises arrive as
                self.side.released.append((key, 1))
                side = self.side
                return exception_class(mro, side._error_types, side.trusted_modules)
            return self.side.ref(key, desc)
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


def _builtin_class(cls: type) -> bool:
    """A class of ``builtins`` (``ValueError``, ``int``): the same one in both processes,
    so it crosses as its name and no reference to anything trusted is made."""
    return cls.__module__ == "builtins" and getattr(builtins, cls.__name__, None) is cls
