"""Support services: evidence recorded in the test's process, whichever process calls.

Some challenges need a record of what candidate code did and when: which
pipeline stage kept its simulated accelerator busy, which worker loaded which
item. Written by support code inside the candidate's processes, that record
would be candidate-controlled: code that can change its copy of the support
module can write any record it likes. A ``ServiceHost`` keeps the record on the
test's side instead. It listens on a Unix socket; support code in any
candidate process (a thread, a forked worker, a process started by ``spawn``
or ``forkserver``, which inherit the environment but no descriptor) connects to
the address it finds in an environment variable and asks for the work. The host
does the work itself (a simulated device sleeps here, not there), times it with
its own clock and learns the caller's process id from the kernel
(``SO_PEERCRED``): a record says what really happened on this side. What the
caller claims about itself (the stage or thread it speaks for) is a claim.

Requests and replies are one JSON object each way per connection: plain data,
parsed here with a size limit; nothing the caller sends is unpickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The largest request a host reads (a request is a handful of numbers and names).
MAX_REQUEST = 64 * 1024
#: Connections served at once; more wait in the listen queue.
MAX_CONCURRENT = 256
_UNIX_PATH_MAX = 107


@dataclass(frozen=True)
class Caller:
    """Who asked: the process id the kernel reports for the connection."""

    pid: int


Handler = Callable[[Caller, dict[str, Any]], Any]


class ServiceHost:
    """Serves ``handler(caller, request)`` to candidate processes, in threads of this one.

    ``address`` is the socket's path; hand it to candidate code through an
    environment variable (``submission.service`` does). A handler's exception
    becomes ``{"error": "<type>: <message>"}`` for the caller.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self._folder = Path(tempfile.mkdtemp(prefix="svc"))
        self.address = str(self._folder / "s")
        if len(self.address.encode()) > _UNIX_PATH_MAX:
            raise RuntimeError(
                f"the service socket path {self.address!r} is too long for a Unix socket; "
                "point TMPDIR at a shorter folder"
            )
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(self.address)
        os.chmod(self.address, 0o777)  # candidate processes may run as another user
        self._folder.chmod(0o755)
        self._sock.listen(64)
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._closed = False
        self._serving: set[threading.Thread] = set()
        self._serving_lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="mlgrader-service", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._slots.acquire()
            server = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._serving_lock:
                self._serving = {t for t in self._serving if t.is_alive()} | {server}
            server.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(30.0)
                creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
                pid, _, _ = struct.unpack("3i", creds)
                request = _read_request(conn)
                try:
                    reply = {"ok": self.handler(Caller(pid), request)}
                except Exception as exc:  # the caller's problem: sent back, never raised here
                    reply = {"error": f"{type(exc).__name__}: {exc}"}
                conn.sendall(json.dumps(reply).encode() + b"\n")
        except (OSError, ValueError):
            pass  # a caller that went away or sent garbage gets nothing
        finally:
            self._slots.release()

    def close(self) -> None:
        """Stop serving and end the accepting thread. Closing a listening socket does not
        wake a thread blocked in ``accept`` on Linux; shutting it down does. A thread left
        behind would outlive the host in every process that made one, and a process that
        later forks copies whatever that thread holds. Requests still being served get
        a moment to finish for the same reason."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5.0
        self._thread.join(5.0)
        with self._serving_lock:
            serving = list(self._serving)
        for server in serving:
            server.join(max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(OSError):
            os.unlink(self.address)
        with contextlib.suppress(OSError):
            self._folder.rmdir()


def _read_line(sock: socket.socket) -> bytes:
    """One newline-ended message (or what came before the other end closed)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("message too large")
    return data


def _read_request(conn: socket.socket) -> dict[str, Any]:
    request = json.loads(_read_line(conn))
    if type(request) is not dict:
        raise ValueError("a request is a JSON object")
    return request


def call_service(address: str, request: dict[str, Any], timeout: float = 60.0) -> Any:
    """The client, for support code in a candidate process: ``request`` to the host at
    ``address``; its handler's answer, or ``RuntimeError`` with the host's error text."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(json.dumps(request).encode() + b"\n")
        data = _read_line(sock)
    reply = json.loads(data) if data else {"error": "the service closed the connection"}
    if "error" in reply:
        raise ServiceError(str(reply["error"]))
    return reply.get("ok")


class ServiceError(RuntimeError):
    """The service host refused or failed a request."""
