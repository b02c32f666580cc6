"""Hidden OOP tests: a clean module, counted only when the harness works."""

from __future__ import annotations

import pytest


@pytest.fixture
def quality(submission):
    try:
        ev = submission.module("eval_harness")
        assert ev.precision_recall_f1([1, 0], [1, 0]) == (1.0, 1.0, 1.0)
        ev.group_split(["a", "b", "c"], 0.5, seed=0)
    except Exception as exc:
        pytest.fail(f"OOP points need a working harness: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop", weight=2)
def test_small_simple_functions(quality):
    """Cyclomatic complexity at most 8, functions at most 30 lines, nesting at most 3."""
    quality.require_max_complexity(limit=8)
    quality.require_max_function_length(limit=30)
    quality.require_max_nesting(limit=3)


@pytest.mark.rubric("oop")
def test_documented_typed_and_clean(quality):
    """Docstrings and type hints on the public API; no module state, prints or copy-paste."""
    quality.require_docstrings()
    quality.require_type_hints(0.8)
    quality.require_no_module_mutable_state()
    quality.require_no_print()
    quality.require_no_duplicate_blocks()
    quality.require_no_broad_except()
