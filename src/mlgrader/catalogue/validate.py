"""``mlgrader validate``: a challenge proves its own tests mean something.

The reference earns 100 (twice, with the same score), the stub earns no
correctness points and does not break the grader, and every mutant (built from
its patch against the reference, see mutants.py) loses what its expect.toml
says: named categories below full marks, others untouched, named tests failed.
A challenge that passes this can be trusted to tell a right answer from the
mistakes it claims to catch.
"""

from __future__ import annotations

import fnmatch
import multiprocessing
import tempfile
import tomllib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.catalogue.mutants import build_mutant
from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Scorecard


@dataclass(frozen=True)
class Check:
    """One claim about a challenge and whether it held."""

    subject: str
    ok: bool
    detail: str


@dataclass
class ValidationReport:
    """Every check made on one challenge."""

    challenge: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


@dataclass(frozen=True)
class Expectation:
    """A mutant's expect.toml: what it must lose and what it must keep."""

    description: str
    lose: tuple[str, ...]
    keep: tuple[str, ...]
    fail: tuple[str, ...]
    #: A cheat the grader neutralises (it patches only its own process's copy of what the
    #: tests use): it must earn no more than the reference, overall and in each category.
    gains_nothing: bool = False


def load_expectation(path: Path) -> Expectation:
    """Read and check a mutant's expect.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ChallengeError(f"{path}: missing; every mutant needs an expect.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("lose", "keep", "fail"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ChallengeError(f"{path}: {key}: expected a list of strings, got {value!r}")
        lists[key] = tuple(value)
    gains_nothing = data.get("gains_nothing", False)
    if not isinstance(gains_nothing, bool):
        raise ChallengeError(
            f"{path}: gains_nothing: expected true or false, got {gains_nothing!r}"
        )
    if not lists["lose"] and not lists["fail"] and not gains_nothing:
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
    )


Progress = Callable[[str], None]


def validate_challenge(
    challenge: Challenge,
    options: GradeOptions | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
) -> ValidationReport:
    """Run every proof for one challenge (see the module docstring).

    The gradings are independent, so with ``jobs`` > 1 they run side by side in
    worker processes (spawned, so no grader thread is ever forked mid-lock); the
    checks come out in the same order either way.
    """
    options = options or GradeOptions()
    say = progress or (lambda _msg: None)
    mutants = challenge.mutants()
    expectations = {m.name: load_expectation(m / "expect.toml") for m in mutants}
    with tempfile.TemporaryDirectory(prefix="mlgrader-mutants-") as scratch:
        built, broken = _build_mutants(challenge, mutants, Path(scratch))
        runs: list[tuple[str, Path]] = [
            ("the reference", challenge.reference),
            ("the reference again", challenge.reference),
            ("the stub", challenge.stub),
            *((f"mutant {name}", folder) for name, folder in built.items()),
        ]
        cards = _grade_all(runs, challenge, options, say, jobs)
    mutant_cards = dict(zip(built, cards[3:], strict=True))

    report = ValidationReport(challenge.name)
    first, second, stub = cards[0], cards[1], cards[2]
    missing = [t.id for t in first.tests if t.earned < 1.0]
    report.checks.append(
        Check("reference", first.score == 100.0, f"scored {first.score:g}" + _listing(missing))
    )
    report.checks.append(
        Check(
            "deterministic",
            second.score == first.score,
            f"two runs scored {first.score:g} and {second.score:g}",
        )
    )
    correctness = stub.category("correctness")
    earned = correctness.points if correctness else 0.0
    report.checks.append(
        Check(
            "stub",
            earned == 0.0 and stub.error is None,
            f"scored {stub.score:g} with {earned:g} correctness points",
        )
    )
    if not mutants:
        report.checks.append(
            Check("mutants", False, "no mutants: add mutants/<flaw>/ with expect.toml")
        )
    for folder in mutants:
        name = folder.name
        if name in broken:
            report.checks.append(Check(f"mutant {name}", False, broken[name]))
        else:
            report.checks.append(_judge_mutant(name, expectations[name], mutant_cards[name], first))
    return report


def _build_mutants(
    challenge: Challenge, mutants: list[Path], scratch: Path
) -> tuple[dict[str, Path], dict[str, str]]:
    """Each mutant built into ``scratch`` as a submission, and why the others could not be.

    A patch that no longer applies to the reference fails that mutant's check with
    the applier's message (file, hunk, line); the other mutants are still graded.
    """
    built: dict[str, Path] = {}
    broken: dict[str, str] = {}
    for folder in mutants:
        try:
            built[folder.name] = build_mutant(
                challenge.reference,
                folder,
                scratch / folder.name,
                f"{challenge.name}/{folder.name}",
            )
        except ChallengeError as exc:
            broken[folder.name] = str(exc)
    return built, broken


def _grade_all(
    runs: list[tuple[str, Path]],
    challenge: Challenge,
    options: GradeOptions,
    say: Progress,
    jobs: int,
) -> list[Scorecard]:
    """Grade each folder in ``runs``; the scorecards come back in the order given."""
    if jobs <= 1:
        cards = []
        for label, folder in runs:
            say(f"{challenge.name}: grading {label}")
            cards.append(grade(folder, challenge, options))
        return cards
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(grade, folder, challenge, options): label for label, folder in runs}
        for future in as_completed(futures):
            say(f"{challenge.name}: graded {futures[future]}")
        return [future.result() for future in futures]


def _judge_mutant(name: str, expect: Expectation, card: Scorecard, reference: Scorecard) -> Check:
    problems: list[str] = []
    if expect.gains_nothing:
        gained = [
            c.name
            for c in card.categories
            if c.earned > getattr(reference.category(c.name), "earned", 0.0) + 1e-9
        ]
        if card.score > reference.score + 1e-9 or gained:
            problems.append(f"gained over the reference ({', '.join(gained) or 'score'})")
    for cat_name in expect.lose:
        cat = card.category(cat_name)
        if cat is None or cat.earned >= 1.0:
            problems.append(f"kept all of {cat_name}")
    for cat_name in expect.keep:
        cat = card.category(cat_name)
        if cat is not None and cat.earned < 1.0:
            lost = [t.id for t in card.tests if t.category == cat_name and t.earned < 1.0]
            problems.append(f"lost {cat_name} ({', '.join(lost)})")
    for pattern in expect.fail:
        matched = [t for t in card.tests if fnmatch.fnmatchcase(t.id, pattern)]
        if not matched:
            problems.append(f"no test matches {pattern}")
        elif all(t.outcome == "passed" for t in matched):
            problems.append(f"passed {pattern}")
    kept = {c.name: round(c.earned, 3) for c in card.categories if c.earned < 1.0}
    detail = f"scored {card.score:g}; lost {_fmt(kept) or 'nothing'}"
    if problems:
        detail += "; expected otherwise: " + "; ".join(problems)
    return Check(f"mutant {name}", not problems, detail)


def _listing(ids: list[str]) -> str:
    return f"; not earned: {', '.join(ids)}" if ids else ""


def _fmt(lost: dict[str, Any]) -> str:
    return ", ".join(f"{k} (kept {v:.0%})" for k, v in lost.items())
