"""Similarity across a round (mlgrader.batch.similarity): the bundled challenges' independent
solutions and references are told apart from a disguised copy of one of them, and
``mlgrader batch`` reports exactly that pair, in report.md, report.html and both pages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from disguise import disguise

from mlgrader.batch.similarity import (
    DEFAULT_THRESHOLD,
    MIN_LINES,
    normalised_tokens,
    round_similarity,
)
from mlgrader.catalogue.listing import list_challenges
from mlgrader.model.challenge import Challenge

CHALLENGES = Path(__file__).resolve().parents[1] / "challenges"
#: A fix-the-bug challenge: the candidate's own code is a few changed lines of the code
#: the kit ships, so every correct fix looks alike; such submissions are not compared.
EDITS_GIVEN_CODE = {"debug-swarm"}


def _round(challenge: Challenge, folder: Path) -> list[Path]:
    """The challenge's reference and independent solutions, plus a disguised copy of
    independent-1, as a round of submissions."""
    sources = {"reference": challenge.reference} | {p.name: p for p in challenge.solutions()}
    for name, source in sources.items():
        shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("expect.toml", "*.md"))
    disguise(challenge.root / "solutions" / "independent-1", folder / "zz-copy")
    return sorted(folder.iterdir())


def _kit(challenge: Challenge) -> list[Path]:
    return [challenge.stub, challenge.support, challenge.public_tests]


def test_renaming_and_reformatting_change_no_token() -> None:
    """Names, comments, quotes and line breaks inside a statement are not what is compared."""
    original = 'def area(width, height):\n    # the area\n    return width * height + "x"  # done\n'
    disguised = "def f(a,\n      b):\n    return a * \\\n        b + 'y'\n"
    tokens = [t.text for t in normalised_tokens(original, "a.py")]
    assert tokens == [t.text for t in normalised_tokens(disguised, "b.py")]
    assert tokens[:3] == ["def", "N", "("], tokens


@pytest.mark.parametrize(
    "name",
    [c.name for c in list_challenges(CHALLENGES) if c.name not in EDITS_GIVEN_CODE],
)
def test_only_the_disguised_copy_is_flagged(name: str, tmp_path: Path) -> None:
    """Among a challenge's independent solutions and its reference, only the copy of
    independent-1 (locals renamed, reformatted) is flagged, with the whole file matched."""
    challenge = next(c for c in list_challenges(CHALLENGES) if c.name == name)
    found = round_similarity(_round(challenge, tmp_path), _kit(challenge))
    flagged = [(m.a, m.b, round(m.similarity, 2)) for m in found.flagged()]
    assert [(a, b) for a, b, _ in flagged] == [("independent-1", "zz-copy")], (
        f"flagged at {DEFAULT_THRESHOLD:.0%}: {flagged}; all pairs: "
        + ", ".join(f"{m.a}~{m.b} {m.similarity:.2f}" for m in found.matches)
    )
    copy = found.flagged()[0]
    assert copy.a_lines >= MIN_LINES and len(copy.regions) >= 1
    original = {
        line.strip()
        for p in (tmp_path / "independent-1").rglob("*.py")
        for line in p.read_text().splitlines()
        if line.strip()
    }
    kept = [
        line.strip()
        for p in (tmp_path / "zz-copy").rglob("*.py")
        for line in p.read_text().splitlines()
        if line.strip() in original
    ]
    assert len(kept) < 0.5 * len(original), "the disguise left most lines as they were"


def test_the_kits_own_code_is_never_a_match(tmp_path: Path) -> None:
    """Two submissions that both hand in the stub unchanged share nothing of their own."""
    challenge = next(c for c in list_challenges(CHALLENGES) if c.name == "lru-cache")
    for name in ("ann", "bob"):
        shutil.copytree(challenge.stub, tmp_path / name)
    found = round_similarity(sorted(tmp_path.iterdir()), _kit(challenge))
    assert found.matches == []


def test_a_known_solution_is_compared_with_every_submission(tmp_path: Path) -> None:
    challenge = next(c for c in list_challenges(CHALLENGES) if c.name == "lru-cache")
    shutil.copytree(challenge.reference, tmp_path / "known" / "blog-post")
    disguise(challenge.reference, tmp_path / "round" / "carl")
    shutil.copytree(challenge.solutions()[0], tmp_path / "round" / "dana")
    found = round_similarity(
        sorted((tmp_path / "round").iterdir()), _kit(challenge), [tmp_path / "known" / "blog-post"]
    )
    assert [(m.a, m.b) for m in found.flagged()] == [("carl", "known:blog-post")]


@pytest.mark.full
def test_a_batch_flags_exactly_the_copied_pair(tmp_path: Path) -> None:
    """``mlgrader batch`` over estimators' independent solutions, its reference and a
    disguised copy: report.md has one line naming the pair and its similarity, report.html
    the pair's matched code side by side, and each of the two pages links to it."""
    challenge = next(c for c in list_challenges(CHALLENGES) if c.name == "estimators")
    _round(challenge, tmp_path / "round")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlgrader.cli",
            "batch",
            str(tmp_path / "round"),
            "--challenge",
            "estimators",
            "--challenges",
            str(CHALLENGES),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = (out / "report.md").read_text()
    section = report.split("## Similar code", 1)[1].split("\n## ", 1)[0]
    pairs = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(pairs) == 1, section
    assert re.fullmatch(
        r"- independent-1 and zz-copy: 9\d% similar \(independent-1 \d+%, zz-copy \d+% of "
        r"their own code; \d+ and \d+ lines matched\)",
        pairs[0],
    ), pairs[0]
    page = (out / "report.html").read_text()
    assert page.count("<details open class='pair'") == 1
    assert "independent-1/estimators.py" in page and "zz-copy/estimators.py" in page
    for name in ("independent-1", "zz-copy"):
        own = (out / "scorecards" / f"{name}.html").read_text()
        assert "Similar code in this round" in own and "report.html#pair-" in own
    saved = json.loads((out / "similarity.json").read_text())
    assert [(p["a"], p["b"]) for p in saved["pairs"] if p["flagged"]] == [
        ("independent-1", "zz-copy")
    ]


