"""My own tests for numpy_nn, written from the challenge statement.

Only the public interface is used (forward, backward, params, grads, step,
train_step), so the tests hold for any implementation of the statement.
Everything random is seeded.
"""

from __future__ import annotations

import numpy as np
import pytest

from numpy_nn import SGD, Layer, Linear, MomentumSGD, MSELoss, Network, Tanh, train_step


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def rng(seed=0):
    return np.random.default_rng(seed)


def numeric_grad(f, array, eps=1e-6):
    """Central finite differences of the scalar f() with respect to `array` (perturbed in place)."""
    grad = np.zeros_like(array, dtype=float)
    it = np.nditer(array, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = array[idx]
        array[idx] = old + eps
        plus = f()
        array[idx] = old - eps
        minus = f()
        array[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def assert_close_rel(actual, expected, rtol=1e-5, atol=1e-8):
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    scale = max(np.max(np.abs(expected)), np.max(np.abs(actual)), 1e-12)
    err = np.max(np.abs(actual - expected)) / scale
    assert err < rtol or np.max(np.abs(actual - expected)) < atol, err


def check_layer_gradients(layer, x, seed=0):
    """Compare backward's parameter and input gradients with finite differences.

    The loss is sum(forward(x) * R) for a fixed random R, so dLoss/dOutput = R.
    """
    x = np.array(x, dtype=float)
    out = layer.forward(x)
    weights = rng(seed + 100).normal(size=out.shape)

    def loss():
        return float(np.sum(layer.forward(x) * weights))

    layer.forward(x)
    grad_x = layer.backward(weights.copy())
    analytic = [np.array(g, dtype=float, copy=True) for g in layer.grads()]
    assert len(analytic) == len(layer.params())
    assert_close_rel(grad_x, numeric_grad(loss, x))
    for param, grad in zip(layer.params(), analytic):
        assert grad.shape == param.shape
        assert_close_rel(grad, numeric_grad(loss, param))


class Skip(Layer):
    """y = x + inner(x): a layer type written only against the Layer interface."""

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


class Scale(Layer):
    """y = s * x with a learnable per-feature scale s (a parameter of its own)."""

    def __init__(self, features):
        self.s = np.full(features, 1.5)
        self.ds = np.zeros(features)
        self.x = None

    def forward(self, x):
        self.x = x
        return x * self.s

    def backward(self, grad_out):
        self.ds = np.sum(grad_out * self.x, axis=0)
        return grad_out * self.s

    def params(self):
        return [self.s]

    def grads(self):
        return [self.ds]


def set_linear(layer, w, b):
    """Write known weights into a Linear layer through params() (in place)."""
    params = layer.params()
    params[0][...] = w
    params[1][...] = b


def learnable_data(seed, n=64, d_in=3):
    """Targets from a fixed smooth function of the inputs (learnable by a small tanh net)."""
    g = rng(seed)
    x = g.normal(size=(n, d_in))
    a = g.normal(size=(d_in, 4))
    c = g.normal(size=(4, 1))
    y = np.tanh(x @ a) @ c * 0.5 + 0.3
    return x, y


# --------------------------------------------------------------------------
# Linear
# --------------------------------------------------------------------------


def test_linear_params_shapes_and_zero_bias():
    layer = Linear(4, 3, rng=rng(0))
    params = layer.params()
    assert len(params) == 2
    w, b = params
    assert w.shape == (4, 3)
    assert b.shape == (3,)
    np.testing.assert_array_equal(b, np.zeros(3))


def test_linear_init_is_bounded_and_breaks_symmetry():
    layer = Linear(8, 16, rng=rng(1))
    w = layer.params()[0]
    assert np.all(np.isfinite(w))
    assert np.all(np.abs(w) < 5)
    # every hidden unit (column) starts different, and so does every input row
    assert len({tuple(col) for col in w.T}) == 16
    assert len({tuple(row) for row in w}) == 8
    assert np.std(w) > 0


def test_linear_init_is_reproducible_from_rng():
    w1 = Linear(5, 7, rng=rng(42)).params()[0]
    w2 = Linear(5, 7, rng=rng(42)).params()[0]
    w3 = Linear(5, 7, rng=rng(43)).params()[0]
    np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(w1, w3)


def test_linear_init_consumes_the_given_rng():
    g = rng(3)
    a = Linear(3, 3, rng=g).params()[0]
    b = Linear(3, 3, rng=g).params()[0]
    assert not np.array_equal(a, b)  # the second layer draws fresh numbers


def test_linear_without_rng_works():
    layer = Linear(2, 3)
    w, b = layer.params()
    assert w.shape == (2, 3) and b.shape == (3,)
    assert np.all(np.abs(w) < 5)
    assert layer.forward(np.ones((4, 2))).shape == (4, 3)


def test_linear_units_differ_after_one_training_step():
    """With symmetric init, hidden units would get identical gradients forever."""
    g = rng(5)
    x, y = g.normal(size=(10, 3)), g.normal(size=(10, 1))
    first = Linear(3, 6, rng=g)
    net = Network([first, Tanh(), Linear(6, 1, rng=g)])
    train_step(net, MSELoss(), SGD(lr=0.1), x, y)
    grad_w = first.grads()[0]
    assert len({tuple(np.round(col, 12)) for col in grad_w.T}) == 6


def test_linear_forward_is_xw_plus_b():
    layer = Linear(3, 2, rng=rng(0))
    w = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]])
    b = np.array([0.25, -1.0])
    set_linear(layer, w, b)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(layer.forward(x), x @ w + b)


