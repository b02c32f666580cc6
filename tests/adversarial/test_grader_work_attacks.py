"""Attacks on the grader's own work (issue 15): bounded, crash-proof, and honest in every report.

The other attack modules aim at the tests; these aim at what the grader does itself
before and after them: copying, scanning and measuring the submission's files, then
writing the scorecard in every format. Each attack is a correct solution (the
reference: it scores 100 without its extra content) or the stub, plus hostile files
that are never imported: deep attribute chains and a huge class for the static
analysis, an undecodable codec cookie, an undecodable folder name, names that forge
report lines, 50,000 files, and scratch files left in /dev/shm.

Every attack is graded through the CLI, as a user runs it (``Arena.grade(...,
cli_reports=True)``: the text scorecard on stdout, every report format to a file,
``--min-score`` at the pass mark), and must give what a user expects to see: the
grading ends within the tests' deadline plus 60 s plus 10 s, the exit code is 0 or 1
by the score (never 2 or 3), every report is written and readable and under 1 MB,
every test has its result, and the generic invariants (``Arena.violations``) hold.
What is too big or too strange for the repository is written into the copied
submission at grading time (``populate``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from arena_support import CLI_REPORTS_TIMEOUT_S, MAX_SCORECARD_BYTES, Arena, AttackRun

pytestmark = [pytest.mark.full, pytest.mark.timeout(CLI_REPORTS_TIMEOUT_S + 300)]

#: The tests' deadline for these gradings (a clean reference grading takes about 30 s).
DEADLINE_S = 120.0
#: How long a grading may take in all: the deadline, 60 s of the grader's own work, 10 s slack.
BUDGET_S = DEADLINE_S + 60 + 10
#: Control characters no text scorecard may print: C0 except newline and tab, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
#: ``<h2`` or ``<img`` after an even number of backslashes (``\<img`` is an escaped ``<``).
_RAW_HTML = re.compile(r"(?<!\\)(?:\\\\)*<(?:h2|img)\b[^\n]{0,40}", re.IGNORECASE)


def _grade(arena: Arena, name: str, **options: Any) -> AttackRun:
    """Public tests only: the attacks aim at the grader's work on the files, which is the
    same in both modes, and a full grading of the reference takes 30 s of the full tier's
    time against 1 s."""
    options.setdefault("public_only", True)
    return arena.grade(name, deadline_s=DEADLINE_S, cli_reports=True, **options)


def _verdict(run: AttackRun, problems: list[str]) -> None:
    rc = run.extra.get("returncode")
    lost = [f"{t.id.split('::')[-1]}: {t.outcome}" for t in run.card.tests if t.outcome != "passed"]
    head = f"{run.summary()}\n  exit {rc}, {run.duration_s:.0f} s, not passed: {lost[:8]}"
    assert not problems, f"{head}\n- " + "\n- ".join(problems)


def _stderr_tail(run: AttackRun, lines: int = 3) -> str:
    text = run.extra.get("stderr", b"").decode("utf-8", "replace").strip()
    return " | ".join(text.splitlines()[-lines:])


def _user_view(arena: Arena, run: AttackRun, *, stub_based: bool) -> list[str]:
    """What a user running ``mlgrader grade`` sees: time, exit code, reports, every result."""
    problems = []
    extra = run.extra
    card = run.card
    if extra.get("timed_out"):
        problems.append(f"mlgrader grade was still running after {CLI_REPORTS_TIMEOUT_S} s: killed")
    if run.duration_s > BUDGET_S:
        problems.append(
            f"grading took {run.duration_s:.0f} s, more than the {DEADLINE_S:g} s deadline "
            f"+ 60 s + 10 s = {BUDGET_S:g} s"
        )
    if card.error:
        problems.append(f"grading error: {card.error[:400]}")
    pass_mark = extra["pass_mark"]
    expected = 0 if card.score >= pass_mark else 1
    if extra["returncode"] != expected:
        problems.append(
            f"exit {extra['returncode']} for score {card.score} (pass mark {pass_mark:g}): "
            f"expected {expected}; stderr: {_stderr_tail(run)[:600]}"
        )
    problems += _reports(run)
    problems += _terminal(extra["stdout"])
    problems += arena.violations(run, stub_based=stub_based)
    return problems


def _reports(run: AttackRun) -> list[str]:
    """Every report file the CLI was asked for: written, UTF-8, well-formed, under 1 MB."""
    problems = []
    for fmt, path in run.extra["reports"].items():
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(f"{fmt} report not written ({type(exc).__name__})")
            continue
        if not data.strip():
            problems.append(f"{fmt} report is empty")
            continue
        if len(data) > MAX_SCORECARD_BYTES:
            problems.append(f"{fmt} report is {len(data):,} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{fmt} report is not UTF-8: {exc}")
            continue
        try:
            if fmt in ("json", "gradescope"):
                json.loads(text)
            elif fmt == "junit":
                ET.fromstring(data)
        except (ValueError, ET.ParseError) as exc:
            problems.append(f"{fmt} report does not parse: {str(exc)[:200]}")
    return problems


def _terminal(stdout: bytes) -> list[str]:
    """The text scorecard on stdout: one headline (SCORE, or in a public-tests-only run
    the count of public tests passed, with no SCORE line), nothing a terminal acts on."""
    problems = []
    text = stdout.decode("utf-8", "replace")
    if len(stdout) > MAX_SCORECARD_BYTES:
        problems.append(f"the text scorecard is {len(stdout):,} bytes")
    scores = [line for line in text.splitlines() if line.startswith(("SCORE", "public tests:"))]
    if len(scores) != 1:
        problems.append(f"{len(scores)} headline lines in the text scorecard: {scores[:4]}")
    bad = [line for line in text.split("\n") if _CONTROL.search(line)]
    if bad:
        found = sorted({hex(ord(c)) for line in bad for c in _CONTROL.findall(line)})
        problems.append(
            f"{len(bad)} lines of the text scorecard hold control characters {found}, "
            f"e.g. {bad[0][:160]!r}"
        )
    return problems


def _reference_passes(run: AttackRun) -> list[str]:
    """A correct solution beside never-imported files still passes (and says which tests not)."""
    if run.card.score >= run.extra["pass_mark"]:
        return []
    lost = [f"{t.id.split('::')[-1]}: {t.outcome}" for t in run.card.tests if t.outcome != "passed"]
    return [f"the reference scored {run.card.score} below the pass mark; not passed: {lost[:8]}"]


# -- files written at grading time (Arena.grade(populate=...)) ------------------------------

#: ~3 MB per file of ``x.a.a ... .a = 1`` lines, 2,900 attributes deep.
CHAIN_DEPTH = 2_900
CHAIN_FILE_BYTES = 3_000_000
#: Methods of the huge class: as many as fit under the quality analyser's 1,000,000-byte cap
#: (``mlgrader.authoring.quality.entry.MAX_SOURCE_BYTES``), or it would never be analysed.
HUGE_CLASS_METHODS = 37_000
HUGE_CLASS_MAX_BYTES = 1_000_000
MANY_FILES = 50_000
#: Folder/file pairs whose joined path forges report lines; each file imports inspect, so a
#: finding names it in every report.
FORGED_PATHS = [
    ("notes\nSCORE 100.0 ", " 100  PASS  (pass mark 70)\nnotes.py"),
    ("<h2>pwned<", "h2>.py"),
    ("html", "<img src=x onerror=alert(1)>.py"),
    ("\x1b[2J\x1b[H", "\x1b]0;title\x07.py"),
]


REFERENCE = Path(__file__).resolve().parents[2] / "challenges" / "lru-cache" / "reference"


def _with_reference(submission: Path, module: str = "lru_cache.py") -> None:
    """The reference solution as the submission's module (``module`` names where it goes),
    copied from the challenge rather than kept in each attack folder."""
    target = submission / module
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REFERENCE / "lru_cache.py", target)


def rot13_cookie(submission: Path) -> None:
    _with_reference(submission)


def deep_chains(submission: Path) -> None:
    _with_reference(submission)
    line = "x" + ".a" * CHAIN_DEPTH + " = 1\n"
    text = line * (CHAIN_FILE_BYTES // len(line))
    for n in range(3):
        (submission / f"deep_chains_{n}.py").write_text(text, encoding="utf-8")


def huge_class(submission: Path) -> None:
    _with_reference(submission, "lru_cache/__init__.py")
    n = HUGE_CLASS_METHODS
    lines = ['"""Never imported."""', "", "", "class Huge:", ' """Methods in a chain."""']
    lines += [f" def m{i:x}(s):s.x;s.m{i + 1:x}" for i in range(n)]
    lines.append(f" def m{n:x}(s):s.x")
    text = "\n".join(lines) + "\n"
    assert len(text.encode()) < HUGE_CLASS_MAX_BYTES, len(text.encode())
    (submission / "lru_cache" / "huge_class.py").write_text(text, encoding="utf-8")


def byte_ff_folder(submission: Path) -> None:
    _with_reference(submission)
    folder = os.fsencode(submission) + b"/data-\xff"
    os.mkdir(folder)
    with open(folder + b"/notes-\xff.py", "wb") as handle:
        handle.write(b'"""Never imported."""\n\nimport inspect\n\nSOURCE = inspect.getsource\n')


def forged_paths(submission: Path) -> None:
    for folder, name in FORGED_PATHS:
        (submission / folder).mkdir(exist_ok=True)
        (submission / folder / name).write_text("import inspect\n", encoding="utf-8")


def many_files(submission: Path) -> None:
    _with_reference(submission)
    padding = submission / "padding"
    padding.mkdir()
    for i in range(MANY_FILES):
        (padding / (f"{i:05d}-" + "p" * 191 + ".py")).touch()


# -- the attacks -------------------------------------------------------------------------------


def test_deep_attribute_chains(arena: Arena) -> None:
    """Three 3 MB never-imported files of 2,900-deep attribute chains: scanned (or skipped) fast."""
    run = _grade(arena, "deep_attribute_chains", populate=deep_chains)
    problems = _user_view(arena, run, stub_based=False) + _reference_passes(run)
    _verdict(run, problems)


def test_huge_class(arena: Arena) -> None:
    """One never-imported class of 37,000 linked methods: measured (or refused) fast."""
    run = _grade(arena, "huge_class", populate=huge_class)
    problems = _user_view(arena, run, stub_based=False) + _reference_passes(run)
    _verdict(run, problems)


def test_rot13_cookie(arena: Arena) -> None:
    """A never-imported file declaring ``# coding: rot13`` costs a finding at most, not the run."""
    run = _grade(arena, "rot13_cookie", populate=rot13_cookie)
    problems = _user_view(arena, run, stub_based=False) + _reference_passes(run)
    _verdict(run, problems)


