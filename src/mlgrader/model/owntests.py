"""The ``[testing]`` table of challenge.toml: grading the candidate's own tests.

A challenge where writing tests is part of the job names some of its mutants as
*chaffs*: planted flaws a good suite of the candidate's tests should catch.
The candidate's tests run against the reference (the *wheat*, on which every
one of them must pass) and against each chaff (engine/owntests.py), and the
``testing`` category scores what they caught:

    [testing]
    chaffs = ["evicts-newest", "get-does-not-refresh"]   # mutant folder names
    pass_weight = 2      # passing on the reference weighs as much as this many chaffs
    timeout_s = 60       # one run of the candidate's tests, at most
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgrader.errors import ChallengeError


@dataclass(frozen=True)
class OwnTests:
    """How a challenge grades the candidate's own tests."""

    chaffs: tuple[str, ...]
    pass_weight: float = 2.0
    timeout_s: float = 60.0


def load_own_tests(table: dict[str, Any] | None, path: Path) -> OwnTests | None:
    """The ``[testing]`` table, its types checked (:func:`missing_chaffs` checks the names
    where the mutants are: a grading run's copy of challenge.toml has none beside it)."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ChallengeError(f"{path}: [testing]: expected a table, got {table!r}")
    unknown = sorted(set(table) - {"chaffs", "pass_weight", "timeout_s"})
    if unknown:
        raise ChallengeError(
            f"{path}: [testing]: unknown key {unknown[0]!r}; the keys are chaffs, pass_weight, "
            "timeout_s"
        )
    chaffs = table.get("chaffs")
    if not isinstance(chaffs, list) or not chaffs or not all(isinstance(c, str) for c in chaffs):
        raise ChallengeError(
            f"{path}: testing.chaffs: expected a non-empty list of mutant names, got {chaffs!r}"
        )
    numbers = {
        key: table.get(key, default) for key, default in (("pass_weight", 2.0), ("timeout_s", 60.0))
    }
    for key, value in numbers.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise ChallengeError(
                f"{path}: testing.{key}: expected a positive number, got {value!r}"
            )
    return OwnTests(tuple(chaffs), float(numbers["pass_weight"]), float(numbers["timeout_s"]))


def missing_chaffs(spec: OwnTests, root: Path) -> ChallengeError | None:
    """The error for a chaff that names no mutant folder of the challenge at ``root``."""
    for name in spec.chaffs:
        if not (root / "mutants" / name / "expect.toml").is_file():
            return ChallengeError(
                f"{root / 'challenge.toml'}: testing.chaffs: no mutant {name!r} in "
                f"{root / 'mutants'}; name a folder there"
            )
    return None
