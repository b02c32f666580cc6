"""Hidden OOP tests: static code-quality checks of mlp.py and pipeline.py.

They only earn on code that works: a smoke test of MLP and PipelineTrainer gates them.
"""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_harness import LR, assert_params_close, batch, bounded, sgd_trajectory, start_params


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose MLP and PipelineTrainer pass a smoke test."""
    params = start_params(submission)
    x, y = batch(submission, 8)
    want = sgd_trajectory(params, [(x, y)], LR)[0][1]

    def smoke():
        model = submission.module("mlp").MLP(params)
        model.step(x, y, LR)
        assert_params_close(model.parameters(), want, 1e-9, "MLP after one step")
        trainer = submission.module("pipeline").PipelineTrainer
        with trainer(params, stages=2, micro_batches=2, lr=LR) as pipeline:
            loss = float(pipeline.step(x, y))
            got = pipeline.parameters()
        assert np.isfinite(loss), f"the pipeline's step returned {loss}"
        assert_params_close(got, params, 10.0, "pipeline after one step")  # runs; shapes fit

    try:
        bounded(smoke, "the smoke test")
    except Exception as exc:
        pytest.fail(
            f"OOP points need a working MLP and PipelineTrainer: {type(exc).__name__}: {exc}"
        )
    return submission.quality()


@pytest.mark.rubric("oop", weight=3)
def test_functions_are_small_and_simple(quality):
    """Cyclomatic complexity at most 10, at most 30 lines, nesting at most 4 levels."""
    quality.require_max_complexity(limit=10)
    quality.require_max_function_length(limit=30)
    quality.require_max_nesting(limit=4)


@pytest.mark.rubric("oop", weight=3)
def test_state_is_encapsulated(quality):
    """MLP and PipelineTrainer keep their state in underscore-prefixed attributes."""
    quality.require_private_state(class_name="MLP")
    quality.require_private_state(class_name="PipelineTrainer")


@pytest.mark.rubric("oop", weight=3)
def test_no_module_level_state(quality):
    """No module-level mutable state and no global statements: state lives on instances."""
    quality.require_no_module_mutable_state()
    quality.require_no_global_statements()


@pytest.mark.rubric("oop", weight=2)
def test_public_api_is_documented(quality):
    """Public classes, functions and methods have docstrings."""
    quality.require_docstrings()


@pytest.mark.rubric("oop", weight=2)
def test_errors_are_not_swallowed(quality):
    """No bare `except:` and no `except Exception:` that silently swallows the error."""
    quality.require_no_bare_except()


@pytest.mark.rubric("oop", weight=2)
def test_clean_python(quality):
    """PEP 8 names, no mutable default arguments, no print calls, no star imports."""
    quality.require_pep8_names()
    quality.require_no_mutable_defaults()
    quality.require_no_print()
    quality.require_no_star_imports()
