"""Progress of a batch on stderr: a bar with an ETA in a terminal, one line per submission in a log.

A bar redrawn in place is right for a person at a terminal and useless in a CI
log, where click draws nothing; there each finished submission gets a line with
the count, its score and the estimated time left.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

import click

from mlgrader.reports import escape


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class BatchProgress:
    """Call :meth:`done` once per finished submission, inside ``with``."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.count = 0
        self.started = time.monotonic()
        self._bar: Any = None

    def __enter__(self) -> BatchProgress:
        if self.stream.isatty():
            self._bar = click.progressbar(
                length=self.total, label="grading", show_eta=True, show_pos=True, file=self.stream
            ).__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def done(self, name: str, score: float) -> None:
        self.count += 1
        if self._bar is not None:
            self._bar.update(1)
            return
        elapsed = time.monotonic() - self.started
        left = elapsed / self.count * (self.total - self.count)
        click.echo(
            f"[{self.count}/{self.total}] {escape.text(name)}: {score:g}  "
            f"(elapsed {_clock(elapsed)}, about {_clock(left)} left)",
            file=self.stream,
        )
