"""Challenges on disk: where the challenges folder is, the challenges in it, and which one a
submission is graded against."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from mlgrader.catalogue.kit import load_kit
from mlgrader.errors import ChallengeError, UserInputError
from mlgrader.model.challenge import Challenge, load_challenge, read_kit_marker

ENV_CHALLENGES = "MLGRADER_CHALLENGES"


def challenges_dir(option: str | None) -> Path:
    """Where challenges live: ``--challenges``, else ``$MLGRADER_CHALLENGES``, else ./challenges."""
    return Path(option or os.environ.get(ENV_CHALLENGES) or "challenges")


def list_challenges(root: Path) -> list[Challenge]:
    """Every challenge folder under ``root`` (folders with a challenge.toml); the first
    broken one raises (validate and batch need every challenge they name to load)."""
    found, broken = survey(root)
    if broken:
        raise broken[0][1]
    return found


def survey(root: Path) -> tuple[list[Challenge], list[tuple[Path, ChallengeError]]]:
    """The challenges under ``root`` that load, and each broken one with its error: one
    malformed challenge.toml must not hide the others from ``mlgrader list``."""
    if not root.is_dir():
        raise ChallengeError(
            f"challenges folder {root} not found; pass --challenges DIR or set {ENV_CHALLENGES}"
        )
    found: list[Challenge] = []
    broken: list[tuple[Path, ChallengeError]] = []
    for folder in sorted(root.iterdir()):
        if (folder / "challenge.toml").is_file():
            try:
                found.append(load_challenge(folder))
            except ChallengeError as exc:
                broken.append((folder, exc))
    return found, broken


def find_challenge(root: Path, name: str) -> Challenge:
    """The challenge called ``name`` under ``root``, or a ChallengeError listing what
    exists and the closest name."""
    folder = root / name
    if (folder / "challenge.toml").is_file():
        return load_challenge(folder)
    names = [p.name for p in sorted(root.iterdir()) if (p / "challenge.toml").is_file()]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ChallengeError(
        f"unknown challenge {name!r} in {root}; {hint}found: {', '.join(names) or 'none'}; "
        "check the name or pass --challenges DIR"
    )


def challenge_for(
    submission: Path, name: str | None, root: Path, *, public_only: bool
) -> Challenge:
    """The challenge to grade against: --challenge, else the kit marker; from the challenges
    folder, else (public tests only) from the kit itself."""
    marker = read_kit_marker(submission) if submission.is_dir() else None
    name = name or marker
    if name is None:
        if not submission.exists():
            raise UserInputError(
                f"submission {submission} does not exist; pass the folder with your code"
            )
        raise UserInputError(
            f"no challenge given and {submission} is not a kit (no .mlgrader-kit.toml); pass --challenge NAME"
        )
    if root.is_dir() and (root / name / "challenge.toml").is_file():
        return find_challenge(root, name)
    kit = load_kit(submission) if marker == name else None
    if kit is not None and public_only:
        return kit
    if kit is not None:
        raise UserInputError(
            f"the hidden tests of {name!r} are not in {root}; pass --challenges DIR, "
            f"or run `mlgrader check {submission}` for the public tests"
        )
    if not root.is_dir():
        raise ChallengeError(
            f"challenges folder {root} not found; pass --challenges DIR or set MLGRADER_CHALLENGES"
        )
    return find_challenge(root, name)
