"""The results stream between the pytest plugin and the grader: JSON lines.

The plugin (in the trusted pytest process) writes one ``collected`` record after
collection, one ``result`` record per finished test, and ``done`` at the end.
Records are written as they happen, so a run killed at its deadline still
yields every finished result; the grader marks the rest as timed out.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import IO, Any

from mlgrader.model.scorecard import TestResult


@dataclass
class RunRecords:
    """What one pytest run reported: the planned tests, the finished ones, whether it ended."""

    collected: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, TestResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    integrity: list[dict[str, str]] = field(default_factory=list)
    sandbox: dict[str, Any] = field(default_factory=dict)
    has_collected: bool = False
    done: bool = False


class RecordWriter:
    """Appends records to a path, or to an inherited file descriptor given as ``fd:N``."""

    def __init__(self, target: str) -> None:
        self.fd: int | None = None
        self._stream: IO[str]
        if target.startswith("fd:"):
            self.fd = int(target[3:])
            self._stream = os.fdopen(self.fd, "w", encoding="utf-8", closefd=True)
        else:
            self._stream = open(target, "a", encoding="utf-8")  # noqa: SIM115 - held open for the run

    def write(self, record: dict[str, Any]) -> None:
        self._stream.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()

    def close_in_child(self) -> None:
        """Drop the channel in a forked test process without flushing the parent's buffer."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
        else:
            with contextlib.suppress(OSError, ValueError):
                os.close(self._stream.fileno())


def parse_records(text: str) -> RunRecords:
    """Read a results stream; malformed lines are reported, never fatal."""
    run = RunRecords()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            kind = record["type"]
            if kind == "collected":
                run.collected = list(record["tests"])
                run.has_collected = True
            elif kind == "result":
                result = TestResult(**record["test"])
                run.results[result.id] = result
            elif kind == "integrity":
                run.integrity.append({k: str(record[k]) for k in ("kind", "severity", "detail")})
            elif kind == "sandbox":
                run.sandbox = dict(record["protections"])
            elif kind == "collect-error":
                run.errors.append(str(record["message"]))
            elif kind == "done":
                run.done = True
        except (ValueError, KeyError, TypeError) as exc:
            run.errors.append(f"results line {number} unreadable: {exc}")
    return run
