"""What `mlgrader batch` leaves in --out, and what it refuses: a rerun with other options,
its own output as a submission, entries it cannot grade without a word."""

from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from built_mutants import built_mutant
from click.testing import CliRunner
from test_batch import batch

from mlgrader.cli import main

#: Batches are real gradings in subprocesses: the full tier (the quick one stays quick).
pytestmark = pytest.mark.full

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
ADDER = FIXTURES / "adder"
BROKEN = '"""Add."""\n\n\ndef add(a, b:\n    return a + b\n'


def batch_with_umask_022(*args: str) -> subprocess.CompletedProcess[str]:
    """A batch run under the usual umask, whatever the test run's own is."""
    old = os.umask(0o022)
    try:
        return batch(*args)
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def round_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ada (correct), bob (a SyntaxError), a zip and a notes file beside them."""
    folder = tmp_path_factory.mktemp("batch") / "round"
    shutil.copytree(ADDER / "reference", folder / "ada")
    shutil.copytree(ADDER / "reference", folder / "bob")
    (folder / "bob" / "adder.py").write_text(BROKEN)
    (folder / "carl.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (folder / "NOTES.txt").write_text("interview on Monday")
    return folder


@pytest.fixture(scope="module")
def graded(round_folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The round graded (once for this module, under umask 022) with --out inside the
    submissions folder, as a team might."""
    out = round_folder / "results"
    run = batch_with_umask_022(str(round_folder), "--challenge", "adder", "--out", str(out))
    assert run.returncode == 0, run.stderr
    return out, run