def test_linear_backward_closed_form():
    layer = Linear(3, 2, rng=rng(0))
    w = layer.params()[0].copy()
    x = rng(1).normal(size=(5, 3))
    g = rng(2).normal(size=(5, 2))
    layer.forward(x)
    grad_x = layer.backward(g)
    grad_w, grad_b = layer.grads()
    np.testing.assert_allclose(grad_x, g @ w.T)
    np.testing.assert_allclose(grad_w, x.T @ g)
    np.testing.assert_allclose(grad_b, g.sum(axis=0))


@pytest.mark.parametrize("shape", [(1, 1, 1), (4, 3, 2), (7, 5, 1), (2, 1, 6)])
def test_linear_gradients_match_finite_differences(shape):
    batch, d_in, d_out = shape
    layer = Linear(d_in, d_out, rng=rng(batch))
    # a non-zero bias, so its effect is tested too
    layer.params()[1][...] = rng(9).normal(size=d_out)
    check_layer_gradients(layer, rng(7).normal(size=(batch, d_in)))


def test_linear_backward_uses_the_last_forward_pass():
    layer = Linear(2, 2, rng=rng(0))
    x1 = np.array([[1.0, 2.0]])
    x2 = np.array([[-3.0, 0.5]])
    layer.forward(x1)
    layer.forward(x2)
    g = np.array([[1.0, -1.0]])
    layer.backward(g)
    np.testing.assert_allclose(layer.grads()[0], x2.T @ g)


def test_linear_grads_refresh_on_each_backward():
    """Gradients are those of the last backward pass, not accumulated."""
    layer = Linear(2, 1, rng=rng(0))
    x = np.array([[1.0, 1.0]])
    g = np.array([[1.0]])
    for _ in range(3):
        layer.forward(x)
        layer.backward(g)
    np.testing.assert_allclose(layer.grads()[0], x.T @ g)
    np.testing.assert_allclose(layer.grads()[1], [1.0])


