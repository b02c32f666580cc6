"""``mlgrader validate --mutate``: the challenge author's mutation score.

Hand-written mutants show the flaws the author thought of. Seeded faults
(``faults.py``) show how many plausible slips the hidden tests notice at all: each
sampled fault is built into a copy of the reference and graded, and it is killed
when any test earns less than it does for the reference. A survivor is either a
gap in the suite, or a change the author judges harmless: ``equivalent`` (the
program behaves the same), ``out-of-spec`` (it changes something the statement
does not specify) or ``scaled`` (it only changes how well a solution does on a
measure graded on a scale, such as waits against a baseline with partial credit
capped at a target: there the hand-made mutants prove the suite, and the kill-rate
target covers the deterministic parts). Those judgements live in the challenge's ``mutation.toml``,
each with its reason, so the kill rate that counts is over the rest, and a new
survivor fails until it is tested or judged::

    [sample]
    size = 30
    seed = 0

    [[judged]]
    id = "lru_cache.py:compare:1a2b3c4d:0"
    verdict = "equivalent"
    reason = "capacity >= 1 is checked first, so < and <= agree here"
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mlgrader.catalogue.checks import Check
from mlgrader.catalogue.faults import Fault, faults_in, sample
from mlgrader.catalogue.gradings import Progress, grade_all
from mlgrader.engine.grade import GradeOptions
from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Scorecard

RECORD = "mutation.toml"
VERDICTS = ("equivalent", "out-of-spec", "scaled")
#: The kill rate (over faults not judged harmless) a challenge must reach.
TARGET = 0.9


@dataclass(frozen=True)
class Judgement:
    """An author's reason to leave a surviving fault untested."""

    verdict: str
    reason: str


@dataclass(frozen=True)
class MutationPlan:
    """What mutation.toml fixes: the sample, and the judged survivors."""

    size: int = 30
    seed: int = 0
    judged: dict[str, Judgement] = field(default_factory=dict)


@dataclass
class MutationReport:
    """The outcome of grading one challenge's sampled faults."""

    challenge: str
    candidates: int
    plan: MutationPlan
    killed: list[Fault] = field(default_factory=list)
    survived: list[Fault] = field(default_factory=list)
    originals: dict[str, str] = field(default_factory=dict)

    def judged(self, verdict: str) -> list[Fault]:
        """Survivors the author judged ``verdict``."""
        return [
            f
            for f in self.survived
            if getattr(self.plan.judged.get(f.id), "verdict", "") == verdict
        ]

    @property
    def unjudged(self) -> list[Fault]:
        """Survivors nobody has explained: gaps in the suite until tested or judged."""
        return [f for f in self.survived if f.id not in self.plan.judged]

    @property
    def kill_rate(self) -> float:
        """Killed over the sampled faults not judged harmless."""
        counted = len(self.killed) + len(self.unjudged)
        return len(self.killed) / counted if counted else 1.0

    @property
    def ok(self) -> bool:
        return not self.unjudged and self.kill_rate >= TARGET

    def summary(self) -> str:
        sampled = len(self.killed) + len(self.survived)
        scaled = len(self.judged("scaled"))
        on_a_scale = f", {scaled} graded on a scale" if scaled else ""
        return (
            f"{sampled} of {self.candidates} faults (seed {self.plan.seed}): "
            f"{len(self.killed)} killed, {len(self.judged('equivalent'))} equivalent, "
            f"{len(self.judged('out-of-spec'))} out of spec{on_a_scale}, "
            f"{len(self.unjudged)} survived; kill rate {self.kill_rate:.0%} (target {TARGET:.0%})"
        )


