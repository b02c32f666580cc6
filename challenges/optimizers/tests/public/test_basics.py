"""Public tests: a first look at the interface. The hidden tests check much more."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def opt(submission):
    return submission.module("optimizers")


def test_sgd_takes_one_step_in_place(opt):
    param = np.array([1.0, -2.0])
    before = param
    opt.SGD(lr=0.1).step([param], [np.array([0.5, -1.0])])
    assert param is before, "step must update the parameter array in place"
    np.testing.assert_allclose(param, [0.95, -1.9])


def test_momentum_builds_up_velocity(opt):
    param = np.zeros(1)
    m = opt.Momentum(lr=0.1, momentum=0.5)
    m.step([param], [np.ones(1)])  # v = -0.1, p = -0.1
    m.step([param], [np.ones(1)])  # v = -0.15, p = -0.25
    np.testing.assert_allclose(param, [-0.25])


def test_adam_first_step_moves_by_about_lr(opt):
    # With bias correction, Adam's first step is lr * g / (|g| + eps): about lr, whatever g.
    param = np.zeros(3)
    opt.Adam(lr=0.01).step([param], [np.array([1e-3, 1.0, -50.0])])
    np.testing.assert_allclose(param, [-0.01, -0.01, 0.01], rtol=1e-4)


def test_learning_rate_is_validated(opt):
    with pytest.raises(ValueError):
        opt.SGD(lr=0)
