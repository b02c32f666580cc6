"""Tests for mlgrader.model.scorecard: the score formula, audiences, round trips and the JSON Schema."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from mlgrader.model.rubric import Category
from mlgrader.model.scorecard import (
    HIDDEN_MESSAGE,
    MAX_FINDINGS_PER_KIND,
    Finding,
    Integrity,
    Scorecard,
    TestResult,
    earned_for,
    score_categories,
)

CATEGORIES = {
    "correctness": Category("correctness", 50, "does the right thing"),
    "complexity": Category("complexity", 20, "fast enough"),
    "oop": Category("oop", 15, "tidy"),
    "concurrency": Category("concurrency", 15, "thread-safe"),
}


def result(
    id: str,
    category: str = "correctness",
    weight: float = 1,
    outcome: str = "passed",
    partial: float | None = None,
    **extra: Any,
) -> TestResult:
    return TestResult(
        id=id,
        category=category,
        weight=weight,
        visibility=extra.pop("visibility", "public"),
        outcome=outcome,  # type: ignore[arg-type]
        earned=earned_for(outcome, partial),
        **extra,
    )


def make_card(tests: list[TestResult], **overrides: Any) -> Scorecard:
    categories, score = score_categories(tests, CATEGORIES)
    fields: dict[str, Any] = {
        "mlgrader_version": "0.1.0",
        "challenge": {"name": "lru-cache", "title": "An LRU cache"},
        "submission": {
            "path": "/subs/alice",
            "files": [{"path": "lru_cache.py", "sha256": hashlib.sha256(b"code").hexdigest()}],
        },
        "mode": "full",
        "audience": "grader",
        "score": score,
        "pass_mark": 70.0,
        "passed": score >= 70,
        "categories": categories,
        "tests": tests,
        "quality": {"lru_cache.py": {"functions": 4, "max_complexity": 3}},
        "integrity": Integrity("suspicious", [Finding("ignored-file", "conftest.py: not used")]),
        "sandbox": {"process_per_test": True, "memory_limit_mb": 1024},
        "started_at": "2024-05-01T12:00:00+00:00",
        "duration_s": 3.25,
    }
    return Scorecard(**(fields | overrides))


def realistic_tests() -> list[TestResult]:
    return [
        result("tests/public/test_basic.py::test_put", duration_s=0.01),
        result(
            "tests/public/test_basic.py::test_evict",
            outcome="failed",
            message="assert 3 == 2",
            longrepr="def test_evict():\n>   assert 3 == 2\nE   assert 3 == 2",
        ),
        result(
            "tests/hidden/test_speed.py::test_get",
            "complexity",
            2,
            visibility="hidden",
            complexity=[{"expected": "O(1)", "measured": "O(n)", "verdict": "failed"}],
            outcome="failed",
            message="get() is O(n), expected O(1)",
        ),
        result(
            "tests/hidden/test_speed.py::test_put",
            "complexity",
            2,
            visibility="hidden",
            complexity=[{"expected": "O(1)", "measured": "O(1)", "verdict": "passed"}],
        ),
        result(
            "tests/hidden/test_threads.py::test_race",
            "concurrency",
            outcome="timeout",
            visibility="hidden",
            message="test exceeded 10 s",
        ),
        result(
            "tests/hidden/test_threads.py::test_skip",
            "concurrency",
            outcome="skipped",
            visibility="hidden",
            message="skipped (no threads): a skipped test earns nothing",
        ),
    ]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    text = (files("mlgrader") / "schema" / "scorecard.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# -- earned_for ------------------------------------------------------------------------------


def test_pass_earns_one_and_everything_else_zero() -> None:
    """A pass earns 1; failed, error, timeout, crashed and skipped earn 0."""
    assert earned_for("passed", None) == 1.0
    for outcome in ("failed", "error", "timeout", "crashed", "skipped"):
        assert earned_for(outcome, None) == 0.0


def test_partial_credit_is_the_recorded_fraction_clamped() -> None:
    """A pass with partial credit earns its fraction, clamped into [0, 1]."""
    assert earned_for("passed", 0.6) == 0.6
    assert earned_for("passed", 1.7) == 1.0
    assert earned_for("passed", -0.2) == 0.0


def test_partial_credit_on_a_non_pass_earns_nothing() -> None:
    """Partial credit recorded by a test that then failed or was skipped earns 0."""
    assert earned_for("failed", 0.9) == 0.0
    assert earned_for("skipped", 1.0) == 0.0


# -- score_categories ------------------------------------------------------------------------


def test_worked_example_two_categories() -> None:
    """Correctness 1/4 of weight and complexity 3/4 give 100 x (50x0.25 + 20x0.75) / 70."""
    tests = [
        result("c1", "correctness", 1, "passed"),
        result("c2", "correctness", 3, "failed"),
        result("x1", "complexity", 2, "passed"),
        result("x2", "complexity", 2, "passed", partial=0.5),
    ]
    categories, total = score_categories(tests, CATEGORIES)
    assert total == 39.29  # 100 * (12.5 + 15) / 70 = 39.2857...
    by_name = {c.name: c for c in categories}
    assert by_name["correctness"].earned == 0.25
    assert by_name["correctness"].max_points == pytest.approx(71.4286)
    assert by_name["correctness"].points == pytest.approx(17.8571)
    assert by_name["correctness"].tests == 2
    assert by_name["complexity"].earned == 0.75
    assert by_name["complexity"].max_points == pytest.approx(28.5714)
    assert by_name["complexity"].points == pytest.approx(21.4286)
    assert by_name["complexity"].description == "fast enough"


def test_all_four_categories_full_marks_is_100() -> None:
    """Passing every test in every category scores exactly 100."""
    tests = [result(f"t{n}", n, 1 + i) for i, n in enumerate(CATEGORIES)]
    categories, total = score_categories(tests, CATEGORIES)
    assert total == 100.0
    assert [c.max_points for c in categories] == [50.0, 20.0, 15.0, 15.0]


def test_skipped_test_still_counts_in_the_denominator() -> None:
    """A skipped test earns 0 but its weight stays in the category's denominator."""
    tests = [
        result("a", weight=1, outcome="passed"),
        result("b", weight=3, outcome="skipped"),
    ]
    categories, total = score_categories(tests, CATEGORIES)
    assert categories[0].earned == 0.25
    assert categories[0].tests == 2
    assert total == 25.0


