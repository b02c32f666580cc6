"""Attacks on lru-cache behind the process boundary (issue 14), each against its twin.

Every class of attack that gained points while candidate code shared the test's
process has one attack here (``attacks/boundary/``). Each is graded next to its
twin, the same submission without the trick (``Arena.grade(..., twin=True)``):
the attack must earn no more than the twin, in total and in the category the
trick aimed at. The generic invariants (``Arena.violations``: no lost results,
nothing left alive, originals unchanged, nothing hidden leaked) hold for both.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from arena_support import Arena, AttackRun

BOUNDARY = "boundary/"


def _points(run: AttackRun, category: str) -> float:
    return next(c.points for c in run.card.categories if c.name == category)


def _pair(arena: Arena, name: str, **options: Any) -> tuple[AttackRun, AttackRun]:
    """The attack graded here and its twin through the CLI, side by side (two cores: the
    pair takes the time of one grading; the grader must hold on a busy machine anyway)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        twin = pool.submit(arena.grade, BOUNDARY + name, twin=True, via_cli=True, **options)
        attack = arena.grade(BOUNDARY + name, **options)
        return attack, twin.result()


@dataclass
class _Duel:
    """An attack against its twin: what went wrong (readable lines), and the runs compared
    (the attack's worse run and the twin's better one), for a test's own further checks."""

    problems: list[str]
    attack: AttackRun
    twin: AttackRun


def _against_twin(
    arena: Arena,
    name: str,
    category: str,
    *,
    whole_suite: bool = False,
    tests: tuple[str, ...] = (),
    **options: Any,
) -> _Duel:
    """Grade attack and twin; what went wrong, if anything, and the runs compared.

    Both are graded on the public tests and the hidden tests of ``category`` only
    (``Arena.repo_for``; of those, only ``tests`` if given), unless ``whole_suite``: an
    attack whose trick could reach any category (patched judges) is graded on every test.

    Graded side by side on a busy machine, the twin (an honest submission) can lose a
    timed point to load that the attack kept (issue 16 is about such noise: an O(n)
    cache whose O(n) step is C-level sits near the complexity threshold). An attack that
    beats its twin is compared again with a second grading of the twin, alone; if it
    still beats the better of the two it is graded alone as well, and fails when it
    beats the better twin in both of its runs: a trick gains every time, noise does not."""
    focus = category + ("::" + ",".join(tests) if tests else "")
    options["focus"] = None if whole_suite else focus
    attack, twin = _pair(arena, name, **options)
    problems = [f"attack: {p}" for p in arena.violations(attack, stub_based=False)]
    problems += [f"twin: {p}" for p in arena.violations(twin, stub_based=False)]
    if _beats(attack, twin, category):
        # attempt=2: a fresh grading (the cache would hand back the twin's first run)
        again = arena.grade(BOUNDARY + name, twin=True, via_cli=True, attempt=2, **options)
        problems += [f"twin again: {p}" for p in arena.violations(again, stub_based=False)]
        twin = max(twin, again, key=lambda run: (run.card.score, _points(run, category)))
    if _beats(attack, twin, category):  # graded alone too, as the twin's second run was
        alone = arena.grade(BOUNDARY + name, via_cli=True, **options)
        problems += [f"attack again: {p}" for p in arena.violations(alone, stub_based=False)]
        attack = min(attack, alone, key=lambda run: (run.card.score, _points(run, category)))
    if attack.card.score > twin.card.score + 1e-9:
        problems.append(f"the attack scored {attack.card.score} > its twin's {twin.card.score}")
    if _points(attack, category) > _points(twin, category) + 1e-9:
        problems.append(
            f"{category}: the attack earned {_points(attack, category)} > the twin's "
            f"{_points(twin, category)}"
        )
    if problems:
        problems.insert(0, f"{attack.summary()}\n  twin {twin.summary()}")
    return _Duel(problems, attack, twin)


#: The complexity tests an O(n) recency list fails (get and put of a held key touch it):
#: the other five, the steady-state check's 17 s among them, would only say so again.
_TOUCHING = ("test_get_hit_is_constant_time", "test_put_existing_key_is_constant_time")
#: Two of the five concurrency tests, both linearizability checks over RaceKeys (the ones a
#: switched-off scheduler or values equal to anything would fool): every concurrency test
#: fails an unlocked cache, so the other three would only say so again.
_LINEARIZABLE = (
    "test_concurrent_results_match_some_sequential_order",
    "test_in_never_sees_a_put_half_done",
)


def _beats(attack: AttackRun, twin: AttackRun, category: str) -> bool:
    return (
        attack.card.score > twin.card.score + 1e-9
        or _points(attack, category) > _points(twin, category) + 1e-9
    )


def _verdict(problems: list[str]) -> None:
    assert not problems, "\n- ".join(problems)


def test_the_arena_grades_behind_the_boundary(arena: Arena) -> None:
    """Every attack below assumes lru-cache runs candidate code in a process of its own."""
    assert arena.challenge.boundary


