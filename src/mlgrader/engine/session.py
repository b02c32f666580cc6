"""The grading session: the plugin's hooks once ``--mlgrader`` is on, in the trusted pytest process.

It classifies each collected test, plants canaries among the hidden ones, runs
every test in its own forked process (``sandbox.fork``) within the run's
deadline, and sends each outcome to the grader as a typed record as soon as it
is known. Deciding outcomes is ``outcome``'s job; this module only sequences.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlgrader.engine import outcome, protocol
from mlgrader.engine.classify import challenge_root, classify, load_rules
from mlgrader.engine.settings import NO_SANDBOX, Settings
from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import KIT_MARKER, load_challenge
from mlgrader.model.rubric import ChallengeRubric
from mlgrader.model.scorecard import PUBLIC_NOTICE, TestResult, score_categories
from mlgrader.sandbox import fork, kernel
from mlgrader.sandbox.canaries import plant_canaries
from mlgrader.sandbox.cpuaccount import CpuAccounts
from mlgrader.sandbox.fork import CURRENT, EXITING, TestProcess, reap_exiting
from mlgrader.sandbox.forkserver import Candidate, ForkServer, kill_candidate
from mlgrader.sandbox.policy import PathPolicy, paths_for_tests
from mlgrader.sandbox.reporting import synthetic_report

#: Set in a test's own process: ``isolated`` (``submission.module()`` may run candidate code)
#: and, for challenges behind the boundary, ``candidate``: (channel fd, candidate pid, its
#: CPU cgroup or None) and ``connection``: that channel, opened before the test's turn.
CHILD_STATE: dict[str, Any] = {"isolated": False}
#: The run's CPU cgroups, removed even when the grader stops the run (SIGTERM).
_ACCOUNTS: list[CpuAccounts] = []


@dataclass(frozen=True)
class Prepared:
    """A test's process, waiting for its turn, and its candidate process (behind the boundary)."""

    process: TestProcess
    candidate: Candidate | None


