"""The one place that decides a test's outcome.

A test's fate arrives in pieces: pytest's setup/call/teardown reports (real ones
from the test's process, or ones the fork layer made up for a process that
crashed or hung), the properties the test recorded (partial credit, a forced
``crashed`` or ``timeout``), or no report at all when the run ended first. Every
rule that turns those into ``passed``/``failed``/``error``/``timeout``/
``crashed``/``skipped`` and the points earned lives here, so the grader, the
canary check and the scorecard can never disagree.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlgrader.authoring.fixtures import PROP_COMPLEXITY, PROP_MESSAGE, PROP_OUTCOME, PROP_PARTIAL
from mlgrader.engine.protocol import PlannedTest
from mlgrader.model.findings import Finding
from mlgrader.model.scorecard import Outcome, TestResult, earned_for


def decide(reports: list[pytest.TestReport]) -> Outcome:
    """The outcome of one test from its phase reports."""
    forced = _props(reports).get(PROP_OUTCOME)
    if forced in ("crashed", "timeout"):
        return "crashed" if forced == "crashed" else "timeout"
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


def result_from_reports(planned: PlannedTest, reports: list[pytest.TestReport]) -> TestResult:
    """Fold one test's setup/call/teardown reports into one result."""
    complexity: list[dict[str, Any]] = []
    for report in reports:
        # user_properties accumulate over setup/call/teardown: keep the fullest list once
        mine = [
            v for k, v in report.user_properties if k == PROP_COMPLEXITY and isinstance(v, dict)
        ]
        complexity = mine if len(mine) > len(complexity) else complexity
    props = _props(reports)
    outcome = decide(reports)
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
    return _result(
        planned,
        outcome=outcome,
        earned=earned_for(outcome, fraction),
        duration_s=round(sum(r.duration for r in reports), 4),
        message=message,
        longrepr=longrepr,
        complexity=complexity or None,
    )


def never_reported(planned: PlannedTest, deadline_hit: bool, deadline_s: float) -> TestResult:
    """A planned test with no result: the run hit its deadline, or ended before it reported."""
    if deadline_hit:
        outcome: Outcome = "timeout"
        message = f"not finished: the deadline of {deadline_s:g} s passed"
    else:
        outcome, message = "crashed", "not finished: the test run ended before this test reported"
    return _result(planned, outcome=outcome, earned=0.0, message=message)


def judge_canary(must_fail: bool, reports: list[pytest.TestReport]) -> Finding | None:
    """A planted test that must fail but 'passed' means reports were forged."""
    outcome = decide(reports)
    if must_fail and outcome == "passed":
        detail = "a planted test that must fail was reported as passed: results were forged"
        return Finding("canary", detail, "violated")
    if not must_fail and outcome in ("failed", "skipped"):
        return Finding(
            "canary", f"a planted test that must pass was reported as {outcome}", "suspicious"
        )
    return None


def _result(planned: PlannedTest, **fields: Any) -> TestResult:
    """A result for ``planned``: its id, category, weight and visibility, and ``fields``."""
    return TestResult(
        id=planned.id,
        category=planned.category,
        weight=planned.weight,
        visibility=planned.visibility,
        doc=planned.doc,
        **fields,
    )


def _props(reports: list[pytest.TestReport]) -> dict[str, Any]:
    """First value of each user property across a test's reports (complexity excluded)."""
    props: dict[str, Any] = {}
    for report in reports:
        for key, value in report.user_properties:
            if key != PROP_COMPLEXITY:
                props.setdefault(key, value)
    return props
