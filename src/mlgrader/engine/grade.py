"""``grade()``: the library entry point behind ``mlgrader grade`` and ``mlgrader check``.

It checks the input (bad input raises a UserInputError before anything runs),
prepares the clean room, runs the tests in a separate pytest process, and
folds what came back into one Scorecard. Tests that never reported (the run
hit its deadline or died) are kept in the scorecard as timeouts or crashes,
so nothing silently drops out of the denominator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from mlgrader import __version__
from mlgrader.engine import outcome
from mlgrader.engine.analysis import BUDGET_S, analyse
from mlgrader.engine.owntests import check_own_tests, grade_own_tests
from mlgrader.engine.preflight import check_challenge_tests, check_dependencies
from mlgrader.engine.runner import RunOutcome, run_tests
from mlgrader.engine.workspace import Workspace, prepare_workspace
from mlgrader.errors import ChallengeError, GradingError, SubmissionError
from mlgrader.model.challenge import Challenge
from mlgrader.model.findings import Finding
from mlgrader.model.followups import choose, load_prompts
from mlgrader.model.limits import Limits
from mlgrader.model.scorecard import Integrity, Scorecard, TestResult, score_categories
from mlgrader.model.text import clip

#: Text budget (messages and tracebacks) for a whole scorecard, so it stays well under 1 MB.
MAX_DETAIL_CHARS = 400_000
#: Characters of a file name a scorecard lists (a name can be 4,096 long).
MAX_LISTED_NAME = 200


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: which tests, for whom, with which limits (None: the challenge's own)."""

    public_only: bool = False
    audience: Literal["grader", "candidate"] = "grader"
    limits: Limits | None = None
    integrity_cap: bool = True
    #: Seconds for the grader's own work on the submission (copying it, reading its files),
    #: apart from the tests' deadline; reading stops when they are spent (a finding says so).
    budget_s: float = BUDGET_S


def check_submission(challenge: Challenge, submission: Path) -> None:
    """Raise SubmissionError unless ``submission`` is a folder with every module the challenge needs."""
    if not submission.exists():
        raise SubmissionError(
            f"submission {submission} does not exist; pass the folder with your code"
        )
    if not submission.is_dir():
        raise SubmissionError(
            f"submission {submission} is not a folder; pass the folder with your code"
        )
    for module in challenge.modules:
        if not (
            (submission / f"{module}.py").is_file()
            or (submission / module / "__init__.py").is_file()
            or (submission / f"{module}.ipynb").is_file()
        ):
            raise SubmissionError(
                f"submission {submission} has no {module}.py (nor {module}.ipynb), which the "
                f"{challenge.name} challenge needs; start from `mlgrader init {challenge.name} DIR`"
            )


def grade(submission: Path, challenge: Challenge, options: GradeOptions | None = None) -> Scorecard:
    """Grade one submission against one challenge and return its scorecard."""
    options = options or GradeOptions()
    check_submission(challenge, submission)
    rubric = challenge.rubric().for_challenge(challenge.name)  # RubricError: bad input
    check_challenge_tests(challenge, rubric)  # ChallengeError: the author's slip, at once
    check_own_tests(challenge)  # likewise
    check_dependencies(challenge)  # a library the challenge allows is not installed here
    prompts = load_prompts(challenge.followups)  # likewise
    public_only = options.public_only or challenge.is_kit
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.monotonic()
    limits = options.limits or challenge.limits
    ws = prepare_workspace(challenge, submission, rubric, public_only=public_only)
    budget = max(1.0, options.budget_s - (time.monotonic() - clock))  # what copying left
    try:
        ran = run_tests(ws, limits)
        tests = _cap_details(_own_paths(_results(ran, limits, ws, challenge), ws))
        if not public_only:  # the candidate's own tests, where the challenge grades them
            tests += grade_own_tests(challenge, ws.submission, memory_mb=limits.memory_mb)
        to_read = _quality_files(ws, challenge), _scan_files(ws, challenge)
        allowed = challenge.dependencies.imports if challenge.dependencies else None
        read = analyse(ws.submission, *to_read, budget_s=budget, allowed_imports=allowed)
        quality, scanned = read.quality, _scan_findings(read.findings)
    finally:
        ws.cleanup()
    categories, score = score_categories(tests, rubric.categories)
    integrity = Integrity.from_findings([*ws.findings, *ran.records.integrity, *scanned])
    if integrity.status == "violated" and options.integrity_cap:
        score = 0.0
    card = Scorecard(
        mlgrader_version=__version__,
        challenge={"name": challenge.name, "title": challenge.title},
        submission=_submission_record(submission, ws),
        mode="public" if public_only else "full",
        audience="grader",
        score=score,
        pass_mark=rubric.pass_mark,
        passed=score >= rubric.pass_mark,
        categories=categories,
        tests=tests,
        quality=quality,
        integrity=integrity,
        sandbox=_sandbox(limits, ran.records.sandbox),
        started_at=started_at,
        duration_s=round(time.monotonic() - clock, 3),
        followups=choose(prompts, tests),
    )
    return card.for_audience(options.audience)


def _submission_record(submission: Path, ws: Workspace) -> dict[str, Any]:
    """The scorecard's ``submission``: its path and files (up to workspace.MAX_FILES, each
    name clipped), and how many more it had."""
    files = [{**f, "path": clip(f["path"], MAX_LISTED_NAME)} for f in ws.files]
    record: dict[str, Any] = {"path": str(submission), "files": files}
    if ws.omitted:
        record["files_omitted"] = ws.omitted
    return record


