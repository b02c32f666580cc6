"""Hidden OOP tests: one layer interface, clean code. Counted only when the network works."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def quality(submission):
    try:
        nn = submission.module("numpy_nn")
        net = nn.Network([nn.Linear(2, 2, rng=np.random.default_rng(0)), nn.Tanh()])
        loss = nn.MSELoss()
        loss.forward(net.forward(np.ones((3, 2))), np.zeros((3, 2)))
        net.backward(loss.backward())
    except Exception as exc:
        pytest.fail(f"OOP points need a working network: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop")
def test_layers_share_an_abstract_base(quality):
    """Linear, Tanh (and any new layer) derive from one abstract base declaring forward and backward."""
    quality.require_shared_base(["forward", "backward"], classes=["Linear", "Tanh"])


@pytest.mark.rubric("oop")
def test_functions_have_low_cyclomatic_complexity(quality):
    """Every function's cyclomatic complexity is at most 10."""
    quality.require_max_complexity(limit=10)


@pytest.mark.rubric("oop")
def test_functions_are_short(quality):
    """Every function is at most 30 lines long (its docstring not counted)."""
    quality.require_max_function_length(limit=30)


@pytest.mark.rubric("oop")
def test_nesting_is_shallow(quality):
    """Blocks nest at most 3 deep."""
    quality.require_max_nesting(limit=3)


@pytest.mark.rubric("oop")
def test_public_api_is_documented(quality):
    """Docstrings on public classes."""
    quality.require_docstrings()


@pytest.mark.rubric("oop")
def test_no_module_level_mutable_state(quality):
    """No mutable state at module level: state lives in objects."""
    quality.require_no_module_mutable_state()


@pytest.mark.rubric("oop")
def test_no_print_calls(quality):
    """No print calls: a library reports through return values and exceptions."""
    quality.require_no_print()


@pytest.mark.rubric("oop")
def test_no_mutable_default_arguments(quality):
    """No mutable default arguments."""
    quality.require_no_mutable_defaults()


@pytest.mark.rubric("oop")
def test_no_copy_paste(quality):
    """No repeated blocks of code: shared logic lives in one place."""
    quality.require_no_duplicate_blocks()
