"""Tests for mlgrader.reports.junit and .gradescope: JUnit XML and Gradescope results.json views of a Scorecard."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from scorecards import make_scorecard

from mlgrader.model.rubric import Category
from mlgrader.model.scorecard import Scorecard, TestResult, earned_for
from mlgrader.reports.gradescope import render_gradescope
from mlgrader.reports.junit import render_junit

CATEGORIES = {
    "correctness": Category("correctness", 50),
    "complexity": Category("complexity", 20),
    "oop": Category("oop", 15),
    "concurrency": Category("concurrency", 15),
}


def result(
    id: str,
    category: str = "correctness",
    outcome: str = "passed",
    *,
    weight: float = 1,
    visibility: str = "public",
    partial: float | None = None,
    message: str = "",
    longrepr: str | None = None,
) -> TestResult:
    return TestResult(
        id=id,
        category=category,
        weight=weight,
        visibility=visibility,  # type: ignore[arg-type]
        outcome=outcome,  # type: ignore[arg-type]
        earned=earned_for(outcome, partial),
        duration_s=0.25,
        message=message,
        longrepr=longrepr,
    )


def make_card(tests: list[TestResult]) -> Scorecard:
    return make_scorecard(
        tests,
        CATEGORIES,
        challenge={"name": "lru-cache", "title": "An LRU cache"},
        submission={"path": "/subs/alice", "files": []},
        duration_s=4.5,
    )


# No oop test: that category is absent from the card, so outputs must leave it out too.
TESTS = [
    result("tests/public/test_basic.py::test_put"),
    result(
        "tests/public/test_basic.py::test_evict",
        outcome="failed",
        weight=3,
        message="assert 3 == 2",
        longrepr="def test_evict():\n>   assert 3 == 2\nE   assert 3 == 2",
    ),
    result(
        "tests/public/test_basic.py::test_skip",
        outcome="skipped",
        message="skipped (later): a skipped test earns nothing",
    ),
    result(
        "tests/hidden/test_policy.py::test_wait",
        visibility="hidden",
        partial=0.5,
        weight=2,
        message="partial credit 0.50: slow",
    ),
    result("tests/hidden/test_speed.py::test_get", "complexity", visibility="hidden"),
    result(
        "tests/hidden/test_speed.py::test_put",
        "complexity",
        "failed",
        visibility="hidden",
        message="put() is O(n), expected O(1)",
    ),
    result(
        "tests/hidden/test_threads.py::test_race",
        "concurrency",
        "timeout",
        visibility="hidden",
        message="test exceeded 10 s",
    ),
    result(
        "tests/hidden/test_threads.py::test_crash",
        "concurrency",
        "crashed",
        visibility="hidden",
        message="process died: SIGSEGV",
    ),
    result(
        "tests/hidden/test_threads.py::test_setup",
        "concurrency",
        "error",
        visibility="hidden",
        message="fixture failed",
    ),
]


@pytest.fixture
def card() -> Scorecard:
    return make_card([TestResult(**t.to_dict()) for t in TESTS])


def junit(card: Scorecard) -> ET.Element:
    text = render_junit(card)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(text.split("\n", 1)[1])


def case(root: ET.Element, name: str) -> ET.Element:
    """The one testcase whose name (test function) is ``name``, or whose id is ``file::name``."""
    path, _, func = name.rpartition("::")
    found = [
        c
        for c in root.iter("testcase")
        if c.get("name") == func
        and (not path or c.get("classname") == path.removesuffix(".py").replace("/", "."))
    ]
    assert len(found) == 1, name
    return found[0]


# -- JUnit -----------------------------------------------------------------------------------


def test_junit_has_one_testsuite_per_category_and_visibility(card: Scorecard) -> None:
    """One testsuite per category that ran and visibility, in rubric order, public first."""
    root = junit(card)
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "correctness (public)",
        "correctness (hidden)",
        "complexity (hidden)",
        "concurrency (hidden)",
    ]


def test_junit_suite_counts(card: Scorecard) -> None:
    """Each testsuite counts its tests, failures, errors (timeout and crash included) and skips."""
    suites = {s.get("name"): s for s in junit(card).findall("testsuite")}
    counts = {
        name: {k: int(s.get(k, "-1")) for k in ("tests", "failures", "errors", "skipped")}
        for name, s in suites.items()
    }
    assert counts == {
        "correctness (public)": {"tests": 3, "failures": 1, "errors": 0, "skipped": 1},
        "correctness (hidden)": {"tests": 1, "failures": 0, "errors": 0, "skipped": 0},
        "complexity (hidden)": {"tests": 2, "failures": 1, "errors": 0, "skipped": 0},
        "concurrency (hidden)": {"tests": 3, "failures": 0, "errors": 3, "skipped": 0},
    }
    for name, suite in suites.items():
        assert len(suite.findall("testcase")) == counts[name]["tests"]


def test_junit_totals(card: Scorecard) -> None:
    """The testsuites element totals tests, failures, errors and the run's duration."""
    root = junit(card)
    assert root.get("tests") == "9"
    assert root.get("failures") == "2"
    assert root.get("errors") == "3"
    assert root.get("time") == "4.500"
    assert root.get("name") == "mlgrader lru-cache"


