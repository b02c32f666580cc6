"""The candidate process's end: candidate objects live here, the trusted side holds references.

Everything in this module runs beside candidate code and can be changed by it,
so nothing here is trusted: it only serves calls. What it sends is checked on
the trusted side (``wire`` builds only plain values there, references become
``trusted.Ref``), and time is read there from the kernel, not here.

Every call from the trusted side, a plain method call or a timed batch of a
complexity check, runs through the one ``_invoke`` below, so candidate code
sees the same frames either way.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import itertools
import os
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from mlgrader.boundary import wire
from mlgrader.boundary.endpoint import Endpoint
from mlgrader.boundary.mirrors import Content, MirrorTable, write_plain
from mlgrader.boundary.trustedref import TrustedRef

#: Taken when this module is imported: in a grading run, in the fork server, before any
#: candidate code exists to replace them in ``sys``.
_SET_SWITCH, _GET_SWITCH = sys.setswitchinterval, sys.getswitchinterval
MAX_TEXT = 4000
MAX_MESSAGE = 1 << 31
MAX_THREADS = 1024
_CURRENT: list[CandidateSide] = []


def current_side() -> CandidateSide:
    """The side serving this process (for references inside shipped closures)."""
    return _CURRENT[0]


def serve(sock: socket.socket) -> None:
    """Serve the trusted side over ``sock`` until it goes away; then this process exits."""
    side = CandidateSide()
    _CURRENT[:] = [side]
    done = threading.Event()
    side.endpoint = Endpoint(
        sock,
        side,
        parity=1,
        max_message=MAX_MESSAGE,
        max_workers=MAX_THREADS,
        on_close=lambda reason: done.set(),
    )
    side.endpoint.start()
    side.endpoint.serve_main_lanes()
    done.wait()


class Keep:
    """A call's result to be kept here and answered with a reference, even if plain data."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def describe(obj: Any) -> dict[str, Any]:
    """What the trusted side learns about a candidate object when it gets a reference."""
    kind = obj if isinstance(obj, type) else type(obj)
    mro = []
    for klass in getattr(kind, "__mro__", (kind,)):
        mro.append(
            (str(getattr(klass, "__module__", "?")), str(getattr(klass, "__qualname__", "?")))
        )
    return {
        "mro": mro,
        "class": isinstance(obj, type),
        "callable": callable(obj),
        "module": type(obj).__name__ == "module",
        "methods": [] if isinstance(obj, type) else _methods(kind),
    }


_METHODS: dict[type, list[str]] = {}


def _methods(kind: type) -> list[str]:
    """Public methods defined by ``kind``'s classes: the trusted side calls them in one
    round trip (``callmethod``) instead of fetching a bound method first."""
    names = _METHODS.get(kind)
    if names is None:
        names = sorted(
            name
            for klass in getattr(kind, "__mro__", ())
            if klass is not object
            for name, value in vars(klass).items()
            if not name.startswith("_") and inspect.isfunction(value)
        )
        _METHODS[kind] = names
    return names


