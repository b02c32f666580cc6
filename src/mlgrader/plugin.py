"""The pytest plugin: rubric marker, fixtures, per-test isolation and the results stream.

Installed for everyone who installs mlgrader (entry point ``pytest11``), so it
is inert unless enabled with ``--mlgrader`` (the CLI always enables it). When
enabled it classifies each collected test by rubric category and weight, runs
every test in its own forked process (isolation.py) and records each outcome
as it finishes. The hooks stay thin; the work lives in plain modules.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlgrader.authoring.fixtures import (
    PROP_COMPLEXITY,
    PROP_MESSAGE,
    PROP_OUTCOME,
    PROP_PARTIAL,
    Complexity,
    Partial,
    Submission,
)
from mlgrader.engine.protocol import RecordWriter
from mlgrader.errors import MlgraderError
from mlgrader.model.challenge import load_challenge
from mlgrader.model.rubric import ChallengeRubric, default_rubric, load_rubric
from mlgrader.model.scorecard import TestResult, earned_for, score_categories
from mlgrader.sandbox import kernel as sandbox
from mlgrader.sandbox.canaries import plant_canaries
from mlgrader.sandbox.fork import CURRENT, ChildLimits, run_isolated, synthetic_report

HELP_ENABLE = "enable mlgrader: classify tests by rubric category and run each in its own process"
HELP_SUBMISSION = "folder with the candidate's code (for the submission fixture)"
HELP_RUBRIC = "rubric.toml to use (default: the challenge's, else built-in weights)"
HELP_RESULTS = "write JSON-lines results here (a path, or fd:N for an inherited descriptor)"
HELP_TIMEOUT = "seconds each test may run before its process is killed (default 30)"
HELP_MEMORY = "address-space limit of each test process in MB (default 2048; 0 for none)"
HELP_DEADLINE = "seconds for the whole run; tests not started by then count as timeouts"
HELP_NO_ISOLATION = "run tests in the pytest process itself (debugging trusted code only)"
HELP_SANDBOX = (
    "OS protections: subreaper, private network, unprivileged user (as root), Landlock writes"
)
HELP_CANARIES = "plant this many canary tests among the hidden tests (integrity check)"


@dataclass(frozen=True)
class Settings:
    """The plugin's settings, resolved once: command line, then environment, then ini."""

    enabled: bool
    submission: Path | None
    rubric: Path | None
    results: str | None
    test_timeout_s: float
    memory_mb: int
    deadline_s: float | None
    isolation: bool
    sandbox: bool
    canaries: int

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        def get(name: str) -> Any:
            value = config.getoption("mlgrader_" + name.replace("-", "_"))
            if value is None:
                value = os.environ.get("MLGRADER_" + name.upper().replace("-", "_"), None)
            if value is None:
                value = config.getini("mlgrader_" + name.replace("-", "_")) or None
            return value

        try:
            timeout = float(get("test-timeout") or 30.0)
            memory = int(get("memory") or 2048)
            deadline = float(get("deadline")) if get("deadline") else None
        except ValueError as exc:
            raise pytest.UsageError(f"mlgrader: invalid limit ({exc}); pass a number") from None
        submission, rubric = get("submission"), get("rubric")
        return cls(
            enabled=bool(config.getoption("mlgrader")),
            submission=Path(submission).resolve() if submission else None,
            rubric=Path(rubric) if rubric else None,
            results=get("results"),
            test_timeout_s=timeout,
            memory_mb=memory,
            deadline_s=deadline,
            isolation=not config.getoption("mlgrader_no_isolation"),
            sandbox=bool(config.getoption("mlgrader_sandbox")),
            canaries=int(config.getoption("mlgrader_canaries") or 0),
        )


