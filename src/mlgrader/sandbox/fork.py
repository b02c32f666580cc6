"""Run one test in its own forked child process and bring its reports back.

Why fork per test: candidate code may crash, call ``os._exit``, leak memory,
hang or patch the interpreter. In a child of its own that costs the one test,
and the pytest process that records results never runs candidate code. The
child runs pytest's normal setup/call/teardown protocol, serialises the
reports with pytest's own hooks and writes them to a pipe; the parent waits
with a deadline and kills the child's whole process group when it is done.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import linecache
import os
import select
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _pytest.runner import call_and_report as _call_and_report

from mlgrader.authoring.fixtures import PROP_MESSAGE, PROP_OUTCOME
from mlgrader.model.findings import Finding
from mlgrader.model.limits import Limits
from mlgrader.sandbox import kernel as sandbox
from mlgrader.sandbox import tamper as machinery
from mlgrader.sandbox.policy import DEVICES, PROC_FILES, PathPolicy

MAX_REPORT_BYTES = 4 * 1024 * 1024
MAX_LONGREPR_CHARS = 8000
MAX_SECTION_CHARS = 4000
GRACE_S = 0.5
#: How often a test still running is checked for having exited with its pipe held open.
EXIT_POLL_S = 0.05


@dataclass
class ChildOutcome:
    """What a test's process produced: its reports and any tampering it noticed."""

    reports: list[pytest.TestReport]
    integrity: list[Finding] = field(default_factory=list)


#: The test process being run right now, and its candidate process if any (so a SIGTERM
#: handler can kill them; a test's process may read its candidate's /proc files).
CURRENT: dict[str, int] = {}
_os_write, _os_exit, _json_dumps = os.write, os._exit, json.dumps


def run_isolated(
    item: pytest.Item,
    timeout_s: float,
    limits: Limits,
    paths: PathPolicy | None,
    before_run: Callable[[], None],
) -> ChildOutcome:
    """Run ``item`` in a forked child; always return reports, synthesising one on crash or hang.

    The child gets ``timeout_s`` (the test's share of the run's limits), the
    memory limit, and Landlock's ``paths`` (None: no Landlock). ``before_run``
    runs first thing in the child (the plugin closes its results channel there,
    so candidate code cannot write to it).
    """
    read_fd, write_fd = os.pipe()
    dump = tempfile.TemporaryFile()  # noqa: SIM115 - closed on every path below
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child_main(item, timeout_s, limits, paths, before_run, write_fd, dump.fileno())
    CURRENT["pid"] = pid
    os.close(write_fd)
    data, timed_out = _read_until(read_fd, started + timeout_s + GRACE_S, pid)
    status = _reap(pid, started + timeout_s + GRACE_S, timed_out)
    CURRENT.pop("pid", None)
    elapsed = time.monotonic() - started
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # anything the test left behind in its group
    if status is None:
        dump.seek(0)
        stacks = dump.read(MAX_LONGREPR_CHARS).decode("utf-8", "replace")
        dump.close()
        message = f"timeout: the test did not finish within {timeout_s:g} s"
        return ChildOutcome([synthetic_report(item, "timeout", message, stacks, elapsed)])
    dump.close()
    outcome = _decode(item, data)
    if outcome is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return outcome
    message = _describe_death(status, outcome is not None)
    crashed = ChildOutcome([synthetic_report(item, "crashed", message, "", elapsed)])
    if data and outcome is None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        detail = f"{item.nodeid}: the test process sent reports mlgrader did not write"
        crashed.integrity.append(Finding("malformed-report", detail, "suspicious"))
    return crashed


def _child_main(
    item: pytest.Item,
    timeout_s: float,
    limits: Limits,
    paths: PathPolicy | None,
    before_run: Callable[[], None],
    write_fd: int,
    dump_fd: int,
) -> None:
    code = 0
    try:
        os.setpgid(0, 0)
        sandbox.die_with_parent()
        before_run()
        _enter_sandbox(item, limits, paths)
        faulthandler.dump_traceback_later(timeout_s, exit=False, file=dump_fd)
        reports, changed = _run_phases(item)
        faulthandler.cancel_dump_traceback_later()
        _note_candidate_death(reports)
        payload = {
            "nodeid": item.nodeid,
            "reports": [_serialise(item.config, rep) for rep in reports],
            "tampered": changed,
        }
        view = memoryview(_json_dumps(payload).encode())
        while view:
            view = view[_os_write(write_fd, view) :]
    except BaseException:
        code = 70
    finally:
        _os_exit(code)


def _note_candidate_death(reports: list[pytest.TestReport]) -> None:
    """A failed test whose candidate process died under it crashed, as it would have in one
    process (a segfault in candidate code, ``os._exit``, a kill by the memory limit)."""
    failed = next((r for r in reports if r.failed), None)
    connection = sys.modules.get("mlgrader.boundary.connection")  # imported if one was made
    if failed is None or connection is None or not connection.LOST:
        return
    pid, reason = connection.LOST[-1]
    for _ in range(50):  # the socket closes a moment before the process is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    else:
        return  # alive: the channel broke for another reason; the failure stands
    message = f"crashed: the candidate process ended during the test ({reason})"
    failed.user_properties[:0] = [(PROP_OUTCOME, "crashed"), (PROP_MESSAGE, message)]


