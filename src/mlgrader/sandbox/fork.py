"""Run one test in its own forked child process and bring its reports back.

Why fork per test: candidate code may crash, call ``os._exit``, leak memory,
hang or patch the interpreter. In a child of its own that costs the one test,
and the pytest process that records results never runs candidate code. The
child runs pytest's normal setup/call/teardown protocol, serialises the
reports (``reporting``) and writes them to a pipe; the parent waits with a
deadline and kills the child's whole process group when it is done.

Forking a pytest process and entering the sandbox cost milliseconds, so the
session forks the next test's process as soon as a test has reported
(``prepare``): it enters its sandbox while the parent records the finished
test, and waits until ``run`` sends it its time limit.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import linecache
import os
import select
import signal
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from _pytest.runner import call_and_report as _call_and_report

from mlgrader.authoring import timelimit
from mlgrader.authoring.fixtures import PROP_MESSAGE, PROP_OUTCOME
from mlgrader.model.findings import Finding
from mlgrader.model.limits import Limits
from mlgrader.sandbox import kernel as sandbox
from mlgrader.sandbox import tamper as machinery
from mlgrader.sandbox.policy import DEVICES, PROC_FILES, PathPolicy
from mlgrader.sandbox.reporting import (
    MAX_LONGREPR_CHARS,
    MAX_REPORT_BYTES,
    ChildOutcome,
    decode,
    describe_death,
    serialise,
    synthetic_report,
)
from mlgrader.sandbox.timegrant import TimeGrant

GRACE_S = 0.5
#: How often a test still running is checked for having exited with its pipe held open.
EXIT_POLL_S = 0.05

#: The test process being run right now and its candidate process, if any (so a SIGTERM
#: handler can kill them).
CURRENT: dict[str, int] = {}
#: Trusted test processes that have sent their reports and are still exiting. Tearing down
#: a forked pytest process takes milliseconds; the next test need not wait for it.
EXITING: set[int] = set()
#: The parent's descriptors of prepared test processes, which no other test process keeps.
_HELD: set[int] = set()
_os_write, _os_close, _os_exit, _json_dumps = os.write, os.close, os._exit, json.dumps
#: the test's timeout and the most a check in it may stretch that to (seconds), sent when
#: its turn comes
_GO = struct.Struct("dd")


@dataclass
class TestProcess:
    """A test's process, forked and sandboxed, waiting for ``run`` to send its time limit."""

    __test__ = False

    item: pytest.Item
    pid: int
    reports_fd: int
    go_fd: int
    dump: IO[bytes]
    shared: bool
    grant: TimeGrant


def prepare(
    item: pytest.Item,
    limits: Limits,
    paths: PathPolicy | None,
    before_run: Callable[[], None],
    shared: bool = True,
    candidate: int | None = None,
    ready: Callable[[], None] | None = None,
) -> TestProcess:
    """Fork ``item``'s process, which enters its sandbox and waits for ``run`` (or ``discard``).

    The child gets the memory limit and Landlock's ``paths`` (None: no
    Landlock), which also let it read ``/proc`` of its ``candidate`` process.
    ``before_run`` runs first thing in the child (the plugin closes its
    results channel there, so candidate code cannot write to it). ``shared``:
    candidate code may run in the test's own process (a challenge that opts out
    of the boundary), so the child checks pytest's machinery after every phase
    (``tamper``); behind the boundary nothing but trusted code runs there and
    the check would only cost time (about 5 ms a test). ``ready`` runs in the child
    once it is sandboxed, before its turn (the session opens the candidate channel).
    """
    reap_exiting()
    read_fd, write_fd = os.pipe()
    go_read, go_write = os.pipe()
    dump = tempfile.TemporaryFile()  # noqa: SIM115 - closed by run or discard
    grant = TimeGrant()  # closed by run or discard, so no later fork maps it
    pid = os.fork()
    if pid == 0:  # the child: never returns
        for fd in (read_fd, go_write, *_HELD):
            with contextlib.suppress(OSError):
                os.close(fd)
        _child_main(
            item,
            limits,
            paths,
            (before_run, ready),
            (go_read, write_fd, dump.fileno()),
            shared,
            candidate,
            grant,
        )
    os.close(write_fd)
    os.close(go_read)
    _HELD.update((read_fd, go_write, dump.fileno()))
    return TestProcess(item, pid, read_fd, go_write, dump, shared, grant)


def run(process: TestProcess, timeout_s: float, limit_s: float | None = None) -> ChildOutcome:
    """Start a prepared test with ``timeout_s`` (its share of the run's limits) and wait for
    its reports; always return reports, synthesising one on crash or hang.

    A complexity check in the test may stretch its time up to ``limit_s`` (default: no
    stretching), asking through ``process.grant`` (timegrant.py says why and how).
    """
    pid, grant = process.pid, process.grant
    started = time.monotonic()
    CURRENT["pid"] = pid
    limit_s = timeout_s if limit_s is None else limit_s
    grant.begin(timeout_s, limit_s)
    with contextlib.suppress(OSError):  # a child that died already shows up below
        os.write(process.go_fd, _GO.pack(timeout_s, limit_s))
    os.close(process.go_fd)
    _HELD.discard(process.go_fd)
    try:
        data, timed_out = _read_until(process.reports_fd, lambda: grant.deadline() + GRACE_S, pid)
        return _outcome(process, data, timed_out, started)
    finally:
        grant.close()