class CandidateSide:
    """Object table, mirrors and the operations the trusted side may ask for."""

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        self.by_object: dict[int, int] = {}
        self.sent: dict[int, int] = {}
        self._ids = itertools.count(1)
        self.mirrors = MirrorTable(first_id=1)
        self.remote: dict[int, TrustedRef] = {}
        self.lock = threading.Lock()
        self.hooks: wire.Hooks = _Hooks(self)
        self.endpoint: Endpoint | None = None

    # -- Side protocol ----------------------------------------------------------------------

    def handle(self, op: str, args: tuple[Any, ...]) -> Any:
        method = _OPS.get(op)
        if method is None:
            raise ValueError(f"unknown operation {op!r}")
        return method(self, *args)

    def updates(self) -> list[Any]:
        return self.mirrors.updates()

    def apply(self, updates: Any) -> None:
        for mid, value in updates:
            if mid == 0:  # references the trusted side dropped (see TrustedSide.updates)
                self.op_release(value)
            else:
                self.mirrors.apply(mid, value)

    def error(self, exc: BaseException) -> Any:
        try:
            message = str(exc)
        except Exception:
            message = f"<{type(exc).__name__}: str() raised>"
        args = exc.args if all(_plain_scalar(a) for a in exc.args) else (message,)
        text = "".join(traceback.format_exception(exc)[-30:])
        return {
            "mro": describe(exc)["mro"],
            "message": message[:MAX_TEXT],
            "args": tuple(a[:MAX_TEXT] if isinstance(a, str) else a for a in args[:8]),
            "traceback": text[-MAX_TEXT:],
            "ref": Keep(exc),
        }

    def raise_error(self, error: Any) -> None:
        name = str(error.get("name", "Exception"))
        base = getattr(builtins, name, None)
        if not (isinstance(base, type) and issubclass(base, Exception)):
            base = RuntimeError
        raise base(error.get("message", ""))

    # -- references -------------------------------------------------------------------------

    def ref_id(self, obj: Any) -> int:
        """The key ``obj`` is sent under; each sending is counted (see ``op_release``)."""
        with self.lock:
            key = self.by_object.get(id(obj))
            if key is None or self.objects.get(key) is not obj:
                key = next(self._ids)
                self.objects[key] = obj
                self.by_object[id(obj)] = key
            self.sent[key] = self.sent.get(key, 0) + 1
            return key

    def local(self, key: int) -> Any:
        try:
            return self.objects[key]
        except KeyError:
            raise wire.WireError(f"no candidate object {key}") from None

    # -- operations -------------------------------------------------------------------------

    def op_import(self, name: str) -> Any:
        return Keep(importlib.import_module(name))

    def op_getattr(self, obj: Any, name: str) -> Any:
        return getattr(obj, name)

    def op_setattr(self, obj: Any, name: str, value: tuple[Any]) -> None:
        setattr(obj, name, value[0])

    def op_delattr(self, obj: Any, name: str) -> None:
        delattr(obj, name)

    def op_call(
        self,
        target: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        loops: int,
        keep: bool | None,
    ) -> Any:
        result = _invoke(target, args, kwargs, loops)
        if keep is None:
            return None
        return Keep(result) if keep else result

    def op_callmethod(
        self, obj: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        return _invoke(getattr(obj, name), args, kwargs, 1)

    def op_operator(self, obj: Any, name: str, args: tuple[Any, ...]) -> Any:
        return _OPERATORS[name](obj, *args)

    def op_release(self, released: list[tuple[int, int]]) -> None:
        """The trusted side dropped references it had received ``count`` times. An object
        is forgotten only when every sending of it is accounted for: a reference sent again
        while an older one was being released stays valid."""
        with self.lock:
            for key, count in released:
                left = self.sent.get(key, 0) - count
                if left > 0:
                    self.sent[key] = left
                    continue
                self.sent.pop(key, None)
                obj = self.objects.pop(key, None)
                if obj is not None:
                    self.by_object.pop(id(obj), None)

    def op_stacks(self) -> str:
        """Every thread's stack, for a deadlock report (written by the candidate process)."""
        names = {t.ident: t.name for t in threading.enumerate()}
        parts = []
        for ident, frame in sys._current_frames().items():
            name = names.get(ident, "?")
            if name.startswith("mlgrader-channel"):
                continue
            stack = "".join(traceback.format_stack(frame)[-12:])
            parts.append(f"thread {name}:\n{stack}")
        return "\n".join(parts)[-3 * MAX_TEXT :]

    def op_switchinterval(self, seconds: float | None) -> float:
        """Set the interpreter's switch interval (None: only read it); answer the value now."""
        if seconds is not None:
            _SET_SWITCH(float(seconds))
        return float(_GET_SWITCH())

    def op_pid(self) -> int:
        return os.getpid()

    def op_setenv(self, name: str, value: str) -> None:
        """An environment variable for candidate code and every process it starts (a support
        service's address, ``ServiceHost``)."""
        if type(name) is not str or type(value) is not str:
            raise TypeError("setenv takes two strings")
        os.environ[name] = value


def _invoke(
    target: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], loops: int
) -> Any:
    result = None
    for _ in itertools.repeat(None, loops):
        result = target(*args, **kwargs)
    return result


def _plain_scalar(value: Any) -> bool:
    return type(value) in (type(None), bool, int, float, str, bytes)


def _next(obj: Any) -> Any:
    return next(obj)