def test_linear_batch_equals_rows_one_by_one():
    layer = Linear(4, 3, rng=rng(0))
    layer.params()[1][...] = [0.1, -0.2, 0.3]
    x = rng(1).normal(size=(6, 4))
    g = rng(2).normal(size=(6, 3))
    out = layer.forward(x)
    grad_x = layer.backward(g)
    grad_w, grad_b = (np.array(a, copy=True) for a in layer.grads())
    sum_w = np.zeros_like(grad_w)
    sum_b = np.zeros_like(grad_b)
    for i in range(6):
        row_out = layer.forward(x[i : i + 1])
        np.testing.assert_allclose(row_out, out[i : i + 1])
        row_grad = layer.backward(g[i : i + 1])
        np.testing.assert_allclose(row_grad, grad_x[i : i + 1])
        sum_w += layer.grads()[0]
        sum_b += layer.grads()[1]
    np.testing.assert_allclose(sum_w, grad_w)
    np.testing.assert_allclose(sum_b, grad_b)


# --------------------------------------------------------------------------
# Tanh
# --------------------------------------------------------------------------


def test_tanh_forward_and_no_params():
    layer = Tanh()
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
    np.testing.assert_allclose(layer.forward(x), np.tanh(x))
    assert list(layer.params()) == []
    assert list(layer.grads()) == []


def test_tanh_backward_closed_form():
    layer = Tanh()
    x = rng(0).normal(size=(3, 4))
    g = rng(1).normal(size=(3, 4))
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(g), g * (1 - np.tanh(x) ** 2))


def test_tanh_gradient_matches_finite_differences():
    check_layer_gradients(Tanh(), rng(3).normal(size=(5, 4)) * 2)


@pytest.mark.parametrize("big", [1e6, 1e100, 1e300, 1.7e308])
def test_tanh_stable_for_huge_inputs(big):
    layer = Tanh()
    x = np.array([[big, -big, 0.0, 30.0, -30.0, 1.0]])
    with np.errstate(all="raise"):
        y = layer.forward(x)
        grad = layer.backward(np.ones_like(x))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(y[0, :2], [1.0, -1.0])
    np.testing.assert_allclose(grad[0, :2], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(grad[0, 2], 1.0)


def test_tanh_backward_uses_the_last_forward_pass():
    layer = Tanh()
    layer.forward(np.array([[0.0]]))
    layer.forward(np.array([[1.0]]))
    np.testing.assert_allclose(layer.backward(np.array([[1.0]])), [[1 - np.tanh(1.0) ** 2]])


# --------------------------------------------------------------------------
# MSELoss
# --------------------------------------------------------------------------


def test_mse_value_is_mean_over_every_element():
    loss = MSELoss()
    pred = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]])
    target = np.array([[0.0, 2.0], [1.0, 1.0], [0.0, 1.0]])
    expected = np.mean((pred - target) ** 2)
    assert loss.forward(pred, target) == pytest.approx(expected)
    np.testing.assert_allclose(loss.backward(), 2 * (pred - target) / pred.size)


def test_mse_zero_when_equal():
    loss = MSELoss()
    a = rng(0).normal(size=(4, 2))
    assert loss.forward(a, a.copy()) == pytest.approx(0.0)
    np.testing.assert_allclose(loss.backward(), np.zeros_like(a))


def test_mse_gradient_matches_finite_differences():
    loss = MSELoss()
    pred = rng(0).normal(size=(5, 3))
    target = rng(1).normal(size=(5, 3))
    loss.forward(pred, target)
    analytic = np.array(loss.backward(), copy=True)
    numeric = numeric_grad(lambda: loss.forward(pred, target), pred)
    assert_close_rel(analytic, numeric)


def test_mse_backward_uses_the_last_forward_pass():
    loss = MSELoss()
    loss.forward(np.array([[5.0]]), np.array([[0.0]]))
    loss.forward(np.array([[1.0]]), np.array([[0.0]]))
    np.testing.assert_allclose(loss.backward(), [[2.0]])


# --------------------------------------------------------------------------
# optimizers
# --------------------------------------------------------------------------