def test_junit_elements_follow_outcome(card: Scorecard) -> None:
    """Failed tests get <failure>, error/timeout/crash get <error type=...>, skips get <skipped>."""
    root = junit(card)
    passed = case(root, "tests/public/test_basic.py::test_put")
    assert passed.find("failure") is None
    assert passed.find("error") is None
    assert passed.find("skipped") is None

    failed = case(root, "test_evict")
    failure = failed.find("failure")
    assert failure is not None
    assert failure.get("message") == "assert 3 == 2"
    assert failure.text is not None and "E   assert 3 == 2" in failure.text

    for name, kind in [
        ("test_race", "timeout"),
        ("test_crash", "crashed"),
        ("test_setup", "error"),
    ]:
        error = case(root, name).find("error")
        assert error is not None, name
        assert error.get("type") == kind

    skipped = case(root, "test_skip").find("skipped")
    assert skipped is not None
    assert "skipped" in (skipped.get("message") or "")


def test_junit_classname_and_time(card: Scorecard) -> None:
    """A testcase's classname is its file as a dotted path and its name the test function."""
    test = case(junit(card), "test_evict")
    assert test.get("classname") == "tests.public.test_basic"
    assert test.get("time") == "0.250"


def test_junit_visibility_property(card: Scorecard) -> None:
    """Each test's visibility is its testsuite's property (the schema allows none on a case)."""
    root = junit(card)

    def visibility(name: str) -> str | None:
        wanted = case(root, name)
        [suite] = [s for s in root.findall("testsuite") if wanted in list(s)]
        prop = suite.find("properties/property[@name='visibility']")
        assert prop is not None
        return prop.get("value")

    assert visibility("tests/public/test_basic.py::test_put") == "public"
    assert visibility("tests/hidden/test_speed.py::test_put") == "hidden"
    assert visibility("test_get") == "hidden"
    assert visibility("test_wait") == "hidden"


def test_junit_escapes_markup_and_truncates_long_messages() -> None:
    """Messages with markup characters stay well-formed and are capped at 500 characters."""
    long = "<tag attr=\"x\"> & 'y' " * 100
    root = junit(make_card([result("t.py::test_x", outcome="failed", message=long)]))
    failure = case(root, "test_x").find("failure")
    assert failure is not None
    assert failure.get("message") == long[:500]
    assert failure.text == long


def test_junit_survives_control_characters_from_candidate_output() -> None:
    """A message holding terminal escapes or NUL bytes (from candidate code) still gives valid XML."""
    nasty = "\x1b[31mred\x1b[0m \x00 \x07 done"
    card = make_card([result("t.py::test_x", outcome="failed", message=nasty, longrepr=nasty)])
    failure = case(junit(card), "test_x").find("failure")
    assert failure is not None
    assert "red" in (failure.get("message") or "")
    assert failure.text is not None and "done" in failure.text


