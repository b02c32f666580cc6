"""Hidden tests: bad hyper-parameters and mismatched inputs raise ValueError."""

from __future__ import annotations

import numpy as np
import pytest

BAD = [
    ("SGD", {"lr": 0}),
    ("SGD", {"lr": -0.1}),
    ("SGD", {"lr": float("nan")}),
    ("SGD", {"lr": float("inf")}),
    ("Momentum", {"momentum": 1.0}),
    ("Momentum", {"momentum": -0.1}),
    ("Nesterov", {"momentum": 1.5}),
    ("AdaGrad", {"eps": 0}),
    ("AdaGrad", {"eps": float("nan")}),
    ("RMSprop", {"rho": 1.0}),
    ("RMSprop", {"eps": -1e-8}),
    ("RMSprop", {"eps": float("inf")}),
    ("Adam", {"beta1": 1.0}),
    ("Adam", {"beta2": -0.5}),
    ("Adam", {"lr": float("nan")}),
    ("Adam", {"eps": float("inf")}),
    ("SGD", {"lr": "0.1"}),
    ("Adam", {"beta1": "0.9"}),
]


@pytest.fixture
def opt(submission):
    return submission.module("optimizers")


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize(
    ("name", "hp"), BAD, ids=[f"{n}-{k}={v}" for n, h in BAD for k, v in h.items()]
)
def test_bad_hyper_parameter_is_rejected(opt, name, hp):
    """ValueError for a learning rate or `eps` that is not a finite number above 0 (NaN and
    inf included), a `momentum`, `rho`, `beta1` or `beta2` that is not a number in [0, 1)."""
    with pytest.raises(ValueError):
        getattr(opt, name)(**hp)


@pytest.mark.rubric("correctness")
def test_good_edge_values_are_accepted(opt):
    opt.Momentum(momentum=0.0)
    opt.RMSprop(rho=0.0)
    opt.Adam(beta1=0.0, beta2=0.0)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_mismatched_inputs_are_rejected(opt, name):
    optimizer = getattr(opt, name)()
    with pytest.raises(ValueError):
        optimizer.step([np.zeros(2)], [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError):
        optimizer.step([np.zeros(2)], [np.zeros(3)])
    optimizer.step([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError):
        optimizer.step([np.zeros(2), np.zeros(2)], [np.ones(2), np.ones(2)])
