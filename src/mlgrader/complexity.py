"""Empirical time-complexity checks: does a submission scale as the challenge asks?

The public face of the engine in :mod:`mlgrader.authoring.complexity`: test
authors call :func:`check` (or the ``complexity`` fixture, which calls it) and
:func:`estimate`, and read :class:`Estimate` and :class:`CheckResult`.
docs/complexity.md has the method, the benchmark figures and the blind spots.
"""

from __future__ import annotations

from mlgrader.authoring.complexity.fit import CLASSES, INCONCLUSIVE
from mlgrader.authoring.complexity.timing import Steady
from mlgrader.authoring.complexity.verdict import CheckResult, Estimate, check, estimate

__all__ = ["CLASSES", "INCONCLUSIVE", "CheckResult", "Estimate", "Steady", "check", "estimate"]
