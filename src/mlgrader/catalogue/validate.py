"""``mlgrader validate``: a challenge proves its own tests mean something.

The reference earns 100 (twice, with the same score), the stub earns no
correctness points and does not break the grader, and every mutant (built from
its patch against the reference, see mutants.py) loses what its expect.toml
says: named categories below full marks, others untouched, named tests failed.
A challenge that passes this can be trusted to tell a right answer from the
mistakes it claims to catch.
"""

from __future__ import annotations

import collections
import fnmatch
import multiprocessing
import tempfile
import tomllib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.catalogue.kit import rubric_points
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
    #: Held, but worth the author's look (a stub that earns many points in all).
    warning: bool = False


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
    #: "hang", "crash" or "corrupt": a flaw the weight rule says costs clearly more than a
    #: style finding (SEVERE_POINTS and twice the heaviest OOP test, at the least).
    severe: str | None = None


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
    severe = data.get("severe")
    if severe is not None and severe not in SEVERITIES:
        raise ChallengeError(
            f"{path}: severe: expected one of {', '.join(SEVERITIES)}, got {severe!r}"
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
        severe,
    )


Progress = Callable[[str], None]
#: The flaws the weight rule covers (docs/writing-challenges.md, "Weights").
SEVERITIES = ("hang", "crash", "corrupt")
#: The least a severe flaw may cost, in points out of 100.
SEVERE_POINTS = 5.0
#: More points than this for the untouched stub draw a warning.
STUB_WARN = 10.0


def validate_challenge(
    challenge: Challenge,
    options: GradeOptions | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    repeat: int = 1,
) -> ValidationReport:
    """Run every proof for one challenge (see the module docstring).

    The gradings are independent, so with ``jobs`` > 1 they run side by side in
    worker processes (spawned, so no grader thread is ever forked mid-lock); the
    checks come out in the same order either way. With ``repeat`` K, every
    solution is graded K times (the reference at least twice), every claim must
    hold in every run, and a test whose verdict changes between runs of the same
    solution fails the `stable` check: a grader is a measuring instrument.
    """
    options = options or GradeOptions()
    say = progress or (lambda _msg: None)
    repeat = max(1, repeat)
    mutants = challenge.mutants()
    expectations = {m.name: load_expectation(m / "expect.toml") for m in mutants}
    with tempfile.TemporaryDirectory(prefix="mlgrader-mutants-") as scratch:
        built, broken = _build_mutants(challenge, mutants, Path(scratch))
        solutions: dict[str, Path] = {
            "the reference": challenge.reference,
            "the stub": challenge.stub,
            **{f"mutant {name}": folder for name, folder in built.items()},
        }
        times = {
            label: max(2, repeat) if label == "the reference" else repeat for label in solutions
        }
        labels = [label for label in solutions for _ in range(times[label])]
        runs = [(label, solutions[label]) for label in labels]
        flat = grade_all(runs, challenge, options, say, jobs)
    cards: dict[str, list[Scorecard]] = {}
    for label, card in zip(labels, flat, strict=True):
        cards.setdefault(label, []).append(card)

    report = ValidationReport(challenge.name)
    references, stubs = cards["the reference"], cards["the stub"]
    first = references[0]
    missing = sorted({t.id for card in references for t in card.tests if t.earned < 1.0})
    report.checks.append(
        Check(
            "reference",
            all(card.score == 100.0 for card in references),
            f"scored {_scores(references)}" + _listing(missing),
        )
    )
    report.checks.append(
        Check(
            "deterministic",
            len({card.score for card in references}) == 1,
            f"{len(references)} runs scored {_scores(references, every=True)}",
        )
    )
    report.checks.append(_stub_check(stubs))
    report.checks.append(_categories_check(challenge, first))
    if not mutants:
        report.checks.append(
            Check("mutants", False, "no mutants: add mutants/<flaw>/ with expect.toml")
        )
    for folder in mutants:
        name = folder.name
        if name in broken:
            report.checks.append(Check(f"mutant {name}", False, broken[name]))
            continue
        judged = [
            _judge_mutant(name, expectations[name], card, first) for card in cards[f"mutant {name}"]
        ]
        failed = [(k, check) for k, check in enumerate(judged) if not check.ok]
        if failed and repeat > 1:
            k, check = failed[0]
            report.checks.append(
                Check(check.subject, False, f"run {k + 1} of {repeat}: {check.detail}")
            )
        else:
            report.checks.append(failed[0][1] if failed else judged[0])
    if repeat > 1:
        report.checks.extend(_stable(label, runs_) for label, runs_ in cards.items())
    return report


