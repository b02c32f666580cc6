"""Helpers for challenge test authors: concurrency stress runs and strict comparison.

One import for test authors; each helper lives in a module of its own under
:mod:`mlgrader.authoring.testing`: :func:`run_threads` (threads.py),
:func:`strict_equal` (strict.py), :func:`run_processes` (processes.py),
:class:`History` and :func:`check_linearizable` (linearizability.py),
:class:`Spans` and :func:`speedup` (parallelism.py),
:func:`run_without_blocking` (eventloop.py), :func:`no_leaks` (leaks.py),
:class:`RaceKey` (racekeys.py); :func:`isclass` answers for classes behind the
process boundary too (boundary/typeanswers.py).
"""

from __future__ import annotations

from mlgrader.authoring.testing.eventloop import run_without_blocking
from mlgrader.authoring.testing.leaks import no_leaks
from mlgrader.authoring.testing.linearizability import (
    History,
    Operation,
    check_linearizable,
    lru_cache_model,
)
from mlgrader.authoring.testing.parallelism import Spans, speedup
from mlgrader.authoring.testing.processes import ProcessRun, run_processes
from mlgrader.authoring.testing.racekeys import RaceKey
from mlgrader.authoring.testing.strict import strict_equal
from mlgrader.authoring.testing.threads import ThreadError, ThreadRun, run_threads
from mlgrader.boundary.typeanswers import isclass

__all__ = [
    "History",
    "Operation",
    "ProcessRun",
    "RaceKey",
    "Spans",
    "ThreadError",
    "ThreadRun",
    "check_linearizable",
    "isclass",
    "lru_cache_model",
    "no_leaks",
    "run_processes",
    "run_threads",
    "run_without_blocking",
    "speedup",
    "strict_equal",
]