@dataclass(frozen=True)
class TestInfo:
    """How one collected test counts: its challenge-relative id, category, weight, visibility."""

    __test__ = False

    id: str
    category: str
    weight: float
    visibility: str


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlgrader", "grading by rubric category")
    group.addoption("--mlgrader", action="store_true", default=False, help=HELP_ENABLE)
    options = [
        ("submission", HELP_SUBMISSION),
        ("rubric", HELP_RUBRIC),
        ("results", HELP_RESULTS),
        ("test-timeout", HELP_TIMEOUT),
        ("memory", HELP_MEMORY),
        ("deadline", HELP_DEADLINE),
    ]
    for name, text in options:
        group.addoption(f"--mlgrader-{name}", default=None, help=text)
        parser.addini(f"mlgrader_{name.replace('-', '_')}", text, default=None)
    group.addoption(
        "--mlgrader-no-isolation", action="store_true", default=False, help=HELP_NO_ISOLATION
    )
    group.addoption("--mlgrader-sandbox", action="store_true", default=False, help=HELP_SANDBOX)
    group.addoption("--mlgrader-canaries", type=int, default=0, help=HELP_CANARIES)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "rubric(category, weight=1): the rubric category (correctness, complexity, oop, "
        "concurrency, ...) and weight this test counts toward",
    )
    settings = Settings.from_config(config)
    if settings.enabled:
        config.pluginmanager.register(GradingSession(config, settings), "mlgrader-session")


