"""The checks ``validate`` makes, each a pure function of scorecards.

Given the scorecards of a challenge's reference, stub, mutants and independent
solutions, each function here says whether one claim held and why, in a line an
author can act on. validate.py decides what to grade; this module only judges.
"""

from __future__ import annotations

import collections
import fnmatch
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgrader.catalogue.expect import Expectation
from mlgrader.catalogue.kit import rubric_points
from mlgrader.engine.owntests import grade_own_tests
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Scorecard, TestResult

#: The least a severe flaw may cost, in points out of 100.
SEVERE_POINTS = 5.0
#: The most points a single style (OOP) test may carry.
STYLE_POINTS = 5.0
#: More points than this for the untouched stub draw a warning.
STUB_WARN = 10.0


@dataclass(frozen=True)
class Check:
    """One claim about a challenge and whether it held."""

    subject: str
    ok: bool
    detail: str
    #: Held, but worth the author's look (a stub that earns many points in all).
    warning: bool = False


def stub_check(stubs: list[Scorecard]) -> Check:
    """The stub earns no correctness points (an error) and at most STUB_WARN in all (a
    warning: points a candidate gets for handing in the kit untouched)."""
    earned = [getattr(card.category("correctness"), "points", 0.0) for card in stubs]
    ok = all(e == 0.0 for e in earned) and all(card.error is None for card in stubs)
    detail = f"scored {scores(stubs)} with {max(earned):g} correctness points"
    most = max(card.score for card in stubs)
    if ok and most > STUB_WARN:
        detail += (
            f"; more than {STUB_WARN:g} points for the untouched kit: make the stub fail the "
            "tests that give them (an OOP check on a stub that does nothing, say)"
        )
        return Check("stub", True, detail, warning=True)
    return Check("stub", ok, detail)


def categories_check(challenge: Challenge, reference: Scorecard) -> Check:
    """Every category with weight has tests: otherwise RUBRIC.md promises points the
    scorecard never gives (a category without tests leaves the total)."""
    rubric = challenge.rubric().for_challenge(challenge.name)
    counts = collections.Counter(t.category for t in reference.tests)
    untested = [c for c in rubric.categories.values() if c.weight > 0 and not counts[c.name]]
    if not untested:
        promised = {cat.name: points for cat, points in rubric_points(rubric)}
        given = {c.name: round(c.max_points, 1) for c in reference.categories}
        if promised != given:
            return Check(
                "categories",
                False,
                f"RUBRIC.md promises {_points(promised)} but the scorecard gives {_points(given)}",
            )
        shown = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
        return Check("categories", True, f"every weighted category has tests ({shown})")
    names = ", ".join(f"{c.name} (weight {c.weight:g})" for c in untested)
    fix = "; ".join(f"{c.name} = 0" for c in untested)
    return Check(
        "categories",
        False,
        f"no test counts toward {names}; add tests in it or set {fix} under "
        f"[challenges.{challenge.name}.categories] in rubric.toml",
    )


def _points(points: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:g}" for name, value in sorted(points.items()))


def scores(cards: list[Scorecard], every: bool = False) -> str:
    """One score, or every run's when they differ (or when asked)."""
    scores = [f"{card.score:g}" for card in cards]
    return scores[0] if len(set(scores)) == 1 and not every else ", ".join(scores)


def stable_check(label: str, cards: list[Scorecard]) -> Check:
    """Did every test of one solution reach the same outcome in every run?"""
    outcomes: dict[str, list[str]] = {}
    for card in cards:
        for test in card.tests:
            outcomes.setdefault(test.id, []).append(test.outcome)
    flipped = {
        test_id: seen
        for test_id, seen in outcomes.items()
        if len(set(seen)) > 1 or len(seen) < len(cards)
    }
    subject = f"stable {label.removeprefix('the ')}"
    if not flipped:
        return Check(subject, True, f"same verdicts in all {len(cards)} runs")
    shown = [
        f"{test_id} passed {seen.count('passed')} of {len(cards)}"
        for test_id, seen in flipped.items()
    ]
    return Check(subject, False, "verdicts changed between runs: " + "; ".join(shown[:5]))