def _run_phases(item: pytest.Item) -> tuple[list[pytest.TestReport], list[str]]:
    """pytest's setup/call/teardown protocol, checking the machinery after every phase.

    Checking after each phase (not only at the end) catches code that patches
    a judging helper during the test and restores it before teardown finishes.
    """
    before = machinery.fingerprint(item.config, item)
    changed: list[str] = []

    def phase(when: str) -> pytest.TestReport:
        report: pytest.TestReport = _call_and_report(item, when, log=False, nextitem=None)  # type: ignore[arg-type]
        for name in machinery.changes(before, machinery.fingerprint(item.config, item)):
            if name not in changed:
                changed.append(name)
        return report

    if hasattr(item, "_request") and not getattr(item, "_request", None):
        item._initrequest()  # type: ignore[attr-defined]
    reports = [phase("setup")]
    if reports[0].passed:
        reports.append(phase("call"))
    reports.append(phase("teardown"))
    return reports, changed


def _enter_sandbox(item: pytest.Item, limits: Limits, paths: PathPolicy | None) -> None:
    """Resource limits, then Landlock (reads, writes, signals)."""
    sandbox.apply_limits(limits.memory_limit_mb)
    linecache.getlines(str(item.path))  # keep tracebacks readable once the file is not
    if paths is not None:
        proc = [Path(f"/proc/{os.getpid()}"), *PROC_FILES]
        if "candidate" in CURRENT:  # the test reads its candidate process's memory and threads
            proc.append(Path(f"/proc/{CURRENT['candidate']}"))
        sandbox.restrict(paths.writable, (*paths.readable, *proc), DEVICES)


def _serialise(config: pytest.Config, report: pytest.TestReport) -> dict[str, Any]:
    """Shrink a report to a safe size, keeping the one-line crash message apart."""
    longrepr = report.longrepr
    if report.failed and longrepr is not None:
        crash = getattr(longrepr, "reprcrash", None)
        message = getattr(crash, "message", None) or str(longrepr).strip().splitlines()[-1:]
        report.user_properties.append((PROP_MESSAGE, _clip(str(message), 2000)))
        text = str(longrepr)
        if len(text) > MAX_LONGREPR_CHARS:
            report.longrepr = _clip(text, MAX_LONGREPR_CHARS)
    elif report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3:
        report.longrepr = (str(longrepr[0]), longrepr[1], _clip(str(longrepr[2]), 2000))
    report.sections = [(k, _clip(v, MAX_SECTION_CHARS)) for k, v in report.sections]
    data: dict[str, Any] = config.hook.pytest_report_to_serializable(config=config, report=report)
    return data


def _read_until(fd: int, deadline: float, pid: int) -> tuple[bytes, bool]:
    """Read the child's reports until EOF or until the child has exited; (data, timed_out).

    EOF alone is not enough: a process the test forked (a leaked multiprocessing
    worker, say) inherits the pipe and keeps it open long after the test process
    has reported and exited. Once the child is gone, what is already in the pipe
    is all it wrote; its inheritors are not waited for.
    """
    chunks: list[bytes] = []
    size = 0

    def keep(chunk: bytes) -> None:
        nonlocal size
        if size < MAX_REPORT_BYTES:
            chunks.append(chunk)
            size += len(chunk)

    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return b"".join(chunks), True
            ready, _, _ = select.select([fd], [], [], min(remaining, EXIT_POLL_S))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return b"".join(chunks), False
                keep(chunk)
            if _has_exited(pid):
                for chunk in _drain(fd):
                    keep(chunk)
                return b"".join(chunks), False
    finally:
        os.close(fd)


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (``_reap`` does that)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _drain(fd: int) -> Iterator[bytes]:
    """What is in the pipe right now, without blocking (bounded: inheritors may keep writing)."""
    os.set_blocking(fd, False)
    for _ in range(MAX_REPORT_BYTES // 65536 + 2):
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            return
        yield chunk


def _reap(pid: int, deadline: float, timed_out: bool) -> int | None:
    """Wait for the child; kill it at the deadline. None means it timed out."""
    if not timed_out:
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.002)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def _decode(item: pytest.Item, data: bytes) -> ChildOutcome | None:
    """Parse the child's payload; None unless it is exactly what _child_main writes."""
    config = item.config
    try:
        payload = json.loads(data)
        if payload["nodeid"] != item.nodeid or not isinstance(payload["tampered"], list):
            return None
        reports = [
            config.hook.pytest_report_from_serializable(config=config, data=d)
            for d in payload["reports"]
        ]
    except Exception:
        return None
    whens = [getattr(r, "when", None) for r in reports]
    if not reports or not all(isinstance(r, pytest.TestReport) for r in reports):
        return None
    if (
        any(r.nodeid != item.nodeid for r in reports)
        or whens[0] != "setup"
        or whens[-1] != "teardown"
    ):
        return None
    outcome = ChildOutcome(reports)
    for name in payload["tampered"]:
        detail = f"{item.nodeid}: {name} was replaced while the test ran"
        outcome.integrity.append(Finding("pytest-tampering", detail, "violated"))
    return outcome


def _describe_death(status: int, had_reports: bool) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        hint = " (out of memory?)" if sig == signal.SIGKILL else ""
        return f"crashed: the test process was killed by {name}{hint}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    if code == 70 and not had_reports:
        return "crashed: the test process failed before it could report (candidate code broke the harness)"
    return f"crashed: the test process exited with status {code} before reporting (os._exit or sys.exit?)"


def synthetic_report(
    item: pytest.Item, outcome: str, message: str, details: str = "", duration: float = 0.0
) -> pytest.TestReport:
    """A failed call report standing in for a test that crashed, hung or never ran."""
    longrepr = message + (
        f"\n\nstack of the test process at the timeout:\n{details}" if details else ""
    )
    return pytest.TestReport(
        nodeid=item.nodeid,
        location=item.location,
        keywords={},
        outcome="failed",
        longrepr=longrepr,
        when="call",
        sections=[],
        duration=duration,
        user_properties=[(PROP_OUTCOME, outcome), (PROP_MESSAGE, message)],
    )


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} more characters cut]"
