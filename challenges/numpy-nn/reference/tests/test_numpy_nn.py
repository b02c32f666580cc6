"""My tests for numpy_nn: gradients against finite differences, training, optimizers, init.

Every test seeds its own numpy Generator, so each run is the same. Run with ``pytest``.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy_nn import SGD, Layer, Linear, MomentumSGD, MSELoss, Network, Tanh, train_step

EPS = 1e-6


class Scale(Layer):
    """A layer the library has never seen: y = x * s, one learnable scale per feature."""

    def __init__(self, features: int) -> None:
        self.scale = np.ones(features)
        self._grad = np.zeros(features)
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = x
        return x * self.scale

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._grad = (grad_out * self._x).sum(axis=0)
        return grad_out * self.scale

    def params(self) -> list[np.ndarray]:
        return [self.scale]

    def grads(self) -> list[np.ndarray]:
        return [self._grad]


def numerical_gradient(f, array: np.ndarray) -> np.ndarray:
    """d f() / d array by central differences, nudging ``array`` in place (then restoring it)."""
    grad = np.zeros_like(array, dtype=float)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + EPS
        plus = f()
        array[idx] = old - EPS
        minus = f()
        array[idx] = old
        grad[idx] = (plus - minus) / (2 * EPS)
    return grad


def assert_gradient(analytic: np.ndarray, numeric: np.ndarray) -> None:
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def learnable_data(rng: np.random.Generator, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs and targets a small tanh network can fit: a random teacher's outputs."""
    x = rng.normal(size=(n, 3))
    y = np.tanh(x @ rng.normal(size=(3, 1))) + 0.5 * np.sin(x[:, :1])
    return x, y


def small_net(rng: np.random.Generator, *extra: Layer) -> Network:
    return Network([Linear(3, 8, rng=rng), *extra, Tanh(), Linear(8, 1, rng=rng)])


# --- gradients ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_layer, n_in, n_out",
    [
        (lambda rng: Linear(3, 4, rng=rng), 3, 4),
        (lambda rng: Tanh(), 4, 4),
        (lambda rng: Scale(4), 4, 4),
    ],
    ids=["linear", "tanh", "custom-scale"],
)
def test_each_layer_gradients_match_finite_differences(make_layer, n_in, n_out):
    rng = np.random.default_rng(0)
    layer = make_layer(rng)
    for p in layer.params():  # off the starting point (b = 0, s = 1), where errors could hide
        p += rng.normal(scale=0.5, size=p.shape)
    x = rng.normal(size=(5, n_in))
    weights = rng.normal(size=(5, n_out))  # loss = sum(out * weights): dLoss/dOut = weights

    def loss() -> float:
        return float(np.sum(layer.forward(x) * weights))

    loss()
    grad_x = layer.backward(weights)
    grads = [g.copy() for g in layer.grads()]
    assert [g.shape for g in grads] == [p.shape for p in layer.params()]

    assert_gradient(grad_x, numerical_gradient(loss, x))
    for param, grad in zip(layer.params(), grads, strict=True):
        assert_gradient(grad, numerical_gradient(loss, param))


def test_network_and_mse_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    layers = [Linear(3, 5, rng=rng), Tanh(), Linear(5, 2, rng=rng), Tanh(), Linear(2, 2, rng=rng)]
    net = Network(layers)
    mse = MSELoss()
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))

    def loss() -> float:
        return mse.forward(net.forward(x), y)

    loss()
    grad_x = net.backward(mse.backward())
    grads = [g.copy() for g in net.grads()]
    assert len(grads) == len(net.params()) == 6

    assert_gradient(grad_x, numerical_gradient(loss, x))
    for param, grad in zip(net.params(), grads, strict=True):
        assert_gradient(grad, numerical_gradient(loss, param))


def test_mse_is_the_mean_over_every_element_and_its_gradient():
    rng = np.random.default_rng(2)
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    mse = MSELoss()
    assert mse.forward(pred, target) == pytest.approx(np.mean((pred - target) ** 2))
    assert_gradient(mse.backward(), numerical_gradient(lambda: mse.forward(pred, target), pred))


def test_tanh_is_stable_and_saturates_on_huge_inputs():
    tanh = Tanh()
    x = np.array([[-1e6, -30.0, 0.0, 30.0, 1e6]])
    with np.errstate(all="raise"):
        y = tanh.forward(x)
        grad = tanh.backward(np.ones_like(x))
    np.testing.assert_allclose(y, [[-1.0, -1.0, 0.0, 1.0, 1.0]])
    np.testing.assert_allclose(grad, [[0.0, 0.0, 1.0, 0.0, 0.0]], atol=1e-12)


# --- a layer the library does not know ------------------------------------------------


