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


@pytest.mark.rubric("oop", weight=3)
def test_layers_share_an_abstract_base(quality):
    """Linear, Tanh (and any new layer) derive from one abstract base declaring forward and backward."""
    quality.require_shared_base(["forward", "backward"], classes=["Linear", "Tanh"])


@pytest.mark.rubric("oop")
def test_small_simple_functions(quality):
    """Cyclomatic complexity at most 10, functions at most 30 lines, nesting at most 3."""
    quality.require_max_complexity(limit=10)
    quality.require_max_function_length(limit=30)
    quality.require_max_nesting(limit=3)


@pytest.mark.rubric("oop")
def test_documented_and_clean(quality):
    """Docstrings on public classes; no module state, prints, mutable defaults or copy-paste."""
    quality.require_docstrings()
    quality.require_no_module_mutable_state()
    quality.require_no_print()
    quality.require_no_mutable_defaults()
    quality.require_no_duplicate_blocks()