@pytest.fixture(scope="session")
def junit_schema(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> xmlschema.XMLSchema:
    """junit-10.xsd, the JUnit schema of Jenkins' xunit plugin that GitLab also reads.

    pytest validates its own --junitxml output against the same file and ships it in
    its source distribution, so it is fetched from the package index (the registry
    CI may reach) rather than vendored here, and cached between runs when pytest's
    cache is on.
    """
    cache = getattr(pytestconfig, "cache", None)
    folder = Path(cache.mkdir("junit-xsd")) if cache else tmp_path_factory.mktemp("junit-xsd")
    xsd = folder / "junit-10.xsd"
    if not xsd.is_file():
        version = pytest.__version__
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        spec = f"pytest=={version}"
        subprocess.run([*pip, "--no-binary", ":all:", "-d", str(folder), spec], check=True)
        with tarfile.open(folder / f"pytest-{version}.tar.gz") as sdist:
            member = sdist.extractfile(f"pytest-{version}/testing/example_scripts/junit-10.xsd")
            assert member is not None, "pytest's sdist no longer ships junit-10.xsd"
            xsd.write_bytes(member.read())
    return xmlschema.XMLSchema(str(xsd))


@pytest.mark.full
def test_junit_validates_against_the_jenkins_schema(
    card: Scorecard, junit_schema: xmlschema.XMLSchema
) -> None:
    """Every outcome, hidden and public tests, and candidate control characters: schema-valid."""
    nasty = "\x1b[31mred\x1b[0m \x00 <b>&</b> done"
    odd = make_card([result("t.py::test_x", outcome="failed", message=nasty, longrepr=nasty)])
    for each in (card, odd):
        junit_schema.validate(render_junit(each))


@pytest.mark.full
def test_junit_schema_catches_what_it_should(junit_schema: xmlschema.XMLSchema) -> None:
    """The schema is strict enough to matter: a property on a testcase is rejected."""
    bad = '<testsuites><testsuite name="s" tests="1"><testcase name="t"><properties/>'
    assert not junit_schema.is_valid(bad + "</testcase></testsuite></testsuites>")


# -- Gradescope ------------------------------------------------------------------------------


def gradescope(card: Scorecard) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_gradescope(card))
    return data


def test_gradescope_score_and_test_fields(card: Scorecard) -> None:
    """results.json carries the score and, per test, name, score, max_score, status, visibility, output."""
    data = gradescope(card)
    assert data["score"] == card.score
    assert len(data["tests"]) == len(card.tests)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "visibility", "output"} <= set(test)
    by_name = {t["name"]: t for t in data["tests"]}
    evict = by_name["tests/public/test_basic.py::test_evict"]
    assert evict["status"] == "failed"
    assert evict["score"] == 0
    assert evict["output"] == "assert 3 == 2"
    assert by_name["tests/public/test_basic.py::test_put"]["status"] == "passed"
    assert by_name["tests/hidden/test_threads.py::test_race"]["status"] == "failed"


def test_gradescope_max_scores_sum_to_100(card: Scorecard) -> None:
    """Test max_scores sum to 100 over the categories present, split by test weight."""
    tests = gradescope(card)["tests"]
    assert sum(t["max_score"] for t in tests) == pytest.approx(100, abs=1e-3)
    by_name = {t["name"]: t for t in tests}
    # correctness: 50 of 85 weight present -> 58.8235 points over test weights 1+3+1+2 = 7.
    assert by_name["tests/public/test_basic.py::test_evict"]["max_score"] == pytest.approx(
        100 * 50 / 85 * 3 / 7, abs=1e-3
    )
    # complexity: 20 of 85 -> 23.5294 points over two tests of weight 1.
    assert by_name["tests/hidden/test_speed.py::test_get"]["max_score"] == pytest.approx(
        100 * 20 / 85 / 2, abs=1e-3
    )


def test_gradescope_test_scores_add_up_to_the_card_score(card: Scorecard) -> None:
    """Per-test scores, partial credit included, add up to the scorecard's total."""
    tests = gradescope(card)["tests"]
    wait = next(t for t in tests if t["name"].endswith("test_wait"))
    assert wait["score"] == pytest.approx(wait["max_score"] / 2, abs=1e-3)
    assert sum(t["score"] for t in tests) == pytest.approx(card.score, abs=0.01)


def test_gradescope_hidden_tests_are_after_published(card: Scorecard) -> None:
    """Hidden tests are visible only after publishing; public tests are visible."""
    for test, source in zip(gradescope(card)["tests"], card.tests, strict=True):
        expected = "after_published" if source.visibility == "hidden" else "visible"
        assert test["visibility"] == expected, test["name"]


def test_gradescope_single_category_gets_all_100() -> None:
    """With only one category present, its tests share all 100 points."""
    card = make_card([result("a.py::t1", "oop"), result("a.py::t2", "oop", weight=3)])
    tests = gradescope(card)["tests"]
    assert [t["max_score"] for t in tests] == [25.0, 75.0]
    assert gradescope(card)["score"] == 100.0


def test_gradescope_candidate_card_shows_no_hidden_messages(card: Scorecard) -> None:
    """Exporting a candidate-audience card keeps hidden tests' messages out of results.json."""
    text = render_gradescope(card.for_audience("candidate"))
    assert "O(n), expected O(1)" not in text
    assert "SIGSEGV" not in text
    assert "assert 3 == 2" in text
