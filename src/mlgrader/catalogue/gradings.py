"""Grading many folders, side by side: what validate and validate --mutate share."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Scorecard
from mlgrader.sandbox.kernel import die_with_parent

Progress = Callable[[str], None]
#: One grading: what it is ("the reference", "mutant NAME", ...), its folder, its challenge.
Run = tuple[str, Path, Challenge]


def grade_all(
    runs: list[tuple[str, Path]],
    challenge: Challenge,
    options: GradeOptions,
    say: Progress,
    jobs: int,
) -> list[Scorecard]:
    """Grade each folder in ``runs`` against one challenge; scorecards in the order given."""
    return grade_many([(label, folder, challenge) for label, folder in runs], options, say, jobs)


def grade_many(runs: list[Run], options: GradeOptions, say: Progress, jobs: int) -> list[Scorecard]:
    """Grade each run, ``jobs`` at a time; the scorecards come back in the order given."""
    if jobs <= 1:
        cards = []
        for label, folder, challenge in runs:
            say(f"{challenge.name}: grading {label}")
            cards.append(grade(folder, challenge, options))
            say(f"{challenge.name}: graded {label} in {cards[-1].duration_s:.0f} s")
        return cards
    context = multiprocessing.get_context("spawn")
    # a stopped validate (Ctrl-C, SIGTERM, a killed CI job) takes its gradings with it:
    # without this, each worker finished the grading it had started, unseen
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=die_with_parent) as pool:
        futures = {
            pool.submit(grade, folder, challenge, options): f"{challenge.name}: graded {label}"
            for label, folder, challenge in runs
        }
        for future in as_completed(futures):
            # the time says which gradings a full tier waits for (and whose budgets to trim)
            say(f"{futures[future]} in {future.result().duration_s:.0f} s")
        return [future.result() for future in futures]