def load_plan(challenge: Challenge) -> MutationPlan:
    """The challenge's mutation.toml, or the default plan when it has none."""
    path = challenge.root / RECORD
    if not path.is_file():
        return MutationPlan()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    head = data.get("sample", {})
    size, seed = head.get("size", 30), head.get("seed", 0)
    if not (isinstance(size, int) and size > 0 and isinstance(seed, int)):
        raise ChallengeError(f"{path}: sample: expected size (an int > 0) and seed (an int)")
    judged: dict[str, Judgement] = {}
    for k, entry in enumerate(data.get("judged", [])):
        entry = entry if isinstance(entry, dict) else {}  # a non-table entry: the error below
        fault, verdict, reason = entry.get("id"), entry.get("verdict"), entry.get("reason")
        if not isinstance(fault, str) or verdict not in VERDICTS or not reason:
            raise ChallengeError(
                f"{path}: judged[{k}]: expected id, verdict ({' or '.join(VERDICTS)}) and a reason"
            )
        judged[fault] = Judgement(verdict, str(reason))
    return MutationPlan(size, seed, judged)


def mutate_challenge(
    challenge: Challenge,
    options: GradeOptions | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    plan: MutationPlan | None = None,
) -> MutationReport:
    """Grade the reference and each sampled fault; sort the faults into killed and survived."""
    plan = plan or load_plan(challenge)
    files = _reference_files(challenge)
    candidates = faults_in(challenge.reference, files)
    chosen = sample(candidates, plan.size, plan.seed)
    originals = {name: (challenge.reference / name).read_text(encoding="utf-8") for name in files}
    report = MutationReport(challenge.name, len(candidates), plan, originals=originals)
    with tempfile.TemporaryDirectory(prefix="mlgrader-faults-") as scratch:
        runs = [("the reference", challenge.reference)]
        for k, fault in enumerate(chosen):
            folder = Path(scratch) / f"fault-{k}"
            shutil.copytree(challenge.reference, folder)
            (folder / fault.file).write_text(fault.source, encoding="utf-8")
            runs.append((f"fault {fault.id}", folder))
        cards = grade_all(runs, challenge, options or GradeOptions(), progress or _quiet, jobs)
    reference = cards[0]
    for fault, card in zip(chosen, cards[1:], strict=True):
        (report.killed if _killed(card, reference) else report.survived).append(fault)
    return report


def record_check(challenge: Challenge) -> Check | None:
    """Does mutation.toml still describe the reference? Every judged fault must be in the
    sample it records: a reference changed since the record moves or removes faults, and a
    judgement then speaks of code that is gone. Cheap (no grading), so plain ``validate``
    makes it; None for a challenge without a record."""
    if not (challenge.root / RECORD).is_file():
        return None
    plan = load_plan(challenge)
    chosen = {
        f.id
        for f in sample(
            faults_in(challenge.reference, _reference_files(challenge)), plan.size, plan.seed
        )
    }
    stale = sorted(set(plan.judged) - chosen)
    if stale:
        return Check(
            "mutation record",
            False,
            f"{RECORD} judges {len(stale)} fault(s) no longer in its sample ({', '.join(stale[:3])}):"
            " the reference changed; rerun `mlgrader validate "
            f"{challenge.name} --mutate` and judge its survivors again",
        )
    return Check(
        "mutation record",
        True,
        f"{len(plan.judged)} judged survivors of {plan.size} seeded faults (seed {plan.seed}) still in "
        "the sample",
    )


def _killed(card: Scorecard, reference: Scorecard) -> bool:
    """Did any test earn less than for the reference (or grading fail outright)?"""
    if card.error is not None:
        return True
    earned = {t.id: t.earned for t in card.tests}
    return any(earned.get(t.id, 0.0) < t.earned - 1e-9 for t in reference.tests)


def _reference_files(challenge: Challenge) -> list[str]:
    """The reference's own modules, the files a candidate writes (support excluded)."""
    files: list[str] = []
    for module in challenge.modules:
        if (challenge.reference / f"{module}.py").is_file():
            files.append(f"{module}.py")
        else:
            package = challenge.reference / module
            files += sorted(
                p.relative_to(challenge.reference).as_posix() for p in package.rglob("*.py")
            )
    return files


def _quiet(_message: str) -> None:
    return None
