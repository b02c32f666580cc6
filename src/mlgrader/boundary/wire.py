"""What crosses the boundary by value, and the bytes it crosses as.

Only values of exact plain types are data: None, bool, int, float, complex, str,
bytes, range, fractions.Fraction, pathlib paths, numpy scalars and numpy arrays
of bool, numeric or str (``U``) dtype, and tuples, lists, dicts, sets and
frozensets of these. (A str array, such as the group of each row a test passes
in, used to cross as a reference: candidate code reading it made a round trip
per element, 2.9 s for 2,400 rows.)
(A Fraction crosses as its two ints and is rebuilt by ``Fraction`` itself, so
nothing the sender defined runs on the receiving side: challenges return exact
probabilities as Fractions, and comparing them must not ask the candidate.) A subclass of any
of them is not data (its ``__eq__`` or ``__hash__`` could lie), so the sending
side's ``Hooks`` turn it into a reference, as it does every other object.

The format is a small tagged binary one written here rather than pickle or
marshal: the trusted side parses what the candidate side sends, and both of
those can build arbitrary objects (pickle runs code, marshal builds code
objects and is documented as unsafe on hostile input). Parsing only ever
builds the plain types above; the few other tags (references, mirrors, shipped
closures) are handed to the receiving side's hooks, which decide what each
means there.
"""

from __future__ import annotations

import math
import pathlib
import re
import struct
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

MAX_DEPTH = 100
MAX_INT_BYTES = 4096
MAX_NDIM = 32

_PATH_TYPES: tuple[type, ...] = (
    pathlib.PosixPath,
    pathlib.PurePosixPath,
    pathlib.PureWindowsPath,
    pathlib.WindowsPath,
)
_DTYPE = re.compile(r"[<>|=][biufc][0-9]{1,2}\Z|\|b1\Z|[<>]U[1-9][0-9]{0,5}\Z")
_ARRAY_KINDS = frozenset("biufcU")
NUMPY_SCALARS: frozenset[type] = frozenset(np.dtype(code).type for code in "?bBhHiIlLqQefdgFDGU")
#: The largest code point a str array may hold (numpy stores each as 4 bytes; a larger
#: value raises SystemError when read, so it is refused on arrival).
_MAX_CODE_POINT = 0x10FFFF

_u32 = struct.Struct("<I")
_i64 = struct.Struct("<q")
_f64 = struct.Struct("<d")
_c128 = struct.Struct("<dd")


class WireError(ValueError):
    """Bytes that are not a well-formed message (from the other side, or corrupted)."""


class Unencodable(TypeError):
    """A value this side may not send (raised by hooks)."""


class Hooks(Protocol):
    """What one side does with values that are not plain data."""

    def before(self, value: Any, w: Writer) -> bool:
        """Write ``value`` specially (a mirror, a reference back); False to go on."""

    def other(self, value: Any, w: Writer) -> None:
        """Write a value that is not plain data (usually as a reference)."""

    def special(self, tag: bytes, r: Reader) -> Any:
        """Read a value written by the other side's ``before`` or ``other``."""


def is_plain_array(value: Any) -> bool:
    """A numpy array of bool, numeric or str dtype (exactly ``ndarray``, no structured fields)."""
    return (
        type(value) is np.ndarray
        and value.dtype.kind in _ARRAY_KINDS
        and value.dtype.fields is None
        and value.dtype.itemsize > 0
        and value.ndim <= MAX_NDIM
    )


