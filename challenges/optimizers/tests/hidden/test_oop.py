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


@pytest.mark.rubric("oop", weight=3)
def test_optimizers_share_one_abstract_interface(quality):
    """Every optimizer derives from one abstract base that declares step."""
    quality.require_shared_base(["step"])


@pytest.mark.rubric("oop", weight=2)
def test_no_copy_paste_between_optimizers(quality):
    """Validation and bookkeeping live in one place, not repeated in every class."""
    quality.require_no_duplicate_blocks()


@pytest.mark.rubric("oop")
def test_small_simple_functions(quality):
    """Cyclomatic complexity at most 10, functions at most 30 lines."""
    quality.require_max_complexity(limit=10)
    quality.require_max_function_length(limit=30)


@pytest.mark.rubric("oop")
def test_documented_and_clean(quality):
    """Docstrings on public classes and functions; no module state; PEP 8 names."""
    quality.require_docstrings()
    quality.require_no_module_mutable_state()
    quality.require_pep8_names()
    quality.require_no_mutable_defaults()
