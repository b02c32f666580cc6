"""The ``mlgrader`` command line: a thin click layer over the library.

Each command parses its options, calls one library function and renders the
result. A user's mistake (missing folder, unknown challenge, malformed toml)
prints one line naming the thing and the fix and exits 2; an internal error
exits 3 after writing a scorecard where it can.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mlgrader import __version__
from mlgrader.catalogue.kit import make_kit, own_tests
from mlgrader.catalogue.listing import (
    challenge_for,
    challenges_dir,
    find_challenge,
    list_challenges,
    survey,
)
from mlgrader.catalogue.mutation import load_plan, mutate_challenge
from mlgrader.catalogue.validate import validate_challenges
from mlgrader.cli.batch import batch_command
from mlgrader.cli.options import (
    EXIT_BELOW_MIN,
    EXIT_INTERNAL,
    challenges_option,
    check_outputs,
    fail,
    handles_errors,
    output_options,
)
from mlgrader.engine.grade import GradeOptions, error_scorecard, grade
from mlgrader.errors import UserInputError
from mlgrader.files import write_atomic
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Scorecard, load_scorecard
from mlgrader.reports import escape
from mlgrader.reports.gradescope import render_gradescope
from mlgrader.reports.html import render_html
from mlgrader.reports.jsonfile import render_json
from mlgrader.reports.junit import render_junit
from mlgrader.reports.markdown import render_markdown
from mlgrader.reports.text import render_text

RENDERERS: dict[str, Callable[[Scorecard], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlgrader")
def main() -> None:
    """Grade take-home coding challenges by rubric: correctness, complexity, OOP, concurrency."""


@main.command("list")
@challenges_option
@handles_errors
def list_command(challenges: str | None) -> None:
    """List the challenges found, with title and time estimate."""
    found, broken = survey(challenges_dir(challenges))
    if not found and not broken:
        click.echo("no challenges found")
    for chal in found:
        tags = ", ".join(chal.tags)
        click.echo(f"{chal.name:<22} {chal.time_estimate_minutes:>4} min  {chal.title}  [{tags}]")
    for folder, error in broken:
        click.echo(f"{folder.name:<22} BROKEN  {escape.text(str(error))}")


@main.command("init")
@click.argument("challenge_name", metavar="CHALLENGE")
@click.argument("dest", type=click.Path(path_type=Path))
@challenges_option
@click.option(
    "--notebook", is_flag=True, help="The stub as a Jupyter notebook (the ML challenges)."
)
@handles_errors
def init_command(challenge_name: str, dest: Path, challenges: str | None, notebook: bool) -> None:
    """Make a candidate kit in DEST: statement, stub, support, public tests, rubric."""
    chal = find_challenge(challenges_dir(challenges), challenge_name)
    make_kit(chal, dest, notebook=notebook)
    click.echo(f"kit for {chal.name} written to {dest}; run `mlgrader check {dest}` to test it")


@main.command("grade")
@click.argument("submission", type=click.Path(path_type=Path))
@output_options
@click.option(
    "--public-only", is_flag=True, help="Run only the public tests (what a candidate can run)."
)
@click.option(
    "--audience",
    type=click.Choice(["grader", "candidate"]),
    default="grader",
    show_default=True,
    help="candidate: hidden tests show name and outcome only.",
)
@click.option("--no-integrity-cap", is_flag=True, help="Keep the score when integrity is violated.")
@handles_errors
def grade_command(
    submission: Path, public_only: bool, audience: str, no_integrity_cap: bool, **kwargs: Any
) -> None:
    """Grade SUBMISSION (a folder) against the public and hidden tests."""
    _grade_and_report(
        submission,
        public_only=public_only,
        audience=audience,
        integrity_cap=not no_integrity_cap,
        **kwargs,
    )


@main.command("check")
@click.argument("submission", type=click.Path(path_type=Path), default=".")
@output_options
@handles_errors
def check_command(submission: Path, **kwargs: Any) -> None:
    """Run the public tests on SUBMISSION, as a candidate sees them (= grade --public-only)."""
    _grade_and_report(
        submission, public_only=True, audience="candidate", integrity_cap=True, **kwargs
    )


def _grade_and_report(
    submission: Path,
    *,
    challenge_name: str | None,
    challenges: str | None,
    public_only: bool,
    audience: str,
    integrity_cap: bool,
    fmt: str,
    json_path: Path | None,
    markdown_path: Path | None,
    junit_path: Path | None,
    gradescope_path: Path | None,
    min_score: float | None,
    verbose: bool,
    test_timeout: float | None,
    deadline: float | None,
    memory: int | None,
) -> None:
    check_outputs(
        {
            "--json": json_path,
            "--markdown": markdown_path,
            "--junit": junit_path,
            "--gradescope": gradescope_path,
        }
    )
    root = challenges_dir(challenges)
    chal = challenge_for(submission, challenge_name, root, public_only=public_only)
    options = GradeOptions(
        public_only=public_only,
        audience="candidate" if audience == "candidate" else "grader",
        limits=chal.limits.override(
            test_timeout_s=test_timeout, deadline_s=deadline, memory_mb=memory
        ),
        integrity_cap=integrity_cap,
    )
    outputs: dict[Path | None, Callable[[Scorecard], str]] = {  # JSON first: the record
        json_path: render_json,
        markdown_path: render_markdown,
        junit_path: render_junit,
        gradescope_path: render_gradescope,
    }
    try:
        card = grade(submission, chal, options)
    except UserInputError:
        raise
    except Exception as exc:  # internal: still leave a scorecard behind, then exit 3
        message = f"{type(exc).__name__}: {exc}"
        _write_reports(error_scorecard(chal, submission, message), outputs)
        fail(f"internal error while grading: {message}", EXIT_INTERNAL)
        return
    failed = _write_reports(card, outputs)
    click.echo(render_text(card, verbose) if fmt == "text" else RENDERERS[fmt](card), nl=False)
    mine = own_tests(chal)
    if mine:
        shown = ", ".join(mine[:5]) + (f" and {len(mine) - 5} more" if len(mine) > 5 else "")
        click.echo(f"not run here: your own tests ({shown}); run them with pytest", err=True)
    if failed:
        fail(f"internal error while writing reports: {'; '.join(failed)}", EXIT_INTERNAL)
    if min_score is not None and card.score < min_score:
        click.echo(f"score {card.score:g} is below --min-score {min_score:g}", err=True)
        sys.exit(EXIT_BELOW_MIN)


def _write_reports(
    card: Scorecard, outputs: dict[Path | None, Callable[[Scorecard], str]]
) -> list[str]:
    """Write every report asked for; one that fails leaves the others written. Returns what
    failed, one line each (the caller exits 3 after printing the scorecard)."""
    failed = []
    for path, render in outputs.items():
        if path is None:
            continue
        try:
            write_atomic(path, render(card))
        except Exception as exc:
            failed.append(f"{path}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    return failed


@main.command("show")
@click.argument("scorecard", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    default="text",
    show_default=True,
    help="How to render it.",
)
@click.option("--verbose", "-v", is_flag=True, help="List every passed test too (text).")
@handles_errors
def show_command(scorecard: Path, fmt: str, verbose: bool) -> None:
    """Render a saved JSON scorecard (from grade --json, or a batch's scorecards/)."""
    card = load_scorecard(scorecard)
    if fmt == "text":
        click.echo(render_text(card, verbose), nl=False)
    else:
        click.echo((render_markdown if fmt == "markdown" else render_html)(card), nl=False)


@main.command("validate")
@click.argument("names", nargs=-1, metavar="[CHALLENGE]...")
@challenges_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Gradings to run side by side (reference, stub, mutants are independent).",
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1, max=100),
    default=1,
    show_default=True,
    help="Grade every solution this many times; every claim must hold in every run, "
    "and any test verdict that changes between runs fails.",
)
@click.option(
    "--mutate",
    is_flag=True,
    help="Instead: seed small faults into the reference (mutation.toml fixes the sample), "
    "grade each, and report the kill rate and every survivor not judged harmless.",
)
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=None,
    help="With --mutate: how many faults (default: mutation.toml's, else 30).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="With --mutate: the sampling seed (default: mutation.toml's, else 0).",
)
@handles_errors
def validate_command(
    names: tuple[str, ...],
    challenges: str | None,
    jobs: int,
    repeat: int,
    mutate: bool,
    sample: int | None,
    seed: int | None,
) -> None:
    """Prove challenges: reference earns 100, stub earns no correctness, mutants lose points."""
    root = challenges_dir(challenges)
    chosen = [find_challenge(root, n) for n in names] if names else list_challenges(root)
    if not chosen:
        raise UserInputError(f"no challenges found in {root}; pass --challenges DIR")
    if (sample is not None or seed is not None) and not mutate:
        raise UserInputError("--sample and --seed choose seeded faults; add --mutate")
    if mutate:
        _mutate(chosen, jobs, sample, seed)
        return
    reports = validate_challenges(
        chosen, progress=lambda m: click.echo(m, err=True), jobs=jobs, repeat=repeat
    )
    for report in reports:
        for check in report.checks:
            label = "FAIL" if not check.ok else "warn" if check.warning else "ok  "
            click.echo(f"{label} {report.challenge}: {check.subject}: {check.detail}")
    all_ok = all(report.ok for report in reports)
    click.echo("all challenges valid" if all_ok else "some challenges are not valid")
    sys.exit(0 if all_ok else 1)


def _mutate(chosen: list[Challenge], jobs: int, size: int | None, seed: int | None) -> None:
    """``validate --mutate``: per challenge, the kill rate and every unexplained survivor."""
    all_ok = True
    for chal in chosen:
        plan = load_plan(chal)
        plan = dataclasses.replace(
            plan, size=size or plan.size, seed=plan.seed if seed is None else seed
        )
        report = mutate_challenge(
            chal, progress=lambda m: click.echo(m, err=True), jobs=jobs, plan=plan
        )
        label = "ok  " if report.ok else "FAIL"
        click.echo(f"{label} {chal.name}: mutation: {report.summary()}")
        for fault in report.unjudged:
            click.echo(
                f"SURVIVED {chal.name}: {fault.id} (line {fault.line}): "
                f"`{fault.before}` -> `{fault.after}`"
            )
            for line in fault.diff(report.originals[fault.file]).splitlines():
                click.echo(f"    {line}")
        all_ok = all_ok and report.ok
    click.echo("every kill rate met" if all_ok else "some challenges miss their kill rate")
    sys.exit(0 if all_ok else 1)


main.add_command(batch_command)

if __name__ == "__main__":
    main()