class GradingSession:
    """The hooks that run only when mlgrader is enabled."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.writer = RecordWriter(settings.results) if settings.results else None
        self.started = time.monotonic()
        self.reports: dict[str, list[pytest.TestReport]] = {}
        self.finished: list[TestResult] = []
        self.rubric: ChallengeRubric | None = None
        self.modules: tuple[str, ...] = ()
        self.infos: dict[str, TestInfo] = {}
        self.canaries: dict[str, bool] = {}  # canary node id -> must it fail?
        self.protections = self._protect() if settings.sandbox and settings.isolation else {}
        root = config.rootpath.resolve()  # the workspace: tests (hidden ones too) stay unreadable
        self.readable = [
            p for p in sandbox.readable_roots() if not p.resolve().is_relative_to(root)
        ]

    def _protect(self) -> dict[str, Any]:
        """Run-level protections, taken before any test process is forked."""
        signal.signal(signal.SIGTERM, _on_sigterm)
        abi = sandbox.landlock_abi()
        return {
            "orphans_reaped": sandbox.become_subreaper(),
            "network_isolated": sandbox.isolate_network(),
            "landlock_filesystem": abi > 0,
            "landlock_signals": abi >= 6,
        }

    # -- collection -----------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.protections:
            self._write({"type": "sandbox", "protections": self.protections})
        planned = []
        for item in items:
            info = self._classify(item)
            self.infos[item.nodeid] = info
            planned.append(info.__dict__)
        self._write({"type": "collected", "tests": planned})
        hidden = [i for i in items if self.infos[i.nodeid].visibility == "hidden"]
        for canary, must_fail in plant_canaries(hidden, self.settings.canaries):
            items.insert(secrets.randbelow(len(items) + 1), canary)
            self.canaries[canary.nodeid] = must_fail

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr)[-2000:]
            self._write({"type": "collect-error", "message": f"{report.nodeid}: {text}"})

    def _classify(self, item: pytest.Item) -> TestInfo:
        root = _challenge_root(Path(item.path))
        rel = Path(item.path).relative_to(root).as_posix() if root else item.nodeid.split("::")[0]
        test_id = rel + item.nodeid[len(item.nodeid.split("::")[0]) :]
        rubric = self._rubric_for(root)
        marker = item.get_closest_marker("rubric")
        spec = _marker_spec(marker, item.nodeid) if marker else None
        try:
            category, weight = rubric.classify(test_id, spec)
        except MlgraderError as exc:
            raise pytest.UsageError(str(exc)) from None
        hidden = "/hidden/" in f"/{rel}"
        return TestInfo(test_id, category, weight, "hidden" if hidden else "public")

    def _rubric_for(self, root: Path | None) -> ChallengeRubric:
        if self.rubric is None:
            try:
                challenge = load_challenge(root) if root else None
                name = challenge.name if challenge else "unknown"
                self.modules = challenge.modules if challenge else ()
                if self.settings.rubric:
                    base = load_rubric(self.settings.rubric)
                elif challenge:
                    base = challenge.rubric()
                else:
                    base = default_rubric()
            except MlgraderError as exc:
                raise pytest.UsageError(str(exc)) from None
            self.rubric = base.for_challenge(name)
        return self.rubric

    # -- running --------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> bool | None:
        if not self.settings.isolation:
            return None  # pytest runs it in-process
        ihook = item.ihook
        ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        remaining = self._remaining()
        if remaining is not None and remaining <= 0:
            message = (
                f"timeout: not run, the run's deadline of {self.settings.deadline_s:g} s passed"
            )
            reports = [synthetic_report(item, "timeout", message)]
        else:
            timeout = self.settings.test_timeout_s
            if remaining is not None:
                timeout = max(0.5, min(timeout, remaining))
            outcome = run_isolated(item, self._limits(timeout), self._enter_child)
            if self.protections.get("orphans_reaped"):
                sandbox.kill_orphans()
            reports = outcome.reports
            for finding in outcome.integrity:
                self._write({"type": "integrity", **finding})
        for report in reports:
            ihook.pytest_runtest_logreport(report=report)
        ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _limits(self, timeout: float) -> ChildLimits:
        if not self.protections:
            return ChildLimits(timeout_s=timeout, memory_mb=self.settings.memory_mb or None)
        # Scratch space only: the submission copy stays read-only, so one test cannot
        # rewrite code (its own or the challenge's support files) that later tests import.
        writable: list[Path] = [Path("/dev/shm")]
        writable += [Path(p) for p in (os.environ.get("TMPDIR"), os.environ.get("HOME")) if p]
        readable = list(self.readable)
        if self.settings.submission is not None:
            readable.append(self.settings.submission)
        return ChildLimits(
            timeout_s=timeout,
            memory_mb=self.settings.memory_mb or None,
            writable=tuple(writable) if self.protections.get("landlock_filesystem") else None,
            readable=tuple(readable),
        )

    def _enter_child(self) -> None:
        """First thing in a test's process: drop the results channel, allow imports."""
        if self.writer is not None:
            self.writer.close_in_child()
            self.writer = None
        _CHILD_STATE["isolated"] = True

    def _remaining(self) -> float | None:
        if self.settings.deadline_s is None:
            return None
        return self.settings.deadline_s - (time.monotonic() - self.started)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.reports.setdefault(report.nodeid, []).append(report)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        reports = self.reports.pop(nodeid, [])
        if nodeid in self.canaries:
            self._judge_canary(nodeid, reports)
            return
        item_info = self.infos.get(nodeid)
        if item_info is None or not reports:
            return
        result = _result_from_reports(item_info, reports)
        self.finished.append(result)
        self._write({"type": "result", "test": result.to_dict()})

    def _judge_canary(self, nodeid: str, reports: list[pytest.TestReport]) -> None:
        """A canary that must fail but 'passed' means reports were forged."""
        must_fail = self.canaries[nodeid]
        outcome = _outcome(reports, _props(reports).get(PROP_OUTCOME))
        if must_fail and outcome == "passed":
            self._write(
                {
                    "type": "integrity",
                    "kind": "canary",
                    "severity": "violated",
                    "detail": "a planted test that must fail was reported as passed: results were forged",
                }
            )
        elif not must_fail and outcome in ("failed", "skipped"):
            self._write(
                {
                    "type": "integrity",
                    "kind": "canary",
                    "severity": "suspicious",
                    "detail": f"a planted test that must pass was reported as {outcome}",
                }
            )

    # -- the end --------------------------------------------------------------------------

    def pytest_sessionfinish(self) -> None:
        self._write({"type": "done"})
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.finished or self.rubric is None:
            return
        categories, total = score_categories(self.finished, self.rubric.categories)
        terminalreporter.section("mlgrader")
        for cat in categories:
            terminalreporter.write_line(
                f"{cat.name:<14} {cat.points:6.1f} / {cat.max_points:5.1f}  ({cat.tests} tests)"
            )
        terminalreporter.write_line(f"{'score':<14} {total:6.1f} / 100")

    def _write(self, record: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.write(record)


def _on_sigterm(signum: int, frame: object) -> None:
    """Asked to stop (the grader's deadline): kill the running test and every orphan, then exit."""
    pid = CURRENT.get("pid")
    if pid:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    sandbox.kill_orphans()
    os._exit(128 + signum)


# -- fixtures -------------------------------------------------------------------------------

_CHILD_STATE = {"isolated": False}


@pytest.fixture
def submission(request: pytest.FixtureRequest) -> Submission:
    """The candidate's code; ``submission.module(name)`` imports inside this test's process."""
    settings = Settings.from_config(request.config)
    if settings.submission is None:
        raise pytest.UsageError(
            "the submission fixture needs --mlgrader-submission PATH (or run `mlgrader grade`)"
        )
    session = request.config.pluginmanager.get_plugin("mlgrader-session")
    modules = session.modules if isinstance(session, GradingSession) else ()
    allowed = _CHILD_STATE["isolated"] or not settings.isolation or not settings.enabled
    return Submission(settings.submission, modules, allow_import=allowed)


@pytest.fixture
def partial(request: pytest.FixtureRequest) -> Partial:
    """``partial(0.6, "why")`` records partial credit for this test."""
    return Partial(request.node.user_properties)


@pytest.fixture
def complexity(request: pytest.FixtureRequest) -> Complexity:
    """``complexity.require(func, make_input, "O(1)")`` measures and fails when worse."""
    return Complexity(request.node.user_properties)


# -- helpers --------------------------------------------------------------------------------


def _challenge_root(path: Path) -> Path | None:
    for parent in path.parents:
        if (parent / "challenge.toml").is_file():
            return parent
    return None


def _marker_spec(marker: pytest.Mark, nodeid: str) -> tuple[str, float | None]:
    args, kwargs = marker.args, marker.kwargs
    category = args[0] if args else kwargs.get("category")
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    if not isinstance(category, str):
        raise pytest.UsageError(
            f"{nodeid}: rubric marker: expected a category name, got {category!r}"
        )
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0
    ):
        raise pytest.UsageError(
            f"{nodeid}: rubric marker: weight must be a number >= 0, got {weight!r}"
        )
    return category, None if weight is None else float(weight)