def _stub_check(stubs: list[Scorecard]) -> Check:
    """The stub earns no correctness points (an error) and at most STUB_WARN in all (a
    warning: points a candidate gets for handing in the kit untouched)."""
    earned = [getattr(card.category("correctness"), "points", 0.0) for card in stubs]
    ok = all(e == 0.0 for e in earned) and all(card.error is None for card in stubs)
    detail = f"scored {_scores(stubs)} with {max(earned):g} correctness points"
    most = max(card.score for card in stubs)
    if ok and most > STUB_WARN:
        detail += (
            f"; more than {STUB_WARN:g} points for the untouched kit: make the stub fail the "
            "tests that give them (an OOP check on a stub that does nothing, say)"
        )
        return Check("stub", True, detail, warning=True)
    return Check("stub", ok, detail)


def _categories_check(challenge: Challenge, reference: Scorecard) -> Check:
    """Every category with weight has tests: otherwise RUBRIC.md promises points the
    scorecard never gives (a category without tests leaves the total)."""
    rubric = challenge.rubric().for_challenge(challenge.name)
    counts = collections.Counter(t.category for t in reference.tests)
    untested = [c for c in rubric.categories.values() if c.weight > 0 and not counts[c.name]]
    if not untested:
        promised = {cat.name: points for cat, points in rubric_points(rubric)}
        given = {c.name: round(c.max_points, 1) for c in reference.categories}
        if promised != given:
            return Check(
                "categories",
                False,
                f"RUBRIC.md promises {_points(promised)} but the scorecard gives {_points(given)}",
            )
        shown = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
        return Check("categories", True, f"every weighted category has tests ({shown})")
    names = ", ".join(f"{c.name} (weight {c.weight:g})" for c in untested)
    fix = "; ".join(f"{c.name} = 0" for c in untested)
    return Check(
        "categories",
        False,
        f"no test counts toward {names}; add tests in it or set {fix} under "
        f"[challenges.{challenge.name}.categories] in rubric.toml",
    )


def _points(points: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:g}" for name, value in sorted(points.items()))


def _scores(cards: list[Scorecard], every: bool = False) -> str:
    """One score, or every run's when they differ (or when asked)."""
    scores = [f"{card.score:g}" for card in cards]
    return scores[0] if len(set(scores)) == 1 and not every else ", ".join(scores)


def _stable(label: str, cards: list[Scorecard]) -> Check:
    """Did every test of one solution reach the same outcome in every run?"""
    outcomes: dict[str, list[str]] = {}
    for card in cards:
        for test in card.tests:
            outcomes.setdefault(test.id, []).append(test.outcome)
    flipped = {
        test_id: seen
        for test_id, seen in outcomes.items()
        if len(set(seen)) > 1 or len(seen) < len(cards)
    }
    subject = f"stable {label.removeprefix('the ')}"
    if not flipped:
        return Check(subject, True, f"same verdicts in all {len(cards)} runs")
    shown = [
        f"{test_id} passed {seen.count('passed')} of {len(cards)}"
        for test_id, seen in flipped.items()
    ]
    return Check(subject, False, "verdicts changed between runs: " + "; ".join(shown[:5]))


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


def grade_all(
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
    if expect.severe is not None:
        least = severe_cost(reference)
        if reference.score - card.score < least - 1e-9:
            problems.append(
                f"a {expect.severe} costs only {reference.score - card.score:.2f} points; the "
                f"weight rule asks at least {least:.2f} (raise the weight of the tests it fails)"
            )
    kept = {c.name: round(c.earned, 3) for c in card.categories if c.earned < 1.0}
    detail = f"scored {card.score:g}; lost {_fmt(kept) or 'nothing'}"
    if problems:
        detail += "; expected otherwise: " + "; ".join(problems)
    return Check(f"mutant {name}", not problems, detail)


def severe_cost(reference: Scorecard) -> float:
    """What a severe flaw must cost at least: SEVERE_POINTS, and twice the points of the
    heaviest single OOP test of the reference's scorecard."""
    oop = reference.category("oop")
    tests = [t for t in reference.tests if t.category == "oop"]
    total = sum(t.weight for t in tests)
    heaviest = (
        max((oop.max_points * t.weight / total for t in tests), default=0.0)
        if oop and total
        else 0.0
    )
    return max(SEVERE_POINTS, 2 * heaviest)


def _listing(ids: list[str]) -> str:
    return f"; not earned: {', '.join(ids)}" if ids else ""


def _fmt(lost: dict[str, Any]) -> str:
    return ", ".join(f"{k} (kept {v:.0%})" for k, v in lost.items())
