"""Hidden OOP tests: a clean module, counted only when the detector works."""

from __future__ import annotations

import numpy as np
import pytest
from blink_harness import training_set


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose detector trains and predicts."""
    try:
        data = training_set()
        module = submission.module("blink_detector")
        detector = module.BlinkDetector(seed=0).fit(
            data.images[:300], data.labels[:300], data.users[:300]
        )
        proba = np.asarray(detector.predict_proba(data.images[:5]))
        assert proba.shape == (5,)
    except Exception as exc:
        pytest.fail(f"OOP points need a working detector: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop")
def test_functions_have_low_cyclomatic_complexity(quality):
    """Every function's cyclomatic complexity is at most 8."""
    quality.require_max_complexity(limit=8)


@pytest.mark.rubric("oop")
def test_functions_are_short(quality):
    """Every function is at most 25 lines long (its docstring not counted)."""
    quality.require_max_function_length(limit=25)


@pytest.mark.rubric("oop")
def test_nesting_is_shallow(quality):
    """Blocks nest at most 3 deep."""
    quality.require_max_nesting(limit=3)


@pytest.mark.rubric("oop")
def test_public_api_is_documented(quality):
    """Docstrings on the public API."""
    quality.require_docstrings()


@pytest.mark.rubric("oop")
def test_public_api_has_type_hints(quality):
    """Type hints on at least 80% of the public API's parameters and returns."""
    quality.require_type_hints(0.8)


@pytest.mark.rubric("oop")
def test_no_module_level_mutable_state(quality):
    """No mutable state at module level: state lives in objects."""
    quality.require_no_module_mutable_state()


@pytest.mark.rubric("oop")
def test_no_print_calls(quality):
    """No print calls: a library reports through return values and exceptions."""
    quality.require_no_print()


@pytest.mark.rubric("oop")
def test_no_copy_paste(quality):
    """No repeated blocks of code: shared logic lives in one place."""
    quality.require_no_duplicate_blocks()


@pytest.mark.rubric("oop")
def test_the_detector_keeps_its_state_private(quality):
    """BlinkDetector's fitted state is private (underscore-prefixed attributes)."""
    quality.require_private_state("BlinkDetector")


@pytest.mark.rubric("oop")
def test_the_detector_is_cohesive(quality):
    """BlinkDetector does one job: its methods share its state (LCOM4 1)."""
    quality.require_cohesion(limit=1, class_name="BlinkDetector")
