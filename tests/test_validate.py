"""validate.py: reading expect.toml and judging a mutant's scorecard."""

from __future__ import annotations

from pathlib import Path

import pytest
from scorecards import make_scorecard

from mlgrader.catalogue.checks import judge, style_check, timed_check
from mlgrader.catalogue.expect import Expectation, load_expectation
from mlgrader.errors import ChallengeError
from mlgrader.model.scorecard import Scorecard, TestResult


def card(outcomes: dict[str, tuple[str, str]]) -> Scorecard:
    """A scorecard from {test id: (category, outcome)}."""
    tests = [
        TestResult(tid, cat, 1, "hidden", out, 1.0 if out == "passed" else 0.0)  # type: ignore[arg-type]
        for tid, (cat, out) in outcomes.items()
    ]
    return make_scorecard(tests)


FULL = card({"a::slow": ("complexity", "passed"), "a::ok": ("oop", "passed")})


def test_expect_toml_is_read(tmp_path: Path) -> None:
    """lose/keep/fail lists and the description come back as written."""
    path = tmp_path / "expect.toml"
    path.write_text(
        'description = "slow"\nlose = ["complexity"]\nkeep = ["oop"]\nfail = ["t::*"]\n'
    )
    assert load_expectation(path) == Expectation("slow", ("complexity",), ("oop",), ("t::*",))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("lose = 'complexity'\n", "lose: expected a list of strings"),
        ("keep = ['oop']\n", "expected `lose` or `fail`"),
        ("lose = [\n", "not valid TOML"),
    ],
)
def test_bad_expect_toml_names_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    """A malformed expect.toml is a ChallengeError naming the file and the problem."""
    path = tmp_path / "expect.toml"
    path.write_text(text)
    with pytest.raises(ChallengeError, match=fragment) as info:
        load_expectation(path)
    assert str(path) in str(info.value)


def test_missing_expect_toml(tmp_path: Path) -> None:
    """A mutant without expect.toml is reported, not skipped."""
    with pytest.raises(ChallengeError, match=r"every mutant needs an expect\.toml"):
        load_expectation(tmp_path / "expect.toml")


def test_mutant_that_loses_only_its_category_passes() -> None:
    """Losing the named category, keeping the others and failing the named test: ok."""
    scorecard = card({"a::slow": ("complexity", "failed"), "a::ok": ("oop", "passed")})
    check = judge("m", Expectation("", ("complexity",), ("oop",), ("a::slow",)), scorecard, FULL)
    assert check.ok, check.detail


def test_mutant_that_loses_the_wrong_category_fails() -> None:
    """Losing a kept category, or passing a test that must fail, is named in the verdict."""
    scorecard = card({"a::slow": ("complexity", "passed"), "a::style": ("oop", "failed")})
    check = judge("m", Expectation("", ("complexity",), ("oop",), ("a::slow",)), scorecard, FULL)
    assert not check.ok
    assert "kept all of complexity" in check.detail
    assert "lost oop (a::style: failed)" in check.detail
    assert "passed a::slow" in check.detail


def test_a_kept_category_lost_quotes_what_the_test_said() -> None:
    """A timed test that a mutant loses now and then (in CI, under load) says what it
    measured in the validate line, not only its id."""
    lost = TestResult(
        "a::fast", "complexity", 1, "hidden", "failed", 0.0,
        message="Traceback ...\nAssertionError: expected O(1), measured O(n) (slope 0.9)\nmore",
    )  # fmt: skip
    check = judge("m", Expectation("", ("oop",), ("complexity",), ()), make_scorecard([lost]), FULL)
    assert "lost complexity (a::fast: AssertionError: expected O(1), measured O(n)" in check.detail


def test_a_neutralised_cheat_must_gain_nothing_over_the_reference(tmp_path: Path) -> None:
    """gains_nothing = true: the mutant passes when it earns no more than the reference, and
    fails, naming the category, when it earns more."""
    path = tmp_path / "expect.toml"
    path.write_text('description = "patches its own copy"\ngains_nothing = true\n')
    expect = load_expectation(path)
    assert expect.gains_nothing and not expect.lose
    reference = card({"a::slow": ("complexity", "failed"), "a::ok": ("oop", "passed")})
    assert judge("m", expect, reference, reference).ok
    check = judge("m", expect, FULL, reference)
    assert not check.ok and "gained over the reference (complexity)" in check.detail


def _weighted(outcomes: dict[str, tuple[str, float, str]]) -> Scorecard:
    """A scorecard from {test id: (category, weight, outcome)} with the default weights."""
    tests = [
        TestResult(tid, cat, weight, "hidden", out, 1.0 if out == "passed" else 0.0)  # type: ignore[arg-type]
        for tid, (cat, weight, out) in outcomes.items()
    ]
    return make_scorecard(tests)


