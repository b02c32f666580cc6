"""A lane: one thread's own socket to the other process (see ``endpoint``'s docstring).

Caller and server each block in ``recv`` on their own socket, so a round trip
wakes one thread per process, where the main socket wakes two (its reader, then
the thread the message is for).
"""

from __future__ import annotations

import contextlib
import socket
from typing import TYPE_CHECKING, Any

from mlgrader.boundary import wire
from mlgrader.boundary.frames import ChannelClosed, Frames

#: pytest leaves this module's frames out of tracebacks (see boundary/__init__.py)
__tracebackhide__ = True

if TYPE_CHECKING:
    from mlgrader.boundary.endpoint import Endpoint


class Lane:
    """One thread's own socket to the other process (see the module docstring)."""

    def __init__(self, endpoint: Endpoint, sock: socket.socket, tid: int) -> None:
        self.endpoint = endpoint
        self.sock = sock
        self.tid = tid
        self.main = False  # opened by the main thread (served by the other side's main thread)
        self.frames = Frames(sock, endpoint.max_message)

    def send(self, message: tuple[Any, ...]) -> None:
        self.endpoint.send_on(self.sock, message)

    def receive(self) -> tuple[Any, ...]:
        endpoint = self.endpoint
        try:
            data = self.frames.next()
            if data is None:
                raise ChannelClosed(endpoint.closed or "the other process closed the channel")
            message = wire.loads(data, endpoint.side.hooks)
            if type(message) is not tuple or len(message) < 3 or message[1] != self.tid:
                raise wire.WireError("not a message for this lane")
            *body, updates = message
            endpoint.side.apply(updates)
        except (wire.WireError, ValueError, TypeError, IndexError) as exc:
            endpoint.broken(f"the other process broke the protocol: {exc}")
            raise ChannelClosed(endpoint.closed or str(exc)) from None
        except OSError as exc:
            raise ChannelClosed(endpoint.closed or f"the channel failed: {exc}") from None
        kind = body[0]
        if kind not in ("call", "ok", "err") or len(body) != (4 if kind == "call" else 3):
            endpoint.broken(f"the other process broke the protocol: {kind!r} on a lane")
            raise ChannelClosed(endpoint.closed or "protocol")
        return tuple(body)

    def call(self, op: str, args: tuple[Any, ...]) -> Any:
        self.send(("call", self.tid, op, args))
        while True:
            message = self.receive()
            if message[0] == "ok":
                return message[2]
            if message[0] == "err":
                self.endpoint.side.raise_error(message[2])
            else:  # a nested call back into this thread
                self.serve(message)

    def serve(self, message: tuple[Any, ...]) -> None:
        self.endpoint.serve(message, self.send)

    def shut(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
