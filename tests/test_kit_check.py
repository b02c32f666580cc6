"""A candidate's kit: `check` says it is not the grade, shows the rule each failing test
checks, leaves the candidate's own tests to them; plain `pytest` works in the kit."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlgrader.cli import main
from mlgrader.model.scorecard import PUBLIC_NOTICE

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
OWN_TEST = "from adder import add\n\n\ndef test_mine():\n    assert add(2, 2) == 4\n"


def make_kit(tmp_path: Path, challenge: str, challenges: Path) -> Path:
    kit = tmp_path / "kit"
    made = CliRunner().invoke(main, ["init", challenge, str(kit), "--challenges", str(challenges)])
    assert made.exit_code == 0, made.output
    return kit


def check(kit: Path, *args: str) -> Result:
    """`mlgrader check` from inside the kit, with no challenges folder around: kit mode."""
    env = {"MLGRADER_CHALLENGES": str(kit / "no-challenges-here")}
    return CliRunner(env=env).invoke(main, ["check", str(kit), *args])


@pytest.fixture
def adder_kit(tmp_path: Path) -> Path:
    """The adder kit with the reference solution and a test of the candidate's own, one
    beside the kit's tests and one slipped into tests/public."""
    kit = make_kit(tmp_path, "adder", FIXTURES)
    shutil.copyfile(FIXTURES / "adder" / "reference" / "adder.py", kit / "adder.py")
    (kit / "tests" / "test_mine.py").write_text(OWN_TEST)
    (kit / "tests" / "public" / "test_extra.py").write_text(OWN_TEST.replace("mine", "extra"))
    installed = kit / "venv" / "lib" / "site-packages" / "numpy" / "tests"
    installed.mkdir(parents=True)  # a virtual environment in the kit: not the candidate's
    (installed / "test_numpy.py").write_text("def test_x():\n    pass\n")
    return kit


def test_check_says_first_it_is_not_the_grade_and_shows_each_failing_rule(
    tmp_path: Path,
) -> None:
    """On the lru-cache stub: the first line says public tests only and not the grade; no
    SCORE line and no PASS/FAIL against the pass mark; counts instead; every failing test
    shows its docstring (the rule), as written in the kit's public tests."""
    kit = make_kit(tmp_path, "lru-cache", ROOT / "challenges")
    result = check(kit)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == PUBLIC_NOTICE
    assert not any(line.startswith("SCORE") for line in lines)
    assert "pass mark" not in result.stdout
    assert "public tests: 0 of 6 passed" in lines
    source = (kit / "tests" / "public" / "test_basics.py").read_text()
    docs = {
        node.name: (ast.get_docstring(node) or "").splitlines()[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    assert len(docs) == 6
    for name, doc in docs.items():
        at = lines.index(f"  FAIL    tests/public/test_basics.py::{name}")
        assert lines[at + 1] == f"          checks: {doc}"


def test_check_leaves_out_the_candidates_own_tests_and_names_them(adder_kit: Path) -> None:
    """The kit README asks for tests of one's own: `check` runs only the tests the kit came
    with (no "internal error", no "tests did not collect") and says which it left out."""
    result = check(adder_kit, "--format", "json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert [t["id"] for t in card["tests"]] == ["tests/public/test_public.py::test_small"]
    assert (
        "not run here: your own tests (tests/public/test_extra.py, tests/test_mine.py); "
        "run them with pytest"
    ) in result.stderr
    assert not any(f["kind"] == "ignored-file" for f in card["integrity"]["findings"])


def _pytest(kit: Path, *code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLGRADER", "PYTEST"))}
    runner = [*code, "import pytest", "raise SystemExit(pytest.main(['-p', 'no:cacheprovider']))"]
    return subprocess.run(
        [sys.executable, "-c", "; ".join(runner)],
        cwd=kit,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plain_pytest_in_a_kit_runs_the_public_tests_and_the_candidates_own(
    adder_kit: Path,
) -> None:
    """`pytest` in the kit: the kit's pytest.ini enables the plugin with the kit as the
    submission, so the public tests run on the kit's code, and the candidate's own too."""
    run = _pytest(adder_kit)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
    assert "needs --mlgrader-submission" not in run.stdout
    assert PUBLIC_NOTICE in run.stdout and "score" not in run.stdout.lower().split("mlgrader")[-1]


def test_plain_pytest_where_there_is_no_sandbox_runs_and_says_so_once(adder_kit: Path) -> None:
    """On a Mac (the platform stood in for here) there is no process isolation: the tests run
    in pytest's own process, and one line says so."""
    run = _pytest(adder_kit, "import sys", "sys.platform = 'darwin'")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
    notes = [line for line in run.stdout.splitlines() if "no sandbox on darwin" in line]
    assert len(notes) == 1 and notes[0].startswith("mlgrader: no sandbox on darwin: ")


def test_the_kit_readme_says_how_to_install_and_check(tmp_path: Path) -> None:
    """A candidate learns from the kit alone how to install mlgrader and run `check`."""
    readme = (make_kit(tmp_path, "adder", FIXTURES) / "README.md").read_text()
    assert "## Checking your work" in readme
    assert 'python3 -m pip install "mlgrader==' in readme
    assert "mlgrader check ." in readme and "is not your grade" in readme


def test_check_in_markdown_gives_no_score_or_pass_mark(tmp_path: Path) -> None:
    """The markdown a candidate might paste has the same notice and counts, no grade."""
    kit = make_kit(tmp_path, "adder", FIXTURES)
    result = check(kit, "--format", "markdown")
    assert result.stdout.startswith("## Add two numbers: public tests, 0 of 1 passed\n")
    assert f"> {PUBLIC_NOTICE}" in result.stdout
    assert "/ 100" not in result.stdout and "pass mark" not in result.stdout
