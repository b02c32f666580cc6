"""Item analysis over a cohort of scorecards: which tests measure anything.

Classical test theory, as used on exam questions. For each test (item):

- **pass rate**: the mean credit earned (1 for a pass, the recorded fraction for
  partial credit, 0 otherwise). A test everyone passes, or everyone fails, tells
  the submissions apart no better than not running it.
- **discrimination**: the corrected item-total correlation, i.e. the Pearson
  correlation (point-biserial for pass/fail items) between a submission's credit
  on the test and its total score *without that test's points*. Leaving the item
  out of the total stops a heavy test from correlating with itself. Good tests
  have 0.3 or more; under 0.2 is weak; negative means passing goes with a *lower*
  total, usually a broken or back-to-front test.

Submissions whose grading failed (``error`` set) are left out: they carry no
test results, so they say nothing about the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mlgrader.model.scorecard import Scorecard, max_points_by_test

#: Below this many graded submissions a correlation is noise; it is not reported.
MIN_COHORT = 5
WEAK = 0.2


@dataclass(frozen=True)
class ItemStats:
    """One test across the cohort."""

    test_id: str
    category: str
    visibility: str
    submissions: int
    pass_rate: float
    discrimination: float | None
    flag: str  # "" when the test looks useful, else why it may measure nothing

    def to_dict(self) -> dict[str, object]:
        return {
            "test": self.test_id,
            "category": self.category,
            "visibility": self.visibility,
            "submissions": self.submissions,
            "pass_rate": round(self.pass_rate, 4),
            "discrimination": None
            if self.discrimination is None
            else round(self.discrimination, 4),
            "flag": self.flag,
        }


def analyse(cards: Sequence[Scorecard]) -> list[ItemStats]:
    """Pass rate and discrimination for every test seen in ``cards``, in first-seen order."""
    graded = [c for c in cards if c.error is None and c.tests]
    order: dict[str, tuple[str, str]] = {}
    for card in graded:
        for test in card.tests:
            order.setdefault(test.id, (test.category, test.visibility))
    credits = {tid: [0.0] * len(graded) for tid in order}
    rest = {tid: [c.score for c in graded] for tid in order}
    for i, card in enumerate(graded):
        shares = max_points_by_test(card)
        for test in card.tests:
            credits[test.id][i] = test.earned
            rest[test.id][i] = card.score - shares[test.id] * test.earned
    stats = []
    for tid, (category, visibility) in order.items():
        xs, ys = credits[tid], rest[tid]
        rate = sum(xs) / len(xs) if xs else 0.0
        disc = _pearson(xs, ys) if len(xs) >= MIN_COHORT else None
        stats.append(
            ItemStats(tid, category, visibility, len(xs), rate, disc, _flag(rate, disc, len(xs)))
        )
    return stats


def _flag(rate: float, disc: float | None, n: int) -> str:
    if n == 0:
        return "no graded submissions"
    if rate >= 1.0:
        return "everyone passed: tells no one apart"
    if rate <= 0.0:
        return "no one passed: tells no one apart"
    if disc is None and n < MIN_COHORT:
        return f"fewer than {MIN_COHORT} submissions: discrimination not computed"
    if disc is None:
        return "the other tests' totals do not vary: discrimination not computed"
    if disc < 0:
        return "negative: passing goes with lower totals; check the test"
    if disc < WEAK:
        return "weak: passing barely goes with higher totals"
    return ""


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)
