"""Are the timed verdicts (complexity, concurrency, performance) the same on every run?

Grades each challenge's reference, its mutants (built from their patches) and the
independent solutions in ``challenges/<challenge>/solutions/*/`` (written from the
kit alone, never from the reference or the hidden tests; one whose band starts at 100
is correct), idle or with one process spinning per core (``--load``), and prints per
challenge:

* flips: (solution, timed test) pairs whose verdict changed between runs;
* false fails: runs in which a reference or an independent solution failed a timed
  test (they are correct: any lost timed point is the grader's noise);
* false passes: runs in which a mutant kept a timed category its expect.toml says
  it loses, or passed a timed test it names in ``fail``;
* margins: for complexity checks, measured excess growth over the growth that
  fails (a mutant's least, a correct solution's most): a verdict that held in
  every run can still sit next to its threshold, and then CI's one run flips it.

    python benchmarks/verdict_stability.py [--challenge NAME ...] [--runs 5]
        [--concurrency-runs 10] [--load] [--jobs 2] [--clocked PATTERN ...]

``--clocked`` adds tests of an untimed category whose verdict also reads the clock (a
correctness test with a bar in seconds, such as dataloader's prefetch test): they are
graded and judged like timed tests (``tests/hidden/test_correctness.py::test_prefetch*``).

Only timed verdicts are read, so only the timed tests are graded: the reference is graded
once in full, which says which test files hold timed tests, and every run after that
grades a copy of the challenge with only those files. Files with a concurrency test are
graded ``--concurrency-runs`` times, the other timed files ``--runs`` times. A mutant is
graded only on the files it must fail (those of the timed categories its expect.toml
says it loses, or of the tests it names in ``fail``); a mutant that loses no timed
category is not graded at all. That is what makes K = 5 and K = 10 affordable: lru-cache's
correctness and OOP tests are a fifth of its grading, and half its mutants are untimed.

A fair grader prints 0 in the last three columns. The table is what docs/complexity.md
quotes; benchmarks/results/verdict_stability_*.txt keeps full outputs.
"""

from __future__ import annotations

import argparse
import collections
import fnmatch
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mlgrader.catalogue.checks import TIMED
from mlgrader.catalogue.expect import Expectation, load_expectation
from mlgrader.catalogue.listing import find_challenge
from mlgrader.complexity import CLASSES
from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.model.challenge import Challenge
from mlgrader.model.mutants import build_mutant
from mlgrader.model.scorecard import Scorecard

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [
    "lru-cache",
    "numpy-nn",
    "ml-from-scratch",
    "python-fundamentals",
    "eval-harness",
    "optimizers",
    "dataloader",
    "pipeline-parallel",
    "debug-swarm",
    "elevator",
    "data-structures",
    "blink-detector",
]


@dataclass
class Solution:
    """One folder graded repeatedly, and what it must show."""

    label: str
    folder: Path
    correct: bool
    expect: Expectation | None = None
    cards: list[Scorecard] = field(default_factory=list)

    def must_pass(self, test_id: str, category: str) -> bool:
        """A timed test this solution passes on every run: any, if it is correct; for
        a mutant, one of a timed category its expect.toml keeps that it need not fail
        (lru-cache's god-function keeps complexity: a failure there is a false fail)."""
        if self.correct:
            return True
        expect = self.expect
        return (
            expect is not None
            and category in expect.keep
            and not any(fnmatch.fnmatchcase(test_id, p) for p in expect.fail)
        )


