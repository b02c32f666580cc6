"""Mutable values the trusted side passes in, kept in step on both sides.

A numpy array, list, dict or set the test passes to candidate code is not
copied once and forgotten: both processes keep their object under one mirror
id, and every call and reply carries the contents of the mirrors that changed
since the last message. So an optimizer that updates the parameter arrays it
was given in place is seen updating them (``param is same`` holds on the test's
side, because the trusted object is updated in place), and one keyed by
``id(param)`` finds the same array on every call. Containers inside a mirrored
container are mirrors of their own, so arrays inside a list keep their identity.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np

from mlgrader.boundary import wire

MIRRORED: tuple[type, ...] = (list, dict, set, np.ndarray)


def mirrorable(value: Any) -> bool:
    """Whether ``value`` is mirrored when the trusted side passes it in."""
    kind = type(value)
    return kind in (list, dict, set) or (kind is np.ndarray and wire.is_plain_array(value))


def snapshot(value: Any) -> Any:
    """What ``changed`` compares against: an array's copy, or the elements themselves (a
    dict's keys and values in turn), held so their identities cannot be reused."""
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) is dict:
        return [x for item in value.items() for x in item]
    return list(value)


def changed(value: Any, snap: Any) -> bool:
    if type(value) is np.ndarray:
        if value.shape != snap.shape or value.dtype != snap.dtype:
            return True
        return not np.array_equal(value, snap, equal_nan=value.dtype.kind in "fc")
    now = snapshot(value)
    return len(now) != len(snap) or any(a is not b for a, b in zip(now, snap, strict=True))


class Content:
    """A mirror's contents in an update: written as plain data, not as a (new) mirror."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def content(value: Any) -> Content:
    """A shallow copy carrying the contents."""
    if type(value) is np.ndarray:
        return Content(value.copy())
    return Content(type(value)(value))


def write_plain(value: Any, w: wire.Writer) -> None:
    """Write a list, dict, set or array itself (its elements go through the hooks as usual)."""
    if type(value) is np.ndarray:
        w.array(value)
    else:
        w.container(value)


def assign(target: Any, new: Any) -> bool:
    """Make ``target`` hold ``new``'s contents in place; False if that is impossible."""
    if type(target) is not type(new):
        return False
    if type(target) is np.ndarray:
        if target.shape != new.shape or target.dtype != new.dtype:
            return False
        if not target.flags.writeable:
            return False
        target[...] = new
    elif type(target) is list:
        target[:] = new
    else:
        target.clear()
        target.update(new)
    return True


def _refs_held_by_table() -> int:
    """sys.getrefcount of an object only a MirrorTable holds, as ``updates`` measures it."""
    table: dict[int, Any] = {1: object()}
    for key in list(table):
        return sys.getrefcount(table[key])
    return 2


_HELD_BY_TABLE_ONLY = _refs_held_by_table()


class MirrorTable:
    """This side's mirrors: id -> object, and the snapshot of what the other side has."""

    def __init__(self, first_id: int) -> None:
        self._next = first_id
        self.objects: dict[int, Any] = {}
        self.by_object: dict[int, int] = {}
        self.snaps: dict[int, Any] = {}
        self.lock = threading.RLock()

    def find(self, value: Any) -> int | None:
        mid = self.by_object.get(id(value))
        if mid is not None and self.objects.get(mid) is value:
            return mid
        return None

    def add(self, value: Any, mid: int | None = None) -> int:
        with self.lock:
            if mid is None:
                mid = self._next
                self._next += 2
            self.objects[mid] = value
            self.by_object[id(value)] = mid
            self.snaps[mid] = snapshot(value)
            return mid

    def updates(self, prune: bool = False) -> list[tuple[int, Any]]:
        """(mirror id, contents) of every mirror changed since the last message.

        ``prune`` (the owning side): a mirror nothing but this table holds any more is
        dropped, and ``(-id, None)`` tells the other side to drop it too, so a test
        passing a fresh array on every call does not make every later call slower.
        """
        out: list[tuple[int, Any]] = []
        with self.lock:
            for mid in list(self.objects):
                if prune and sys.getrefcount(self.objects[mid]) <= _HELD_BY_TABLE_ONLY:
                    self.forget(mid)
                    out.append((-mid, None))
                    continue
                value = self.objects[mid]
                if changed(value, self.snaps[mid]):
                    self.snaps[mid] = snapshot(value)
                    out.append((mid, content(value)))
        return out

    def forget(self, mid: int) -> None:
        with self.lock:
            value = self.objects.pop(mid, None)
            self.snaps.pop(mid, None)
            if value is not None:
                self.by_object.pop(id(value), None)

    def apply(self, mid: int, new: Any) -> Any:
        """Take the other side's contents for mirror ``mid`` (a new mirror if unknown;
        a negative ``mid``: the other side dropped mirror ``-mid``)."""
        if mid < 0:
            self.forget(-mid)
            return None
        with self.lock:
            target = self.objects.get(mid)
            if target is None or not assign(target, new):
                if target is not None:
                    self.by_object.pop(id(target), None)
                self.add(new, mid)
                return new
            self.snaps[mid] = snapshot(target)
            return target