def test_categories_without_tests_are_left_out() -> None:
    """Categories with no test in the run neither appear nor dilute the total."""
    tests = [result("a", "oop"), result("b", "oop", outcome="failed")]
    categories, total = score_categories(tests, CATEGORIES)
    assert [c.name for c in categories] == ["oop"]
    assert categories[0].max_points == 100.0
    assert total == 50.0


def test_categories_follow_rubric_order() -> None:
    """Category scores come in rubric order, whatever order the tests ran in."""
    tests = [result("a", "concurrency"), result("b", "correctness"), result("c", "complexity")]
    categories, _ = score_categories(tests, CATEGORIES)
    assert [c.name for c in categories] == ["correctness", "complexity", "concurrency"]


def test_no_tests_scores_zero() -> None:
    """A run with no tests has no categories and scores 0."""
    assert score_categories([], CATEGORIES) == ([], 0.0)


def test_category_lookup() -> None:
    """Scorecard.category finds a scored category and returns None for one that did not run."""
    card = make_card([result("a", "oop")])
    found = card.category("oop")
    assert found is not None and found.points == 100.0
    assert card.category("concurrency") is None


# -- audiences -------------------------------------------------------------------------------


def test_candidate_audience_hides_hidden_failure_details() -> None:
    """Candidates see a hidden test's name and outcome, never its message, longrepr or complexity."""
    tests = realistic_tests()
    tests[2].longrepr = "def test_get():\n>   secret_input = build(10_000)"
    card = make_card(tests).for_audience("candidate")
    assert card.audience == "candidate"
    hidden_fail = card.tests[2]
    assert hidden_fail.id == "tests/hidden/test_speed.py::test_get"
    assert hidden_fail.outcome == "failed"
    assert hidden_fail.message == HIDDEN_MESSAGE
    assert hidden_fail.longrepr is None
    assert hidden_fail.complexity is None
    assert card.tests[4].message == HIDDEN_MESSAGE  # timeout
    assert card.tests[3].complexity is None  # hidden pass: measurements hidden too
    dumped = json.dumps(card.to_dict())
    assert "secret_input" not in dumped
    assert "O(n)" not in dumped
    assert "exceeded 10 s" not in dumped


def test_candidate_audience_hides_hidden_partial_credit_note() -> None:
    """A hidden test that passed with a partial-credit note does not show the note to candidates."""
    hidden = result(
        "tests/hidden/test_policy.py::test_wait",
        partial=0.6,
        visibility="hidden",
        message="partial credit 0.60: mean wait 41 s against baseline 25 s on seed 1234",
    )
    card = make_card([hidden]).for_audience("candidate")
    assert "seed 1234" not in card.tests[0].message
    assert card.tests[0].earned == 0.6
    assert card.tests[0].outcome == "passed"


def test_candidate_audience_keeps_public_messages() -> None:
    """Public tests keep their messages, longrepr and measurements for candidates."""
    card = make_card(realistic_tests()).for_audience("candidate")
    public_fail = card.tests[1]
    assert public_fail.message == "assert 3 == 2"
    assert public_fail.longrepr is not None and "assert 3 == 2" in public_fail.longrepr


def test_candidate_audience_keeps_the_score() -> None:
    """Hiding details changes neither the score nor per-test credit."""
    card = make_card(realistic_tests())
    candidate = card.for_audience("candidate")
    assert candidate.score == card.score
    assert [t.earned for t in candidate.tests] == [t.earned for t in card.tests]
    assert candidate.categories == card.categories


