"""Hidden correctness tests: gradients, training, initialisation, batches, stability."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from nn_harness import array_entry, param_entry


@pytest.fixture
def nn(submission):
    return submission.module("numpy_nn")


def _numeric_grad(f, shape, entry, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of an array of
    ``shape``, nudged in place through ``entry(idx, value)`` (which answers the old value)."""
    grad = np.zeros(shape)
    for idx in np.ndindex(shape):
        old = entry(idx, None)
        entry(idx, old + eps)
        up = f()
        entry(idx, old - eps)
        down = f()
        entry(idx, old)
        grad[idx] = (up - down) / (2 * eps)
    return grad


def _net(nn, rng, sizes=(3, 5, 4, 2)):
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b, rng=rng))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    return nn.Network(layers)


@pytest.mark.rubric("correctness", weight=3)
@pytest.mark.parametrize("seed", [0, 1])
def test_parameter_gradients_match_finite_differences(submission, nn, seed):
    rng = np.random.default_rng(seed)
    net, loss = _net(nn, rng), nn.MSELoss()
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))

    def value():
        return loss.forward(net.forward(x), y)

    value()
    net.backward(loss.backward())
    analytic = [g.copy() for g in net.grads()]
    assert len(analytic) == len(net.params()) == 6
    for i, (param, grad) in enumerate(zip(net.params(), analytic, strict=True)):
        numeric = _numeric_grad(
            value, param.shape, lambda idx, v, i=i: submission.run(param_entry, net, i, idx, v)
        )
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7, err_msg=f"parameter {i}")


@pytest.mark.rubric("correctness", weight=2)
def test_input_gradient_matches_finite_differences(nn):
    rng = np.random.default_rng(2)
    net, loss = _net(nn, rng), nn.MSELoss()
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    loss.forward(net.forward(x), y)
    grad_x = net.backward(loss.backward())
    numeric = _numeric_grad(
        lambda: loss.forward(net.forward(x), y), x.shape, lambda idx, v: array_entry(x, idx, v)
    )
    np.testing.assert_allclose(grad_x, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.rubric("correctness")
def test_tanh_gradient_and_stability_on_large_inputs(nn):
    tanh = nn.Tanh()
    x = np.array([[-1e4, -3.0, 0.0, 0.5, 800.0]])
    with np.errstate(all="raise"):
        y = tanh.forward(x)
        g = tanh.backward(np.ones_like(x))
    np.testing.assert_allclose(y, np.tanh(x))
    np.testing.assert_allclose(g, 1 - np.tanh(x) ** 2, atol=1e-12)


@pytest.mark.rubric("correctness")
def test_network_is_stable_on_large_inputs(nn):
    rng = np.random.default_rng(3)
    net, loss = _net(nn, rng), nn.MSELoss()
    x = rng.normal(scale=1e6, size=(8, 3))
    out = net.forward(x)
    value = loss.forward(out, np.zeros_like(out))
    net.backward(loss.backward())
    assert np.isfinite(value) and all(np.all(np.isfinite(g)) for g in net.grads())


@pytest.mark.rubric("correctness", weight=2)
def test_initialisation_breaks_symmetry(nn):
    layer = nn.Linear(6, 5, rng=np.random.default_rng(4))
    weight = layer.params()[0]
    assert weight.shape == (6, 5)
    assert np.unique(np.round(weight, 12)).size > 1, (
        "every weight is the same: all units learn alike"
    )
    columns = weight.T
    assert all(not np.allclose(columns[0], c) for c in columns[1:]), "two units start identical"
    assert np.abs(weight).max() < 5.0, "weights this large saturate tanh from the start"


@pytest.mark.rubric("correctness")
def test_same_seed_same_network(nn):
    a = nn.Linear(3, 3, rng=np.random.default_rng(5)).params()[0]
    b = nn.Linear(3, 3, rng=np.random.default_rng(5)).params()[0]
    np.testing.assert_array_equal(a, b)


@pytest.mark.rubric("correctness", weight=2)
def test_a_batch_is_the_rows_processed_together(nn):
    rng = np.random.default_rng(6)
    net = _net(nn, rng)
    x = rng.normal(size=(5, 3))
    batch = net.forward(x)
    rows = np.vstack([net.forward(x[i : i + 1]) for i in range(5)])
    np.testing.assert_allclose(batch, rows, atol=1e-12)


@pytest.mark.rubric("correctness")
def test_backward_uses_the_last_forward_pass(nn):
    """backward needs no input: the forward pass kept what it needs."""
    rng = np.random.default_rng(7)
    net, loss = _net(nn, rng), nn.MSELoss()
    x1, x2, y = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    loss.forward(net.forward(x1), y)
    loss.forward(net.forward(x2), y)
    net.backward(loss.backward())
    after_x2 = [g.copy() for g in net.grads()]
    loss.forward(net.forward(x2), y)
    net.backward(loss.backward())
    for a, b in zip(after_x2, net.grads(), strict=True):
        np.testing.assert_allclose(a, b)


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("optimizer", ["SGD", "MomentumSGD"])
def test_training_on_random_data_lowers_the_loss_a_lot(nn, optimizer):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(64, 3))
    y = np.tanh(x @ rng.normal(size=(3, 2)))  # learnable
    net, loss = _net(nn, rng), nn.MSELoss()
    opt = nn.SGD(lr=0.1) if optimizer == "SGD" else nn.MomentumSGD(lr=0.05, momentum=0.9)
    first = nn.train_step(net, loss, opt, x, y)
    for _ in range(500):
        last = nn.train_step(net, loss, opt, x, y)
    assert last < 0.5 * first, f"{optimizer}: loss {first:.4f} -> {last:.4f}"