def test_skipped_entries_are_named_with_the_reason(
    graded: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """A zip and a stray file are each named, with what to do (the batch's own --out is
    named too, once it exists: see the next test)."""
    _, run = graded
    assert "skipped carl.zip: an archive: unpack it into a folder of its own" in run.stderr
    assert "skipped NOTES.txt: not a folder: each submission is a folder" in run.stderr
    assert "2 submissions, 0 already graded" in run.stderr


def test_out_inside_the_submissions_folder_is_never_graded(
    graded: tuple[Path, subprocess.CompletedProcess[str]], round_folder: Path
) -> None:
    """The second run resumes the same two submissions; `results` never gets a scorecard."""
    out, _ = graded
    again = batch_with_umask_022(str(round_folder), "--challenge", "adder", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "2 submissions, 2 already graded; grading 0" in again.stderr
    assert "skipped results: it holds this batch's --out folder, which is never graded" in (
        again.stderr
    )
    assert sorted(p.name for p in (out / "scorecards").glob("*.json")) == ["ada.json", "bob.json"]


def test_a_submission_that_does_not_import_is_a_counted_error_with_its_cause(
    graded: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """ "grading errors" counts bob, and the report and summary give the one-line cause."""
    out, _ = graded
    report = (out / "report.md").read_text()
    assert "- grading errors: 1" in report
    cause = "adder does not import: SyntaxError: "
    assert cause in report and cause in (out / "report.html").read_text()
    with open(out / "summary.csv", newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert rows["bob"]["error"].startswith(cause) and rows["ada"]["error"] == ""


def test_each_candidate_gets_an_html_page_linked_from_the_report(
    graded: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """scorecards/NAME.json and NAME.html; both reports link each page."""
    out, _ = graded
    for name in ("ada", "bob"):
        page = (out / "scorecards" / f"{name}.html").read_text()
        assert page.startswith("<!DOCTYPE html>") and "Add two numbers" in page
        assert f"href='scorecards/{name}.html'" in (out / "report.html").read_text()
        assert f"(scorecards/{name}.html)" in (out / "report.md").read_text()
    assert "does not import" in (out / "scorecards" / "bob.html").read_text()


def test_outputs_get_the_users_file_mode(
    graded: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """Under umask 022 every file the batch writes is 0644, so a team can share them."""
    out, _ = graded
    modes = {
        p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in out.rglob("*")
        if p.is_file()
    }
    assert len(modes) >= 10 and set(modes.values()) == {0o644}, modes


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ["--challenge", "lru-cache", "--challenges", str(FIXTURES.parents[2] / "challenges")],
            "challenge 'adder' (now 'lru-cache')",
        ),
        (["--challenge", "adder", "--test-timeout", "5"], "test_timeout_s 10 (now 5.0)"),
    ],
)
def test_resuming_with_another_challenge_or_options_is_refused(
    graded: tuple[Path, subprocess.CompletedProcess[str]],
    round_folder: Path,
    change: list[str],
    said: str,
) -> None:
    """Before: "7 submissions, 7 already graded" and a report retitled over adder's
    scorecards. Now: one line naming what changed, exit 2, and --out exactly as it was."""
    out, _ = graded
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    args = ["batch", str(round_folder), "--out", str(out), *change]
    if "--challenges" not in change:
        args += ["--challenges", str(FIXTURES)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and "pass a new --out" in lines[0]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_show_renders_a_saved_scorecard_in_each_format(
    graded: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """`mlgrader show` turns a saved scorecard back into text, markdown or HTML."""
    out, _ = graded
    card = str(out / "scorecards" / "ada.json")
    text = CliRunner().invoke(main, ["show", card])
    assert text.exit_code == 0 and "SCORE 100.0 / 100  PASS" in text.output
    md = CliRunner().invoke(main, ["show", card, "--format", "markdown"])
    assert md.output.startswith("## ✅ Add two numbers: 100.0 / 100 (PASS)")
    page = CliRunner().invoke(main, ["show", card, "--format", "html"])
    assert page.output.startswith("<!DOCTYPE html>") and "100.0 / 100" in page.output
    bad = CliRunner().invoke(main, ["show", str(out / "report.md")])
    assert bad.exit_code == 2 and "is not a JSON scorecard" in bad.output
    missing = CliRunner().invoke(main, ["show", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_a_mutant_scorecard_renders_failures_first_in_html(tmp_path: Path) -> None:
    """The page lists a category's failures (with their messages) before its passes."""
    from mlgrader.catalogue.listing import find_challenge
    from mlgrader.engine.grade import grade
    from mlgrader.reports.html import render_html

    card = grade(built_mutant(tmp_path, "off-by-one"), find_challenge(FIXTURES, "adder"))
    page = render_html(card)
    section = page.split("<h2>correctness: ")[1].split("</table>")[0]
    marks = [row.split("</td>")[0].rsplit(">", 1)[1] for row in section.split("<tr>")[2:]]
    assert marks[0] == "FAIL" and marks[-1] == "PASS" and marks == sorted(marks)
    assert "<pre>" in section


def _wide_pages(tmp_path: Path) -> list[Path]:
    """A report and a scorecard page whose test ids, names and messages are as long as
    real ones get (lru-cache's parametrised ids run past 100 characters)."""
    from scorecards import make_scorecard

    from mlgrader.batch.items import analyse
    from mlgrader.batch.report import render_html_report
    from mlgrader.catalogue.listing import find_challenge
    from mlgrader.model.scorecard import TestResult
    from mlgrader.reports.html import render_html

    long_id = "tests/hidden/test_concurrency.py::test_many_threads_" + "x" * 90 + "[ThreadServer]"
    cards = {}
    for k in range(6):
        tests = [
            TestResult(
                f"{long_id}{i}",
                "correctness",
                1,
                "hidden",
                "passed" if (i + k) % 3 else "failed",
                1.0 if (i + k) % 3 else 0.0,
                message="AssertionError: " + "y" * 400,
            )
            for i in range(8)
        ]
        cards[f"candidate-with-a-long-folder-name-{'z' * 60}-{k}"] = make_scorecard(tests)
    challenge = find_challenge(FIXTURES, "adder")
    report = tmp_path / "report.html"
    report.write_text(render_html_report(challenge, cards, analyse(list(cards.values()))))
    page = tmp_path / "card.html"
    page.write_text(render_html(next(iter(cards.values()))))
    return [report, page]


def test_the_html_pages_fit_a_1280_pixel_window(tmp_path: Path) -> None:
    """No horizontal scroll at 1280 px: long ids and messages wrap inside their cells (the
    item table's Flag column used to fall outside the page)."""
    from playwright.sync_api import sync_playwright
    from test_batch import CHROMIUM

    widths = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for path in _wide_pages(tmp_path):
            page.goto(path.as_uri())
            widths[path.name] = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert widths == {"report.html": 1280, "card.html": 1280}


def test_an_out_that_cannot_be_written_is_refused_before_grading(round_folder: Path) -> None:
    """`--out /proc/results`: one line naming it, exit 2, before any grading."""
    args = ["batch", str(round_folder), "--challenge", "adder", "--out", "/proc/results"]
    result = CliRunner().invoke(main, [*args, "--challenges", str(FIXTURES)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--out /proc/results cannot take the batch's files" in lines[0]


def test_a_batch_from_before_batch_json_is_checked_by_its_scorecards(
    graded: tuple[Path, subprocess.CompletedProcess[str]], round_folder: Path, tmp_path: Path
) -> None:
    """An --out written by an older mlgrader (no batch.json) still refuses another challenge:
    its scorecards say which one it graded."""
    out = tmp_path / "older"
    shutil.copytree(graded[0], out)
    (out / "batch.json").unlink()
    args = ["batch", str(round_folder), "--out", str(out), "--challenge", "lru-cache"]
    result = CliRunner().invoke(
        main, [*args, "--challenges", str(FIXTURES.parents[2] / "challenges")]
    )
    assert result.exit_code == 2 and "challenge 'adder' (now 'lru-cache')" in result.output
