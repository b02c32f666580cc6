"""What every human rendering of a Scorecard shows the same way: the verdict, tests grouped by
category, complexity rows and outcome marks, so text and markdown cannot disagree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mlgrader.model.scorecard import PUBLIC_NOTICE, Scorecard, TestResult

__all__ = ["MARK", "PUBLIC_NOTICE", "by_category", "complexity_rows", "import_failure"]

MARK = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "timeout": "TIMEOUT",
    "crashed": "CRASH",
    "skipped": "SKIP",
}


def verdict(card: Scorecard) -> str:
    """PASS or FAIL against the pass mark (ERROR when grading itself failed)."""
    if card.error:
        return "ERROR"
    return "PASS" if card.passed else "FAIL"


def by_category(card: Scorecard) -> list[tuple[str, list[TestResult]]]:
    """Tests grouped by category, in the rubric's category order."""
    groups: dict[str, list[TestResult]] = {c.name: [] for c in card.categories}
    for test in card.tests:
        groups.setdefault(test.category, []).append(test)
    return [(name, tests) for name, tests in groups.items() if tests]


#: How each kind of follow-up prompt is introduced, in every rendering.
FOLLOWUP_KINDS = {"wrong": "got wrong", "strength": "did well", "design": "design change"}
FOLLOWUPS_HEADING = "Follow-up questions for the interview"


def followup_lines(card: Scorecard) -> list[str]:
    """The interview prompts as ``(kind) text`` lines; none in the candidate's view."""
    if card.audience != "grader":
        return []
    return [f"({FOLLOWUP_KINDS.get(f['kind'], f['kind'])}) {f['text']}" for f in card.followups]


def complexity_rows(tests: Iterable[TestResult]) -> Iterable[tuple[str, str, str, str, str]]:
    for test in tests:
        for record in test.complexity or []:
            yield (
                test.id,
                str(record.get("label", "")),
                str(record.get("expected", "?")),
                str(record.get("measured", "?")),
                str(record.get("verdict", "?")),
            )


def short(text: str, limit: int = 300) -> str:
    """``text`` up to ``limit`` characters, saying how many were cut (never silently)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


#: How a test's message starts when the candidate module it needed did not import (the
#: trusted side raises ``mlgrader.SubmissionImportError``; candidate exceptions are always
#: shown as ``candidate.<Name>``, so candidate code cannot start a message this way).
IMPORT_FAILURE = "mlgrader.SubmissionImportError: "


def import_failure(card: Scorecard) -> tuple[str, int] | None:
    """The message of the most common import failure among the tests, and how many
    tests failed with it; None when every candidate module imported."""
    counts: dict[str, int] = {}
    for test in card.tests:
        if test.message.startswith(IMPORT_FAILURE):
            counts[test.message] = counts.get(test.message, 0) + 1
    if not counts:
        return None
    message = max(counts, key=lambda m: counts[m])
    return message.removeprefix(IMPORT_FAILURE), counts[message]


def quality_findings(quality: dict[str, Any]) -> list[dict[str, Any]]:
    """Every code-quality finding of every file, in file order."""
    files: dict[str, Any] = quality.get("files") or {}
    return [finding for data in files.values() for finding in data.get("findings", [])]
