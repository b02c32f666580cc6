"""The terminal scorecard as a reviewer reads it: failures first, passes counted, nothing cut
silently, one block for a submission that does not import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from scorecards import make_scorecard

from mlgrader.cli import main
from mlgrader.model.rubric import Category
from mlgrader.model.scorecard import Scorecard, TestResult
from mlgrader.quality import analyze_source
from mlgrader.reports.text import render_text

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"


def _card(passes: int = 47, message: str = "AssertionError: evicted 'b'") -> Scorecard:
    tests = [
        TestResult(f"tests/hidden/test_a.py::test_ok_{i}", "correctness", 1, "hidden", "passed", 1)
        for i in range(passes)
    ]
    tests.append(
        TestResult(
            "tests/hidden/test_b.py::test_evicts",
            "correctness",
            1,
            "hidden",
            "failed",
            0.0,
            message=message,
        )
    )
    tests.append(
        TestResult(
            "tests/hidden/test_c.py::test_get_o1",
            "complexity",
            1,
            "hidden",
            "failed",
            0.0,
            message="expected O(1), measured O(n)",
            complexity=[{"label": "get", "expected": "O(1)", "measured": "O(n)", "verdict": "x"}],
        )
    )
    cats = {"correctness": Category("correctness", 50), "complexity": Category("complexity", 20)}
    return make_scorecard(tests, cats, submission={"path": "alice", "files": []})


def test_failures_come_first_and_passes_fold_into_a_count() -> None:
    """47 PASS lines no longer bury the one failure: the category heading says 47 of 48, the
    failure follows with its message, the passes are one line; --verbose lists them."""
    lines = render_text(_card()).splitlines()
    start = lines.index("correctness: 47 of 48 passed")
    assert lines[start + 1] == "  FAIL    tests/hidden/test_b.py::test_evicts"
    assert "evicted 'b'" in lines[start + 2]
    assert lines[start + 3] == "  PASS    47 tests (--verbose lists them)"
    assert not any("test_ok_" in line for line in lines)
    verbose = render_text(_card(), verbose=True)
    assert (
        sum("PASS    tests/hidden/test_a.py::test_ok_" in line for line in verbose.splitlines())
        == 47
    )


def test_a_long_message_says_how_much_was_cut() -> None:
    """A message of 12 lines shows 8 and says 4 more lines were left out; a very long line
    says how many characters were cut."""
    lines = "\n".join(f"line {i}" for i in range(12))
    text = render_text(_card(1, f"AssertionError: 3 place(s):\n{lines}"))
    assert "line 6" in text and "line 7" not in text
    assert "... 5 more lines (the JSON scorecard has them all)" in text
    long = render_text(_card(1, "AssertionError: " + "x" * 1000))
    assert "... (416 more characters)" in long


def test_one_complexity_heading_and_the_quality_findings() -> None:
    """`complexity:` appears once (the category); the bounds table has its own heading; the
    code-quality findings shown in markdown are in the text too."""
    card = _card(1)
    card.quality = analyze_source('"""M."""\n\n\ndef f(x):\n    print(x)\n', "cache.py").to_dict()
    text = render_text(card)
    assert text.count("complexity:") == 1 and "\ncomplexity: 0 of 1 passed\n" in text
    assert "complexity bounds (expected against measured):" in text
    assert "code quality: " in text and "cache.py:5 print-call" in text


def _grade(tmp_path: Path, source: str) -> str:
    bad = tmp_path / "bob"
    shutil.copytree(FIXTURES / "adder" / "reference", bad)
    (bad / "adder.py").write_text(source)
    args = ["grade", str(bad), "--challenge", "adder", "--challenges", str(FIXTURES)]
    return CliRunner().invoke(main, args).output


def test_a_candidate_exception_shows_the_test_line_then_the_candidates_traceback(
    tmp_path: Path,
) -> None:
    """Between the test's line and the candidate's own traceback, a failed test's traceback
    shows none of the channel that carried the call (pytest skips mlgrader.boundary's
    frames): a reader sees where the test called and where the candidate raised."""
    bad = tmp_path / "bob"
    shutil.copytree(FIXTURES / "adder" / "reference", bad)
    (bad / "adder.py").write_text('"""Add."""\n\n\ndef add(a, b):\n    raise KeyError(a)\n')
    out = tmp_path / "card.json"
    args = ["grade", str(bad), "--challenge", "adder", "--challenges", str(FIXTURES)]
    CliRunner().invoke(main, [*args, "--json", str(out)])
    failed = [t for t in json.loads(out.read_text())["tests"] if t["outcome"] == "failed"]
    assert failed
    for test in failed:
        trace = test["longrepr"]
        assert 'File "adder.py", line 5, in add' in trace, trace
        assert "mlgrader/boundary/" not in trace and "raise_error" not in trace, trace


def test_a_syntax_error_is_one_block_in_the_submissions_own_paths(tmp_path: Path) -> None:
    """A SyntaxError: one block with the exception, the file and line as the submission
    names them, and the SyntaxError line; each test refers to it instead of repeating it;
    no grader temporary path anywhere."""
    output = _grade(tmp_path, '"""Add."""\n\n\ndef add(a, b:\n    return a + b\n')
    block = output.split("the submission does not import (4 tests failed on this):\n")[1]
    assert block.startswith("  adder does not import: SyntaxError: ")
    assert '    File "adder.py", line 4' in block and "  SyntaxError: " in block
    assert output.count("the submission does not import: see above") == 4
    assert output.count("adder does not import") == 1
    assert "mlgrader-" not in output and "/tmp/" not in output.replace(str(tmp_path), "")


def test_an_import_that_raises_is_one_block_with_its_line(tmp_path: Path) -> None:
    """A module-level statement that raises: the block names the exception and the line."""
    output = _grade(tmp_path, '"""Add."""\nraise RuntimeError("no config file")\n')
    assert "adder does not import: RuntimeError: no config file" in output
    assert 'File "adder.py", line 2, in <module>' in output
    assert output.count("no config file") == 3  # the headline, the source line, the last line
