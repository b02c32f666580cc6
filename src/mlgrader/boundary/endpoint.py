"""One end of the channel: calls in both directions, a thread on the far side per caller.

Both processes run the same ``Endpoint``. A call carries the caller's logical
thread id (``tid``); the other end runs it in a thread of its own kept for
that tid, so threads on the trusted side calling into one candidate object run
concurrently in the candidate process (races and deadlocks happen in candidate
code as they would in one process), and a call back from that thread (to a
support object the test passed in) is served by the very thread that is
waiting for the answer, as nested calls are in one process. When a thread
ends, its tid is retired on the other side too.

Lanes. A trusted thread's calls do not share the main socket: on its first call
the trusted side makes a socket pair for that thread alone and hands one end to
the candidate process (``("lane", tid)`` on the main socket, the descriptor
attached), where a thread of its own serves it. Caller and server then each
read their own socket: a round trip is one wake-up per process, where the main
socket needs two (its reader, then the thread the message is for). The main
socket carries the rest: calls from threads candidate code starts, retirements,
and ``INLINE_OPS``, which must be answered while every other thread is stuck.
The candidate process accepts descriptors only on its main socket; the trusted
side never accepts any.

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
import threading
from collections.abc import Callable
from typing import Any, Protocol

from mlgrader.boundary import wire
from mlgrader.boundary.frames import ChannelClosed, Frames, frame
from mlgrader.boundary.lanes import Lane

#: pytest leaves this module's frames out of tracebacks (see boundary/__init__.py)
__tracebackhide__ = True

__all__ = ["INLINE_OPS", "ChannelClosed", "Endpoint", "Side"]

_UNSHARED: contextlib.nullcontext[None] = contextlib.nullcontext()  # a lane: one sender
#: Ops the reader thread answers itself (they must work while every other thread is stuck).
INLINE_OPS = frozenset({"stacks", "release", "switchinterval"})


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
        lanes: bool = False,
    ) -> None:
        self.sock = sock
        self.side = side
        self.max_message = max_message
        self.max_workers = max_workers
        self.on_close = on_close
        self.lanes = lanes  # this side opens a lane per calling thread (the trusted side)
        self._lanes: list[Lane] = []
        #: Lanes of the other side's main thread, for this process's main thread to serve
        #: (``serve_main_lanes``): candidate code called from a test's main thread runs in
        #: the candidate's main thread, where ``signal`` works as it does in one process.
        self.main_lanes: queue.Queue[Lane | None] = queue.Queue(maxsize=1)
        self._frames = Frames(sock, max_message, fds=not lanes)
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
        lane: Lane | None = getattr(self._local, "lane", None)
        if op not in INLINE_OPS:
            if lane is None and self.lanes and not getattr(self._local, "serving", False):
                lane = self._open_lane()
            if lane is not None:
                return lane.call(op, args)
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
                self.serve(message)

    def _open_lane(self) -> Lane:
        mine, theirs = socket.socketpair()
        tid = self.tid()
        main = threading.current_thread() is threading.main_thread()
        data = self.encode(("lane", tid, main))
        try:
            with self._send_lock:
                if self.closed:
                    raise ChannelClosed(self.closed)
                socket.send_fds(self.sock, [frame(data)], [theirs.fileno()])
        except OSError as exc:
            mine.close()
            raise ChannelClosed(f"the other process is gone ({exc})") from None
        finally:
            theirs.close()
        lane = self._local.lane = Lane(self, mine, tid)
        lane.main = main
        self._local.token.lane = lane  # shut when this thread ends
        with self._lock:
            self._lanes.append(lane)
            if self.closed:
                lane.shut()
        return lane

    def serving_threads(self) -> int:
        """Threads the other process runs to serve this side's open lanes: one a lane, except
        the main thread's, which its main thread serves (``no_leaks`` allows for them)."""
        with self._lock:
            return sum(1 for lane in self._lanes if not lane.main)

    def _serve_lane(self, lane: Lane) -> None:
        """Serve one lane the other side opened, in this thread, until it closes."""
        self._local.tid = lane.tid
        self._local.lane = lane
        with contextlib.suppress(ChannelClosed):
            while True:
                message = lane.receive()
                if message[0] != "call":
                    raise ChannelClosed("a lane carried a message that is not a call")
                lane.serve(message)
        lane.shut()
        self.forget(lane)
        lane.sock.close()  # one per thread the other side ever had: do not keep them
        self._local.lane = None
        with self._lock:
            self._workers -= 1

    def forget(self, lane: Lane) -> None:
        """A lane whose thread ended: no longer shut at close."""
        with contextlib.suppress(ValueError), self._lock:
            self._lanes.remove(lane)

    def serve_main_lanes(self) -> None:
        """Serve, in the calling (main) thread, each main-thread lane in turn, until the
        channel closes."""
        while not self.closed and (lane := self.main_lanes.get()) is not None:
            self._serve_lane(lane)

    def _inbox(self, tid: int) -> queue.SimpleQueue[tuple[Any, ...]]:
        with self._lock:
            inbox = self._queues.get(tid)
            if inbox is None:
                inbox = self._queues[tid] = queue.SimpleQueue()
                if self.closed:
                    inbox.put(("lost",))
            return inbox

    def encode(self, message: tuple[Any, ...]) -> bytes:
        return wire.dumps((*message, self.side.updates()), self.side.hooks)

    def _send(self, message: tuple[Any, ...]) -> None:
        self.send_on(self.sock, message, self._send_lock)

    def send_on(
        self,
        sock: socket.socket,
        message: tuple[Any, ...],
        lock: threading.Lock | contextlib.nullcontext[None] = _UNSHARED,
    ) -> None:
        """Send one message on ``sock`` (the main socket, shared: under its lock; a lane)."""
        if self.closed:
            raise ChannelClosed(self.closed)
        data = self.encode(message)
        with lock:
            try:
                sock.sendall(frame(data))
            except OSError as exc:
                raise ChannelClosed(f"the other process is gone ({exc})") from None

    def retire(self, tid: int) -> None:
        with contextlib.suppress(ChannelClosed, wire.Unencodable):
            self._send(("bye", tid))

    # -- serving the other side ------------------------------------------------------------

    def serve(
        self, message: tuple[Any, ...], send: Callable[[tuple[Any, ...]], None] | None = None
    ) -> None:
        send = send or self._send
        _, tid, op, args = message
        try:
            reply: tuple[Any, ...] = ("ok", tid, self.side.handle(op, args))
        except BaseException as exc:
            reply = ("err", tid, self.side.error(exc))
        try:
            send(reply)
        except wire.Unencodable as exc:  # a result this side may not send: say so instead
            send(("err", tid, self.side.error(exc)))

    def _worker(self, tid: int, inbox: queue.SimpleQueue[tuple[Any, ...]]) -> None:
        self._local.tid = tid
        self._local.serving = True  # its calls back go on the main socket, with this tid
        try:
            while True:
                message = inbox.get()
                if message[0] == "call":
                    with contextlib.suppress(ChannelClosed):
                        self.serve(message)
                elif message[0] in ("bye", "lost"):
                    return
        finally:
            with self._lock:
                self._queues.pop(tid, None)
                self._workers -= 1

    def _read_loop(self) -> None:
        reason = "the other process closed the channel"
        frames = self._frames
        try:
            while (data := frames.next()) is not None:
                self._dispatch(wire.loads(data, self.side.hooks))
        except (wire.WireError, ValueError, TypeError, IndexError) as exc:
            reason = f"the other process broke the protocol: {exc}"
        except OSError as exc:
            reason = f"the channel failed: {exc}"
        self.broken(reason)

    def _dispatch(self, message: Any) -> None:
        if type(message) is not tuple or len(message) < 3 or type(message[1]) is not int:
            raise wire.WireError("not a message")
        *body, updates = message
        self.side.apply(updates)
        kind, tid = body[0], body[1]
        if kind == "lane" and not self.lanes and len(body) == 3 and type(body[2]) is bool:
            self._accept_lane(tid, body[2])
            return
        if kind == "call" and len(body) == 4 and body[2] in INLINE_OPS:
            self.serve(tuple(body))
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

    def _accept_lane(self, tid: int, main: bool) -> None:
        if not self._frames.received:
            raise wire.WireError("a lane without its socket")
        sock = socket.socket(fileno=self._frames.received.pop(0))
        if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_STREAM:
            sock.close()
            raise wire.WireError("a lane that is not a stream socket")
        with self._lock:
            if self._workers >= self.max_workers:
                sock.close()
                raise wire.WireError(f"more than {self.max_workers} threads calling at once")
            self._workers += 1
            lane = Lane(self, sock, tid)
            self._lanes.append(lane)
        if main and not self.main_lanes.full():  # the test's main thread: served by ours
            self.main_lanes.put(lane)
            return
        threading.Thread(
            target=self._serve_lane, args=(lane,), name=f"mlgrader-call-{tid}", daemon=True
        ).start()

    def broken(self, reason: str) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = reason
            inboxes = list(self._queues.values())
            lanes = list(self._lanes)
        for inbox in inboxes:
            inbox.put(("lost",))
        for lane in lanes:
            lane.shut()
        with contextlib.suppress(queue.Full):
            self.main_lanes.put_nowait(None)
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self.on_close is not None:
            self.on_close(reason)

    def close(self) -> None:
        """Close the channel. The reader thread is stopped (shutdown wakes it with EOF) and
        joined before the descriptor is closed: a reader still in ``recv`` on a closed
        descriptor number would read from whatever socket reuses that number next."""
        self.broken("closed")
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self._reader.is_alive() and threading.current_thread() is not self._reader:
            self._reader.join(timeout=5)
        if not self._reader.is_alive():
            with contextlib.suppress(OSError):
                self.sock.close()


class _Retire:
    """Lives in a thread's local storage: when the thread ends, its tid is retired remotely
    (and its lane, if it has one, is shut: the thread serving it there then ends)."""

    def __init__(self, endpoint: Endpoint, tid: int) -> None:
        self.endpoint = endpoint
        self.tid = tid
        self.lane: Lane | None = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.endpoint.retire(self.tid)
        if self.lane is not None:
            self.lane.shut()
            self.endpoint.forget(self.lane)