def judge(label: str, expect: Expectation, card: Scorecard, reference: Scorecard) -> Check:
    """``label`` ("mutant NAME" or "solution NAME") held to its expect.toml."""
    problems: list[str] = []
    if expect.band is not None:
        low, high = expect.band
        if not low - 1e-9 <= card.score <= high + 1e-9:
            problems.append(f"a score from {low:g} to {high:g}")
    if expect.gains_nothing:
        gained = [
            c.name
            for c in card.categories
            if c.earned > getattr(reference.category(c.name), "earned", 0.0) + 1e-9
        ]
        if card.score > reference.score + 1e-9 or gained:
            problems.append(f"gained over the reference ({', '.join(gained) or 'score'})")
    for cat_name in expect.lose:
        cat = card.category(cat_name)
        if cat is None or cat.earned >= 1.0:
            problems.append(f"kept all of {cat_name}")
    for cat_name in expect.keep:
        cat = card.category(cat_name)
        if cat is not None and cat.earned < 1.0:
            lost = [_lost(t) for t in card.tests if t.category == cat_name and t.earned < 1.0]
            problems.append(f"lost {cat_name} ({'; '.join(lost)})")
    for pattern in expect.fail:
        matched = [t for t in card.tests if fnmatch.fnmatchcase(t.id, pattern)]
        if not matched:
            problems.append(f"no test matches {pattern}")
        elif all(t.outcome == "passed" for t in matched):
            problems.append(f"passed {pattern}")
    asked = {f["id"] for f in card.followups}
    missing = [pid for pid in expect.followups if pid not in asked]
    if missing:
        problems.append(
            f"follow-up prompts {', '.join(missing)} (it got {', '.join(sorted(asked)) or 'none'})"
        )
    if expect.severe is not None:
        least = severe_cost(reference)
        if reference.score - card.score < least - 1e-9:
            problems.append(
                f"a {expect.severe} costs only {reference.score - card.score:.2f} points; the "
                f"weight rule asks at least {least:.2f} (raise the weight of the tests it fails)"
            )
    kept = {c.name: round(c.earned, 3) for c in card.categories if c.earned < 1.0}
    detail = f"scored {card.score:g}; lost {_fmt(kept) or 'nothing'}"
    if problems:
        detail += "; expected otherwise: " + "; ".join(problems)
    return Check(label, not problems, detail)


def _lost(test: TestResult) -> str:
    """A test that lost points, with the first line of what it said: a timed test that
    fails only now and then (in CI, under load) must say what it measured."""
    lines = [line.strip() for line in test.message.splitlines() if line.strip()]
    said = [line for line in lines if "Error:" in line] or lines or [test.outcome]
    return f"{test.id}: {said[0][:200]}"


#: Categories whose verdicts come from timing: a test in one has never been shown able to
#: fail until some mutant fails it (on an idle machine a slow check passes everything).
TIMED = ("complexity", "concurrency", "performance")


def timed_check(reference: Scorecard, mutants: list[Scorecard]) -> Check:
    """Every timed test of the reference earns less in at least one mutant's grading."""
    timed = [t for t in reference.tests if t.category in TIMED]
    if not timed:
        return Check("timed", True, "no timed tests")
    unproven = [
        t.id
        for t in timed
        if not any(
            m.earned < t.earned - 1e-9 for card in mutants for m in card.tests if m.id == t.id
        )
    ]
    if unproven:
        return Check(
            "timed",
            False,
            f"{len(unproven)} of {len(timed)} timed tests fail in no mutant: "
            + ", ".join(unproven)
            + "; add a mutant with the flaw each one measures (a test never seen to fail "
            "may pass everything)",
        )
    return Check("timed", True, f"each of the {len(timed)} timed tests fails in some mutant")


def severe_cost(reference: Scorecard) -> float:
    """What a severe flaw must cost at least: SEVERE_POINTS, and twice the points of the
    heaviest single OOP test of the reference's scorecard."""
    heaviest = _heaviest_style_test(reference)
    return max(SEVERE_POINTS, 2 * heaviest[1] if heaviest else 0.0)


