"""Run a candidate's own pytest suite against one implementation, inside the sandbox.

The testing category (engine/owntests.py) runs the tests a candidate wrote
against a correct implementation and against planted flaws. Those tests are
candidate code, so the whole pytest session runs in a sandboxed process, never
in the grader's: ``python -I -m mlgrader.sandbox.suite SPEC`` starts a
supervisor that holds no candidate code. It isolates the network, becomes a
subreaper and forks the worker; the worker enters the sandbox (its own
``/dev/shm``, resource limits, Landlock: reads of the system, Python and its
own folder, writes only in its own run folder) and only then imports the
candidate's files by running pytest on them. The worker sends per-test
outcomes to the supervisor through a pipe; the supervisor waits at most the
run's timeout, kills the worker and everything it started, checks the shape of
what arrived and prints it as one JSON line for :func:`run_suite`.

Why the worker may be trusted this little: its report only says which of the
candidate's own tests passed. A candidate who forges it decides their own
tests' outcomes, which they decide anyway; what they cannot do is tell the
runs apart (engine/owntests.py gives every run the same paths and files, bar
the implementation's source), so no forgery passes the correct implementation
and fails the flawed ones without real tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Outcomes a report may name for a test (a collection error is ``error``).
OUTCOMES = ("passed", "failed", "skipped", "error")
MAX_REPORT_BYTES = 2 * 1024 * 1024
MAX_MESSAGE_CHARS = 2000
MAX_TESTS = 2000
MAX_MESSAGES = 100
#: Seconds the parent gives the supervisor beyond the run's timeout to kill and report.
GRACE_S = 15.0


@dataclass(frozen=True)
class SuiteRun:
    """What one run of a candidate's suite showed: per test, its outcome and failure."""

    outcomes: dict[str, str]
    messages: dict[str, str]
    #: Why the run as a whole gave no report (a timeout, a crash); None when it did.
    problem: str | None = None
    seconds: float = 0.0