def _outcome(process: TestProcess, data: bytes, timed_out: bool, started: float) -> ChildOutcome:
    """The test's reports once it has ended, or one for its timeout or crash."""
    item, pid, dump, grant = process.item, process.pid, process.dump, process.grant
    _HELD.difference_update((process.reports_fd, dump.fileno()))
    if not process.shared and not timed_out and (reported := decode(item, data)) is not None:
        # Only trusted code ran in the process, and it closes the pipe just before os._exit:
        # a whole report is all there is to know. It exits while the next test starts;
        # what it started goes now (its children are not the session's orphans yet).
        for child in list(sandbox.children(pid)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        _kill_group(pid)
        EXITING.add(pid)
        CURRENT.pop("pid", None)
        dump.close()
        return reported
    status = _reap(pid, grant.deadline() + GRACE_S, timed_out)
    CURRENT.pop("pid", None)
    elapsed = time.monotonic() - started
    _kill_group(pid)
    if status is None:
        dump.seek(0)
        stacks = dump.read(MAX_LONGREPR_CHARS).decode("utf-8", "replace")
        dump.close()
        message = f"timeout: the test did not finish within {round(grant.granted(), 1):g} s"
        if grant.stretched():
            message += (
                f" (its timeout of {round(grant.base - grant.start, 1):g} s, stretched by a check)"
            )
        return ChildOutcome([synthetic_report(item, "timeout", message, stacks, elapsed)])
    dump.close()
    outcome = decode(item, data)
    if outcome is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return outcome
    message = describe_death(status, outcome is not None)
    crashed = ChildOutcome([synthetic_report(item, "crashed", message, "", elapsed)])
    if data and outcome is None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        detail = f"{item.nodeid}: the test process sent reports mlgrader did not write"
        crashed.integrity.append(Finding("malformed-report", detail, "suspicious"))
    return crashed


def discard(process: TestProcess) -> None:
    """A prepared test process whose turn will not come: killed and reaped."""
    _HELD.difference_update((process.reports_fd, process.go_fd, process.dump.fileno()))
    for fd in (process.go_fd, process.reports_fd):
        with contextlib.suppress(OSError):
            os.close(fd)
    process.dump.close()
    process.grant.close()
    _kill_group(process.pid)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(process.pid, 0)


def _kill_group(pid: int) -> None:
    """The test's process and anything it left behind in its process group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _child_main(
    item: pytest.Item,
    limits: Limits,
    paths: PathPolicy | None,
    hooks: tuple[Callable[[], None], Callable[[], None] | None],
    fds: tuple[int, int, int],
    shared: bool,
    candidate: int | None,
    grant: TimeGrant,
) -> None:
    before_run, ready = hooks
    go_fd, write_fd, dump_fd = fds
    code = 0
    try:
        os.setpgid(0, 0)
        sandbox.die_with_parent()
        before_run()
        _enter_sandbox(item, limits, paths, candidate)
        if ready is not None:
            ready()
        go = os.read(go_fd, _GO.size)
        os.close(go_fd)
        if len(go) != _GO.size:
            return  # discarded (or the parent is gone): nothing to run
        timeout_s, limit_s = _GO.unpack(go)
        grant.begin(timeout_s, limit_s)
        faulthandler.dump_traceback_later(timeout_s, exit=False, file=dump_fd)

        def stretch(seconds: float) -> None:  # the stacks are dumped at the new deadline
            left = grant.ask(seconds) - time.monotonic()
            faulthandler.dump_traceback_later(max(left, 0.01), exit=False, file=dump_fd)

        timelimit.install(stretch)
        reports, changed = _run_phases(item, shared)
        faulthandler.cancel_dump_traceback_later()
        _note_candidate_death(reports)
        payload = {
            "nodeid": item.nodeid,
            "reports": [serialise(item.config, rep) for rep in reports],
            "tampered": changed,
        }
        view = memoryview(_json_dumps(payload).encode())
        while view:
            view = view[_os_write(write_fd, view) :]
        _os_close(write_fd)  # the parent's EOF: nothing follows but the exit
    except BaseException:
        code = 70
    finally:
        _os_exit(code)


def reap_exiting(block: bool = False) -> None:
    """Collect the test processes in ``EXITING`` that are gone (with ``block``: all of them)."""
    for pid in list(EXITING):
        try:
            done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped already (``kernel.kill_orphans`` reaps zombies)
            done = pid
        if done:
            EXITING.discard(pid)


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


def _run_phases(item: pytest.Item, check: bool) -> tuple[list[pytest.TestReport], list[str]]:
    """pytest's setup/call/teardown protocol; with ``check``, checking the machinery after
    every phase.

    Checking after each phase (not only at the end) catches code that patches
    a judging helper during the test and restores it before teardown finishes.
    """
    before = machinery.fingerprint(item.config, item) if check else {}
    changed: list[str] = []

    def phase(when: str) -> pytest.TestReport:
        report: pytest.TestReport = _call_and_report(item, when, log=False, nextitem=None)  # type: ignore[arg-type]
        if not check:
            return report
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


def _enter_sandbox(
    item: pytest.Item, limits: Limits, paths: PathPolicy | None, candidate: int | None
) -> None:
    """Resource limits, then Landlock (reads, writes, signals)."""
    sandbox.apply_limits(limits.memory_limit_mb)
    linecache.getlines(str(item.path))  # keep tracebacks readable once the file is not
    if paths is not None:
        proc = [Path(f"/proc/{os.getpid()}"), *PROC_FILES]
        if candidate is not None:  # the test reads its candidate process's memory and threads
            proc.append(Path(f"/proc/{candidate}"))
        sandbox.restrict(paths.writable, (*paths.readable, *proc), DEVICES)


def _read_until(fd: int, deadline: Callable[[], float], pid: int) -> tuple[bytes, bool]:
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
            remaining = deadline() - time.monotonic()  # a check may move it later
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
