"""Candidate kits: what ``mlgrader init CHALLENGE DEST`` hands a candidate.

A kit holds the statement, the stub (the files the candidate edits), the
support code, the public tests, the challenge's rubric and a marker naming the
challenge. It never holds hidden tests, the reference, mutants or independent solutions. A kit is
itself a gradable folder: ``mlgrader check`` on it runs the public tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlgrader import __version__
from mlgrader.errors import UserInputError
from mlgrader.model.challenge import KIT_MARKER, Challenge, load_challenge, read_kit_marker
from mlgrader.model.rubric import Category, ChallengeRubric

#: Folders of a challenge that must never reach a candidate.
SECRET_PARTS = ("hidden", "reference", "mutants", "solutions")


def make_kit(challenge: Challenge, dest: Path) -> Path:
    """Write a candidate kit for ``challenge`` into ``dest`` (new or empty) and return it."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserInputError(f"{dest} already exists and is not an empty folder; choose a new DEST")
    rubric = challenge.rubric().for_challenge(challenge.name)
    dest.mkdir(parents=True, exist_ok=True)
    for folder in (challenge.stub, challenge.support):
        if folder.is_dir():
            _copy_tree(folder, dest)
    public = dest / "tests" / "public"
    if challenge.public_tests.is_dir():
        _copy_tree(challenge.public_tests, public)
    for extra in sorted((challenge.root / "tests").glob("*.py")):
        shutil.copyfile(extra, dest / "tests" / extra.name)
    shutil.copyfile(challenge.root / "challenge.toml", dest / "challenge.toml")
    statement = challenge.root / "README.md"
    if statement.is_file():
        shutil.copyfile(statement, dest / "README.md")
    (dest / "rubric.toml").write_text(rubric.to_toml(), encoding="utf-8")
    (dest / "RUBRIC.md").write_text(rubric_summary(challenge, rubric), encoding="utf-8")
    (dest / KIT_MARKER).write_text(
        f'[kit]\nchallenge = "{challenge.name}"\nmlgrader_version = "{__version__}"\n',
        encoding="utf-8",
    )
    return dest


def load_kit(folder: Path) -> Challenge | None:
    """The kit in ``folder`` as a public-only challenge, or None when it is not a kit."""
    name = read_kit_marker(folder)
    if name is None or not (folder / "challenge.toml").is_file():
        return None
    return load_challenge(folder, is_kit=True)


def rubric_summary(challenge: Challenge, rubric: ChallengeRubric) -> str:
    """A short markdown summary of how the challenge is graded."""
    lines = [
        f"# How `{challenge.name}` is graded",
        "",
        f"Score out of 100; pass mark {rubric.pass_mark:g}. Time estimate: "
        f"{challenge.time_estimate_minutes} minutes.",
        "",
        "| Category | Points | What it checks |",
        "|---|---:|---|",
    ]
    for cat, points in rubric_points(rubric):
        lines.append(f"| {cat.name} | {points:g} | {cat.description} |")
    lines += [
        "",
        'README.md ("How it is graded") states every rule each category checks.',
        "The public tests in tests/public are a sample; the grader also runs hidden tests in",
        "every category. Run `mlgrader check .` in this folder to run the public tests; its",
        "score totals only the categories the public tests cover, so it is not the graded one.",
    ]
    return "\n".join(lines) + "\n"


def rubric_points(rubric: ChallengeRubric) -> list[tuple[Category, float]]:
    """The categories a challenge grades and their points out of 100, as RUBRIC.md shows
    them (``validate`` checks that the reference's scorecard gives the same)."""
    total = sum(c.weight for c in rubric.categories.values()) or 1.0
    return [
        (cat, round(100 * cat.weight / total, 1))
        for cat in rubric.categories.values()
        if cat.weight > 0
    ]


def _copy_tree(source: Path, dest: Path) -> None:
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if "__pycache__" in rel.parts or any(p in SECRET_PARTS for p in rel.parts):
            continue
        target = dest / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