@dataclass
class Plan:
    """Where a challenge's timed tests are, and how often each file is graded."""

    #: timed test id (``tests/hidden/test_x.py::test_y``) -> its category
    tests: dict[str, str]

    def groups(self) -> dict[str, set[str]]:
        """``concurrency``: the files holding a concurrency test; ``other``: the rest."""
        found: dict[str, set[str]] = {"concurrency": set(), "other": set()}
        files = {test_id.split("::")[0] for test_id in self.tests}
        for path in files:
            concurrent = any(
                test_id.startswith(f"{path}::") and category == "concurrency"
                for test_id, category in self.tests.items()
            )
            found["concurrency" if concurrent else "other"].add(path)
        return {name: paths for name, paths in found.items() if paths}

    def groups_for(self, solution: Solution) -> list[str]:
        """The groups a solution is graded on: every group for the reference and the
        independent solutions, for a mutant those holding a test it must fail or must pass."""
        if solution.correct or solution.label.startswith("independent"):
            return list(self.groups())
        return [
            name
            for name, paths in self.groups().items()
            if any(
                test_id.split("::")[0] in paths
                and (_watched(solution, test_id, category) or solution.must_pass(test_id, category))
                for test_id, category in self.tests.items()
            )
        ]


def _judged(test_id: str, category: str, clocked: tuple[str, ...]) -> bool:
    """Is this test's verdict one the benchmark reads: a timed category's, or a
    ``--clocked`` test's?"""
    return category in TIMED or any(fnmatch.fnmatchcase(test_id, p) for p in clocked)


def _plan(card: Scorecard, clocked: tuple[str, ...]) -> Plan:
    return Plan({t.id: t.category for t in card.tests if _judged(t.id, t.category, clocked)})


def _focused_copy(challenge: Challenge, keep: set[str], dest: Path) -> Path:
    """A copy of the challenges folder where ``challenge`` keeps only the test files
    ``keep`` (helpers and conftest files stay); returns the copy's challenges folder."""
    root = dest / "challenges"
    shutil.copytree(challenge.root, root / challenge.name, ignore=_NO_CACHE)
    shutil.copyfile(ROOT / "rubric.toml", dest / "rubric.toml")
    for path in (root / challenge.name / "tests").rglob("test_*.py"):
        if path.relative_to(root / challenge.name).as_posix() not in keep:
            path.unlink()
    return root


def _solutions(challenge: Challenge, scratch: Path) -> list[Solution]:
    found = [Solution("reference", challenge.reference, correct=True)]
    for mutant in challenge.mutants():
        folder = build_mutant(challenge.reference, mutant, scratch / mutant.name, mutant.name)
        expect = load_expectation(mutant / "expect.toml")
        found.append(Solution(f"mutant {mutant.name}", folder, correct=False, expect=expect))
    for folder in challenge.solutions():
        expect = load_expectation(folder / "expect.toml", solution=True)
        correct = expect.band is not None and expect.band[0] >= 100.0  # it earns every point
        found.append(Solution(f"independent {folder.name}", folder, correct, expect=expect))
    return found


def _timed(card: Scorecard, clocked: tuple[str, ...]) -> dict[str, bool]:
    return {t.id: t.outcome == "passed" for t in card.tests if _judged(t.id, t.category, clocked)}


def _first_message(cards: list[Scorecard], test_id: str) -> str:
    """The first line of the first failure of ``test_id``: what a false fail measured."""
    for card in cards:
        for test in card.tests:
            if test.id == test_id and test.outcome != "passed":
                lines = test.message.strip().splitlines() or [test.outcome]
                said = [line for line in lines if "Error:" in line] or lines
                return said[0].strip()[:300]
    return ""


def _false_passes(solution: Solution, card: Scorecard, clocked: tuple[str, ...]) -> list[str]:
    """What a mutant kept in this run that its expect.toml says it loses (timed only)."""
    expect = solution.expect
    if expect is None:
        return []
    kept = []
    for name in expect.lose:
        cat = card.category(name)
        if name in TIMED and cat is not None and cat.earned >= 1.0:
            kept.append(f"kept all of {name}")
    timed = _timed(card, clocked)
    for pattern in expect.fail:
        matched = [ok for test_id, ok in timed.items() if fnmatch.fnmatchcase(test_id, pattern)]
        if matched and all(matched):
            kept.append(f"passed {pattern}")
    return kept


def _watched(solution: Solution, test_id: str, category: str) -> bool:
    """Is this timed test one a mutant must fail: one its expect.toml names, or where it
    names none, any test of a timed category it loses?"""
    expect = solution.expect
    if expect is None:
        return False
    if expect.fail:
        return any(fnmatch.fnmatchcase(test_id, p) for p in expect.fail)
    return category in expect.lose