class GradingSession:
    """The hooks that run only when mlgrader is enabled."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.writer = protocol.RecordWriter(settings.results) if settings.results else None
        self.started = time.monotonic()
        self.reports: dict[str, list[pytest.TestReport]] = {}
        self.finished: list[TestResult] = []
        self.rubric: ChallengeRubric | None = None
        self.modules: tuple[str, ...] = ()
        self.planned: dict[str, protocol.PlannedTest] = {}
        self.canaries: dict[str, bool] = {}  # canary node id -> must it fail?
        self.protections = self._protect() if settings.sandbox and settings.isolation else {}
        self.paths: PathPolicy | None = None
        if self.protections.get("landlock_filesystem"):
            self.paths = paths_for_tests(config.rootpath, settings.submission)
        self.support: tuple[str, ...] = ()
        self.forkserver = self._start_forkserver()
        self.accounts = CpuAccounts() if self.forkserver and self.protections else None
        if self.accounts is not None:
            _ACCOUNTS.append(self.accounts)
        self._spawned = itertools.count(1)
        self._next: Prepared | None = None  # the next test's processes, made ready ahead
        self._live: list[Candidate] = []  # candidate processes whose channel we hold

    def _start_forkserver(self) -> ForkServer | None:
        """Before any test is collected: the clean interpreter candidate processes fork from."""
        if not self.settings.isolation or self.settings.submission is None:
            return None
        root = self.config.rootpath
        try:
            challenge = load_challenge(root) if (root / "challenge.toml").is_file() else None
        except ChallengeError:
            return None
        if challenge is None or not challenge.boundary:
            return None
        self.support = challenge.support_modules
        rule = challenge.dependencies
        imports: dict[str, object] | None = None
        if rule is not None:  # the allowed-imports rule (sandbox/imports.py)
            imports = {"allowed": list(rule.imports), "challenge": challenge.name}
        return ForkServer(self.settings.submission, self.support, imports)

    def _spawn(self) -> Candidate | None:
        """A fresh candidate process for the next test, with a scratch folder of its own."""
        if self.forkserver is None:
            return None
        number = next(self._spawned)
        candidate = self.forkserver.spawn(
            memory_mb=self.settings.limits.memory_limit_mb,
            scratch=Path(tempfile.gettempdir()) / f"candidate-{number}",
            readable=self.paths.readable if self.paths else None,
            writable=(Path("/dev/shm"),),
            then=Path(tempfile.gettempdir()) / f"candidate-{number + 1}",  # ready for the next
            accounts=self.accounts.path if self.accounts else None,
        )
        self._live.append(candidate)
        return candidate

    def _retire(self, candidate: Candidate) -> None:
        """After the test: the candidate process, its group and its scratch folder go."""
        kill_candidate(candidate.pid)
        if self.accounts is not None:  # and whatever it started, in any session
            self.accounts.release(candidate.pid)
        candidate.sock.close()
        self._live.remove(candidate)
        shutil.rmtree(candidate.scratch, ignore_errors=True)

    def _prepare(self, item: pytest.Item) -> Prepared:
        """``item``'s candidate process and its test process, forked and sandboxed, waiting."""
        candidate = self._spawn()
        process = fork.prepare(
            item,
            self.settings.limits,
            self.paths,
            lambda: self._enter_child(candidate),
            shared=self.forkserver is None,
            candidate=candidate.pid if candidate else None,
            ready=(lambda: self._connect_early(candidate)) if candidate else None,
        )
        CURRENT["next"] = process.pid
        return Prepared(process, candidate)

    def _prepare_next(self, item: pytest.Item | None) -> None:
        """Make the next test ready as soon as this one has reported (a failure shows at
        its own turn)."""
        if item is None:
            return
        with contextlib.suppress(Exception):
            self._next = self._prepare(item)

    def _take(self, item: pytest.Item) -> Prepared:
        """``item``'s processes: made ready once the previous test reported, or now."""
        ready, self._next = self._next, None
        if ready is not None and ready.process.item is not item:
            self._drop(ready)
            ready = None
        return ready if ready is not None else self._prepare(item)

    def _drop(self, ready: Prepared) -> None:
        """Prepared processes whose test will not run."""
        fork.discard(ready.process)
        if ready.candidate is not None:
            self._retire(ready.candidate)
        CURRENT.pop("next", None)

    def _protect(self) -> dict[str, bool]:
        """Run-level protections, taken before any test process is forked."""
        signal.signal(signal.SIGTERM, _on_sigterm)
        abi = kernel.landlock_abi()
        return {
            "orphans_reaped": kernel.become_subreaper(),
            "network_isolated": kernel.isolate_network(),
            "landlock_filesystem": abi > 0,
            "landlock_signals": abi >= 6,
        }

    # -- collection -----------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.protections:
            self._write(protocol.Sandbox(self.protections))
        for item in items:
            root = challenge_root(Path(item.path))
            if self.rubric is None:
                self.rubric, challenge = load_rules(root, self.settings.rubric)
                self.modules = challenge.modules if challenge else ()
            try:
                self.planned[item.nodeid] = classify(item, root, self.rubric)
            except pytest.UsageError as exc:  # the author's slip: the grader says which
                self._write(protocol.CollectError(str(exc)))
                raise
        self._write(protocol.Collected(tuple(self.planned[i.nodeid] for i in items)))
        hidden = [i for i in items if self.planned[i.nodeid].visibility == "hidden"]
        for canary, must_fail in plant_canaries(hidden, self.settings.canaries):
            items.insert(secrets.randbelow(len(items) + 1), canary)
            self.canaries[canary.nodeid] = must_fail

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr)[-2000:]
            self._write(protocol.CollectError(f"{report.nodeid}: {text}"))

    # -- running --------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> bool | None:
        if not self.settings.isolation:
            return None  # pytest runs it in-process
        ihook = item.ihook
        ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        limits = self.settings.limits
        remaining = limits.deadline_s - (time.monotonic() - self.started)
        if remaining <= 0:
            if self._next is not None:
                self._drop(self._next)
                self._next = None
            message = f"timeout: not run, the run's deadline of {limits.deadline_s:g} s passed"
            reports = [synthetic_report(item, "timeout", message)]
        else:
            timeout = max(0.5, min(limits.test_timeout_s, remaining))
            ready = self._take(item)
            CURRENT.pop("next", None)
            if ready.candidate is not None:
                CURRENT["candidate"] = ready.candidate.pid
            try:
                # a complexity check may stretch its test up to the run's deadline
                ran = fork.run(ready.process, timeout, limit_s=remaining)
                # Forked now, not while this test ran (that took CPU from its candidate at
                # its start, and an unlocked dataloader cursor raced less often); it enters
                # its sandbox and connects while this test is retired and logged.
                self._prepare_next(nextitem)
            finally:
                CURRENT.pop("candidate", None)
                if ready.candidate is not None:
                    self._retire(ready.candidate)
            if self.protections.get("orphans_reaped"):
                kernel.kill_orphans(keep=self._keep())
            reports = ran.reports
            for finding in ran.integrity:
                self._write(protocol.Integrity(finding))
        for report in reports:
            ihook.pytest_runtest_logreport(report=report)
        ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _keep(self) -> tuple[int, ...]:
        """Children that are not orphans: the fork server, the next test's process, and test
        processes that reported and are exiting (waiting for them would cost milliseconds)."""
        waiting = (self._next.process.pid,) if self._next else ()
        return ((self.forkserver.pid,) if self.forkserver else ()) + tuple(EXITING) + waiting

    def _enter_child(self, candidate: Candidate | None) -> None:
        """First thing in a test's process: drop the results channel, the fork server's
        socket and other tests' channels, allow imports (legacy) or hand the fixtures the
        candidate's channel."""
        if self.writer is not None:
            self.writer.close_in_child()
            self.writer = None
        if self.forkserver is not None:
            self.forkserver.sock.close()
        for other in self._live:
            if other is not candidate:
                other.sock.close()
        CHILD_STATE["isolated"] = True
        if candidate is not None:
            CHILD_STATE["candidate"] = (candidate.sock.fileno(), candidate.pid, candidate.account)

    def _connect_early(self, candidate: Candidate) -> None:
        """In a test's process, sandboxed, before its turn: open the candidate channel and
        make one round trip (nothing of the candidate's runs), so the test finds it warm.
        A failure here is left for the test's own first call to meet and report."""
        from mlgrader.boundary.connection import Connection

        try:
            conn = Connection(
                socket.socket(fileno=candidate.sock.fileno()),
                candidate.pid,
                self.support,
                self.settings.submission,
                candidate.account,
            )
            conn.pid_check()
        except Exception:
            return
        CHILD_STATE["connection"] = conn

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reports.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        reports = self.reports.pop(nodeid, [])
        if nodeid in self.canaries:
            finding = outcome.judge_canary(self.canaries[nodeid], reports)
            if finding is not None:
                self._write(protocol.Integrity(finding))
            return
        planned = self.planned.get(nodeid)
        if planned is None or not reports:
            return
        result = outcome.result_from_reports(planned, reports)
        self.finished.append(result)
        self._write(protocol.Result(result))

    # -- the end --------------------------------------------------------------------------

    def pytest_sessionfinish(self) -> None:
        if self._next is not None:  # the run stopped early
            self._drop(self._next)
            self._next = None
        reap_exiting(block=True)
        if self.protections.get("orphans_reaped"):  # what the last tests' processes left
            kernel.kill_orphans(keep=self._keep())
        if self.forkserver is not None:
            self.forkserver.close()
        if self.accounts is not None:
            self.accounts.close()
        self._write(protocol.Done())
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def pytest_report_header(self) -> list[str]:
        if sys.platform.startswith("linux") or self.settings.isolation:
            return []
        return [NO_SANDBOX.format(platform=sys.platform)]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.finished or self.rubric is None:
            return
        categories, total = score_categories(self.finished, self.rubric.categories)
        terminalreporter.section("mlgrader")
        if (self.config.rootpath / KIT_MARKER).is_file():  # a candidate's kit: no score
            terminalreporter.write_line(PUBLIC_NOTICE)
            for cat in categories:
                mine = [t for t in self.finished if t.category == cat.name]
                passed = sum(t.outcome == "passed" for t in mine)
                terminalreporter.write_line(f"{cat.name:<14} {passed} of {len(mine)} passed")
            return
        for cat in categories:
            terminalreporter.write_line(
                f"{cat.name:<14} {cat.points:6.1f} / {cat.max_points:5.1f}  ({cat.tests} tests)"
            )
        terminalreporter.write_line(f"{'score':<14} {total:6.1f} / 100")

    def _write(self, record: protocol.Record) -> None:
        if self.writer is not None:
            self.writer.write(record)


def _on_sigterm(signum: int, frame: object) -> None:
    """Asked to stop (the grader's deadline): kill the running test and every orphan, then exit."""
    for pid in CURRENT.values():  # the running test's processes and the next test's
        kill_candidate(pid)
    kernel.kill_orphans()
    for accounts in _ACCOUNTS:
        accounts.close(rounds=50)
    os._exit(128 + signum)
