"""expect.toml: what a mutant or an independent solution must lose, keep and score.

A mutant (``mutants/NAME/``) names the categories it must lose and the tests it
must fail; an independent solution (``solutions/NAME/``, written from the kit
alone) names the score band it must land in, and may name categories as well.
``validate`` grades each and holds it to its file (validate.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgrader.errors import ChallengeError

#: The flaws the weight rule covers (docs/writing-challenges.md, "Weights").
SEVERITIES = ("hang", "crash", "corrupt")


@dataclass(frozen=True)
class Expectation:
    """A mutant's or a solution's expect.toml: what it must lose, keep and score."""

    description: str
    lose: tuple[str, ...]
    keep: tuple[str, ...]
    fail: tuple[str, ...]
    #: A cheat the grader neutralises (it patches only its own process's copy of what the
    #: tests use): it must earn no more than the reference, overall and in each category.
    gains_nothing: bool = False
    #: "hang", "crash" or "corrupt": a flaw the weight rule says costs clearly more than a
    #: style finding (SEVERE_POINTS and twice the heaviest OOP test, at the least).
    severe: str | None = None
    #: ``min_score`` and ``max_score``: the band the score must fall in (a solution's must).
    band: tuple[float, float] | None = None
    #: ids of the follow-up prompts (followups.toml) its grader scorecard must end with
    followups: tuple[str, ...] = ()


def load_expectation(path: Path, *, solution: bool = False) -> Expectation:
    """Read and check an expect.toml; ``solution``: an independent solution's, which needs a
    score band and may expect to lose nothing."""
    owner = "independent solution" if solution else "mutant"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ChallengeError(f"{path}: missing; every {owner} needs an expect.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("lose", "keep", "fail", "followups"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ChallengeError(f"{path}: {key}: expected a list of strings, got {value!r}")
        lists[key] = tuple(value)
    gains_nothing = data.get("gains_nothing", False)
    if not isinstance(gains_nothing, bool):
        raise ChallengeError(
            f"{path}: gains_nothing: expected true or false, got {gains_nothing!r}"
        )
    severe = data.get("severe")
    if severe is not None and severe not in SEVERITIES:
        raise ChallengeError(
            f"{path}: severe: expected one of {', '.join(SEVERITIES)}, got {severe!r}"
        )
    band = _band(path, data, required=solution)
    if not solution and not lists["lose"] and not lists["fail"] and not gains_nothing:
        raise ChallengeError(
            f"{path}: expected `lose` or `fail` to name what the mutant must lose "
            "(or `gains_nothing = true` for a cheat the grader neutralises)"
        )
    return Expectation(
        str(data.get("description", "")),
        lists["lose"],
        lists["keep"],
        lists["fail"],
        gains_nothing,
        severe,
        band,
        lists["followups"],
    )


def _band(path: Path, data: dict[str, Any], *, required: bool) -> tuple[float, float] | None:
    """``(min_score, max_score)``, both within 0..100 and in order; None when neither is set
    and none is required."""
    low, high = data.get("min_score"), data.get("max_score")
    if low is None and high is None and not required:
        return None
    for key, value in (("min_score", low), ("max_score", high)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ChallengeError(
                f"{path}: {key}: expected a score from 0 to 100, got {value!r}; an independent "
                "solution states the band its score must fall in (min_score and max_score)"
            )
    assert isinstance(low, int | float) and isinstance(high, int | float)
    if low > high:
        raise ChallengeError(f"{path}: min_score {low} is above max_score {high}; swap them")
    return float(low), float(high)
