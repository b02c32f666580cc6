"""Support objects sent to candidate code by value instead of as references.

A support object the test passes to candidate code normally stays in the test's
process and candidate code holds a reference to it. Two kinds are copied instead:

- frozen dataclasses of a support module (an elevator bank's view, a hall call):
  immutable snapshots that candidate code reads many times per call, where
  every field read of a reference would be a round trip;
- objects whose class defines ``__boundary_value__(self, serve)``: the class
  says what copy to send. ``serve(handler)`` starts a ``ServiceHost`` here and
  returns its address, so the copy can do its real work by asking this process
  (a data set whose loads sleep and are recorded here, whichever candidate
  thread or worker process asks: a reference could not be sent to another
  process, a copy can be pickled to one).

Either way the copy crosses as its class's module and name and its fields
(``wire`` values, so a field holding another support object is itself copied or
referenced by these rules), and the candidate process rebuilds it with its own
copy of the support module's class, running no code the test sent.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from mlgrader.boundary import wire
from mlgrader.boundary.services import Handler, ServiceHost


class Copies:
    """Decides which trusted objects cross by value, and keeps the services their copies use."""

    def __init__(self, trusted_class: Callable[[type], bool]) -> None:
        self._trusted_class = trusted_class
        self._lock = threading.Lock()
        self._made: dict[int, tuple[Any, Any]] = {}  # id(original) -> (original, copy)
        self._hosts: list[ServiceHost] = []

    def copy_of(self, value: Any) -> Any | None:
        """What to send instead of ``value`` (None: send a reference)."""
        kind = type(value)
        if not self._trusted_class(kind):
            return None
        params = getattr(kind, "__dataclass_params__", None)
        if params is not None and params.frozen and dataclasses.is_dataclass(value):
            return value
        make = getattr(kind, "__boundary_value__", None)
        if make is None:
            return None
        with self._lock:
            made = self._made.get(id(value))
            if made is not None and made[0] is value:
                return made[1]
        copy = make(value, self.serve)
        with self._lock:
            self._made[id(value)] = (value, copy)
        return copy

    def serve(self, handler: Handler) -> str:
        """A service for a copy to call back: its address (closed with the connection)."""
        host = ServiceHost(handler)
        with self._lock:
            self._hosts.append(host)
        return host.address

    def close(self) -> None:
        with self._lock:
            hosts, self._hosts = self._hosts, []
            self._made.clear()
        for host in hosts:
            host.close()


def write_copy(copy: Any, w: wire.Writer) -> None:
    """``copy`` as the ``V`` tag: its class by module and name, then its fields."""
    w.tag(b"V")
    w.text(type(copy).__module__)
    w.text(type(copy).__qualname__)
    if dataclasses.is_dataclass(copy):
        fields = [(f.name, getattr(copy, f.name)) for f in dataclasses.fields(copy)]
    else:
        fields = list(vars(copy).items())
    w.u32(len(fields))
    for name, value in fields:
        w.text(name)
        w.value(value)