@pytest.mark.rubric("correctness", weight=3)
def test_optimizer_updates_follow_the_equations(nn):
    p = np.array([1.0, 2.0])
    nn.SGD(lr=0.5).step([p], [np.array([1.0, -1.0])])
    np.testing.assert_allclose(p, [0.5, 2.5])
    q = np.zeros(1)
    mom = nn.MomentumSGD(lr=0.1, momentum=0.5)
    for _ in range(3):
        mom.step([q], [np.ones(1)])
    # v: -0.1, -0.15, -0.175; p: -0.1, -0.25, -0.425
    np.testing.assert_allclose(q, [-0.425])


@pytest.mark.rubric("correctness")
def test_linear_bias_starts_at_zero(nn):
    """`Linear`: `b` of shape `(out,)` at zero; `params()` is `[W, b]`."""
    bias = nn.Linear(4, 3, rng=np.random.default_rng(9)).params()[1]
    assert bias.shape == (3,)
    np.testing.assert_array_equal(bias, np.zeros(3))


@pytest.mark.rubric("correctness")
def test_optimizer_defaults(nn):
    """`SGD(lr=0.01)` and `MomentumSGD(lr=0.01, momentum=0.9)`: the defaults."""
    p = np.array([1.0, 2.0])
    nn.SGD().step([p], [np.array([1.0, -1.0])])
    np.testing.assert_allclose(p, [0.99, 2.01])
    q = np.zeros(1)
    mom = nn.MomentumSGD()
    for _ in range(2):
        mom.step([q], [np.ones(1)])
    # v: -0.01, 0.9 * -0.01 - 0.01 = -0.019; p: -0.01, -0.029
    np.testing.assert_allclose(q, [-0.029])


@pytest.mark.rubric("correctness")
def test_train_step_returns_the_loss_before_the_step(nn):
    """`train_step` returns the loss before the step."""
    rng = np.random.default_rng(10)
    net, loss = _net(nn, rng), nn.MSELoss()
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    before = loss.forward(net.forward(x), y)
    value = nn.train_step(net, loss, nn.SGD(lr=0.5), x, y)
    assert value == pytest.approx(before, rel=1e-12)


@pytest.mark.rubric("correctness")
def test_mse_is_the_mean_over_every_element(nn):
    """`MSELoss().forward(pred, target)` returns the mean of the squared errors over every
    element."""
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 0.0], [0.0, 1.0]])
    # squared errors 1, 4, 9, 9: their mean over the 4 elements is 23 / 4
    assert nn.MSELoss().forward(pred, target) == pytest.approx(5.75, rel=1e-12)