def _margins(solution: Solution) -> list[str]:
    """How close each complexity verdict came to flipping: excess growth over the growth
    that fails (a mutant's least in its watched tests, a correct solution's most).

    A ratio near 1 flips between runs; a mutant needs well above 1, a correct
    solution well below (verdicts from exact counts do not depend on it)."""
    ratios: dict[str, list[tuple[float, int]]] = collections.defaultdict(list)
    for card in solution.cards:
        for test in card.tests:
            if test.category != "complexity" or not test.complexity:
                continue
            if not solution.correct and not _watched(solution, test.id, test.category):
                continue
            for record in test.complexity:
                if "excess_growth" in record:
                    counted = record["estimate"]["bytecodes"]["class"]
                    by_counts = counted is not None and _worse(counted, record["expected"])
                    key = f"{test.id} [{record.get('label', '?')}]"
                    key += " (exact counts show a worse class)" if by_counts else ""
                    ratio = record["excess_growth"] / record["fail_growth"]
                    ratios[key].append((ratio, max(record["estimate"]["sizes"], default=0)))
    lines = []
    for key, seen in sorted(ratios.items()):
        worst, reach = max(seen) if solution.correct else min(seen)
        if solution.correct and worst < 0.25:
            continue
        kind = "most" if solution.correct else "least"
        others = ", ".join(f"{r:.2f}" for r, _ in seen)
        lines.append(
            f"  margin {solution.label}: {key}: {kind} excess/fail {worst:.2f} "
            f"(up to n={reach}; all runs {others})"
        )
    return lines


def _worse(a: str, b: str) -> bool:
    return a in CLASSES and b in CLASSES and CLASSES.index(a) > CLASSES.index(b)


def _report(
    solutions: list[Solution], clocked: tuple[str, ...] = ()
) -> tuple[int, int, int, list[str]]:
    flips = false_fails = false_passes = 0
    lines = []
    for solution in solutions:
        verdicts: dict[str, list[bool]] = collections.defaultdict(list)
        categories = {t.id: t.category for card in solution.cards for t in card.tests}
        for card in solution.cards:
            for test_id, ok in _timed(card, clocked).items():
                verdicts[test_id].append(ok)
        for test_id, seen in sorted(verdicts.items()):
            runs = len(seen)
            if len(set(seen)) > 1:
                flips += 1
                lines.append(f"  flip   {solution.label}: {test_id} passed {sum(seen)}/{runs}")
            if solution.must_pass(test_id, categories[test_id]) and not all(seen):
                false_fails += seen.count(False)
                lines.append(
                    f"  f-fail {solution.label}: {test_id} failed {seen.count(False)}/{runs}: "
                    + _first_message(solution.cards, test_id)
                )
        for k, card in enumerate(solution.cards):
            kept = _false_passes(solution, card, clocked)
            if kept:
                false_passes += 1
                lines.append(f"  f-pass {solution.label} run {k + 1}: {'; '.join(kept)}")
        lines.extend(_margins(solution))
        held = sum(all(seen) for seen in verdicts.values())
        lines.append(
            f"  {solution.label}: {len(solution.cards)} gradings, {len(verdicts)} timed tests, "
            f"{held} passed in every run"
        )
    return flips, false_fails, false_passes, lines


def _grade_folder(job: tuple[str, str, str]) -> Scorecard:
    folder, challenges, name = job
    challenge = find_challenge(Path(challenges), name)
    return grade(Path(folder), challenge, GradeOptions())