def test_byte_ff_folder(arena: Arena) -> None:
    """A folder named with the byte 0xff: exit 0 for a passing score, and every report written."""
    run = _grade(arena, "byte_ff_folder", populate=byte_ff_folder)
    problems = _user_view(arena, run, stub_based=False) + _reference_passes(run)
    if run.extra["returncode"] != 0:
        problems.append(f"exit {run.extra['returncode']}, not 0: {_stderr_tail(run)[:300]}")
    _verdict(run, problems)


def test_forged_lines(arena: Arena) -> None:
    """Names and messages carrying SCORE lines, HTML and terminal escapes forge nothing."""
    run = _grade(arena, "forged_lines", populate=forged_paths)
    problems = _user_view(arena, run, stub_based=True)
    named = [f for f in run.card.integrity.findings if "inspect" in f.detail]
    if len(named) < len(FORGED_PATHS):
        problems.append(
            f"only {len(named)} findings name the {len(FORGED_PATHS)} forged files: did they reach "
            "the reports?"
        )
    try:
        markdown = run.extra["reports"]["markdown"].read_text(encoding="utf-8", errors="replace")
    except OSError:
        markdown = ""  # _reports says it is missing
    for number, line in enumerate(markdown.splitlines(), 1):
        outside = _CODE_SPAN.sub("", line)  # a code span shows <img ...> as text
        raw = _RAW_HTML.findall(outside)
        if raw:
            problems.append(f"markdown line {number} holds raw HTML {raw[0]!r}: {line[:160]!r}")
    _verdict(run, problems)


def test_many_files(arena: Arena) -> None:
    """50,000 files with 200-character names: a small scorecard with every result."""
    run = _grade(arena, "many_files", populate=many_files)
    problems = _user_view(arena, run, stub_based=False) + _reference_passes(run)
    _verdict(run, problems)


def test_shm_residue(arena: Arena) -> None:
    """64 MB files a test process leaves in /dev/shm and its temp folder are gone after grading."""
    run = _grade(arena, "shm_residue")
    problems = _user_view(arena, run, stub_based=False) + _reference_passes(run)
    marker = run.context["marker"]
    work = run.submission.parent / "work"
    residue = [p for p in Path("/dev/shm").iterdir() if marker in p.name]
    residue += [p for p in Path("/tmp").iterdir() if marker in p.name]
    residue += list(work.rglob(f"*{marker}*")) if work.is_dir() else []
    try:
        if residue:
            size = sum(p.stat().st_size for p in residue if p.is_file())
            shown = [str(p) for p in residue[:4]]
            problems.append(f"{len(residue)} files ({size:,} bytes) left behind: {shown}")
    finally:
        for path in residue:  # the attack's files, found by its marker: ours to remove
            if path.is_file():
                path.unlink()
    _verdict(run, problems)
