"""One end of the channel: calls in both directions, a thread on the far side per caller.

Both processes run the same ``Endpoint``. A call carries the caller's logical
thread id (``tid``); the other end runs it in a thread of its own kept for
that tid, so threads on the trusted side calling into one candidate object run
concurrently in the candidate process (races and deadlocks happen in candidate
code as they would in one process), and a call back from that thread (to a
support object the test passed in) is served by the very thread that is
waiting for the answer, as nested calls are in one process. When a thread
ends, its tid is retired on the other side too.

Messages are length-prefixed ``wire`` tuples: ``("call", tid, op, args)``,
``("ok", tid, value)``, ``("err", tid, error)``, ``("bye", tid)``. Every
call and reply also carries the sender's mirror updates (see ``Side``). A
malformed message or a closed socket ends the channel: every waiting caller
then gets ``ChannelClosed``.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any, Protocol

from mlgrader.boundary import wire

_header = struct.Struct("<I")
#: Ops the reader thread answers itself (they must work while every other thread is stuck).
INLINE_OPS = frozenset({"stacks", "release", "switchinterval"})


class ChannelClosed(ConnectionError):
    """The other process is gone (it exited, crashed or was killed), or it broke the protocol."""


class Side(Protocol):
    """What an endpoint needs from the process it runs in."""

    hooks: wire.Hooks

    def handle(self, op: str, args: tuple[Any, ...]) -> Any:
        """Run one call from the other side (in the thread kept for its tid)."""

    def updates(self) -> list[Any]:
        """Mirror updates to send with the next message."""

    def apply(self, updates: Any) -> None:
        """Apply mirror updates the other side sent."""

    def error(self, exc: BaseException) -> Any:
        """An exception raised here, as data for the other side."""

    def raise_error(self, error: Any) -> None:
        """Raise, here, the exception the other side sent."""


class Endpoint:
    """A socket to the other process, with a reader thread and per-tid worker threads."""

    def __init__(
        self,
        sock: socket.socket,
        side: Side,
        *,
        parity: int,
        max_message: int,
        max_workers: int,
        on_close: Callable[[str], None] | None = None,
    ) -> None:
        self.sock = sock
        self.side = side
        self.max_message = max_message
        self.max_workers = max_workers
        self.on_close = on_close
        self.closed: str | None = None
        self._send_lock = threading.Lock()
        self._queues: dict[int, queue.SimpleQueue[tuple[Any, ...]]] = {}
        self._workers = 0
        self._lock = threading.Lock()
        self._ids = itertools.count(2 + parity, 2)
        self._local = threading.local()
        self._reader = threading.Thread(
            target=self._read_loop, name="mlgrader-channel", daemon=True
        )

    def start(self) -> None:
        self._reader.start()

    # -- calling the other side ------------------------------------------------------------

    def tid(self) -> int:
        """This thread's logical id (a worker serving the other side keeps the caller's)."""
        tid: int | None = getattr(self._local, "tid", None)
        if tid is None:
            tid = next(self._ids)
            self._local.tid = tid
            self._local.token = _Retire(self, tid)
        return tid

    def call(self, op: str, *args: Any) -> Any:
        """Run ``op`` on the other side and return its value (or raise its exception)."""
        tid = self.tid()
        inbox = self._inbox(tid)
        self._send(("call", tid, op, args))
        while True:
            message = inbox.get()
            kind = message[0]
            if kind == "ok":
                return message[2]
            if kind == "err":
                self.side.raise_error(message[2])
            if kind == "lost":
                raise ChannelClosed(self.closed or "the channel closed")
            if kind == "call":  # a nested call back into this thread
                self._serve(message)

    def _inbox(self, tid: int) -> queue.SimpleQueue[tuple[Any, ...]]:
        with self._lock:
            inbox = self._queues.get(tid)
            if inbox is None:
                inbox = self._queues[tid] = queue.SimpleQueue()
                if self.closed:
                    inbox.put(("lost",))
            return inbox

    def _send(self, message: tuple[Any, ...]) -> None:
        if self.closed:
            raise ChannelClosed(self.closed)
        data = wire.dumps((*message, self.side.updates()), self.side.hooks)
        with self._send_lock:
            try:
                self.sock.sendall(_header.pack(len(data)) + data)
            except OSError as exc:
                raise ChannelClosed(f"the other process is gone ({exc})") from None

    def retire(self, tid: int) -> None:
        with contextlib.suppress(ChannelClosed, wire.Unencodable):
            self._send(("bye", tid))

    # -- serving the other side ------------------------------------------------------------

    def _serve(self, message: tuple[Any, ...]) -> None:
        _, tid, op, args = message
        try:
            reply: tuple[Any, ...] = ("ok", tid, self.side.handle(op, args))
        except BaseException as exc:
            reply = ("err", tid, self.side.error(exc))
        try:
            self._send(reply)
        except wire.Unencodable as exc:  # a result this side may not send: say so instead
            self._send(("err", tid, self.side.error(exc)))

    def _worker(self, tid: int, inbox: queue.SimpleQueue[tuple[Any, ...]]) -> None:
        self._local.tid = tid
        try:
            while True:
                message = inbox.get()
                if message[0] == "call":
                    with contextlib.suppress(ChannelClosed):
                        self._serve(message)
                elif message[0] in ("bye", "lost"):
                    return
        finally:
            with self._lock:
                self._queues.pop(tid, None)
                self._workers -= 1

    def _read_loop(self) -> None:
        reason = "the other process closed the channel"
        frames = _Frames(self.sock, self.max_message)
        try:
            while (data := frames.next()) is not None:
                self._dispatch(wire.loads(data, self.side.hooks))
        except (wire.WireError, ValueError, TypeError, IndexError) as exc:
            reason = f"the other process broke the protocol: {exc}"
        except OSError as exc:
            reason = f"the channel failed: {exc}"
        self._close(reason)

    def _dispatch(self, message: Any) -> None:
        if type(message) is not tuple or len(message) < 3 or type(message[1]) is not int:
            raise wire.WireError("not a message")
        *body, updates = message
        self.side.apply(updates)
        kind, tid = body[0], body[1]
        if kind == "call" and len(body) == 4 and body[2] in INLINE_OPS:
            self._serve(tuple(body))
            return
        if kind not in ("call", "ok", "err", "bye") or (kind == "call" and len(body) != 4):
            raise wire.WireError(f"unknown message {kind!r}")
        with self._lock:
            inbox = self._queues.get(tid)
            if inbox is None:
                if kind != "call":
                    return  # a reply nobody waits for, or a retired tid
                if self._workers >= self.max_workers:
                    raise wire.WireError(f"more than {self.max_workers} threads calling at once")
                inbox = self._queues[tid] = queue.SimpleQueue()
                self._workers += 1
                threading.Thread(
                    target=self._worker, args=(tid, inbox), name=f"mlgrader-call-{tid}", daemon=True
                ).start()
        inbox.put(tuple(body))

    def _close(self, reason: str) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = reason
            inboxes = list(self._queues.values())
        for inbox in inboxes:
            inbox.put(("lost",))
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.on_close is not None:
            self.on_close(reason)

    def close(self) -> None:
        """Close the channel. The reader thread is stopped (shutdown wakes it with EOF) and
        joined before the descriptor is closed: a reader still in ``recv`` on a closed
        descriptor number would read from whatever socket reuses that number next."""
        self._close("closed")
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self._reader.is_alive() and threading.current_thread() is not self._reader:
            self._reader.join(timeout=5)
        if not self._reader.is_alive():
            with contextlib.suppress(OSError):
                self.sock.close()


class _Retire:
    """Lives in a thread's local storage: when the thread ends, its tid is retired remotely."""

    def __init__(self, endpoint: Endpoint, tid: int) -> None:
        self.endpoint = endpoint
        self.tid = tid

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.endpoint.retire(self.tid)


class _Frames:
    """Length-prefixed frames from a socket, read in chunks: a small message costs one
    ``recv`` (not one for the header and one for the body)."""

    CHUNK = 1 << 16

    def __init__(self, sock: socket.socket, max_message: int) -> None:
        self.sock = sock
        self.max_message = max_message
        self.buf = bytearray()

    def _fill(self, want: int) -> bool:
        while len(self.buf) < want:
            chunk = self.sock.recv(max(self.CHUNK, min(want - len(self.buf), 1 << 24)))
            if not chunk:
                return False
            self.buf += chunk
        return True

    def next(self) -> bytes | None:
        """The next frame's bytes; None at EOF. Raises WireError for an oversized frame."""
        if not self._fill(4):
            return None
        size = _header.unpack_from(self.buf)[0]
        if size > self.max_message:
            raise wire.WireError(f"a message of {size} bytes (limit {self.max_message})")
        if not self._fill(4 + size):
            return None
        data = bytes(self.buf[4 : 4 + size])
        del self.buf[: 4 + size]
        return data
