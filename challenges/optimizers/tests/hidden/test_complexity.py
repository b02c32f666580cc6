"""Hidden complexity test: a step costs time linear in the number of parameter arrays.

A model has hundreds of parameter tensors; an optimizer that finds each one's state
by searching a list spends O(n) per parameter, O(n^2) per step.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.rubric("complexity", weight=2)
@pytest.mark.parametrize("name", ["SGD", "Momentum", "Adam"])
def test_step_is_linear_in_the_number_of_parameters(submission, complexity, name):
    cls = getattr(submission.module("optimizers"), name)
    try:
        param = np.ones(2)
        cls().step([param], [np.ones(2)])
    except Exception as exc:
        pytest.fail(f"complexity points need a working {name}: {type(exc).__name__}: {exc}")

    def make_input(n):
        params = [np.ones(2) for _ in range(n)]
        grads = [np.full(2, 0.1) for _ in range(n)]
        optimizer = cls()
        optimizer.step(params, grads)  # the first step creates the state
        return optimizer, params, grads

    def one_step(arg):
        optimizer, params, grads = arg
        optimizer.step(params, grads)

    complexity.require(one_step, make_input, "O(n)", max_n=20_000, label=f"{name}.step")
