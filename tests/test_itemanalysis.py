"""itemanalysis.py: pass rates and corrected item-total discrimination, on cohorts built by hand."""

from __future__ import annotations

import math

import pytest
from scorecards import make_scorecard

from mlgrader.batch.items import analyse
from mlgrader.model.rubric import Category
from mlgrader.model.scorecard import Scorecard, TestResult

CATS = {"correctness": Category("correctness", 100)}


def card(passed: dict[str, bool], error: str | None = None) -> Scorecard:
    tests = [
        TestResult(tid, "correctness", 1, "hidden", "passed" if ok else "failed", float(ok))
        for tid, ok in passed.items()
    ]
    return make_scorecard(tests, CATS, error=error)


NAMES = ["good", "also", "all", "none", "backwards"]


def cohort(rows: list[tuple[bool, ...]]) -> list[Scorecard]:
    return [card(dict(zip(NAMES, r, strict=True))) for r in rows]


ROWS = [
    # good and also go together; all: everyone; none: no one; backwards: the weak pass it
    (True, True, True, False, False),
    (True, True, True, False, False),
    (True, True, True, False, True),
    (False, False, True, False, True),
    (False, False, True, False, True),
    (False, False, True, False, False),
]


def test_pass_rates_and_flags() -> None:
    """A test everyone passes or no one passes is flagged as telling no one apart."""
    items = {i.test_id: i for i in analyse(cohort(ROWS))}
    assert items["all"].pass_rate == 1.0 and "everyone passed" in items["all"].flag
    assert items["none"].pass_rate == 0.0 and "no one passed" in items["none"].flag
    assert items["good"].pass_rate == pytest.approx(0.5)
    assert items["good"].flag == ""


def test_discrimination_is_the_corrected_item_total_correlation() -> None:
    """Computed by hand: each test's credit against the total minus its own points."""
    cards = cohort(ROWS)
    items = {i.test_id: i for i in analyse(cards)}
    xs = [float(r[0]) for r in ROWS]
    rest = [c.score - 20.0 * x for c, x in zip(cards, xs, strict=True)]  # 5 tests of 20 points
    mx, my = sum(xs) / 6, sum(rest) / 6
    expected = sum((x - mx) * (y - my) for x, y in zip(xs, rest, strict=True)) / math.sqrt(
        sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in rest)
    )
    assert items["good"].discrimination == pytest.approx(expected)
    assert items["backwards"].discrimination is not None
    assert items["backwards"].discrimination < 0 and "negative" in items["backwards"].flag


def test_small_cohorts_and_failed_gradings() -> None:
    """Under 5 graded submissions no correlation is claimed; failed gradings are left out."""
    cards = [*cohort(ROWS[2:5]), card({}, error="SubmissionError: no module")]
    items = {i.test_id: i for i in analyse(cards)}
    assert items["good"].submissions == 3
    assert items["good"].discrimination is None and "fewer than 5" in items["good"].flag
