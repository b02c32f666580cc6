"""The plugin's settings, resolved once: command line, then environment, then ini.

As in pytest-timeout, every ``--mlgrader-*`` option has an ``MLGRADER_*``
environment variable and an ini key; the limits among them are read by
``Limits.from_options``, the same code that wrote them for the grader's run.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlgrader.errors import UserInputError
from mlgrader.model.limits import Limits

#: Each test in a process of its own, candidate code behind the boundary: Linux only (it
#: rests on fork, prctl and the kernel's process accounting). Elsewhere (a candidate's Mac)
#: the tests run in pytest's own process, and the run says so in one line.
ISOLATING = sys.platform.startswith("linux")
NO_SANDBOX = (
    "mlgrader: no sandbox on {platform}: the tests run your code in this pytest process "
    "(grading always runs on Linux, isolated)"
)


@dataclass(frozen=True)
class Settings:
    """What ``--mlgrader`` and its options asked for."""

    enabled: bool
    submission: Path | None
    rubric: Path | None
    results: str | None
    limits: Limits
    isolation: bool
    sandbox: bool
    canaries: int

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        def get(name: str) -> Any:
            value = config.getoption("mlgrader_" + name.replace("-", "_"))
            if value is None:
                value = os.environ.get("MLGRADER_" + name.upper().replace("-", "_"), None)
            if value is None:
                value = config.getini("mlgrader_" + name.replace("-", "_")) or None
            return value

        try:
            limits = Limits.from_options(get)
        except UserInputError as exc:
            raise pytest.UsageError(str(exc)) from None
        submission, rubric = get("submission"), get("rubric")
        return cls(
            enabled=bool(config.getoption("mlgrader")),
            submission=Path(submission).resolve() if submission else None,
            rubric=Path(rubric) if rubric else None,
            results=get("results"),
            limits=limits,
            isolation=not config.getoption("mlgrader_no_isolation") and ISOLATING,
            sandbox=bool(config.getoption("mlgrader_sandbox")),
            canaries=int(config.getoption("mlgrader_canaries") or 0),
        )