@pytest.mark.parametrize("name", ["forge_then_exec", "marshalled_forgery"])
def test_forged_reports_from_the_candidate_process_count_for_nothing(
    arena: Arena, name: str
) -> None:
    """Writing an "all passed" report on every descriptor (then exec, or os._exit, and the
    payload hidden as marshalled code) reaches only the candidate's own channel."""
    _verdict(_against_twin(arena, name, "correctness").problems)


def test_patched_judging_helpers_patch_only_the_candidates_copy(arena: Arena) -> None:
    """strict_equal, pytest.raises, complexity and quality helpers, the linearizability
    check and AssertionError, patched in the candidate process, judge nothing there."""
    _verdict(_against_twin(arena, "patch_judges", "correctness", whole_suite=True).problems)


def test_a_replaced_clock_does_not_fool_the_complexity_check(arena: Arena) -> None:
    """The O(n) cache loses complexity points with every clock in its process replaced:
    time is read from the kernel by the test's process."""
    duel = _against_twin(arena, "fake_clock", "complexity", tests=_TOUCHING)
    twin = duel.twin  # the better of its runs
    if _points(twin, "complexity") >= next(
        c.max_points for c in twin.card.categories if c.name == "complexity"
    ):
        duel.problems.append("the O(n) twin kept every complexity point: the check cannot tell")
    _verdict(duel.problems)


def test_work_moved_to_a_helper_process_is_still_timed(arena: Arena) -> None:
    """An O(n) cache whose O(n) scans run in a process it forked keeps its own process's
    CPU flat; the helper's CPU counts (the candidate's cgroup, or wall time while it has
    children), so it loses the complexity points its in-process twin loses."""
    duel = _against_twin(arena, "helper_process", "complexity", tests=_TOUCHING)
    twin = duel.twin  # the better of its runs
    if _points(twin, "complexity") >= next(
        c.max_points for c in twin.card.categories if c.name == "complexity"
    ):
        duel.problems.append("the O(n) twin kept every complexity point: the check cannot tell")
    _verdict(duel.problems)


def test_timed_batches_look_like_any_other_call(arena: Arena) -> None:
    """An O(n) cache that skips its O(n) work when the garbage collector is off, when a
    frame or module name says complexity or timing, or when PYTEST_CURRENT_TEST does,
    finds no such sign: it does the work, and loses the points its twin loses."""
    _verdict(_against_twin(arena, "spot_timed_batches", "complexity", tests=_TOUCHING).problems)


def test_the_tests_frames_are_not_in_the_candidate_process(arena: Arena) -> None:
    """A cache that answers from dicts in the test's frames finds no test frames."""
    _verdict(_against_twin(arena, "read_test_frames", "correctness").problems)


def test_hidden_source_and_other_tests_notes_are_out_of_reach(arena: Arena) -> None:
    """linecache, sys.modules, other tests' scratch folders, /tmp and /dev/shm hold no
    hidden test source, and no note one test's candidate process left in /dev/shm is
    seen by another's; the candidate-audience report shows nothing hidden."""
    duel = _against_twin(arena, "hidden_source", "correctness", audience="candidate")
    problems, attack = duel.problems, duel.attack
    seen = [
        t.id
        for t in attack.card.tests
        if "SHM-OTHERS=" in t.message and "SHM-OTHERS=0 " not in t.message
    ]
    if seen:
        problems.append(f"a note from another test's process was read in {seen[:3]}")
    if "SHM-OTHERS=0" not in attack.messages():
        problems.append("no message carries the attack's report: it did not run")
    _verdict(problems)


def test_switching_threads_off_does_not_hide_a_missing_lock(arena: Arena) -> None:
    """An unlocked cache that sets a 1 s switch interval and makes setswitchinterval a
    no-op loses the concurrency points its twin loses (RaceKeys drive the races)."""
    duel = _against_twin(arena, "switch_interval", "concurrency", tests=_LINEARIZABLE)
    problems, twin = duel.problems, duel.twin  # the better of the twin's runs
    if _points(twin, "concurrency") > 0:
        problems.append(f"the unlocked twin kept {_points(twin, 'concurrency')} concurrency points")
    _verdict(problems)


def test_values_whose_eq_lies_do_not_fool_the_linearizability_check(arena: Arena) -> None:
    """An unlocked cache that returns tuples equal to anything gains nothing: a subclass
    of tuple crosses as a reference, equal only to itself."""
    _verdict(_against_twin(arena, "lying_eq", "concurrency", tests=_LINEARIZABLE).problems)


def test_quality_is_judged_on_the_module_python_imports(arena: Arena) -> None:
    """A clean lru_cache.py beside the messy package lru_cache/ that Python imports
    earns no OOP points the package alone does not."""
    duel = _against_twin(arena, "package_decoy", "oop")
    problems, attack = duel.problems, duel.attack
    oop = next(c for c in attack.card.categories if c.name == "oop")
    if oop.points >= oop.max_points:
        problems.append("the messy package kept every OOP point: quality read the decoy")
    _verdict(problems)
