"""Hidden OOP tests: a clean module, counted only when the code works."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose least_squares and PCA work."""
    try:
        est = submission.module("estimators")
        X = np.column_stack([np.ones(4), np.arange(4.0)])
        np.testing.assert_allclose(est.least_squares(X, np.arange(4.0)), [0.0, 1.0], atol=1e-9)
        est.PCA().fit(np.random.default_rng(0).normal(size=(10, 2)))
    except Exception as exc:
        pytest.fail(f"OOP points need working code: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop", weight=2)
def test_small_simple_functions(quality):
    """Cyclomatic complexity at most 8, functions at most 25 lines, nesting at most 3."""
    quality.require_max_complexity(limit=8)
    quality.require_max_function_length(limit=25)
    quality.require_max_nesting(limit=3)


@pytest.mark.rubric("oop")
def test_documented_typed_and_clean(quality):
    """Docstrings and type hints on the public API; no module state, prints or copy-paste."""
    quality.require_docstrings()
    quality.require_type_hints(0.8)
    quality.require_no_module_mutable_state()
    quality.require_no_print()
    quality.require_no_duplicate_blocks()


@pytest.mark.rubric("oop")
def test_pca_keeps_its_state_private_and_cohesive(quality):
    """PCA's fitted state is private (read through properties) and one job (LCOM4 1)."""
    quality.require_private_state("PCA")
    quality.require_cohesion(limit=1, class_name="PCA")
