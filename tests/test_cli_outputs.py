"""Where grade and check write: every output path checked before grading, exit codes
that mean one thing each, report files a team can share."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from built_mutants import built_mutant
from click.testing import CliRunner, Result

import mlgrader.cli as cli
from mlgrader.cli import main
from mlgrader.files import write_atomic

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
ADDER = FIXTURES / "adder"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--challenges", str(FIXTURES)])


def grade_adder(*args: str) -> Result:
    return run("grade", str(ADDER / "reference"), "--challenge", "adder", *args)


@pytest.fixture
def no_grading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any grading fails the test: the refusal must come before the work."""

    def grade(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("graded although an output path was refused")

    monkeypatch.setattr(cli, "grade", grade)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("folder", "is a folder; name a file"),
        ("proc", "cannot be written (No such file or directory)"),
        ("under-a-file", "cannot be written"),
    ],
)
@pytest.mark.parametrize("flag", ["--json", "--markdown", "--junit", "--gradescope"])
def test_an_output_path_that_cannot_be_written_is_refused_before_grading(
    tmp_path: Path, no_grading: None, flag: str, name: str, problem: str
) -> None:
    """`--json /proc/nope.json`, a folder, or a path under a file: one line naming the
    option, the path and the problem, exit 2, and no grading started."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("x")
    path = {
        "folder": tmp_path / "folder",
        "proc": Path("/proc/nope.json"),
        "under-a-file": tmp_path / "a-file" / "card.json",
    }[name]
    result = grade_adder(flag, str(path))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlgrader: error: "), result.output
    assert f"{flag} {path} {problem}" in lines[0]
    assert "pass a path in a folder you can write" in lines[0]


def test_check_refuses_a_bad_output_path_too(tmp_path: Path, no_grading: None) -> None:
    """The candidate's `check` shares the options and the check."""
    result = run("check", str(ADDER / "reference"), "--challenge", "adder", "--json", str(tmp_path))
    assert result.exit_code == 2 and "--json" in result.output and "is a folder" in result.output


def test_two_outputs_naming_one_file_are_refused(tmp_path: Path, no_grading: None) -> None:
    """The markdown would silently overwrite the JSON record."""
    card = tmp_path / "card"
    result = grade_adder("--json", str(card), "--markdown", str(card))
    assert result.exit_code == 2
    assert "--json and --markdown both name" in result.output


def test_a_missing_report_folder_is_made(tmp_path: Path) -> None:
    """A path in folders that do not exist yet is fine: they are created, as before."""
    card = tmp_path / "new" / "deeper" / "card.json"
    result = grade_adder("--json", str(card))
    assert result.exit_code == 0, result.output
    assert json.loads(card.read_text())["score"] == 100.0


def test_a_report_that_fails_while_written_leaves_the_others_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report that fails once grading is done (the disk fills up, the renderer breaks)
    costs only itself: the JSON scorecard and the markdown are written, the scorecard is
    printed, and the exit is 3 (internal error), never 1, which CI reads as "below
    --min-score"."""

    def broken(_card: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "render_junit", broken)
    card, md, junit = tmp_path / "card.json", tmp_path / "card.md", tmp_path / "junit.xml"
    result = grade_adder("--json", str(card), "--markdown", str(md), "--junit", str(junit))
    assert result.exit_code == 3, result.output
    assert json.loads(card.read_text())["score"] == 100.0
    assert "| Category |" in md.read_text()
    assert "SCORE 100.0 / 100" in result.output
    assert "internal error while writing reports" in result.output and str(junit) in result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output


def test_min_score_is_a_score_out_of_100(tmp_path: Path) -> None:
    """Exit 1 only below --min-score, 0 at or above it, and a bar above 100 (which no
    submission could meet) is refused with exit 2 before grading."""
    mutant = str(built_mutant(tmp_path, "crashes"))
    below = run("grade", mutant, "--challenge", "adder", "--min-score", "100")
    assert below.exit_code == 1 and "is below --min-score 100" in below.output
    assert grade_adder("--min-score", "100").exit_code == 0
    over = grade_adder("--min-score", "101")
    assert over.exit_code == 2 and "0<=x<=100" in over.output


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_reports_get_the_users_file_mode(tmp_path: Path, umask: int, mode: int) -> None:
    """A report is shared like any file the user makes (0644 under umask 022), not kept
    at the 0600 of a temporary file."""
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "card.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "card.json").stat().st_mode) == mode
