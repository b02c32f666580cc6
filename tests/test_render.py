"""Text and markdown renderings of a scorecard."""

from __future__ import annotations

from scorecards import make_scorecard

from mlgrader.model.rubric import Category
from mlgrader.model.scorecard import Finding, Integrity, Scorecard, TestResult
from mlgrader.reports.markdown import render_markdown
from mlgrader.reports.text import render_text


def make_card() -> Scorecard:
    tests = [
        TestResult("tests/public/test_a.py::test_ok", "correctness", 1, "public", "passed", 1.0),
        TestResult(
            "tests/hidden/test_b.py::test_evicts",
            "correctness",
            1,
            "hidden",
            "failed",
            0.0,
            message="AssertionError: evicted 'b', expected 'a'",
        ),
        TestResult(
            "tests/hidden/test_c.py::test_get_o1",
            "complexity",
            1,
            "hidden",
            "failed",
            0.0,
            message="expected O(1), measured O(n)",
            complexity=[
                {"label": "get", "expected": "O(1)", "measured": "O(n)", "verdict": "failed"}
            ],
        ),
    ]
    cats = {"correctness": Category("correctness", 50), "complexity": Category("complexity", 20)}
    return make_scorecard(
        tests,
        cats,
        challenge={"name": "lru-cache", "title": "LRU cache"},
        submission={"path": "alice", "files": []},
        integrity=Integrity("ok", [Finding("ignored-file", "conftest.py: never used")]),
    )


def test_text_shows_score_categories_failures_and_findings() -> None:
    """The text view leads with the score and verdict, then categories, failures, findings."""
    text = render_text(make_card())
    assert "SCORE 35.7 / 100  FAIL  (pass mark 70)" in text
    assert "correctness" in text and "35.7 / 71.4" in text
    assert "FAIL    tests/hidden/test_b.py::test_evicts" in text
    assert "evicted 'b', expected 'a'" in text
    assert "expected O(1), measured O(n) (failed)" in text
    assert "ignored-file: conftest.py: never used" in text


def test_markdown_has_tables_for_categories_and_complexity() -> None:
    """Markdown carries the category table, tests grouped by category and the complexity table."""
    md = render_markdown(make_card())
    assert "| correctness | 50 | 50% | 35.7 / 71.4 | 2 |" in md
    assert "<b>correctness</b>: 1 of 2 passed" in md
    assert "| `tests/hidden/test_c.py::test_get_o1` | get | O(1) | O(n) | failed |" in md
    assert "- `ignored-file`: conftest.py: never used" in md


def test_candidate_view_renders_without_hidden_messages() -> None:
    """Rendering the candidate view never prints a hidden test's message or measurements."""
    card = make_card().for_audience("candidate")
    for text in (render_text(card), render_markdown(card)):
        assert "evicted 'b'" not in text
        assert "measured O(n)" not in text
        assert "tests/hidden/test_b.py::test_evicts" in text


def test_pipes_in_messages_do_not_break_markdown_tables() -> None:
    """A message with | characters is escaped so the table keeps its columns."""
    card = make_card()
    card.tests[1].message = "a | b"
    assert "a \\| b" in render_markdown(card)


QUALITY_SOURCE = '''\
"""A module."""


class Cache:
    """A cache."""

    def __init__(self):
        self.items = {}

    def get(self, key: str) -> int:
        """Get."""
        print(key)
        return self.items[key]
'''


def test_markdown_shows_a_quality_table_and_findings() -> None:
    from mlgrader.quality import analyze_source

    card = make_card()
    card.quality = analyze_source(QUALITY_SOURCE, "cache.py").to_dict()
    text = render_markdown(card)
    assert "### Code quality" in text
    # 2 functions (max complexity 1, longest 4 lines, nesting 0), docstrings on 2 of 3
    # (the class and get; __init__ is not required but counts as undocumented), hints 50%
    # on average (__init__ 0 of 1, get 2 of 2), 1 class with LCOM4 1, 2 findings.
    assert "| `cache.py` | 13 | 2 | 1 | 4 | 0 | 67% | 50% | 1 (1) | 2 |" in text
    assert "- `cache.py:8` public-attribute: Cache.items is public state" in text
    assert "(mlgrader public-attribute)" in text  # each finding names its rule
    assert "- `cache.py:12` print-call: `print` found (ruff T201)" in text


def test_markdown_without_quality_data_has_no_quality_section() -> None:
    assert "Code quality" not in render_markdown(make_card())
