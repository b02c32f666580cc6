"""Hidden complexity test: forward and backward time grows linearly with the batch size."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.rubric("complexity", weight=2)
def test_forward_and_backward_are_linear_in_batch_size(nn_module, complexity):
    nn = nn_module
    rng = np.random.default_rng(30)
    net = nn.Network([nn.Linear(8, 16, rng=rng), nn.Tanh(), nn.Linear(16, 1, rng=rng)])
    loss = nn.MSELoss()

    def make_input(n):
        x = np.random.default_rng(n).normal(size=(n, 8))
        return x, np.zeros((n, 1))

    def forward_backward(arg):
        x, y = arg
        loss.forward(net.forward(x), y)
        net.backward(loss.backward())

    complexity.require(
        forward_backward, make_input, "O(n)", max_n=200_000, label="forward+backward"
    )


@pytest.fixture
def nn_module(submission):
    nn = submission.module("numpy_nn")
    try:
        net = nn.Network([nn.Linear(2, 2, rng=np.random.default_rng(0))])
        loss = nn.MSELoss()
        loss.forward(net.forward(np.ones((3, 2))), np.zeros((3, 2)))
        net.backward(loss.backward())
    except Exception as exc:
        pytest.fail(f"complexity points need a working network: {type(exc).__name__}: {exc}")
    return nn
