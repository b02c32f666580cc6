"""The ``testing`` category: the candidate's own tests, run against wheat and chaffs.

Where a challenge enables it (``[testing]`` in challenge.toml, model/owntests.py),
the tests a candidate wrote (``test_*.py`` beside their code, or anywhere under
``tests/`` but ``tests/public``) run in the sandbox (sandbox/suite.py): twice
against the reference, the *wheat*, and once against each planted flaw, the
*chaffs*. This is how Brown's Examplar grades students' tests. The scorecard
gets synthetic results in category ``testing``:

* ``own tests::pass on a correct implementation`` (weight ``pass_weight``):
  at least one test ran, and every test passed in both runs on the reference.
  A test that fails on a correct implementation is a wrong test.
* ``own tests::catch planted flaw K`` (weight 1 each): some test that passed on
  the reference failed on chaff K, or the run on it crashed or timed out. A
  wrong test catches nothing: it would fail everywhere.

The wheat runs twice so that a test which passes by chance (random, or racing)
shows as wrong rather than as catching flaws by luck. Every run gets a fresh
folder of the same shape and the same file names (only the implementation's
source differs), so the candidate's tests cannot tell which run they are in
except by testing. Ids and outcomes are all a candidate sees: the flaws'
descriptions and the tests' failures reach the grader's scorecard only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import tempfile
from pathlib import Path

from mlgrader.engine.workspace import SKIPPED_DIRS
from mlgrader.model.challenge import Challenge
from mlgrader.model.mutants import build_mutant
from mlgrader.model.owntests import OwnTests, missing_chaffs
from mlgrader.model.scorecard import TestResult
from mlgrader.sandbox.suite import SuiteRun, run_suite

CATEGORY = "testing"
PASS_ID = "own tests::pass on a correct implementation"
#: Seconds one of the candidate's tests may run.
TEST_TIMEOUT_S = 20.0


def own_test_files(submission: Path) -> list[str]:
    """The candidate's own test files, relative to the submission, sorted."""
    found = {p for p in submission.glob("test_*.py") if p.is_file()}
    tests = submission / "tests"
    if tests.is_dir():
        found |= {
            p
            for p in tests.rglob("test_*.py")
            if p.is_file() and p.relative_to(tests).parts[0] not in ("public", "hidden")
        }
    return sorted(p.relative_to(submission).as_posix() for p in found)


def check_own_tests(challenge: Challenge) -> None:
    """Raise ChallengeError if ``[testing]`` names a chaff the challenge does not have."""
    if challenge.own_tests is not None and not challenge.is_kit:
        error = missing_chaffs(challenge.own_tests, challenge.root)
        if error is not None:
            raise error


def grade_own_tests(
    challenge: Challenge, submission: Path, *, memory_mb: int = 2048
) -> list[TestResult]:
    """The ``testing`` category's results for the tests in ``submission`` (empty when the
    challenge does not grade them)."""
    spec = challenge.own_tests
    if spec is None:
        return []
    files = own_test_files(submission)
    if not files:
        return _results(spec, [], {}, "no tests found: put them in tests/test_*.py")
    key = _digest(challenge, submission)
    if key not in _SEEN:
        _SEEN[key] = _run_all(challenge, spec, submission, files, memory_mb)
    return [dataclasses.replace(r) for r in _SEEN[key]]


#: Results by what decides them (see :func:`_digest`): ``validate`` grades a dozen mutants
#: that carry the reference's tests unchanged, and running them again would show the same.
_SEEN: dict[str, list[TestResult]] = {}


def _digest(challenge: Challenge, submission: Path) -> str:
    """What the runs depend on: the challenge (its folder and [testing] table) and every
    file of the submission the runs copy."""
    digest = hashlib.sha256(f"{challenge.root.resolve()}\0{challenge.own_tests}".encode())
    for rel in _candidate_files(submission, challenge):
        digest.update(f"\0{rel}\0".encode() + (submission / rel).read_bytes())
    return digest.hexdigest()


def _candidate_files(submission: Path, challenge: Challenge) -> list[str]:
    """The submission's files a run copies: all but caches, the challenge's modules (the
    run's implementation replaces them) and the kit's public tests."""
    modules = set(challenge.modules)
    found = []
    for path in sorted(submission.rglob("*")):
        parts = path.relative_to(submission).parts
        if not path.is_file() or any(p in SKIPPED_DIRS for p in parts) or path.suffix == ".pyc":
            continue
        if parts[0] in modules or parts[0].removesuffix(".py") in modules:
            continue
        if parts[0] == "tests" and len(parts) > 2 and parts[1] in ("public", "hidden"):
            continue
        found.append("/".join(parts))
    return found


def _run_all(
    challenge: Challenge, spec: OwnTests, submission: Path, files: list[str], memory_mb: int
) -> list[TestResult]:
    """Both wheat runs and every chaff's, in fresh folders; the results they give."""
    with tempfile.TemporaryDirectory(prefix="mlgrader-owntests-") as scratch:
        places = _implementations(challenge, spec, Path(scratch) / "built")
        runs: dict[str, SuiteRun] = {}
        for k, (label, implementation) in enumerate(places):
            folder = Path(scratch) / f"run-{k}" / "suite"
            _lay_out(folder, submission, implementation, challenge)
            runs[label] = run_suite(
                folder,
                files,
                hidden=[challenge.root],
                timeout_s=spec.timeout_s,
                memory_mb=memory_mb,
                test_timeout_s=TEST_TIMEOUT_S,
            )
            shutil.rmtree(folder.parent, ignore_errors=True)
            if runs["wheat 1"].problem:  # no test can be trusted to catch anything: stop,
                break  # rather than wait out the timeout once per chaff
    wheat = [runs["wheat 1"], runs.get("wheat 2", runs["wheat 1"])]
    return _results(spec, wheat, {c: runs[c] for c in spec.chaffs if c in runs}, None)