def test_network_params_and_grads_are_all_its_layers_in_order():
    rng = np.random.default_rng(3)
    layers = [Linear(3, 4, rng=rng), Scale(4), Tanh(), Linear(4, 1, rng=rng)]
    net = Network(layers)
    net.forward(rng.normal(size=(2, 3)))
    net.backward(np.ones((2, 1)))
    expected = [p for layer in layers for p in layer.params()]
    assert len(net.params()) == len(expected) == 5
    assert all(got is want for got, want in zip(net.params(), expected, strict=True))
    assert [g.shape for g in net.grads()] == [p.shape for p in expected]


def test_a_custom_layer_trains_inside_a_network():
    rng = np.random.default_rng(4)
    x, y = learnable_data(rng)
    scale = Scale(8)
    net, mse, opt = small_net(rng, scale), MSELoss(), SGD(lr=0.1)
    first = train_step(net, mse, opt, x, y)
    for _ in range(300):
        last = train_step(net, mse, opt, x, y)
    assert not np.allclose(scale.scale, 1.0), "the custom layer's parameters never moved"
    assert last < 0.5 * first


# --- training and optimizers ----------------------------------------------------------


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda: SGD(lr=0.1), lambda: MomentumSGD(lr=0.02, momentum=0.9)],
    ids=["sgd", "momentum"],
)
def test_training_on_random_data_reduces_the_loss(make_optimizer):
    rng = np.random.default_rng(5)
    x, y = learnable_data(rng)
    net, mse, opt = small_net(rng), MSELoss(), make_optimizer()
    losses = [train_step(net, mse, opt, x, y) for _ in range(300)]
    assert all(np.isfinite(losses))
    assert losses[-1] < 0.5 * losses[0]


def test_train_step_returns_the_loss_before_the_step():
    rng = np.random.default_rng(6)
    x, y = learnable_data(rng, n=16)
    net = small_net(rng)
    before = MSELoss().forward(net.forward(x), y)
    assert train_step(net, MSELoss(), SGD(lr=0.1), x, y) == pytest.approx(before)
    assert MSELoss().forward(net.forward(x), y) < before


def test_sgd_follows_its_equation_in_place():
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    SGD(lr=0.1).step([param], [grad])
    np.testing.assert_allclose(param, [0.95, -2.4])


def test_momentum_follows_its_equations_and_differs_from_sgd():
    lr, momentum = 0.1, 0.9
    start = [np.array([1.0, -2.0]), np.array([[0.5]])]
    grads = [np.array([0.5, 4.0]), np.array([[-1.0]])]
    with_momentum = [p.copy() for p in start]
    plain = [p.copy() for p in start]
    opt, sgd = MomentumSGD(lr=lr, momentum=momentum), SGD(lr=lr)
    for _ in range(3):  # the same gradient three times
        opt.step(with_momentum, grads)
        sgd.step(plain, grads)
    # v1 = -lr g, v2 = -(1 + m) lr g, v3 = -(1 + m + m^2) lr g: p moves by their sum
    moved = (1 + (1 + momentum) + (1 + momentum + momentum**2)) * lr
    for p0, g, p, q in zip(start, grads, with_momentum, plain, strict=True):
        np.testing.assert_allclose(p, p0 - moved * g)
        np.testing.assert_allclose(q, p0 - 3 * lr * g)
        assert not np.allclose(p, q)


# --- initialisation -------------------------------------------------------------------


def test_linear_initialisation_breaks_symmetry():
    layer = Linear(4, 8, rng=np.random.default_rng(7))
    weight, bias = layer.params()
    assert weight.shape == (4, 8) and bias.shape == (8,)
    np.testing.assert_array_equal(bias, 0.0)
    assert np.all(np.abs(weight) < 5)
    assert len({tuple(column) for column in weight.T}) == 8, "two hidden units start the same"
    hidden = Tanh().forward(layer.forward(np.random.default_rng(8).normal(size=(10, 4))))
    assert len({tuple(column) for column in hidden.T}) == 8, "two hidden units compute the same"


def test_initialisation_is_reproducible_from_the_rng():
    def weights(seed: int) -> np.ndarray:
        return Linear(3, 5, rng=np.random.default_rng(seed)).params()[0]

    np.testing.assert_array_equal(weights(9), weights(9))
    assert not np.allclose(weights(9), weights(10))


def test_a_batch_is_its_rows_processed_one_by_one():
    rng = np.random.default_rng(11)
    net, x = small_net(rng), rng.normal(size=(5, 3))
    rows = np.vstack([net.forward(x[i : i + 1]) for i in range(len(x))])
    np.testing.assert_allclose(net.forward(x), rows, rtol=1e-12, atol=1e-12)
