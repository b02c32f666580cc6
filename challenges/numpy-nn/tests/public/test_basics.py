"""Public tests: a first look at the interface. The hidden tests check much more."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def nn(submission):
    return submission.module("numpy_nn")


def test_linear_forward_shape(nn):
    layer = nn.Linear(3, 2, rng=np.random.default_rng(0))
    assert layer.forward(np.ones((5, 3))).shape == (5, 2)


def test_mse_of_a_known_residual(nn):
    loss = nn.MSELoss()
    assert loss.forward(np.array([[1.0, 3.0]]), np.array([[0.0, 0.0]])) == pytest.approx(5.0)
    np.testing.assert_allclose(loss.backward(), [[1.0, 3.0]])


def test_training_lowers_the_loss(nn):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 1))
    net = nn.Network([nn.Linear(4, 8, rng=rng), nn.Tanh(), nn.Linear(8, 1, rng=rng)])
    loss, opt = nn.MSELoss(), nn.SGD(lr=0.05)
    first = nn.train_step(net, loss, opt, x, y)
    for _ in range(200):
        last = nn.train_step(net, loss, opt, x, y)
    assert last < first