def _measure(
    name: str,
    pool: ProcessPoolExecutor,
    scratch: Path,
    runs: dict[str, int],
    clocked: tuple[str, ...] = (),
) -> tuple[int, int, int, int]:
    """Grade one challenge's solutions on its timed files; print what each showed."""
    challenge = find_challenge(ROOT / "challenges", name)
    solutions = _solutions(challenge, scratch / "built")
    reference = solutions[0]
    reference.cards.append(grade(challenge.reference, challenge, GradeOptions()))
    # the first run, in full, says where the timed (and clocked) tests are
    plan = _plan(reference.cards[0], clocked)
    copies = {
        group: _focused_copy(challenge, paths, scratch / group)
        for group, paths in plan.groups().items()
    }
    jobs: list[list[tuple[str, str, str]]] = []  # per solution, in order
    for solution in solutions:
        mine = []
        for group in plan.groups_for(solution):
            count = runs[group] - (1 if solution is reference else 0)
            mine += [(str(solution.folder), str(copies[group]), name)] * count
        jobs.append(mine)
    graded = [s for s, mine in zip(solutions, jobs, strict=True) if mine or s is reference]
    groups = ", ".join(f"{g} x {runs[g]} ({len(p)} files)" for g, p in plan.groups().items())
    print(f"{name}: {len(graded)} of {len(solutions)} solutions; {groups}", flush=True)
    cards = pool.map(_grade_folder, [job for mine in jobs for job in mine])  # in order
    totals = [0, 0, 0]
    for solution, mine in zip(solutions, jobs, strict=True):  # each solution's lines once
        solution.cards += [next(cards) for _ in mine]  # its runs are in: a stopped run
        if mine or solution is reference:  # still reports what it measured
            counts = _report([solution], clocked)
            totals = [t + c for t, c in zip(totals, counts[:3], strict=True)]
            print("\n".join(counts[3]), flush=True)
    return len(graded), totals[0], totals[1], totals[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--challenge", action="append", default=[])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency-runs", type=int, default=10)
    parser.add_argument("--load", action="store_true", help="one process spinning per core")
    parser.add_argument("--jobs", type=int, default=1, help="gradings side by side")
    parser.add_argument(
        "--clocked",
        action="append",
        default=[],
        metavar="PATTERN",
        help="also judge the untimed tests matching this (fnmatch) pattern: a clock bar",
    )
    args = parser.parse_args()
    names = args.challenge or DEFAULT
    runs = {"concurrency": args.concurrency_runs, "other": args.runs}
    print(f"# $ python {' '.join(sys.argv)}", flush=True)
    print(f"# {_conditions()}", flush=True)
    spin = [sys.executable, "-c", "while True: pass"]
    hogs = [subprocess.Popen(spin) for _ in range(os.cpu_count() or 1)] if args.load else []
    rows = []
    try:
        context = multiprocessing.get_context("spawn")
        with (
            tempfile.TemporaryDirectory() as tmp,
            ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool,
        ):
            for name in names:
                started = time.perf_counter()
                counted = _measure(name, pool, Path(tmp) / name, runs, tuple(args.clocked))
                minutes = (time.perf_counter() - started) / 60
                print(f"{name}: done in {minutes:.1f} min", flush=True)
                rows.append((name, *counted))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    cores = os.cpu_count() or 1
    busy = args.load or args.jobs >= cores
    spinners = "one spinner per core" if args.load else "no spinners"
    print(f"\n{'busy' if busy else 'idle'} ({spinners}, --jobs {args.jobs}, {cores} cores)")
    print(f"# at the end: {_conditions()} (a load well above --jobs without --load means")
    print("# something else ran beside this benchmark: then it was not idle, whatever it says)")
    print(f"runs: {args.runs}, files with a concurrency test {args.concurrency_runs}")
    print("| challenge | solutions graded | flips | false fails | false passes |")
    print("|---|---|---|---|---|")
    for name, count, flips, ffails, fpasses in rows:
        print(f"| {name} | {count} | {flips} | {ffails} | {fpasses} |")


def _conditions() -> str:
    """When, at which commit, and how loaded the machine is: the header a result file
    needs to be read honestly."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    one, five, fifteen = os.getloadavg()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return f"{stamp}, commit {commit or '?'}, load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


_NO_CACHE = shutil.ignore_patterns("__pycache__")


if __name__ == "__main__":
    main()
