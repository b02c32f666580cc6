"""What the commands share: reusable click options, and errors turned into exit codes.

As in pip-tools, an option used by several commands is one module-level object
(``options.limit_options``), so grade, check and batch cannot drift apart.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mlgrader.errors import MlgraderError, UserInputError
from mlgrader.files import output_problem
from mlgrader.reports import escape

EXIT_BELOW_MIN = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

F = TypeVar("F", bound=Callable[..., Any])
#: what --format may print to stdout
FORMATS = ("json", "markdown", "text")
#: the scorecard files grade and check can write: (option, parameter, what is written)
OUTPUT_FILES = (
    ("--json", "json_path", "the JSON scorecard"),
    ("--markdown", "markdown_path", "the markdown scorecard"),
    ("--junit", "junit_path", "JUnit XML"),
    ("--gradescope", "gradescope_path", "Gradescope results.json"),
)


def fail(message: str, code: int, details: tuple[str, ...] = ()) -> None:
    """One line on stderr (a path or message from a submission cannot break it), any
    details indented below it one escaped line each, then exit."""
    click.echo(f"mlgrader: error: {escape.text(message)}", err=True)
    for line in details:
        click.echo(f"  {escape.text(line)}", err=True)
    sys.exit(code)


def handles_errors(func: F) -> F:
    """Turn library errors into one-line messages and the documented exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserInputError as exc:
            fail(str(exc), EXIT_BAD_INPUT, exc.details)
        except MlgraderError as exc:
            fail(str(exc), EXIT_INTERNAL, exc.details)

    return wrapper  # type: ignore[return-value]


def check_outputs(paths: dict[str, Path | None]) -> None:
    """Refuse, before any grading, an output path that cannot be written (exit 2): a
    typo in ``--json`` must not cost a whole grading and then look like a low score."""
    seen: dict[Path, str] = {}
    for flag, path in paths.items():
        if path is None:
            continue
        problem = output_problem(path)
        if problem:
            raise UserInputError(f"{flag} {path} {problem}; pass a path in a folder you can write")
        other = seen.setdefault(path.resolve(), flag)
        if other != flag:
            raise UserInputError(f"{other} and {flag} both name {path}; give each its own file")


challenges_option = click.option(
    "--challenges",
    "challenges",
    default=None,
    metavar="DIR",
    help="Folder of challenges (default: $MLGRADER_CHALLENGES, else ./challenges).",
)


def output_options(func: F) -> F:
    """Options shared by grade and check: what to print, where to write, the pass bar."""
    options = [
        click.option(
            "--challenge",
            "challenge_name",
            default=None,
            metavar="NAME",
            help="Challenge to grade against (default: the kit's marker file).",
        ),
        challenges_option,
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help="What goes to stdout.",
        ),
        *(
            click.option(
                flag,
                dest,
                type=click.Path(path_type=Path),
                default=None,
                help=f"Also write {what} here.",
            )
            for flag, dest, what in OUTPUT_FILES
        ),
        click.option(
            "--verbose",
            "-v",
            is_flag=True,
            help="List every passed test too, not only a count (text format).",
        ),
        click.option(
            "--min-score",
            type=click.FloatRange(0, 100),
            default=None,
            help="Exit 1 when the score is below this.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return limit_options(func)


def limit_options(func: F) -> F:
    """Per-test timeout, whole-submission deadline and memory: grade, check and batch."""
    options = [
        click.option(
            "--test-timeout",
            type=click.FloatRange(min=0.1),
            default=None,
            metavar="S",
            help="Seconds per test (default: the challenge's, else 30).",
        ),
        click.option(
            "--deadline",
            type=click.FloatRange(min=1),
            default=None,
            metavar="S",
            help="Seconds for the whole submission (default: the challenge's, else 900).",
        ),
        click.option(
            "--memory",
            type=click.IntRange(min=0),
            default=None,
            metavar="MB",
            help="Memory per test process in MB (default: the challenge's, else 2048).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func