def test_a_severe_flaw_must_cost_five_points_and_twice_the_heaviest_style_test() -> None:
    """expect.toml's `severe` (a hang, a crash, corrupted results): the mutant must lose at
    least 5 points and twice the heaviest single OOP test (the weight rule). Four categories
    of 25 points; the heaviest OOP test is 2/3 of OOP (16.67), so a hang must cost 33.33."""
    tests = {
        "t::hang": ("concurrency", 1.0, "passed"),
        "t::other": ("concurrency", 1.0, "passed"),
        "t::big_style": ("oop", 2.0, "passed"),
        "t::small_style": ("oop", 1.0, "passed"),
        "t::works": ("correctness", 1.0, "passed"),
        "t::fast": ("complexity", 1.0, "passed"),
    }
    failed = {"t::hang": ("concurrency", 1.0, "failed")}
    both = failed | {"t::other": ("concurrency", 1.0, "failed")}
    expect = Expectation("", ("concurrency",), (), ("t::hang",), severe="hang")
    reference = _weighted(tests)
    check = judge("m", expect, _weighted(tests | failed), reference)
    assert not check.ok
    assert check.detail.endswith(
        "a hang costs only 12.50 points; the weight rule asks at least 33.33 (raise the "
        "weight of the tests it fails)"
    )
    assert not judge("m", expect, _weighted(tests | both), reference).ok  # 25 < 33.33
    even = tests | {"t::big_style": ("oop", 1.0, "passed")}  # OOP tests 12.5 each: 25 asked
    assert not judge("m", expect, _weighted(even | failed), _weighted(even)).ok
    assert judge("m", expect, _weighted(even | both), _weighted(even)).ok


def test_a_timed_test_no_mutant_fails_is_named() -> None:
    """Every complexity, concurrency and performance test must be seen to fail: a timed
    check that no mutant fails may pass everything, however wrong (issue 16, item 5)."""
    reference = card(
        {
            "t::fast": ("complexity", "passed"),
            "t::safe": ("concurrency", "passed"),
            "t::quick": ("performance", "passed"),
            "t::works": ("correctness", "passed"),
        }
    )
    slow = card({"t::fast": ("complexity", "failed"), "t::safe": ("concurrency", "passed")})
    racy = card({"t::fast": ("complexity", "passed"), "t::safe": ("concurrency", "failed")})
    check = timed_check(reference, [slow, racy])
    assert not check.ok
    assert check.detail == (
        "1 of 3 timed tests fail in no mutant: t::quick; add a mutant with the flaw each one "
        "measures (a test never seen to fail may pass everything)"
    )
    lagging = card({"t::quick": ("performance", "failed")})
    check = timed_check(reference, [slow, racy, lagging])
    assert check.ok and check.detail == "each of the 3 timed tests fails in some mutant"


def test_a_style_test_worth_more_than_five_points_draws_a_warning() -> None:
    """No single OOP test may carry more than 5 points: one worth a third of the score is
    named, with the fix; twelve OOP tests sharing that third pass."""
    one_big = {
        "t::works": ("correctness", 3.0, "passed"),
        "t::fast": ("complexity", 1.0, "passed"),
        "t::clean": ("oop", 1.0, "passed"),
    }
    check = style_check(_weighted(one_big))
    assert check.ok and check.warning
    assert check.detail == (
        "t::clean is worth 33.33 points, more than 5: split it into one test per rule, "
        "or lower its weight"
    )
    many = {f"t::rule{k}": ("oop", 1.0, "passed") for k in range(11)}
    check = style_check(_weighted(one_big | many))
    assert check.ok and not check.warning, check.detail
    assert check.detail == "the heaviest OOP test is worth 2.78 points"


def test_severe_names_one_of_the_flaw_kinds(tmp_path: Path) -> None:
    path = tmp_path / "expect.toml"
    path.write_text('lose = ["concurrency"]\nsevere = "slow"\n')
    with pytest.raises(ChallengeError, match=r"severe: expected one of hang, crash, corrupt"):
        load_expectation(path)
    path.write_text('lose = ["concurrency"]\nsevere = "hang"\n')
    assert load_expectation(path).severe == "hang"


def test_a_solution_without_a_band_is_refused(tmp_path: Path) -> None:
    """An independent solution's expect.toml must give min_score and max_score."""
    path = tmp_path / "expect.toml"
    path.write_text('description = "hurried"\nmin_score = 40\n')
    with pytest.raises(ChallengeError, match="max_score: expected a score from 0 to 100, got None"):
        load_expectation(path, solution=True)
    path.write_text("min_score = 80\nmax_score = 60\n")
    with pytest.raises(ChallengeError, match="min_score 80 is above max_score 60; swap them"):
        load_expectation(path, solution=True)


def test_a_mutant_must_end_with_the_questions_its_expect_toml_names() -> None:
    """expect.toml's `followups` ids must be among the scorecard's follow-up prompts."""
    scorecard = card({"a::slow": ("complexity", "failed"), "a::ok": ("oop", "passed")})
    scorecard.followups = [{"id": "o1-get", "kind": "wrong", "text": "ask"}]
    expect = Expectation("", ("complexity",), (), (), followups=("o1-get", "lock-scope"))
    check = judge("m", expect, scorecard, FULL)
    assert not check.ok
    assert "follow-up prompts lock-scope (it got o1-get)" in check.detail
    ok = Expectation("", ("complexity",), (), (), followups=("o1-get",))
    assert judge("m", ok, scorecard, FULL).ok