def test_for_audience_does_not_modify_the_original() -> None:
    """for_audience returns a copy; the grader's card keeps every detail."""
    card = make_card(realistic_tests())
    card.for_audience("candidate")
    assert card.audience == "grader"
    assert card.tests[2].message == "get() is O(n), expected O(1)"
    assert card.tests[2].complexity is not None


def test_grader_audience_keeps_hidden_messages() -> None:
    """The grader audience sees hidden tests' messages."""
    card = make_card(realistic_tests()).for_audience("grader")
    assert card.tests[2].message == "get() is O(n), expected O(1)"


# -- to_dict / from_dict / schema ------------------------------------------------------------


def test_to_dict_from_dict_round_trip() -> None:
    """from_dict(to_dict()) rebuilds an equal Scorecard, through JSON text too."""
    card = make_card(realistic_tests())
    assert Scorecard.from_dict(card.to_dict()) == card
    assert Scorecard.from_dict(json.loads(json.dumps(card.to_dict()))) == card


def test_round_trip_keeps_an_error() -> None:
    """An internal-error scorecard keeps its error through the round trip."""
    card = make_card([], error="GradingError: boom", score=0.0, passed=False)
    data = card.to_dict()
    assert data["error"] == "GradingError: boom"
    assert Scorecard.from_dict(data).error == "GradingError: boom"


def test_to_dict_leads_with_schema_version_and_omits_empty_optionals() -> None:
    """to_dict starts with schema_version 1 and leaves out unset optional fields."""
    data = make_card([result("a")]).to_dict()
    assert list(data)[:2] == ["schema_version", "mlgrader_version"]
    assert data["schema_version"] == 1
    assert "error" not in data
    assert "longrepr" not in data["tests"][0]
    assert "complexity" not in data["tests"][0]


def test_realistic_card_validates_against_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    """A realistic scorecard, for either audience, matches the shipped JSON Schema."""
    card = make_card(realistic_tests())
    for view in (card, card.for_audience("candidate"), make_card([], error="x")):
        errors = [e.message for e in validator.iter_errors(view.to_dict())]
        assert errors == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("tests", 0, "outcome"), "exploded"),
        (("score",), 120),
        (("tests", 0, "visibility"), "secret"),
        (("integrity", "status"), "fine"),
        (("submission", "files", 0, "sha256"), "not-a-hash"),
        (("categories", 0, "earned"), 1.5),
        (("schema_version",), 2),
    ],
)
def test_invalid_card_fails_schema(
    validator: jsonschema.Draft202012Validator, path: tuple[Any, ...], value: object
) -> None:
    """A card with an impossible value fails validation."""
    data = make_card(realistic_tests()).to_dict()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not validator.is_valid(data)


def test_unknown_top_level_field_fails_schema(validator: jsonschema.Draft202012Validator) -> None:
    """An extra top-level field is rejected: the schema is closed."""
    data = make_card(realistic_tests()).to_dict()
    data["bonus"] = 10
    assert not validator.is_valid(data)


def test_grading_caps_the_text_of_a_scorecard() -> None:
    """However much text tests report, a scorecard's messages share a fixed budget."""
    from mlgrader.engine.grade import MAX_DETAIL_CHARS, _cap_details

    tests = [
        TestResult(
            f"t::{i}",
            "correctness",
            1,
            "public",
            "failed",
            0.0,
            message="m" * 9000,
            longrepr="x" * 9000,
        )
        for i in range(300)
    ]
    capped = _cap_details(tests)
    total = sum(len(t.message) + len(t.longrepr or "") for t in capped)
    assert total <= MAX_DETAIL_CHARS * 1.2
    assert all(t.message.startswith("mmm") for t in capped)


def test_quality_section_validates_against_the_schema(
    validator: jsonschema.Draft202012Validator,
) -> None:
    from mlgrader.quality import analyze_source

    source = "class A:\n    def f(self, x=[]):\n        return self.y\n"
    card = make_card([]).to_dict()
    card["quality"] = analyze_source(source, "a.py").to_dict()
    validator.validate(card)
    assert {f["rule"] for f in card["quality"]["files"]["a.py"]["findings"]} >= {"ruff B006"}
    card["quality"]["files"]["a.py"]["classes"][0]["lcom4"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(card)


def test_integrity_lists_at_most_fifty_findings_of_a_kind_and_counts_the_rest() -> None:
    """50,000 refused files make 51 findings, not 50,000; the status still counts them all,
    and a violation is never among those left unlisted."""
    many = [Finding("ignored-file", f"f{i}: never used") for i in range(50_000)]
    many.insert(30_000, Finding("ignored-file", "evil: forged", "violated"))
    integrity = Integrity.from_findings(many)
    assert integrity.status == "violated"
    assert len(integrity.findings) == MAX_FINDINGS_PER_KIND + 1
    assert "evil: forged" in [f.detail for f in integrity.findings]
    assert (
        integrity.findings[-1].detail
        == "49951 more ignored-file findings like those above, not listed"
    )