def _results(
    run: RunOutcome, limits: Limits, ws: Workspace, challenge: Challenge
) -> list[TestResult]:
    records = run.records
    if not records.has_collected and not records.errors:
        detail = run.log_tail.strip().splitlines()[-1:] or ["no output"]
        raise GradingError(
            f"pytest did not collect the challenge's tests: {_one_line(str(detail))}"
        )
    if records.errors:  # the challenge's own files: an author's mistake, shown as pytest said
        raise ChallengeError(
            f"challenge {challenge.name}: its tests did not collect; fix what pytest reported "
            f"below (paths relative to {challenge.root})",
            details=_collect_report(records.errors, ws),
        )
    return [
        records.results.get(planned.id)
        or outcome.never_reported(planned, run.deadline_hit, limits.deadline_s)
        for planned in records.collected
    ]


def _collect_report(errors: list[str], ws: Workspace, most: int = 20) -> tuple[str, ...]:
    """pytest's collection errors, its ``E`` lines (the error itself) where it has them."""
    lines: list[str] = []
    for error in errors:
        text = error.replace(f"{ws.root}/", "").splitlines()
        if len(text) <= 1:
            lines += text
            continue
        shown = [line for line in text if line.startswith("E ")] or text[-most:]
        lines += [text[0].split(": ")[0] + ":", *shown]
    return tuple(lines[: most * 2])


def _own_paths(tests: list[TestResult], ws: Workspace) -> list[TestResult]:
    """Name files as the submission (and the challenge) name them, not by the grader's
    temporary copy: ``File "adder.py", line 8`` rather than ``/tmp/mlgrader-x1/...``."""
    prefixes = (f"{ws.submission}/", f"{ws.root}/")
    for test in tests:
        for prefix in prefixes:
            test.message = test.message.replace(prefix, "")
            if test.longrepr is not None:
                test.longrepr = test.longrepr.replace(prefix, "")
    return tests


def _cap_details(tests: list[TestResult], budget: int = MAX_DETAIL_CHARS) -> list[TestResult]:
    """Keep the scorecard small whatever the submission prints: share a fixed text budget."""
    total = sum(len(t.message) + len(t.longrepr or "") for t in tests)
    if total <= budget:
        return tests
    share = max(300, budget // max(1, 2 * len(tests)))
    for test in tests:
        test.message = clip(test.message, share)
        if test.longrepr is not None:
            test.longrepr = clip(test.longrepr, share)
    return tests


def _quality_files(ws: Workspace, challenge: Challenge) -> list[Path]:
    """The candidate's modules, for static metrics (read, never imported)."""
    files: list[Path] = []
    for module in challenge.modules:
        single = ws.submission / f"{module}.py"
        files += [single] if single.is_file() else sorted((ws.submission / module).rglob("*.py"))
    return files


def _scan_files(ws: Workspace, challenge: Challenge) -> list[str]:
    """The candidate's own files, for the tampering scan (the challenge's support excluded)."""
    support = challenge.support
    return [
        f["path"]
        for f in ws.files
        if not (support / f["path"]).is_file() and not _challenge_own(challenge, ws, f["path"])
    ]


def _scan_findings(findings: list[Finding]) -> list[Finding]:
    """The candidate's own tests may import pytest (they are never run by the grader)."""
    return [
        f
        for f in findings
        if not (
            f.kind == "test-framework-import"
            and f.severity != "violated"
            and _is_test_file(f.file or "")
        )
    ]


def _challenge_own(challenge: Challenge, ws: Workspace, path: str) -> bool:
    """A kit's public test, unchanged: the challenge's code, not the candidate's."""
    if not path.startswith("tests/public/"):
        return False
    theirs = challenge.root / path
    return theirs.is_file() and theirs.read_bytes() == (ws.submission / path).read_bytes()


def _is_test_file(path: str) -> bool:
    """A candidate's own tests may import pytest: they are never run by the grader."""
    name = path.rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or path.startswith("tests/")


def _sandbox(limits: Limits, active: dict[str, Any]) -> dict[str, Any]:
    """What protected this run: always-on measures, limits, and what the platform allowed."""
    return {
        "process_per_test": True,
        "fresh_copy": True,
        "environment_scrubbed": True,
        "memory_limit_mb": limits.memory_mb,
        "test_timeout_s": limits.test_timeout_s,
        "deadline_s": limits.deadline_s,
        "network_isolated": bool(active.get("network_isolated")),
        "orphans_reaped": bool(active.get("orphans_reaped")),
        "process_jail": bool(active.get("process_jail")),
        "landlock_filesystem": bool(active.get("landlock_filesystem")),
        "landlock_signals": bool(active.get("landlock_signals")),
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def error_scorecard(challenge: Challenge, submission: Path, error: str) -> Scorecard:
    """A zero-score scorecard that records an internal error (written before exiting with 3)."""
    return Scorecard(
        mlgrader_version=__version__,
        challenge={"name": challenge.name, "title": challenge.title},
        submission={"path": str(submission), "files": []},
        mode="full",
        audience="grader",
        score=0.0,
        pass_mark=0.0,
        passed=False,
        categories=[],
        tests=[],
        integrity=Integrity("ok", [Finding("internal-error", error)]),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        error=error,
    )
