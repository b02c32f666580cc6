"""Hidden tests: a layer type the candidate never saw, written against their Layer base.

A skip connection wraps an inner layer: y = x + inner(x). If the candidate's
network talks to layers only through the Layer interface (forward, backward,
params, grads), it trains with this layer unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest
from nn_harness import param_entry


@pytest.fixture
def nn(submission):
    return submission.module("numpy_nn")


def _skip_class(Layer):
    """Built where the candidate's classes live (submission.run): a test's class cannot
    derive from a class in the candidate process."""

    class Skip(Layer):
        """y = x + inner(x)."""

        def __init__(self, inner):
            self.inner = inner

        def forward(self, x):
            return x + self.inner.forward(x)

        def backward(self, grad_out):
            return grad_out + self.inner.backward(grad_out)

        def params(self):
            return self.inner.params()

        def grads(self):
            return self.inner.grads()

    return Skip


def _net(submission, nn, rng):
    Skip = submission.run(_skip_class, nn.Layer)
    return nn.Network(
        [
            nn.Linear(3, 4, rng=rng),
            Skip(nn.Linear(4, 4, rng=rng)),
            nn.Tanh(),
            nn.Linear(4, 2, rng=rng),
        ]
    )


@pytest.mark.rubric("correctness", weight=4)
def test_network_with_an_unseen_skip_layer_has_correct_gradients(submission, nn):
    rng = np.random.default_rng(20)
    net, loss = _net(submission, nn, rng), nn.MSELoss()
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    loss.forward(net.forward(x), y)
    net.backward(loss.backward())
    params, grads = net.params(), [g.copy() for g in net.grads()]
    assert len(params) == 6, "the network must collect the new layer's parameters too"
    eps = 1e-6
    for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
        idx = (0,) * param.ndim
        old = submission.run(param_entry, net, i, idx, None)
        submission.run(param_entry, net, i, idx, old + eps)
        up = loss.forward(net.forward(x), y)
        submission.run(param_entry, net, i, idx, old - eps)
        down = loss.forward(net.forward(x), y)
        submission.run(param_entry, net, i, idx, old)
        assert grad[idx] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-7)


@pytest.mark.rubric("correctness", weight=2)
def test_network_with_an_unseen_skip_layer_trains(submission, nn):
    rng = np.random.default_rng(21)
    net, loss, opt = _net(submission, nn, rng), nn.MSELoss(), nn.SGD(lr=0.05)
    x = rng.normal(size=(64, 3))
    y = np.tanh(x @ rng.normal(size=(3, 2)))
    first = nn.train_step(net, loss, opt, x, y)
    for _ in range(400):
        last = nn.train_step(net, loss, opt, x, y)
    assert last < 0.5 * first, f"loss {first:.4f} -> {last:.4f}"