def test_sgd_step_in_place():
    p1 = np.array([1.0, 2.0, 3.0])
    p2 = np.array([[0.5, -0.5]])
    g1 = np.array([1.0, -1.0, 0.5])
    g2 = np.array([[2.0, 4.0]])
    ids = (id(p1), id(p2))
    SGD(lr=0.1).step([p1, p2], [g1, g2])
    assert (id(p1), id(p2)) == ids
    np.testing.assert_allclose(p1, [0.9, 2.1, 2.95])
    np.testing.assert_allclose(p2, [[0.3, -0.9]])


def test_sgd_default_lr_is_0_01():
    p = np.array([1.0])
    SGD().step([p], [np.array([1.0])])
    np.testing.assert_allclose(p, [0.99])


def test_sgd_repeated_steps():
    p = np.array([0.0])
    opt = SGD(lr=0.5)
    for _ in range(3):
        opt.step([p], [np.array([2.0])])
    np.testing.assert_allclose(p, [-3.0])


def test_momentum_equations_over_several_steps():
    lr, m = 0.1, 0.9
    p = np.array([1.0, -2.0])
    q = np.array([[3.0]])
    opt = MomentumSGD(lr=lr, momentum=m)
    grads_p = [np.array([1.0, 2.0]), np.array([-1.0, 0.5]), np.array([0.0, 0.0]), np.array([3.0, 1.0])]
    grads_q = [np.array([[1.0]]), np.array([[1.0]]), np.array([[-2.0]]), np.array([[0.0]])]
    ref_p, ref_q = p.copy(), q.copy()
    v_p, v_q = np.zeros_like(p), np.zeros_like(q)
    for gp, gq in zip(grads_p, grads_q):
        opt.step([p, q], [gp, gq])
        v_p = m * v_p - lr * gp
        v_q = m * v_q - lr * gq
        ref_p = ref_p + v_p
        ref_q = ref_q + v_q
        np.testing.assert_allclose(p, ref_p)
        np.testing.assert_allclose(q, ref_q)


def test_momentum_first_step_equals_sgd():
    p1, p2 = np.array([1.0, 2.0]), np.array([1.0, 2.0])
    g = np.array([0.5, -0.5])
    MomentumSGD(lr=0.2, momentum=0.9).step([p1], [g])
    SGD(lr=0.2).step([p2], [g])
    np.testing.assert_allclose(p1, p2)


def test_momentum_keeps_moving_with_zero_gradient():
    p = np.array([0.0])
    opt = MomentumSGD(lr=1.0, momentum=0.5)
    opt.step([p], [np.array([1.0])])  # v = -1, p = -1
    opt.step([p], [np.array([0.0])])  # v = -0.5, p = -1.5
    opt.step([p], [np.array([0.0])])  # v = -0.25, p = -1.75
    np.testing.assert_allclose(p, [-1.75])


def test_momentum_defaults():
    p = np.array([0.0])
    opt = MomentumSGD()
    opt.step([p], [np.array([1.0])])  # v = -0.01
    opt.step([p], [np.array([1.0])])  # v = 0.9 * -0.01 - 0.01 = -0.019
    np.testing.assert_allclose(p, [-0.029])


def test_momentum_has_one_velocity_per_parameter():
    """Same-shaped parameters must not share a velocity."""
    a = np.array([0.0, 0.0])
    b = np.array([0.0, 0.0])
    opt = MomentumSGD(lr=1.0, momentum=0.5)
    opt.step([a, b], [np.array([1.0, 1.0]), np.array([-1.0, 0.0])])
    opt.step([a, b], [np.array([0.0, 0.0]), np.array([0.0, 0.0])])
    np.testing.assert_allclose(a, [-1.5, -1.5])
    np.testing.assert_allclose(b, [1.5, 0.0])


# --------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------


def make_net(seed=0, sizes=(3, 5, 4, 2)):
    g = rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, rng=g))
        if i < len(sizes) - 2:
            layers.append(Tanh())
    return Network(layers), layers


