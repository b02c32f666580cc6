"""Helpers for challenge test authors: concurrency stress runs and strict comparison.

One import for test authors; each helper lives in a module of its own under
:mod:`mlgrader.authoring.testing`.
"""

from __future__ import annotations

from mlgrader.authoring.testing.threads import (
    History,
    Operation,
    ProcessRun,
    Spans,
    ThreadError,
    ThreadRun,
    check_linearizable,
    lru_cache_model,
    no_leaks,
    run_processes,
    run_threads,
    run_without_blocking,
    speedup,
    strict_equal,
)

__all__ = [
    "History",
    "Operation",
    "ProcessRun",
    "Spans",
    "ThreadError",
    "ThreadRun",
    "check_linearizable",
    "lru_cache_model",
    "no_leaks",
    "run_processes",
    "run_threads",
    "run_without_blocking",
    "speedup",
    "strict_equal",
]