def _implementations(challenge: Challenge, spec: OwnTests, built: Path) -> list[tuple[str, Path]]:
    """(label, folder) for both wheat runs and every chaff, in a fixed order."""
    chaffs = [
        (name, build_mutant(challenge.reference, challenge.root / "mutants" / name, built / name))
        for name in spec.chaffs
    ]
    return [("wheat 1", challenge.reference), *chaffs, ("wheat 2", challenge.reference)]


def _lay_out(folder: Path, submission: Path, implementation: Path, challenge: Challenge) -> None:
    """The candidate's files, the challenge's modules taken from ``implementation`` instead
    of theirs, and the challenge's support files (which win, as in grading). Plain copies
    (fresh times, no metadata): every run's folder looks the same but for the modules."""
    for rel in _candidate_files(submission, challenge):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(submission / rel, folder / rel)
    skipped = shutil.ignore_patterns(*sorted(SKIPPED_DIRS), "*.pyc")
    for module in challenge.modules:
        single, package = implementation / f"{module}.py", implementation / module
        if single.is_file():
            shutil.copyfile(single, folder / single.name)
        elif package.is_dir():
            shutil.copytree(package, folder / module, ignore=skipped, copy_function=shutil.copyfile)
    if challenge.support.is_dir():
        shutil.copytree(
            challenge.support,
            folder,
            dirs_exist_ok=True,
            ignore=skipped,
            copy_function=shutil.copyfile,
        )


def _results(
    spec: OwnTests, wheat: list[SuiteRun], chaffs: dict[str, SuiteRun], none_found: str | None
) -> list[TestResult]:
    """The synthetic results: one for passing on the wheat, one per chaff."""
    seconds = sum(run.seconds for run in [*wheat, *chaffs.values()])
    valid, wrong = _judge_wheat(wheat)
    if none_found is not None:
        passed, said = False, none_found
    elif wrong:
        passed, said = (
            False,
            f"{len(wrong)} test(s) failed on a correct implementation: " + _list(wrong, wheat),
        )
    elif not valid:
        passed, said = False, "no test passed on a correct implementation"
    else:
        passed, said = True, f"{len(valid)} test(s) passed on a correct implementation, twice"
    results = [_result(PASS_ID, spec.pass_weight, passed, said, seconds)]
    for k, name in enumerate(spec.chaffs, 1):
        run = chaffs.get(name)
        whole = not any(w.problem for w in wheat)  # a broken run means something only then
        if run is None:
            caught, how = False, "not run: the tests broke on a correct implementation"
        else:
            caught, how = _caught(run, valid, whole)
        results.append(
            _result(
                f"own tests::catch planted flaw {k}",
                1.0,
                caught,
                f"planted flaw {name!r}: {how}",
                0.0,
            )
        )
    return results


def _judge_wheat(wheat: list[SuiteRun]) -> tuple[list[str], list[str]]:
    """(tests that passed in every wheat run, tests that failed or errored in any)."""
    if not wheat:
        return [], []
    names = sorted({name for run in wheat for name in run.outcomes})
    wrong = [n for n in names if any(run.outcomes.get(n) in ("failed", "error") for run in wheat)]
    if any(run.problem for run in wheat):
        wrong += [f"(the whole run: {run.problem})" for run in wheat if run.problem]
    valid = [n for n in names if all(run.outcomes.get(n) == "passed" for run in wheat)]
    return valid, wrong


def _caught(run: SuiteRun, valid: list[str], wheat_whole: bool) -> tuple[bool, str]:
    """Did a test that passes on the wheat fail on this chaff, or did the run break where
    the wheat's did not? (A suite that hangs or exits everywhere catches nothing.)"""
    if run.problem and wheat_whole:
        return True, f"caught: {run.problem}"
    failing = [n for n in valid if run.outcomes.get(n, "error") in ("failed", "error")]
    if failing:
        return True, f"caught by {failing[0]}" + (
            f" and {len(failing) - 1} more" if len(failing) > 1 else ""
        )
    return False, "no test that passes on a correct implementation failed on it"


def _list(names: list[str], runs: list[SuiteRun]) -> str:
    shown = []
    for name in names[:5]:
        message = next((r.messages[name] for r in runs if name in r.messages), "")
        last = message.strip().splitlines()[-1:] or [""]
        shown.append(f"{name} ({last[0][:200]})" if last[0] else name)
    return "; ".join(shown)


def _result(test_id: str, weight: float, passed: bool, message: str, seconds: float) -> TestResult:
    return TestResult(
        id=test_id,
        category=CATEGORY,
        weight=weight,
        visibility="hidden",
        outcome="passed" if passed else "failed",
        earned=1.0 if passed else 0.0,
        duration_s=seconds,
        message=message,
    )