def test_network_forward_is_the_composition():
    net, layers = make_net()
    x = rng(1).normal(size=(4, 3))
    expected = x
    for layer in layers:
        expected = layer.forward(expected)
    np.testing.assert_allclose(net.forward(x), expected)


def test_network_params_are_the_layers_arrays_in_order():
    net, layers = make_net()
    own = [p for layer in layers for p in layer.params()]
    params = net.params()
    assert len(params) == len(own) == 6
    for a, b in zip(params, own):
        assert a is b  # the optimizer must update the layers' own arrays


def test_network_grads_match_the_layers_grads_in_order():
    net, layers = make_net()
    x = rng(1).normal(size=(4, 3))
    out = net.forward(x)
    net.backward(rng(2).normal(size=out.shape))
    own = [g for layer in layers for g in layer.grads()]
    grads = net.grads()
    assert len(grads) == len(own)
    for g, o, p in zip(grads, own, net.params()):
        np.testing.assert_array_equal(g, o)
        assert g.shape == p.shape


@pytest.mark.parametrize("sizes", [(3, 1), (3, 5, 2), (2, 6, 5, 4, 3, 1)])
def test_network_gradients_match_finite_differences(sizes):
    net, _ = make_net(seed=len(sizes), sizes=sizes)
    check_layer_gradients(net, rng(11).normal(size=(4, sizes[0])))


def test_network_with_custom_skip_layer_gradients():
    g = rng(4)
    net = Network([
        Linear(3, 4, rng=g),
        Tanh(),
        Skip(Network([Linear(4, 4, rng=g), Tanh(), Linear(4, 4, rng=g)])),
        Linear(4, 1, rng=g),
    ])
    assert len(net.params()) == 8
    check_layer_gradients(net, rng(5).normal(size=(6, 3)))


def test_network_with_custom_parameter_layer():
    g = rng(4)
    scale = Scale(4)
    net = Network([Linear(2, 4, rng=g), scale, Tanh(), Linear(4, 1, rng=g)])
    assert any(p is scale.s for p in net.params())
    check_layer_gradients(net, rng(5).normal(size=(5, 2)))


def test_nested_networks():
    g = rng(6)
    inner = Network([Linear(3, 3, rng=g), Tanh()])
    net = Network([inner, Linear(3, 2, rng=g)])
    assert len(net.params()) == 4
    check_layer_gradients(net, rng(7).normal(size=(3, 3)))


def test_network_batch_equals_rows_one_by_one():
    net, _ = make_net(seed=2)
    x = rng(3).normal(size=(5, 3))
    g = rng(4).normal(size=(5, 2))
    out = net.forward(x)
    grad_x = net.backward(g)
    total = [np.array(a, copy=True) for a in net.grads()]
    summed = [np.zeros_like(a) for a in total]
    for i in range(5):
        np.testing.assert_allclose(net.forward(x[i : i + 1]), out[i : i + 1])
        np.testing.assert_allclose(net.backward(g[i : i + 1]), grad_x[i : i + 1])
        for s, a in zip(summed, net.grads()):
            s += a
    for s, a in zip(summed, total):
        np.testing.assert_allclose(s, a)


