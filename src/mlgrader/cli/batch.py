"""``mlgrader batch``: a folder of submissions graded side by side, resumably, into --out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from mlgrader import __version__
from mlgrader.batch.cluster import CONNECT_TIMEOUT_S, dask_submitter
from mlgrader.batch.progress import BatchProgress
from mlgrader.batch.run import (
    REPORT_HTML,
    SUMMARY,
    Batch,
    default_workers,
    find_submissions,
    local_pool,
)
from mlgrader.batch.similarity import DEFAULT_THRESHOLD
from mlgrader.catalogue.listing import challenges_dir, find_challenge
from mlgrader.cli.options import challenges_option, handles_errors, limit_options
from mlgrader.engine.grade import GradeOptions
from mlgrader.engine.preflight import check_challenge_tests, check_dependencies
from mlgrader.errors import UserInputError
from mlgrader.files import output_problem
from mlgrader.reports import escape


@click.command("batch")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option(
    "--challenge",
    "challenge_name",
    required=True,
    metavar="NAME",
    help="Challenge to grade against.",
)
@challenges_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for scorecards, summary.csv and the reports; a rerun resumes in it.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Gradings side by side on this machine (default: the number of cores).",
)
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="ADDRESS",
    help="Send each submission to this Dask scheduler instead (needs mlgrader[dask]).",
)
@click.option(
    "--dask-timeout",
    type=click.FloatRange(min=0.1),
    default=CONNECT_TIMEOUT_S,
    show_default=True,
    metavar="S",
    help="Seconds to wait for the Dask scheduler to answer.",
)
@click.option(
    "--similar-at",
    type=click.FloatRange(min=0.0, max=1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    metavar="FRACTION",
    help="Flag two submissions in the report when one shares this share of its own code "
    "with the other (the kit's code left out).",
)
@click.option(
    "--known",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="A folder of known solutions (one subfolder each) to compare every submission with.",
)
@limit_options
@handles_errors
def batch_command(
    submissions: Path,
    challenge_name: str,
    challenges: str | None,
    out: Path,
    workers: int | None,
    dask_address: str | None,
    dask_timeout: float,
    test_timeout: float | None,
    deadline: float | None,
    memory: int | None,
    similar_at: float,
    known: Path | None,
) -> None:
    """Grade every submission folder in SUBMISSIONS, in parallel and resumably; then
    report the scores, the tests, and the pairs that share code."""
    chal = find_challenge(challenges_dir(challenges), challenge_name)
    check_challenge_tests(chal, chal.rubric().for_challenge(chal.name))  # before any grading
    check_dependencies(chal)
    if out.exists() and not out.is_dir():
        raise UserInputError(f"--out {out} is a file; pass a folder")
    if known is not None and not known.is_dir():
        raise UserInputError(f"--known {known} is not a folder; pass a folder of known solutions")
    scan = find_submissions(submissions, out)
    problem = output_problem(out / SUMMARY)
    if problem:
        raise UserInputError(f"--out {out} cannot take the batch's files ({problem}); pass another")
    limits = chal.limits.override(
        test_timeout_s=test_timeout, deadline_s=deadline, memory_mb=memory
    )
    options = GradeOptions(limits=limits)
    settings = {"challenge": chal.name, **dataclasses.asdict(limits), "mlgrader": __version__}
    batch = Batch(out, chal, settings, similar_at=similar_at, known=known)
    for name, why in scan.skipped:
        click.echo(f"skipped {escape.text(name)}: {why}", err=True)
    found = scan.folders
    todo = batch.pending(found)
    workers = workers or default_workers()
    where = f"Dask at {dask_address}" if dask_address else f"{workers} workers"
    click.echo(
        f"{len(found)} submissions, {len(found) - len(todo)} already graded; "
        f"grading {len(todo)} with {where}",
        err=True,
    )
    pool = (
        dask_submitter(dask_address, chal, options, dask_timeout)
        if dask_address
        else local_pool(chal, options, workers)
    )
    with pool as submit, BatchProgress(len(todo)) as progress:
        result = batch.run(
            found, submit, on_done=lambda name, card: progress.done(name, card.score)
        )
    scores = [c.score for c in result.cards.values()]
    passed = sum(c.passed for c in result.cards.values())
    click.echo(
        f"graded {len(result.graded)}, skipped {len(result.skipped)} already graded; "
        f"{passed}/{len(scores)} passed"
    )
    click.echo(f"report: {out / REPORT_HTML}  summary: {out / SUMMARY}")
