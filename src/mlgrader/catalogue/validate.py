"""``mlgrader validate``: a challenge proves its own tests mean something.

The reference earns 100 (the same score in every run), the stub earns no
correctness points and does not break the grader, every mutant (built from its
patch against the reference, see mutants.py) loses what its expect.toml says
(named categories below full marks, others untouched, named tests failed), and
every independent solution (written from the kit alone) scores within its band,
and requirements.toml ties each rule the README states to the hidden tests that
grade it (requirements.py).
A challenge that passes this can be trusted to tell a right answer from the
mistakes it claims to catch.

This module decides what to grade and grades it; checks.py judges the scorecards.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mlgrader.catalogue.checks import (
    Check,
    categories_check,
    judge,
    listing,
    scores,
    stable_check,
    stub_check,
    style_check,
    testing_check,
    timed_check,
)
from mlgrader.catalogue.expect import Expectation, load_expectation
from mlgrader.catalogue.gradings import Progress, Run, grade_many
from mlgrader.catalogue.mutation import record_check
from mlgrader.catalogue.requirements import Rule, load_requirements, requirements_check
from mlgrader.engine.grade import GradeOptions
from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import Challenge
from mlgrader.model.mutants import build_mutant
from mlgrader.model.scorecard import Scorecard


@dataclass
class ValidationReport:
    """Every check made on one challenge."""

    challenge: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)


@dataclass
class _Plan:
    """What one challenge's validation grades, and what each graded folder must show."""

    challenge: Challenge
    expectations: dict[str, Expectation]  # "mutant NAME" / "solution NAME" -> its file
    broken: dict[str, str]  # mutant name -> why its patch did not apply
    runs: list[Run]
    rules: list[Rule] | None  # requirements.toml (None: the challenge has none)


def validate_challenge(
    challenge: Challenge,
    options: GradeOptions | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    repeat: int = 1,
) -> ValidationReport:
    """Run every proof for one challenge (see the module docstring and validate_challenges)."""
    return validate_challenges([challenge], options, progress, jobs, repeat)[0]


def validate_challenges(
    challenges: list[Challenge],
    options: GradeOptions | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    repeat: int = 1,
) -> list[ValidationReport]:
    """Run every proof for each challenge; one report per challenge, in the order given.

    The gradings are independent, so with ``jobs`` > 1 they run side by side in
    worker processes (spawned, so no grader thread is ever forked mid-lock), all
    challenges' gradings in one pool: no worker waits for one challenge's last
    grading while another challenge has work. The checks come out in the same
    order either way. With ``repeat`` K, every solution is graded K times, every
    claim must hold in every run, the reference must score the same in each, and a
    test whose verdict changes between runs of the same solution fails the `stable`
    check: a grader is a measuring instrument. (One run of each is the default: a
    second run of the reference alone cost the full test tier 11 gradings and
    proves less than ``--repeat``, which benchmarks and authors run busy.)
    """
    options = options or GradeOptions()
    say = progress or (lambda _msg: None)
    repeat = max(1, repeat)
    with tempfile.TemporaryDirectory(prefix="mlgrader-mutants-") as scratch:
        plans = [_plan(c, Path(scratch) / c.name, repeat) for c in challenges]
        runs = [run for plan in plans for run in plan.runs]
        # the stubs last: they are quick, and fill the pool's tail
        order = sorted(range(len(runs)), key=lambda k: runs[k][0] == "the stub")
        graded = grade_many([runs[k] for k in order], options, say, jobs)
    by_run = dict(zip(order, graded, strict=True))  # run index -> its scorecard
    reports, start = [], 0
    for plan in plans:
        cards: dict[str, list[Scorecard]] = {}
        for k, (label, _, _) in enumerate(plan.runs, start):
            cards.setdefault(label, []).append(by_run[k])
        start += len(plan.runs)
        reports.append(_report(plan, cards, repeat))
    return reports


def _plan(challenge: Challenge, scratch: Path, repeat: int) -> _Plan:
    """Read every expect.toml and requirements.toml, build the mutants into ``scratch``,
    list the gradings."""
    rules = load_requirements(challenge.root)
    mutants, solutions = challenge.mutants(), challenge.solutions()
    expectations = {f"mutant {m.name}": load_expectation(m / "expect.toml") for m in mutants}
    for folder in solutions:
        expectations[f"solution {folder.name}"] = load_expectation(
            folder / "expect.toml", solution=True
        )
    built, broken = _build_mutants(challenge, mutants, scratch)
    folders: dict[str, Path] = {
        "the reference": challenge.reference,
        "the stub": challenge.stub,
        **{f"mutant {name}": folder for name, folder in built.items()},
        **{f"solution {folder.name}": folder for folder in solutions},
    }
    runs = [(label, folder, challenge) for label, folder in folders.items() for _ in range(repeat)]
    return _Plan(challenge, expectations, broken, runs, rules)


def _report(plan: _Plan, cards: dict[str, list[Scorecard]], repeat: int) -> ValidationReport:
    """Every check on one challenge, from its scorecards."""
    report = ValidationReport(plan.challenge.name)
    references = cards["the reference"]
    first = references[0]
    missing = sorted({t.id for card in references for t in card.tests if t.earned < 1.0})
    report.checks.append(
        Check(
            "reference",
            all(card.score == 100.0 for card in references),
            f"scored {scores(references)}" + listing(missing),
        )
    )
    if len(references) > 1:
        report.checks.append(
            Check(
                "deterministic",
                len({card.score for card in references}) == 1,
                f"{len(references)} runs scored {scores(references, every=True)}",
            )
        )
    report.checks += [
        stub_check(cards["the stub"]),
        categories_check(plan.challenge, first),
        style_check(first),
        requirements_check(plan.rules, _statement(plan.challenge), first),
    ]
    testing = testing_check(plan.challenge, first)
    if testing is not None:
        report.checks.append(testing)
    recorded = record_check(plan.challenge)
    if recorded is not None:
        report.checks.append(recorded)
    mutants = [label for label in plan.expectations if label.startswith("mutant ")]
    if not mutants:
        report.checks.append(
            Check("mutants", False, "no mutants: add mutants/<flaw>/ with expect.toml")
        )
    else:
        runs = [card for label in mutants for card in cards.get(label, [])]
        report.checks.append(timed_check(first, runs))
    for label, expect in plan.expectations.items():
        name = label.split(" ", 1)[1]
        if label.startswith("mutant") and name in plan.broken:
            report.checks.append(Check(label, False, plan.broken[name]))
            continue
        judged = [judge(label, expect, card, first) for card in cards[label]]
        failed = [(k, check) for k, check in enumerate(judged) if not check.ok]
        if failed and repeat > 1:
            k, check = failed[0]
            report.checks.append(
                Check(check.subject, False, f"run {k + 1} of {repeat}: {check.detail}")
            )
        else:
            report.checks.append(failed[0][1] if failed else judged[0])
    if repeat > 1:
        report.checks.extend(stable_check(label, runs) for label, runs in cards.items())
    return report


def _statement(challenge: Challenge) -> str:
    readme = challenge.root / "README.md"
    return readme.read_text(encoding="utf-8") if readme.is_file() else ""


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
