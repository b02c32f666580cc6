"""What every human rendering of a Scorecard shows the same way: the verdict, tests grouped by
category, complexity rows and outcome marks, so text and markdown cannot disagree."""

from __future__ import annotations

from collections.abc import Iterable

from mlgrader.model.scorecard import Scorecard, TestResult

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
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."
