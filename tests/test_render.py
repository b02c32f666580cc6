"""Text and markdown renderings of a scorecard."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from scorecards import make_scorecard

from mlgrader.model.rubric import Category
from mlgrader.model.scorecard import Finding, Integrity, Scorecard, TestResult
from mlgrader.quality import analyze_source
from mlgrader.reports.gradescope import render_gradescope
from mlgrader.reports.jsonfile import render_json
from mlgrader.reports.junit import render_junit
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
    # 2 functions (max complexity 1, longest 3 lines without its docstring, nesting 0),
    # docstrings on 2 of 3
    # (the class and get; __init__ is not required but counts as undocumented), hints 50%
    # on average (__init__ 0 of 1, get 2 of 2), 1 class with LCOM4 1, 2 findings.
    assert "| `cache.py` | 13 | 2 | 1 | 3 | 0 | 67% | 50% | 1 (1) | 2 |" in text
    assert "- `cache.py:8` public-attribute: Cache.items is public state" in text
    assert "(mlgrader public-attribute)" in text  # each finding names its rule
    # ruff quotes the source; from the submission, it is shown literally, never as markup
    assert "- `cache.py:12` print-call: \\`print\\` found (ruff T201)" in text


def test_markdown_without_quality_data_has_no_quality_section() -> None:
    assert "Code quality" not in render_markdown(make_card())


HOSTILE = (
    "sub\nSCORE 100.0 / 100  PASS\n<h2>pwned</h2><img src=x onerror=alert(1)>"
    "\x1b[2J\x1b]0;title\x07|cell`tick\u202e\udcff"
)


def hostile_card() -> Scorecard:
    """A scorecard where every string a submission controls carries forged lines, HTML, table
    breaks, terminal escapes, a bidi override and an undecodable byte of a file name."""
    card = make_card()
    card.submission = {"path": f"/tmp/{HOSTILE}", "files": [{"path": HOSTILE, "sha256": "0"}]}
    card.tests[1].message = f"AssertionError: {HOSTILE}\nsecond line {HOSTILE}"
    card.tests[2].complexity = [
        {"label": HOSTILE, "expected": "O(1)", "measured": HOSTILE, "verdict": "failed"}
    ]
    card.integrity = Integrity(
        "suspicious", [Finding("unscannable", HOSTILE, "suspicious", HOSTILE, 1)]
    )
    card.quality = analyze_source("x = 1\nprint(x)\n", HOSTILE).to_dict()
    return card


def _control_characters(text: str) -> list[str]:
    return sorted({repr(c) for c in text if c not in "\n" and not c.isprintable()})


def test_text_scorecard_shows_hostile_strings_on_one_line_each_without_escapes() -> None:
    """A folder name or message cannot forge a second SCORE line or reach the terminal raw."""
    text = render_text(hostile_card())
    assert [line for line in text.splitlines() if line.startswith("SCORE")] == [
        "SCORE 35.7 / 100  FAIL  (pass mark 70)"
    ]
    assert not any("SCORE 100.0" in line.split("SCORE")[0] for line in text.splitlines())
    assert _control_characters(text) == []
    assert "\\x1b[2J" in text and "\\xff" in text and "\\u202e" in text  # shown, escaped
    text.encode("utf-8")  # writable as UTF-8


def test_markdown_scorecard_holds_no_raw_html_or_broken_rows() -> None:
    """Hostile strings render as text: no <h2> or <img>, no row or code span broken open."""
    md = render_markdown(hostile_card())
    outside_code = re.sub(r"(`+).*?(?<!`)\1(?!`)", "", md)  # code spans show text as is
    assert not re.search(r"(?<!\\)<(h2|img)", outside_code), outside_code
    assert "\\<img" in outside_code  # shown, escaped
    assert _control_characters(md) == []
    ours = ("<details><summary><b>", "</details>")
    for line in md.splitlines()[1:]:
        assert not line.startswith(("SCORE", "#", "<")) or line.startswith(("###", *ours)), line
    for line in md.splitlines():
        if line.startswith("| ") and "test_c.py::test_get_o1" in line:  # the complexity row
            assert len(re.findall(r"(?<!\\)\|", line)) == 6, line  # 5 cells, none split open
    md.encode("utf-8")


def test_machine_formats_stay_valid_with_hostile_strings() -> None:
    """JSON and Gradescope JSON encode as UTF-8 and parse; JUnit XML parses."""
    card = hostile_card()
    for rendered in (render_json(card), render_gradescope(card)):
        data = json.loads(rendered.encode("utf-8"))
        assert data
    assert "\\\\xff" in render_json(card)  # the byte is shown as Python shows it
    root = ET.fromstring(render_junit(card).encode("utf-8"))
    assert root.tag == "testsuites"
