"""Hidden cleanliness tests, counted only when the module works."""

from __future__ import annotations

import pytest


@pytest.fixture
def quality(submission):
    try:
        fun = submission.module("fundamentals")
        assert fun.append_item(1) == [1] and fun.append_item(2) == [2]
        assert submission.run(hash, fun.Vector(1, 2)) == submission.run(hash, fun.Vector(1, 2))
    except Exception as exc:
        pytest.fail(f"cleanliness points need working code: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop", weight=2)
def test_no_mutable_defaults_or_module_state(quality):
    """The classic bug is gone for good: no mutable default arguments, no module-level state."""
    quality.require_no_mutable_defaults()
    quality.require_no_module_mutable_state()
    quality.require_no_global_statements()


@pytest.mark.rubric("oop")
def test_small_documented_functions(quality):
    """Complexity at most 8, functions at most 50 lines (decorators nest); docstrings on the API."""
    quality.require_max_complexity(limit=8)
    quality.require_max_function_length(limit=50)
    quality.require_docstrings()
    quality.require_no_print()
    quality.require_no_broad_except()
