"""What a test's process sends home, and the checks its parent makes before believing it.

The test's process (``fork``) serialises its pytest reports with pytest's own
hooks, clipped to a safe size, as one JSON payload. The parent accepts exactly
that shape for exactly that test, or nothing: a malformed or foreign payload
turns into a crash report, never into results. A test that crashed or hung
gets a synthetic failed report in its place.
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass, field
from typing import Any

import pytest

from mlgrader.authoring.fixtures import PROP_MESSAGE, PROP_OUTCOME
from mlgrader.model.findings import Finding
from mlgrader.model.text import clip

MAX_REPORT_BYTES = 4 * 1024 * 1024
MAX_LONGREPR_CHARS = 8000
MAX_SECTION_CHARS = 4000


@dataclass
class ChildOutcome:
    """What a test's process produced: its reports and any tampering it noticed."""

    reports: list[pytest.TestReport]
    integrity: list[Finding] = field(default_factory=list)


def serialise(config: pytest.Config, report: pytest.TestReport) -> dict[str, Any]:
    """Shrink a report to a safe size, keeping the one-line crash message apart."""
    longrepr = report.longrepr
    if report.failed and longrepr is not None:
        crash = getattr(longrepr, "reprcrash", None)
        message = getattr(crash, "message", None) or str(longrepr).strip().splitlines()[-1:]
        report.user_properties.append((PROP_MESSAGE, clip(str(message), 2000)))
        text = str(longrepr)
        if len(text) > MAX_LONGREPR_CHARS:
            report.longrepr = clip(text, MAX_LONGREPR_CHARS)
    elif report.skipped and isinstance(longrepr, tuple) and len(longrepr) == 3:
        report.longrepr = (str(longrepr[0]), longrepr[1], clip(str(longrepr[2]), 2000))
    report.sections = [(k, clip(v, MAX_SECTION_CHARS)) for k, v in report.sections]
    data: dict[str, Any] = config.hook.pytest_report_to_serializable(config=config, report=report)
    return data


def decode(item: pytest.Item, data: bytes) -> ChildOutcome | None:
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


def describe_death(status: int, had_reports: bool) -> str:
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
