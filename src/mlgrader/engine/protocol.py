"""The records the pytest process sends the grader, one typed definition each: JSON lines.

The plugin (in the trusted pytest process) writes a ``Sandbox`` record, one
``Collected`` record after collection, a ``Result`` per finished test, any
``Integrity`` findings and ``Done`` at the end. Records are written as they
happen, so a run killed at its deadline still yields every finished result; the
grader marks the rest as timed out. Both sides go through ``encode`` and
``decode`` below, so the writer and the reader cannot drift apart.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from mlgrader.model.findings import Finding
from mlgrader.model.scorecard import TestResult


@dataclass(frozen=True)
class PlannedTest:
    """How one collected test counts: its challenge-relative id, category, weight, visibility."""

    __test__ = False

    id: str
    category: str
    weight: float
    visibility: Literal["public", "hidden"]
    #: the test's docstring, which states the rule it checks (None: it has none)
    doc: str | None = None


@dataclass(frozen=True)
class Sandbox:
    """Which run-level OS protections the pytest process could take."""

    protections: dict[str, bool]


@dataclass(frozen=True)
class Collected:
    """Every test the run will count, before any runs: the denominator."""

    tests: tuple[PlannedTest, ...]


@dataclass(frozen=True)
class Result:
    """One finished test."""

    test: TestResult


@dataclass(frozen=True)
class Integrity:
    """Something the pytest process noticed about the submission's behaviour."""

    finding: Finding


@dataclass(frozen=True)
class CollectError:
    """A test file that did not collect."""

    message: str


@dataclass(frozen=True)
class Done:
    """The run ended normally."""


Record = Sandbox | Collected | Result | Integrity | CollectError | Done


def encode(record: Record) -> str:
    """One JSON line for ``record``."""
    data: dict[str, Any]
    if isinstance(record, Sandbox):
        data = {"type": "sandbox", "protections": record.protections}
    elif isinstance(record, Collected):
        data = {"type": "collected", "tests": [t.__dict__ for t in record.tests]}
    elif isinstance(record, Result):
        data = {"type": "result", "test": record.test.to_dict()}
    elif isinstance(record, Integrity):
        data = {"type": "integrity", "finding": record.finding.to_dict()}
    elif isinstance(record, CollectError):
        data = {"type": "collect-error", "message": record.message}
    else:
        data = {"type": "done"}
    return json.dumps(data, separators=(",", ":")) + "\n"


def decode(line: str) -> Record:
    """The record on one line; ValueError, KeyError or TypeError when it is not one."""
    data = json.loads(line)
    kind = data["type"]
    if kind == "sandbox":
        return Sandbox({str(k): bool(v) for k, v in dict(data["protections"]).items()})
    if kind == "collected":
        return Collected(tuple(_planned(t) for t in data["tests"]))
    if kind == "result":
        return Result(TestResult(**data["test"]))
    if kind == "integrity":
        return Integrity(Finding.from_dict(data["finding"]))
    if kind == "collect-error":
        return CollectError(str(data["message"]))
    if kind == "done":
        return Done()
    raise ValueError(f"unknown record type {kind!r}")


def _planned(data: dict[str, Any]) -> PlannedTest:
    hidden = data["visibility"] == "hidden"
    return PlannedTest(
        str(data["id"]),
        str(data["category"]),
        float(data["weight"]),
        "hidden" if hidden else "public",
        None if data.get("doc") is None else str(data["doc"]),
    )


@dataclass
class RunRecords:
    """What one pytest run reported: the planned tests, the finished ones, whether it ended."""

    collected: list[PlannedTest] = field(default_factory=list)
    results: dict[str, TestResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    integrity: list[Finding] = field(default_factory=list)
    sandbox: dict[str, bool] = field(default_factory=dict)
    has_collected: bool = False
    done: bool = False

    def add(self, record: Record) -> None:
        if isinstance(record, Collected):
            self.collected = list(record.tests)
            self.has_collected = True
        elif isinstance(record, Result):
            self.results[record.test.id] = record.test
        elif isinstance(record, Integrity):
            self.integrity.append(record.finding)
        elif isinstance(record, Sandbox):
            self.sandbox = dict(record.protections)
        elif isinstance(record, CollectError):
            self.errors.append(record.message)
        else:
            self.done = True


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

    def write(self, record: Record) -> None:
        self._stream.write(encode(record))
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
            run.add(decode(line))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            run.errors.append(f"results line {number} unreadable: {exc}")
    return run
