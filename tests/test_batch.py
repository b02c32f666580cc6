"""`mlgrader batch`: many submissions, in parallel, resumable after SIGKILL, with reports."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from built_mutants import built_mutant
from click.testing import CliRunner
from process_tree import descendants, wait_gone

from mlgrader.catalogue.listing import find_challenge
from mlgrader.cli import main
from mlgrader.engine.grade import grade

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
ADDER = FIXTURES / "adder"
#: name -> source folder (a mutant is built from its patch); each is expected to score
#: what `grade` gives it alone
COHORT = {
    "ada": "reference",
    "ben": "stub",
    "cyd": "mutants/off-by-one",
    "dee": "mutants/crashes",
    "eve": "reference",
    "fay": "mutants/off-by-one",
    "gus": "reference",
    "hal": "mutants/crashes",
}


def source_folder(source: str, scratch: Path) -> Path:
    """The folder for a COHORT source: the reference or stub as is, a mutant built."""
    if source.startswith("mutants/"):
        flaw = source.removeprefix("mutants/")
        return scratch / flaw if (scratch / flaw).is_dir() else built_mutant(scratch, flaw)
    return ADDER / source


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    folder = tmp_path / "submissions"
    for name, source in COHORT.items():
        shutil.copytree(source_folder(source, tmp_path / "built"), folder / name)
    (folder / "ivy").mkdir()  # no adder.py at all
    return folder


def batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlgrader.cli", "batch", *args, "--challenges", str(FIXTURES)],
        capture_output=True,
        text=True,
        check=False,
    )


def outputs(out: Path) -> dict[str, object]:
    """Everything a batch leaves, minus what legitimately differs run to run (timings)."""
    cards = {}
    for path in sorted((out / "scorecards").glob("*.json")):
        card = json.loads(path.read_text())
        cards[path.stem] = (
            card["score"],
            card.get("error"),
            [(t["id"], t["outcome"], t["earned"]) for t in card["tests"]],
        )
    with open(out / "summary.csv", newline="") as handle:
        rows = [
            {k: v for k, v in row.items() if k != "duration_s"} for row in csv.DictReader(handle)
        ]
    return {
        "cards": cards,
        "summary": rows,
        "items": json.loads((out / "items.json").read_text()),
        "report": (out / "report.md").read_text(),
    }


def journal(out: Path) -> list[str]:
    return [line.split()[2] for line in (out / "journal.log").read_text().splitlines()]


@pytest.mark.full
def test_batch_grades_everyone_as_grade_would(cohort: Path, tmp_path: Path) -> None:
    """Every folder gets a scorecard equal to grading it alone; summary, items and reports."""
    out = tmp_path / "out"
    result = batch(str(cohort), "--challenge", "adder", "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "graded 9, skipped 0" in result.stdout and "report: " in result.stdout
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 9 and progress[-1].startswith("[9/9] ")  # a log line each
    assert "left)" in progress[0]
    assert sorted(journal(out)) == sorted([*COHORT, "ivy"])
    challenge = find_challenge(FIXTURES, "adder")
    alone = {
        source: grade(source_folder(source, tmp_path / "built"), challenge).score
        for source in set(COHORT.values())
    }
    got = outputs(out)
    cards = got["cards"]
    assert isinstance(cards, dict)
    for name, source in COHORT.items():
        assert cards[name][0] == alone[source], name
    assert cards["ivy"][0] == 0 and "no adder.py" in cards["ivy"][1]
    summary = got["summary"]
    assert isinstance(summary, list)
    assert [r["submission"] for r in summary] == sorted([*COHORT, "ivy"])
    assert {r["submission"]: float(r["score"]) for r in summary}["ada"] == 100.0
    assert {"correctness", "oop"} <= set(summary[0])
    report = (out / "report.md").read_text()
    assert "## Score histogram" in report and "## Item analysis" in report
    html = (out / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="hist-overall"' in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # standalone


@pytest.mark.full
def test_batch_item_analysis_matches_the_cohort(cohort: Path, tmp_path: Path) -> None:
    """Pass rates match the scorecards, the failed submission is left out, and the test
    that splits the cohort along its totals discriminates."""
    out = tmp_path / "out"
    assert batch(str(cohort), "--challenge", "adder", "--out", str(out)).returncode == 0
    items = {i["test"]: i for i in json.loads((out / "items.json").read_text())}
    negative = items["tests/hidden/test_hidden.py::test_negative"]
    cards = [json.loads(p.read_text()) for p in (out / "scorecards").glob("*.json")]
    graded = [c for c in cards if "error" not in c]
    passes = sum(
        t["outcome"] == "passed" for c in graded for t in c["tests"] if t["id"] == negative["test"]
    )
    assert negative["pass_rate"] == pytest.approx(passes / len(graded), abs=1e-4)
    assert negative["submissions"] == len(graded) == 8
    assert negative["discrimination"] is not None and negative["discrimination"] > 0


@pytest.mark.full
def test_resume_after_sigkill_ends_like_an_uninterrupted_run(cohort: Path, tmp_path: Path) -> None:
    """Kill -9 the batch half-way, run it again: the same outputs as one uninterrupted run,
    every submission graded exactly once, and the killed run's workers gone with it."""
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "mlgrader.cli", "batch", str(cohort), "--challenge", "adder"]
    cmd += ["--out", str(out), "--workers", "1", "--challenges", str(FIXTURES)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("scorecards/*.json"))) < 3:
        time.sleep(0.02)
    children = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = set(journal(out))
    assert 3 <= len(before) < 9, f"killed after {len(before)} of 9: pick a slower cohort"
    wait_gone(children, "killed batch")

    resumed = batch(str(cohort), "--challenge", "adder", "--out", str(out), "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"skipped {len(before)} already graded" in resumed.stdout
    names = journal(out)
    assert sorted(names) == sorted([*COHORT, "ivy"]), "a submission was graded twice or lost"

    clean = tmp_path / "clean"
    assert batch(str(cohort), "--challenge", "adder", "--out", str(clean)).returncode == 0
    assert outputs(out) == outputs(clean)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["batch", *args, "--challenges", str(FIXTURES)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda tmp: [str(tmp / "missing"), "--challenge", "adder"], "not found"),
        (lambda tmp: [str(tmp), "--challenge", "adder"], "has no submission folders"),
        (lambda tmp: [str(tmp), "--challenge", "nope"], "unknown challenge 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make: object, fragment: str) -> None:
    """A missing or empty folder, or an unknown challenge: one line, exit 2, nothing written."""
    assert callable(make)
    code, output = run(*make(tmp_path), "--out", str(tmp_path / "out"))
    lines = output.strip().splitlines()
    assert code == 2 and len(lines) == 1 and fragment in lines[0], output
    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_is_refused(cohort: Path, tmp_path: Path) -> None:
    """--out naming a file: exit 2 and the file is left alone."""
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    code, output = run(str(cohort), "--challenge", "adder", "--out", str(target))
    assert code == 2 and "is a file" in output
    assert target.read_text() == "keep me"


#: A Dask LocalCluster in a process of its own: prints its scheduler's address, closes when
#: its stdin does.
DASK_CLUSTER = """
import sys
from distributed import LocalCluster
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
    print(c.scheduler_address, flush=True)
    sys.stdin.read()
"""


@pytest.mark.full
@pytest.mark.timeout(300)
def test_dask_cluster_gives_the_same_outputs(cohort: Path, tmp_path: Path) -> None:
    """--dask sends each submission, packed, to a Dask LocalCluster's workers (separate
    processes with their own temporary folders); the outputs equal a local run's. The
    cluster runs in a process of its own: in this one, its IO-loop thread would outlive the
    test, and a later test that forks this process could copy a lock that thread holds."""
    cluster = subprocess.Popen(
        [sys.executable, "-c", DASK_CLUSTER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert cluster.stdin is not None and cluster.stdout is not None
    try:
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://"), f"no scheduler address from the cluster: {address!r}"
        remote = batch(
            str(cohort), "--challenge", "adder", "--out", str(tmp_path / "dask"), "--dask", address
        )
    finally:
        cluster.stdin.close()  # the cluster process closes the cluster and exits
        try:
            cluster.wait(timeout=60)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.wait()
    assert remote.returncode == 0, remote.stderr
    assert "with Dask at tcp://" in remote.stderr
    local = batch(str(cohort), "--challenge", "adder", "--out", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    ivy = json.loads((tmp_path / "dask" / "scorecards" / "ivy.json").read_text())
    assert ivy["submission"]["path"] == str(cohort / "ivy") and "mlgrader-task" not in ivy["error"]


@pytest.mark.full
def test_unreachable_dask_scheduler_is_bad_input(cohort: Path, tmp_path: Path) -> None:
    """A scheduler that is not there: one line naming --dask, exit 2. In a process of its own:
    a failed Client leaves its IO-loop thread running in the process that made it."""
    result = batch(
        str(cohort),
        "--challenge",
        "adder",
        "--out",
        str(tmp_path / "o"),
        "--dask",
        "tcp://127.0.0.1:9",
        "--dask-timeout",
        "1",
    )
    assert result.returncode == 2
    assert "check --dask ADDRESS" in result.stderr.strip().splitlines()[-1]


CHROMIUM = os.environ.get("MLGRADER_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.full
def test_html_report_renders_its_histograms_in_chromium(cohort: Path, tmp_path: Path) -> None:
    """Headless Chromium opens report.html with no console or page errors; each histogram
    draws 10 bars whose heights follow the counts; a full-page screenshot is taken."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), (
        f"no Chromium at {CHROMIUM}: run scripts/install-test-deps.sh or set MLGRADER_CHROMIUM"
    )
    out = tmp_path / "out"
    assert batch(str(cohort), "--challenge", "adder", "--out", str(out)).returncode == 0
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto((out / "report.html").as_uri())
        figures = page.locator("figure svg")
        assert figures.count() == 3  # total, correctness, oop
        bars = page.locator("#hist-overall rect.hist")
        heights = [bars.nth(i).bounding_box()["height"] for i in range(bars.count())]  # type: ignore[index]
        titles = [bars.nth(i).locator("title").text_content() or "" for i in range(bars.count())]
        shot = page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert not problems, problems
    counts = [int(t.rsplit(": ", 1)[1]) for t in titles]
    assert len(counts) == 10 and sum(counts) == 9
    tallest = max(heights)
    assert tallest > 50
    for count, height in zip(counts, heights, strict=True):
        assert height == pytest.approx(tallest * count / max(counts), abs=1.0)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000


def test_progress_in_a_terminal_is_a_bar_with_an_eta() -> None:
    """At a terminal the progress is click's bar with the position (and an ETA once it has
    one), not a line per submission."""
    import io

    from mlgrader.batch.progress import BatchProgress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    with BatchProgress(4, stream) as progress:
        for name in "abcd":
            progress.done(name, 50.0)
    text = stream.getvalue()
    assert "grading" in text and "4/4" in text and "] a: 50" not in text  # no log lines


def test_a_challenge_whose_tests_import_candidate_code_stops_the_batch_at_once(
    tmp_path: Path,
) -> None:
    """An author's slip in the challenge is one line and exit 2 before any submission is
    graded: not an error scorecard for every candidate."""
    challenges = tmp_path / "challenges"
    shutil.copytree(FIXTURES, challenges)
    hidden = challenges / "adder" / "tests" / "hidden" / "test_hidden.py"
    hidden.write_text("import adder\n" + hidden.read_text())
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "adder" / "reference" / "adder.py", tmp_path / "subs/alice/adder.py")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(tmp_path / "subs"),
            "--challenge",
            "adder",
            "--challenges",
            str(challenges),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith(
        "mlgrader: error: challenge adder: tests/hidden/test_hidden.py:1 imports the "
        "candidate's module 'adder'"
    )
    assert not out.exists()