def test_known_that_is_not_a_folder_is_refused_before_grading(tmp_path: Path) -> None:
    """--known naming a missing folder: one line naming it, exit 2, nothing written."""
    from click.testing import CliRunner

    from mlgrader.cli import main

    challenge = next(c for c in list_challenges(CHALLENGES) if c.name == "lru-cache")
    shutil.copytree(challenge.stub, tmp_path / "round" / "ann")
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(tmp_path / "round"),
            "--challenge",
            "lru-cache",
            "--challenges",
            str(CHALLENGES),
            "--out",
            str(tmp_path / "out"),
            "--known",
            str(tmp_path / "nope"),
        ],
    )
    assert result.exit_code == 2
    assert (
        result.output.strip()
        .splitlines()[-1]
        .endswith("is not a folder; pass a folder of known solutions")
    )
    assert not (tmp_path / "out").exists()


def test_fixes_of_given_code_are_too_small_to_compare(tmp_path: Path) -> None:
    """In debug-swarm a submission is the kit's code with a few lines fixed: nothing is
    flagged, and every submission is named as not compared."""
    challenge = next(c for c in list_challenges(CHALLENGES) if c.name == "debug-swarm")
    found = round_similarity(_round(challenge, tmp_path), _kit(challenge))
    assert found.matches == []
    assert found.too_small == ["hurried", "independent-1", "reference", "zz-copy"]


def test_links_are_never_followed_and_reading_is_bounded(tmp_path: Path) -> None:
    """A submission's symlink (to a file anywhere on the machine running the batch) is
    never read, and a huge submission contributes at most MAX_TOTAL_BYTES."""
    from mlgrader.batch import similarity

    outside = tmp_path / "elsewhere.py"
    outside.write_text("SECRET = 'do not read'\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "leak.py").symlink_to(outside)
    line = "x = 1\n"
    for i in range(2):
        (sub / f"big{i:02}.py").write_text(line * (300_000 // len(line)))
    doc = similarity.document("sub", sub)
    assert all(t.file != "leak.py" for t in doc.tokens)
    read = sum(1 for t in doc.tokens if t.text == ";") * len(line)
    assert read <= similarity.MAX_TOTAL_BYTES + len(line)  # the last line may be cut
