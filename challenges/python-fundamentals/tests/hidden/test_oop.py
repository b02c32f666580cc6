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
def test_no_mutable_default_arguments(quality):
    """The classic bug is gone for good: no mutable default arguments anywhere."""
    quality.require_no_mutable_defaults()


@pytest.mark.rubric("oop")
def test_no_module_level_mutable_state(quality):
    """No mutable state at module level: state lives in objects and closures."""
    quality.require_no_module_mutable_state()


@pytest.mark.rubric("oop")
def test_no_global_statements(quality):
    """No `global` statements."""
    quality.require_no_global_statements()


@pytest.mark.rubric("oop")
def test_functions_have_low_cyclomatic_complexity(quality):
    """Every function's cyclomatic complexity is at most 8."""
    quality.require_max_complexity(limit=8)


@pytest.mark.rubric("oop")
def test_functions_are_short(quality):
    """Every function is at most 50 lines long (decorators nest; docstrings not counted)."""
    quality.require_max_function_length(limit=50)


@pytest.mark.rubric("oop")
def test_public_api_is_documented(quality):
    """Docstrings on the public API."""
    quality.require_docstrings()


@pytest.mark.rubric("oop")
def test_no_print_calls(quality):
    """No print calls: a library reports through return values and exceptions."""
    quality.require_no_print()


@pytest.mark.rubric("oop")
def test_no_broad_except(quality):
    """No bare or broad `except`: errors are caught by type."""
    quality.require_no_broad_except()