class Writer:
    """Appends encoded values to a list of chunks."""

    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks
        self.chunks: list[bytes] = []
        self._active: set[int] = set()  # containers being written (cycles become references)
        self.depth = 0
        self.mirroring = 0  # > 0 while writing values the test passes in (see trusted.Args)

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)

    def tag(self, tag: bytes) -> None:
        self.chunks.append(tag)

    def u32(self, value: int) -> None:
        self.chunks.append(_u32.pack(value))

    def text(self, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self.chunks += [_u32.pack(len(data)), data]

    def blob(self, value: bytes) -> None:
        self.chunks += [_u32.pack(len(value)), bytes(value)]

    def integer(self, value: int) -> None:
        size = (value.bit_length() + 8) // 8 or 1
        if size > MAX_INT_BYTES:
            raise Unencodable(f"an int of {size} bytes is too large to send")
        self.blob(value.to_bytes(size, "little", signed=True))

    def value(self, value: Any) -> None:
        write = _SCALAR_WRITERS.get(type(value))
        if write is not None:  # plain scalars are never anything but data: no hooks
            write(self, value)
            return
        if self.depth > MAX_DEPTH:
            raise Unencodable(f"values nest deeper than {MAX_DEPTH} levels")
        if self.hooks.before(value, self):
            return
        kind = type(value)
        if kind in _CONTAINER_TAGS and id(value) not in self._active:
            self.container(value)
        elif kind is range:
            self.tag(b"r")
            for part in (value.start, value.stop, value.step):
                self.integer(part)
        elif kind is Fraction:
            self.tag(b"Q")
            self.integer(value.numerator)
            self.integer(value.denominator)
        elif kind in _PATH_TYPES:
            self.tag(b"p")
            self.u32(_PATH_TYPES.index(kind))
            self.text(str(value))
        elif kind in NUMPY_SCALARS:
            self.tag(b"g")
            self.text(value.dtype.str)
            self.blob(value.tobytes())
        elif is_plain_array(value):
            self.array(value)
        else:
            self.hooks.other(value, self)

    def array(self, value: np.ndarray) -> None:
        self.tag(b"a")
        self.text(value.dtype.str)
        self.u32(value.ndim)
        for dim in value.shape:
            self.integer(dim)
        self.blob(np.ascontiguousarray(value).tobytes())

    def container(self, value: Any) -> None:
        self._active.add(id(value))
        self.depth += 1
        try:
            self.tag(_CONTAINER_TAGS[type(value)])
            self.u32(len(value))
            if type(value) is dict:
                for key, item in list(value.items()):
                    self.value(key)
                    self.value(item)
            else:
                for item in list(value):
                    self.value(item)
        finally:
            self.depth -= 1
            self._active.discard(id(value))


def _write_int(w: Writer, value: int) -> None:
    if -(1 << 63) <= value < (1 << 63):
        w.chunks += [b"q", _i64.pack(value)]
    else:
        w.tag(b"i")
        w.integer(value)


def _write_str(w: Writer, value: str) -> None:
    data = value.encode("utf-8", "surrogatepass")
    w.chunks += [b"s", _u32.pack(len(data)), data]


def _write_bytes(w: Writer, value: bytes) -> None:
    w.chunks += [b"b", _u32.pack(len(value)), value]


_SCALAR_WRITERS: dict[type, Any] = {
    type(None): lambda w, v: w.chunks.append(b"N"),
    bool: lambda w, v: w.chunks.append(b"T" if v else b"F"),
    int: _write_int,
    float: lambda w, v: w.chunks.extend((b"f", _f64.pack(v))),
    complex: lambda w, v: w.chunks.extend((b"c", _c128.pack(v.real, v.imag))),
    str: _write_str,
    bytes: _write_bytes,
}

_CONTAINER_TAGS: dict[type, bytes] = {
    tuple: b"t",
    list: b"l",
    dict: b"d",
    set: b"S",
    frozenset: b"Z",
}


class Reader:
    """Parses values from one message, building only plain types itself."""

    def __init__(self, data: bytes, hooks: Hooks) -> None:
        self.data = data
        self.view = memoryview(data)
        self.pos = 0
        self.hooks = hooks
        self.depth = 0

    def done(self) -> bool:
        return self.pos == len(self.view)

    def take(self, size: int) -> memoryview:
        end = self.pos + size
        if size < 0 or end > len(self.view):
            raise WireError("message ends early")
        chunk = self.view[self.pos : end]
        self.pos = end
        return chunk

    def u32(self) -> int:
        value: int = _u32.unpack_from(self.data, self.pos)[0]
        self.pos += 4
        return value

    def text(self) -> str:
        size = self.u32()
        end = self.pos + size
        if end > len(self.data):
            raise WireError("message ends early")
        text = self.data[self.pos : end].decode("utf-8", "surrogatepass")
        self.pos = end
        return text

    def blob(self) -> bytes:
        size = self.u32()
        end = self.pos + size
        if end > len(self.data):
            raise WireError("message ends early")
        data = self.data[self.pos : end]
        self.pos = end
        return data

    def integer(self) -> int:
        size = self.u32()
        if size > MAX_INT_BYTES:
            raise WireError("int too large")
        return int.from_bytes(self.take(size), "little", signed=True)

    def count(self) -> int:
        n = self.u32()
        if n > len(self.view) - self.pos:  # every item takes at least one byte
            raise WireError("container longer than the message")
        return n

    def value(self) -> Any:
        if self.pos >= len(self.data):
            raise WireError("message ends early")
        tag = self.data[self.pos : self.pos + 1]
        self.pos += 1
        simple = _SIMPLE.get(tag)
        if simple is not None:
            return simple(self)
        if tag in _CONTAINERS:
            return self._container(tag)
        return self.hooks.special(tag, self)

    def _container(self, tag: bytes) -> Any:
        if self.depth >= MAX_DEPTH:
            raise WireError("values nest too deep")
        self.depth += 1
        try:
            n = self.count()
            if tag == b"d":
                out: dict[Any, Any] = {}
                for _ in range(n):
                    key = self.value()
                    out[key] = self.value()
                return out
            items = [self.value() for _ in range(n)]
            return _CONTAINERS[tag](items)
        except TypeError as exc:  # an unhashable key or set member
            raise WireError(f"malformed container: {exc}") from None
        finally:
            self.depth -= 1


def _read_float(r: Reader) -> float:
    value: float = _f64.unpack_from(r.data, r.pos)[0]
    r.pos += 8
    return value


def _read_i64(r: Reader) -> int:
    value: int = _i64.unpack_from(r.data, r.pos)[0]
    r.pos += 8
    return value


def _read_complex(r: Reader) -> complex:
    real, imag = _c128.unpack(r.take(16))
    return complex(real, imag)


def _read_range(r: Reader) -> range:
    start, stop, step = r.integer(), r.integer(), r.integer()
    if step == 0:
        raise WireError("range step of 0")
    return range(start, stop, step)


def _read_fraction(r: Reader) -> Fraction:
    numerator, denominator = r.integer(), r.integer()
    if denominator <= 0:
        raise WireError("a fraction's denominator must be positive")
    return Fraction(numerator, denominator)


def _read_path(r: Reader) -> Any:
    index = r.u32()
    if index >= len(_PATH_TYPES):
        raise WireError("unknown path type")
    kind = _PATH_TYPES[index]
    if kind is pathlib.WindowsPath:
        kind = pathlib.PureWindowsPath
    return kind(r.text())


def _dtype(r: Reader) -> np.dtype[Any]:
    text = r.text()
    if not _DTYPE.match(text):
        raise WireError(f"dtype {text!r} may not cross")
    return np.dtype(text)


def _check_text(data: bytes, dtype: np.dtype[Any]) -> None:
    """A str array's bytes hold only code points Python can hold."""
    if dtype.kind == "U":
        codes = np.frombuffer(data, dtype=np.dtype("u4").newbyteorder(dtype.byteorder))
        if codes.size and int(codes.max()) > _MAX_CODE_POINT:
            raise WireError("a str array holds a code point beyond U+10FFFF")


def _read_scalar(r: Reader) -> Any:
    dtype = _dtype(r)
    data = r.blob()
    if len(data) != dtype.itemsize:
        raise WireError("numpy scalar of the wrong size")
    _check_text(data, dtype)
    return np.frombuffer(data, dtype=dtype)[0]


def _read_array(r: Reader) -> np.ndarray:
    dtype = _dtype(r)
    ndim = r.u32()
    if ndim > MAX_NDIM:
        raise WireError("array has too many dimensions")
    shape = tuple(r.integer() for _ in range(ndim))
    if any(d < 0 for d in shape):
        raise WireError("negative array dimension")
    data = r.blob()
    if len(data) != math.prod(shape) * dtype.itemsize:
        raise WireError("array data of the wrong size")
    _check_text(data, dtype)
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


_SIMPLE: dict[bytes, Any] = {
    b"N": lambda r: None,
    b"T": lambda r: True,
    b"F": lambda r: False,
    b"i": Reader.integer,
    b"q": _read_i64,
    b"f": _read_float,
    b"c": _read_complex,
    b"s": Reader.text,
    b"b": Reader.blob,
    b"r": _read_range,
    b"Q": _read_fraction,
    b"p": _read_path,
    b"g": _read_scalar,
    b"a": _read_array,
}
_CONTAINERS: dict[bytes, Any] = {
    b"t": tuple,
    b"l": list,
    b"d": dict,
    b"S": set,
    b"Z": frozenset,
}


def dumps(value: Any, hooks: Hooks) -> bytes:
    """Encode ``value`` (raises Unencodable for what this side may not send)."""
    w = Writer(hooks)
    w.value(value)
    return w.getvalue()


def loads(data: bytes, hooks: Hooks) -> Any:
    """Decode one value; raises WireError on anything malformed or trailing."""
    r = Reader(data, hooks)
    try:
        value = r.value()
    except (struct.error, UnicodeDecodeError, OverflowError, MemoryError, RecursionError) as exc:
        raise WireError(f"malformed message: {type(exc).__name__}") from None
    if not r.done():
        raise WireError("trailing bytes after the message")
    return value