def run_suite(
    folder: Path,
    files: list[str],
    *,
    hidden: list[Path],
    timeout_s: float,
    memory_mb: int,
    test_timeout_s: float,
) -> SuiteRun:
    """Run pytest on ``files`` (relative to ``folder``, which holds the implementation
    and the candidate's files) in the sandbox; ``folder.parent`` is the run's own space,
    and nothing under ``hidden`` (the challenge's folder) is readable."""
    spec: dict[str, Any] = {
        "folder": str(folder),
        "hidden": [str(p.resolve()) for p in hidden],
        "home": str(folder.parent / "home"),
        "files": files,
        "timeout_s": timeout_s,
        "memory_mb": memory_mb,
        "test_timeout_s": test_timeout_s,
    }
    Path(spec["home"]).mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": spec["home"],
        "TMPDIR": spec["home"],
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    started = time.monotonic()
    with subprocess.Popen(
        [sys.executable, "-I", "-m", "mlgrader.sandbox.suite", json.dumps(spec)],
        cwd=spec["home"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as supervisor:
        try:
            stdout, stderr = supervisor.communicate(timeout=timeout_s + GRACE_S)
        except subprocess.TimeoutExpired:  # the supervisor itself stuck: end its whole group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.communicate()
            return SuiteRun({}, {}, "the run's supervisor did not finish", timeout_s)
    seconds = round(time.monotonic() - started, 3)
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        reply = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        reply = None
    if not isinstance(reply, dict):
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return SuiteRun({}, {}, f"the run failed to start: {' '.join(tail)[:300]}", seconds)
    outcomes, messages = reply.get("outcomes") or {}, reply.get("messages") or {}
    return SuiteRun(outcomes, messages, reply.get("problem"), seconds)


def checked_report(data: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    """The worker's report if it has exactly the expected shape (clipped), else None."""
    try:
        report = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(report, dict):
        return None
    outcomes, messages = report.get("outcomes"), report.get("messages")
    if not isinstance(outcomes, dict) or not isinstance(messages, dict):
        return None
    kept = {
        str(k)[:500]: v
        for k, v in list(outcomes.items())[:MAX_TESTS]
        if isinstance(k, str) and v in OUTCOMES
    }
    said = {
        str(k)[:500]: v[:MAX_MESSAGE_CHARS]
        for k, v in messages.items()
        if k in kept and isinstance(v, str)
    }
    return kept, said


class _Collector:
    """A pytest plugin in the worker: each test's outcome, failed if any phase failed."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        previous = self.outcomes.get(report.nodeid)
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            self._say(report)
        elif report.skipped and previous is None:
            self.outcomes[report.nodeid] = "skipped"
        elif report.when == "call" and previous is None:
            self.outcomes[report.nodeid] = "passed"

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.outcomes[report.nodeid or "collection"] = "error"
            self._say(report)

    def _say(self, report: Any) -> None:
        """The end of a failure's text, for the first MAX_MESSAGES failures."""
        name = report.nodeid or "collection"
        if name not in self.messages and len(self.messages) < MAX_MESSAGES:
            self.messages[name] = report.longreprtext[-MAX_MESSAGE_CHARS:]


def _worker(spec: dict[str, Any], report_fd: int) -> None:
    """Enter the sandbox, then run pytest on the candidate's files; never returns."""
    from mlgrader.sandbox import kernel
    from mlgrader.sandbox.policy import DEVICES, PROC_FILES

    code = 0
    try:
        kernel.die_with_parent()  # not inherited across fork: the worker asks for itself
        folder, home = Path(spec["folder"]), Path(spec["home"])
        log = os.open(home / "pytest.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)  # the supervisor's stdout carries only its own reply
        os.dup2(log, 2)
        os.close(log)
        kernel.private_shm(spec["memory_mb"] or None)
        kernel.apply_limits(spec["memory_mb"] or None)
        hidden = [Path(p) for p in spec["hidden"]]  # no root that holds the challenge
        roots = [r for r in kernel.readable_roots() if not any(h.is_relative_to(r) for h in hidden)]
        readable = [*roots, folder, Path(f"/proc/{os.getpid()}"), *PROC_FILES]
        writable = [folder.parent, Path("/dev/shm")]
        if kernel.landlock_abi() >= 1 and not kernel.restrict(writable, readable, DEVICES):
            raise RuntimeError("Landlock did not take effect")
        os.chdir(folder)
        sys.path.insert(0, str(folder))
        import pytest

        collector = _Collector()
        ini = home / "pytest.ini"
        ini.write_text("[pytest]\n")
        args = [
            *spec["files"],
            *("-q", "-p", "no:cacheprovider", "-c", str(ini), "--rootdir", str(folder)),
            *("-p", "pytest_timeout", "--timeout", str(spec["test_timeout_s"])),
            *("--timeout-method", "signal"),
        ]
        pytest.main(args, plugins=[collector])
        payload = {"outcomes": collector.outcomes, "messages": collector.messages}
        with open(report_fd, "wb", closefd=False) as out:
            out.write(json.dumps(payload).encode())
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _supervise(spec: dict[str, Any]) -> dict[str, Any]:
    """Fork the worker, read its report until it exits or the timeout, kill everything."""
    from mlgrader.sandbox import kernel

    kernel.become_subreaper()
    kernel.die_with_parent()
    kernel.isolate_network()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _worker(spec, write_end)
    os.close(write_end)
    data, timed_out = _read(read_end, pid, time.monotonic() + float(spec["timeout_s"]))
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    kernel.kill_orphans()
    if timed_out:
        return {"problem": f"the tests ran over {spec['timeout_s']:g} s and were stopped"}
    report = checked_report(data)
    if report is None:
        return {"problem": "the tests ended without a readable report (a crash or an exit)"}
    return {"outcomes": report[0], "messages": report[1]}


def _read(fd: int, pid: int, deadline: float) -> tuple[bytes, bool]:
    """The worker's report: read until EOF or until the worker has exited (a process it
    started may hold the pipe open); (data, timed_out)."""
    chunks: list[bytes] = []
    size = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks), False
            if size < MAX_REPORT_BYTES:
                chunks.append(chunk)
                size += len(chunk)
        elif os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            os.set_blocking(fd, False)
            with contextlib.suppress(BlockingIOError):
                chunks.append(os.read(fd, MAX_REPORT_BYTES))
            return b"".join(chunks), False
    return b"".join(chunks), True


if __name__ == "__main__":
    print(json.dumps(_supervise(json.loads(sys.argv[1]))), flush=True)
