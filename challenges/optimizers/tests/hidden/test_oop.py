"""Hidden OOP tests: one interface, shared code, clean modules.

They only earn on an implementation that works: an untouched stub earns nothing.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose SGD takes a correct step."""
    try:
        param = np.ones(2)
        submission.module("optimizers").SGD(lr=0.5).step([param], [np.ones(2)])
        np.testing.assert_allclose(param, [0.5, 0.5])
    except Exception as exc:
        pytest.fail(f"OOP points need a working SGD: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop")
def test_optimizers_share_one_abstract_interface(quality):
    """Every optimizer derives from one abstract base that declares step."""
    quality.require_shared_base(["step"])


@pytest.mark.rubric("oop")
def test_no_copy_paste_between_optimizers(quality):
    """Validation and bookkeeping live in one place, not repeated in every class."""
    quality.require_no_duplicate_blocks()


@pytest.mark.rubric("oop")
def test_functions_have_low_cyclomatic_complexity(quality):
    """Every function's cyclomatic complexity is at most 10."""
    quality.require_max_complexity(limit=10)


@pytest.mark.rubric("oop")
def test_functions_are_short(quality):
    """Every function is at most 30 lines long (its docstring not counted)."""
    quality.require_max_function_length(limit=30)


@pytest.mark.rubric("oop")
def test_public_api_is_documented(quality):
    """Docstrings on public classes and functions."""
    quality.require_docstrings()


@pytest.mark.rubric("oop")
def test_no_module_level_mutable_state(quality):
    """No mutable state at module level: state lives in objects."""
    quality.require_no_module_mutable_state()


@pytest.mark.rubric("oop")
def test_pep8_names(quality):
    """PEP 8 names for classes, functions and variables."""
    quality.require_pep8_names()


@pytest.mark.rubric("oop")
def test_no_mutable_default_arguments(quality):
    """No mutable default arguments."""
    quality.require_no_mutable_defaults()