def test_network_finite_on_huge_inputs():
    net, _ = make_net(seed=0, sizes=(3, 8, 8, 1))
    x = np.array([[1e6, -1e6, 1e6], [1e6, 1e6, -1e6]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = net.forward(x)
        grad = net.backward(np.ones_like(out))
    assert np.all(np.isfinite(out))
    assert np.all(np.isfinite(grad))
    assert all(np.all(np.isfinite(gr)) for gr in net.grads())


# --------------------------------------------------------------------------
# train_step and training
# --------------------------------------------------------------------------


def test_train_step_returns_loss_before_the_step_and_matches_manual_step():
    g = rng(0)
    x, y = g.normal(size=(8, 3)), g.normal(size=(8, 1))
    net_a, _ = make_net(seed=1, sizes=(3, 4, 1))
    net_b, _ = make_net(seed=1, sizes=(3, 4, 1))
    expected_loss = float(np.mean((net_a.forward(x) - y) ** 2))

    value = train_step(net_a, MSELoss(), SGD(lr=0.1), x, y)
    assert value == pytest.approx(expected_loss)

    loss = MSELoss()
    loss.forward(net_b.forward(x), y)
    net_b.backward(loss.backward())
    SGD(lr=0.1).step(net_b.params(), net_b.grads())
    for a, b in zip(net_a.params(), net_b.params()):
        np.testing.assert_allclose(a, b)

    after = float(np.mean((net_a.forward(x) - y) ** 2))
    assert after < value


def test_train_step_with_momentum_matches_manual():
    g = rng(0)
    x, y = g.normal(size=(8, 3)), g.normal(size=(8, 1))
    net_a, _ = make_net(seed=1, sizes=(3, 4, 1))
    net_b, _ = make_net(seed=1, sizes=(3, 4, 1))
    opt_a, opt_b = MomentumSGD(lr=0.05, momentum=0.9), MomentumSGD(lr=0.05, momentum=0.9)
    loss = MSELoss()
    for _ in range(3):
        train_step(net_a, MSELoss(), opt_a, x, y)
        loss.forward(net_b.forward(x), y)
        net_b.backward(loss.backward())
        opt_b.step(net_b.params(), net_b.grads())
    for a, b in zip(net_a.params(), net_b.params()):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("seed", [0, 1])
def test_sgd_training_halves_the_loss(seed):
    x, y = learnable_data(seed)
    g = rng(seed + 10)
    net = Network([Linear(3, 16, rng=g), Tanh(), Linear(16, 1, rng=g)])
    loss, opt = MSELoss(), SGD(lr=0.05)
    first = train_step(net, loss, opt, x, y)
    for _ in range(499):
        last = train_step(net, loss, opt, x, y)
    assert last < first / 2


@pytest.mark.parametrize("seed", [0, 1])
def test_momentum_training_halves_the_loss(seed):
    x, y = learnable_data(seed)
    g = rng(seed + 20)
    net = Network([Linear(3, 16, rng=g), Tanh(), Linear(16, 1, rng=g)])
    loss, opt = MSELoss(), MomentumSGD(lr=0.01, momentum=0.9)
    first = train_step(net, loss, opt, x, y)
    for _ in range(499):
        last = train_step(net, loss, opt, x, y)
    assert last < first / 2


def test_deeper_network_trains():
    x, y = learnable_data(3)
    g = rng(30)
    net = Network([
        Linear(3, 8, rng=g), Tanh(),
        Linear(8, 8, rng=g), Tanh(),
        Linear(8, 8, rng=g), Tanh(),
        Linear(8, 1, rng=g),
    ])
    loss, opt = MSELoss(), MomentumSGD(lr=0.01, momentum=0.9)
    first = train_step(net, loss, opt, x, y)
    for _ in range(499):
        last = train_step(net, loss, opt, x, y)
    assert last < first / 2


def test_skip_connection_network_trains():
    x, y = learnable_data(4)
    g = rng(40)
    net = Network([
        Linear(3, 8, rng=g),
        Tanh(),
        Skip(Network([Linear(8, 8, rng=g), Tanh()])),
        Linear(8, 1, rng=g),
    ])
    loss, opt = MSELoss(), SGD(lr=0.02)
    first = train_step(net, loss, opt, x, y)
    for _ in range(399):
        last = train_step(net, loss, opt, x, y)
    assert last < first / 2


def test_training_is_reproducible():
    def run():
        x, y = learnable_data(5)
        g = rng(50)
        net = Network([Linear(3, 6, rng=g), Tanh(), Linear(6, 1, rng=g)])
        loss, opt = MSELoss(), MomentumSGD(lr=0.02, momentum=0.9)
        return [train_step(net, loss, opt, x, y) for _ in range(20)]

    assert run() == run()
