"""The trusted side's handle on one candidate process: import its modules, ship closures, stop it.

``Connection`` owns the socket to the candidate process (however it was
started: ``sandbox.forkserver`` in a grading run, ``start_local`` in tests of
this package) and answers the questions the engine asks of the process as a
whole: its pid (so time and threads are read from the kernel), its threads'
stacks (for a deadlock report).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mlgrader.boundary.endpoint import Endpoint
from mlgrader.boundary.lineage import Lineage
from mlgrader.boundary.refs import Ref
from mlgrader.boundary.trusted import TrustedSide
from mlgrader.boundary.wrappers import Args, Shipped

#: The largest message the trusted side accepts from the candidate process.
MAX_MESSAGE = 256 * 1024 * 1024
#: Threads the candidate process may have calling back into the trusted side at once.
MAX_CALLBACK_THREADS = 64


#: Connections open in this process (a test's process has at most one): helpers such as
#: run_threads find the candidate process here.
OPEN: list[Connection] = []


#: (pid, reason) of each candidate process whose channel closed without ``close()`` here.
LOST: list[tuple[int, str]] = []


def current() -> Connection | None:
    """The candidate process this test talks to, if any."""
    return OPEN[-1] if OPEN else None


class Connection:
    """A live candidate process, reached through references."""

    def __init__(
        self,
        sock: socket.socket,
        pid: int,
        trusted_modules: Iterable[str] = (),
        source: Path | None = None,
        account: Path | None = None,
    ) -> None:
        """``source``: the submission's folder, which class hierarchies are read from;
        ``account``: the candidate process's CPU cgroup, if it has one."""
        self.pid = pid
        self.account = account
        trusted = frozenset(trusted_modules)
        lineage = Lineage(source, trusted) if source is not None else None
        self.side = TrustedSide(trusted, lineage)
        self.closed_because: str | None = None
        self.endpoint = Endpoint(
            sock,
            self.side,
            parity=0,
            max_message=MAX_MESSAGE,
            max_workers=MAX_CALLBACK_THREADS,
            on_close=self._closed,
            lanes=True,
        )
        self.side.endpoint = self.endpoint
        self.endpoint.start()
        OPEN.append(self)

    def _closed(self, reason: str) -> None:
        self.closed_because = reason
        if reason != "closed":
            LOST.append((self.pid, reason))

    def import_module(self, name: str) -> Ref:
        """Import candidate module ``name`` in the candidate process."""
        ref: Ref = self.side.call("import", name)
        return ref

    def ship(self, func: Callable[..., Any]) -> Ref:
        """Send ``func`` (and what it closes over) by value; a reference to the copy there."""
        ref: Ref = self.side.call("call", Shipped(_identity), (Shipped(func),), {}, 1, True)
        return ref

    def call(self, target: Any, *args: Any, loops: int = 1, keep: bool | None = False) -> Any:
        """``target(*args)`` in the candidate process, ``loops`` times. The last result
        comes back as data or a reference (``keep=False``), as a reference (True), or not
        at all (None: a timed batch, whose result would only cost time to send)."""
        return self.side.call("call", target, Args(args), {}, loops, keep)

    def switch_interval(self, seconds: float | None = None) -> float:
        """Set (or with None only read) the candidate interpreter's switch interval.

        run_threads makes it tiny so races in candidate code show; answered by the
        channel's reader there, so it works while every other thread is busy or stuck.
        """
        value = self.side.call("switchinterval", seconds)
        if type(value) is not float:
            raise TypeError("the candidate process answered a switch interval that is not a float")
        return value

    def setenv(self, name: str, value: str) -> None:
        """Set an environment variable in the candidate process (its children inherit it)."""
        self.side.call("setenv", name, value)

    def pid_check(self) -> None:
        """One round trip: the candidate process answers with its process id, which must be
        the one it was started with (it opens the calling thread's lane on both sides)."""
        if self.side.call("pid") != self.pid:
            raise RuntimeError("the candidate process is not the one this channel was made for")

    def stacks(self) -> str:
        """The candidate process's thread stacks, as it reports them (for messages only)."""
        try:
            text = self.side.call("stacks")
        except Exception as exc:
            return f"(the candidate process could not report its stacks: {exc})"
        return text if type(text) is str else ""

    def close(self) -> None:
        self.endpoint.close()
        self.side.copies.close()
        if self in OPEN:
            OPEN.remove(self)


def _identity(value: Any) -> Any:  # pragma: no cover - runs in the candidate process
    return value


def start_local(
    trusted_modules: Iterable[str] = (), path: Iterable[str] = ()
) -> tuple[Connection, subprocess.Popen[bytes]]:
    """A candidate process started plainly, without a sandbox (for this package's own tests)."""
    mine, theirs = socket.socketpair()
    code = (
        "import socket, sys\n"
        f"sys.path[:0] = {list(map(str, path))!r}\n"
        "from mlgrader.boundary.candidate import serve\n"
        f"serve(socket.socket(fileno={theirs.fileno()}))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),))
    theirs.close()
    roots = [Path(p) for p in path]
    conn = Connection(mine, proc.pid, trusted_modules, roots[0] if roots else None)
    return conn, proc


def stop_local(conn: Connection, proc: subprocess.Popen[bytes]) -> None:
    conn.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
