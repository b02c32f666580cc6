"""Candidate processes, forked from a clean interpreter that never held a test.

The grading run starts one fork server before pytest collects anything: a
fresh ``python -m mlgrader.sandbox.forkserver`` that imports numpy, the channel
and the challenge's support modules, and then only forks. Each test gets a new
candidate process from it, so no candidate process ever has the hidden tests,
their source or pytest's state in memory, and importing numpy costs nothing per
test. The child enters the sandbox (limits, Landlock, its own scratch folder)
and serves the channel (``boundary.candidate.serve``); its socket reaches the
pytest process by descriptor passing and from there the test's process, and it
has no other descriptor of the grading run.

Run as a module, this file is the server; ``ForkServer`` is the client the
grading session uses.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Variables of the grading run that candidate code has no business seeing.
_DROP_ENV = ("PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


@dataclass(frozen=True)
class Candidate:
    """One candidate process: its pid (also its process group), our end of its channel, and
    the scratch folder that is its HOME and TMPDIR."""

    pid: int
    sock: socket.socket
    scratch: Path
    account: Path | None = None  # its CPU cgroup (sandbox/cpuaccount.py), if the run has them


class ForkServer:
    """The grading session's handle on the fork server."""

    def __init__(
        self, submission: Path, preload: tuple[str, ...], imports: dict[str, object] | None = None
    ) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlgrader.sandbox.forkserver", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=env,
            cwd=submission,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = mine
        self.submission = submission
        self._ready: tuple[dict[str, object], Path] | None = None  # forked in advance
        self._request(
            {"op": "preload", "path": str(submission), "modules": list(preload), "imports": imports}
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _request(self, request: dict[str, object]) -> tuple[dict[str, object], list[int]]:
        self.sock.sendall(json.dumps(request).encode())
        return self._reply()

    def _reply(self) -> tuple[dict[str, object], list[int]]:
        data, fds, _, _ = socket.recv_fds(self.sock, 65536, 1)
        if not data:
            raise RuntimeError("the fork server exited")
        reply = json.loads(data)
        if "error" in reply:
            for fd in fds:
                os.close(fd)
            raise RuntimeError(f"the fork server failed: {reply['error']}")
        return reply, fds

    def spawn(
        self,
        *,
        memory_mb: int | None,
        scratch: Path,
        readable: tuple[Path, ...] | None,
        writable: tuple[Path, ...],
        then: Path | None = None,
        accounts: Path | None = None,
    ) -> Candidate:
        """A new candidate process in its sandbox, serving on the socket returned.

        ``then`` names the scratch folder of the next one: it is forked now and enters its
        sandbox while this one's test runs, so the next ``spawn`` (with ``scratch=then``
        and the same settings) finds it ready. Until a test imports candidate code into
        it, a candidate process runs nothing of the candidate's. ``accounts``: the run's
        CPU cgroup, under which the process makes its own before entering the sandbox.
        """
        request: dict[str, object] = {
            "op": "spawn",
            "memory_mb": memory_mb,
            "readable": None if readable is None else [str(p) for p in readable],
            "writable": [str(p) for p in writable],
            "accounts": None if accounts is None else str(accounts),
        }
        ready = self._ready is not None and self._ready == (request, scratch)
        if not ready:
            self._discard_ready()
            self.sock.sendall(json.dumps({**request, "scratch": str(scratch)}).encode())
        self._ready = None
        reply, fds = self._reply()
        pid = reply["pid"]
        assert isinstance(pid, int) and len(fds) == 1
        if then is not None:
            self.sock.sendall(json.dumps({**request, "scratch": str(then)}).encode())
            self._ready = (request, then)
        account = None if accounts is None else accounts / str(pid)
        return Candidate(pid, socket.socket(fileno=fds[0]), scratch, account)

    def _discard_ready(self) -> None:
        """The candidate forked in advance, not wanted after all: killed, its scratch gone."""
        if self._ready is None:
            return
        _, scratch = self._ready
        self._ready = None
        with contextlib.suppress(RuntimeError, OSError):
            reply, fds = self._reply()
            for fd in fds:
                os.close(fd)
            pid = reply.get("pid")
            if isinstance(pid, int):
                kill_candidate(pid)
        shutil.rmtree(scratch, ignore_errors=True)

    def close(self) -> None:
        self._discard_ready()
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


def kill_candidate(pid: int) -> None:
    """Kill a process (a candidate, or a test's process) and everything in its process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


# -- the server --------------------------------------------------------------------------------


def _serve(control: socket.socket) -> None:
    from mlgrader.sandbox import kernel

    kernel.die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # candidate processes reap themselves
    while True:
        data = control.recv(65536)
        if not data:
            return
        request = json.loads(data)
        try:
            if request["op"] == "preload":
                _preload(request["path"], request["modules"])
                if request.get("imports"):
                    _guard_imports(request["path"], request["imports"], request["modules"])
                control.sendall(b"{}")
            elif request["op"] == "spawn":
                pid, sock = _spawn(control, request)
                socket.send_fds(control, [json.dumps({"pid": pid}).encode()], [sock.fileno()])
                sock.close()
        except Exception as exc:
            control.sendall(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())


def _preload(path: str, modules: list[str]) -> None:
    """numpy and the challenge's support modules, once, before any candidate process forks."""
    sys.path.insert(0, path)
    # numpy and cloudpickle (it unpickles shipped closures) for every candidate process, and
    # what each needs on its way into the sandbox (_enter): imported here once, not again
    # after each fork (tempfile alone took 8 ms a test)
    import tempfile  # noqa: F401

    import cloudpickle  # noqa: F401
    import numpy  # noqa: F401

    import mlgrader.boundary.candidate
    import mlgrader.sandbox.cpuaccount
    import mlgrader.sandbox.kernel
    import mlgrader.sandbox.policy  # noqa: F401

    for name in modules:
        importlib.import_module(name)


def _guard_imports(path: str, rule: dict[str, object], support: list[str]) -> None:
    """The challenge's allowed-imports rule (sandbox/imports.py), for every candidate
    process forked from now on: after the preload (``support``, the challenge's modules,
    count as the submission's own), so no grader import is judged. The
    allowed libraries are imported here first, once (``import sklearn`` alone took 1-2 s
    in every test's process)."""
    from mlgrader.sandbox import imports

    allowed = rule.get("allowed")
    assert isinstance(allowed, list)
    for name in allowed:
        with contextlib.suppress(ImportError):  # grading checked they are installed
            importlib.import_module(name)
    guard = imports.ImportGuard(Path(path), allowed, str(rule.get("challenge")), support)
    imports.install(guard)


def _spawn(control: socket.socket, request: dict[str, object]) -> tuple[int, socket.socket]:
    mine, theirs = socket.socketpair()
    scratch = Path(str(request["scratch"]))
    scratch.mkdir(parents=True, exist_ok=True)
    pid = os.fork()
    if pid:
        theirs.close()
        return pid, mine
    code = 0
    try:  # the candidate process: never returns
        control.close()
        mine.close()
        _enter(request, scratch)
        from mlgrader.boundary.candidate import serve

        serve(theirs)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _enter(request: dict[str, object], scratch: Path) -> None:
    """Into the sandbox: own process group, scratch as HOME and TMPDIR, limits, Landlock."""
    from mlgrader.sandbox import kernel
    from mlgrader.sandbox.policy import DEVICES, PROC_FILES

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setpgid(0, 0)
    kernel.die_with_parent()
    accounts = request.get("accounts")
    if isinstance(accounts, str):  # its own CPU cgroup, which Landlock keeps it in
        from mlgrader.sandbox import cpuaccount

        cpuaccount.enter(Path(accounts))
    os.environ.update(HOME=str(scratch), TMPDIR=str(scratch))
    import tempfile

    tempfile.tempdir = None
    memory = request.get("memory_mb")
    # before Landlock, which forbids mounting: a /dev/shm no other test's process shares
    kernel.private_shm(memory if isinstance(memory, int) else None)
    kernel.apply_limits(memory if isinstance(memory, int) else None)
    readable = request.get("readable")
    if isinstance(readable, list):
        writable = [Path(str(p)) for p in request.get("writable") or ()] + [scratch]  # type: ignore[attr-defined]
        proc = [Path(f"/proc/{os.getpid()}"), *PROC_FILES]
        if not kernel.restrict(writable, [*map(Path, readable), *proc], DEVICES):
            raise RuntimeError("Landlock did not take effect")


if __name__ == "__main__":
    _serve(socket.socket(fileno=int(sys.argv[1])))