def _heaviest_style_test(reference: Scorecard) -> tuple[str, float] | None:
    """The OOP test worth the most points, and its points (its category's points times
    its weight over the category's weights); None without OOP tests."""
    oop = reference.category("oop")
    tests = [t for t in reference.tests if t.category == "oop"]
    total = sum(t.weight for t in tests)
    if oop is None or not total:
        return None
    best = max(tests, key=lambda t: t.weight)
    return best.id, oop.max_points * best.weight / total


def style_check(reference: Scorecard) -> Check:
    """No single style test worth more than STYLE_POINTS (a warning: a style finding must not
    outweigh a flaw that hangs, crashes or corrupts; the severe mutants' checks enforce it)."""
    heaviest = _heaviest_style_test(reference)
    if heaviest is None:
        return Check("style weights", True, "no OOP tests")
    test_id, points = heaviest
    if points > STYLE_POINTS + 1e-9:
        return Check(
            "style weights",
            True,
            f"{test_id} is worth {points:.2f} points, more than {STYLE_POINTS:g}: split it "
            "into one test per rule, or lower its weight",
            warning=True,
        )
    return Check("style weights", True, f"the heaviest OOP test is worth {points:.2f} points")


def listing(ids: list[str]) -> str:
    return f"; not earned: {', '.join(ids)}" if ids else ""


def _fmt(lost: dict[str, Any]) -> str:
    return ", ".join(f"{k} (kept {v:.0%})" for k, v in lost.items())


#: The test validate plants in a copy of the reference to show that a wrong test costs points.
WRONG_TEST = "def test_planted_by_validate_and_wrong():\n    assert False, 'wrong on purpose'\n"


def testing_check(challenge: Challenge, reference: Scorecard) -> Check | None:
    """Where the candidate's own tests are graded: the reference's tests earn the whole
    ``testing`` category, no tests earn none of it, and one wrong test beside the
    reference's costs exactly the pass weight's share (and catches nothing)."""
    spec = challenge.own_tests
    if spec is None:
        return None
    share = spec.pass_weight / (spec.pass_weight + len(spec.chaffs))
    mine = reference.category("testing")
    problems = []
    if mine is None or mine.earned < 1.0:
        lost = [_lost(t) for t in reference.tests if t.category == "testing" and t.earned < 1.0]
        problems.append(f"the reference's own tests earn {_earned(mine)}: {'; '.join(lost)}")
    with tempfile.TemporaryDirectory(prefix="mlgrader-testing-") as scratch:
        bare = Path(scratch) / "bare"
        shutil.copytree(
            challenge.reference, bare, ignore=shutil.ignore_patterns("tests", "test_*.py")
        )
        none = _fraction(grade_own_tests(challenge, bare))
        if none != 0.0:
            problems.append(f"the reference without tests earns {none:.0%} of testing, not 0")
        wrong = Path(scratch) / "wrong"
        shutil.copytree(challenge.reference, wrong, ignore=shutil.ignore_patterns("__pycache__"))
        (wrong / "test_wrong_on_purpose.py").write_text(WRONG_TEST, encoding="utf-8")
        planted = _fraction(grade_own_tests(challenge, wrong))
        if abs(planted - (1.0 - share)) > 1e-6:
            problems.append(
                f"a wrong test beside the reference's leaves {planted:.0%} of testing, not "
                f"{1 - share:.0%} (the pass weight's share lost, every flaw still caught)"
            )
    detail = (
        f"own tests: the reference's earn all, none earn 0, a wrong one costs {share:.0%} "
        f"({len(spec.chaffs)} planted flaws, pass weight {spec.pass_weight:g})"
    )
    return Check("testing", not problems, "; ".join(problems) or detail)


def _fraction(results: list[TestResult]) -> float:
    total = sum(t.weight for t in results)
    return sum(t.weight * t.earned for t in results) / total if total else 0.0


def _earned(category: Any) -> str:
    return "nothing (no testing results)" if category is None else f"{category.earned:.0%}"