def _props(reports: list[pytest.TestReport]) -> dict[str, Any]:
    """First value of each user property across a test's reports (complexity excluded)."""
    props: dict[str, Any] = {}
    for report in reports:
        for key, value in report.user_properties:
            if key != PROP_COMPLEXITY:
                props.setdefault(key, value)
    return props


def _result_from_reports(info: TestInfo, reports: list[pytest.TestReport]) -> TestResult:
    """Fold one test's setup/call/teardown reports into one result."""
    complexity: list[dict[str, Any]] = []
    for report in reports:
        # user_properties accumulate over setup/call/teardown: keep the fullest list once
        mine = [
            v for k, v in report.user_properties if k == PROP_COMPLEXITY and isinstance(v, dict)
        ]
        complexity = mine if len(mine) > len(complexity) else complexity
    props = _props(reports)
    outcome = _outcome(reports, props.get(PROP_OUTCOME))
    partial = props.get(PROP_PARTIAL)
    fraction = partial.get("fraction") if isinstance(partial, dict) else None
    message = str(props.get(PROP_MESSAGE) or "")
    longrepr = next((r.longreprtext for r in reports if r.failed), None)
    if outcome == "skipped":
        skip = next((r for r in reports if r.skipped), None)
        reason = skip.longrepr[2] if skip and isinstance(skip.longrepr, tuple) else ""
        message = f"skipped ({reason}): a skipped test earns nothing"
    elif outcome == "passed" and isinstance(partial, dict) and partial.get("why"):
        message = f"partial credit {fraction:.2f}: {partial['why']}"
    elif outcome in ("failed", "error") and message.startswith("MemoryError"):
        outcome = "crashed"
        message = "crashed: out of memory (MemoryError at the test process's memory limit)"
    return TestResult(
        id=info.id,
        category=info.category,
        weight=info.weight,
        visibility="hidden" if info.visibility == "hidden" else "public",
        outcome=outcome,
        earned=earned_for(outcome, fraction),
        duration_s=round(sum(r.duration for r in reports), 4),
        message=message,
        longrepr=longrepr,
        complexity=complexity or None,
    )


def _outcome(reports: list[pytest.TestReport], forced: object) -> Any:
    if forced in ("crashed", "timeout"):
        return forced
    by_when = {r.when: r for r in reports}
    setup, call, teardown = by_when.get("setup"), by_when.get("call"), by_when.get("teardown")
    if setup is not None and setup.failed:
        return "error"
    if any(r.skipped for r in reports) or any(hasattr(r, "wasxfail") for r in reports):
        return "skipped"
    if call is None:
        return "error"
    if call.failed:
        return "failed"
    if teardown is not None and teardown.failed:
        return "error"
    return "passed" if call.passed else "failed"
