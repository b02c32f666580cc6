"""Challenges on disk: where the challenges folder is, and the challenges in it."""

from __future__ import annotations

import os
from pathlib import Path

from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import Challenge, load_challenge

ENV_CHALLENGES = "MLGRADER_CHALLENGES"


def challenges_dir(option: str | None) -> Path:
    """Where challenges live: ``--challenges``, else ``$MLGRADER_CHALLENGES``, else ./challenges."""
    return Path(option or os.environ.get(ENV_CHALLENGES) or "challenges")


def list_challenges(root: Path) -> list[Challenge]:
    """Every challenge folder under ``root`` (folders with a challenge.toml)."""
    if not root.is_dir():
        raise ChallengeError(
            f"challenges folder {root} not found; pass --challenges DIR or set {ENV_CHALLENGES}"
        )
    return [load_challenge(p) for p in sorted(root.iterdir()) if (p / "challenge.toml").is_file()]


def find_challenge(root: Path, name: str) -> Challenge:
    """The challenge called ``name`` under ``root``, or a ChallengeError listing what exists."""
    folder = root / name
    if (folder / "challenge.toml").is_file():
        return load_challenge(folder)
    known = ", ".join(c.name for c in list_challenges(root)) or "none"
    raise ChallengeError(
        f"unknown challenge {name!r} in {root} (found: {known}); check the name or pass --challenges DIR"
    )