_OPERATORS: dict[str, Callable[..., Any]] = {
    "len": len,
    "bool": bool,
    "repr": repr,
    "str": str,
    "iter": lambda o: Keep(iter(o)),
    "next": _next,
    "contains": lambda o, x: x in o,
    "getitem": lambda o, k: o[k],
    "setitem": lambda o, k, v: o.__setitem__(k, v),
    "delitem": lambda o, k: o.__delitem__(k),
    "enter": lambda o: o.__enter__(),
    "exit": lambda o, *a: o.__exit__(*a),
    "lt": lambda o, x: o < x,
    "le": lambda o, x: o <= x,
    "gt": lambda o, x: o > x,
    "ge": lambda o, x: o >= x,
    "add": lambda o, x: o + x,
    "sub": lambda o, x: o - x,
    "mul": lambda o, x: o * x,
    "truediv": lambda o, x: o / x,
    "matmul": lambda o, x: o @ x,
    "radd": lambda o, x: x + o,
    "rsub": lambda o, x: x - o,
    "rmul": lambda o, x: x * o,
    "rtruediv": lambda o, x: x / o,
    "rmatmul": lambda o, x: x @ o,
    "neg": lambda o: -o,
    "abs": abs,
    "hash": hash,
}

_OPS: dict[str, Callable[..., Any]] = {
    "import": CandidateSide.op_import,
    "getattr": CandidateSide.op_getattr,
    "setattr": CandidateSide.op_setattr,
    "delattr": CandidateSide.op_delattr,
    "call": CandidateSide.op_call,
    "callmethod": CandidateSide.op_callmethod,
    "operator": CandidateSide.op_operator,
    "release": CandidateSide.op_release,
    "stacks": CandidateSide.op_stacks,
    "pid": CandidateSide.op_pid,
    "switchinterval": CandidateSide.op_switchinterval,
    "setenv": CandidateSide.op_setenv,
}


class _Hooks:
    def __init__(self, side: CandidateSide) -> None:
        self.side = side

    def before(self, value: Any, w: wire.Writer) -> bool:
        if type(value) is Keep:
            self._ref(value.value, w)
            return True
        if type(value) is TrustedRef:
            w.tag(b"L")
            w.integer(object.__getattribute__(value, "_mlg_key"))
            return True
        if type(value) is Content:
            write_plain(value.value, w)
            return True
        mid = self.side.mirrors.find(value)
        if mid is not None:
            w.tag(b"m")
            w.integer(mid)
            return True
        return False

    def other(self, value: Any, w: wire.Writer) -> None:
        self._ref(value, w)

    def _ref(self, value: Any, w: wire.Writer) -> None:
        w.tag(b"R")
        w.integer(self.side.ref_id(value))
        w.value(describe(value))

    def special(self, tag: bytes, r: wire.Reader) -> Any:
        if tag == b"L":
            return self.side.local(r.integer())
        if tag == b"R":
            key = r.integer()
            desc = r.value()
            ref = self.side.remote.get(key)
            if ref is None:
                ref = self.side.remote[key] = TrustedRef(self.side, key, desc)
            return ref
        if tag == b"B":
            obj = self.side.local(r.integer())
            return getattr(obj, r.text())
        if tag == b"M":
            mid = r.integer()
            return self.side.mirrors.apply(mid, r.value())
        if tag == b"m":
            mid = r.integer()
            obj = self.side.mirrors.objects.get(mid)
            if obj is None:
                raise wire.WireError(f"no mirror {mid}")
            return obj
        if tag == b"V":  # a frozen support dataclass, by value
            return _snapshot(r)
        if tag == b"Y":  # a class of builtins, by name
            cls = getattr(builtins, r.text(), None)
            if not isinstance(cls, type):
                raise wire.WireError("not a builtin class")
            return cls
        if tag == b"X":
            import cloudpickle

            return cloudpickle.loads(r.blob())
        raise wire.WireError(f"unknown tag {tag!r}")


def _snapshot(r: wire.Reader) -> Any:
    """A frozen dataclass of a support module, rebuilt from its fields as pickle would
    (no ``__init__``): the class is this process's copy of the support module's."""
    module, qualname = r.text(), r.text()
    kind: Any = importlib.import_module(module)
    for part in qualname.split("."):
        kind = getattr(kind, part)
    obj = object.__new__(kind)
    for _ in range(r.u32()):
        name = r.text()
        object.__setattr__(obj, name, r.value())
    return obj
