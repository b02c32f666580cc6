"""Hidden correctness tests: every step of every optimizer matches the textbook equations.

Random parameters of several shapes get random gradients for several steps; after
each step the candidate's parameters must equal the textbook rule's (written out
plainly below) to 1e-6 relative, room for algebraically equal forms. Then:
defaults, per-parameter state, independent instances, and updates in place.
"""

from __future__ import annotations

import numpy as np
import pytest

NAMES = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
CUSTOM = {
    "SGD": {"lr": 0.05},
    "Momentum": {"lr": 0.03, "momentum": 0.7},
    "Nesterov": {"lr": 0.03, "momentum": 0.8},
    "AdaGrad": {"lr": 0.2, "eps": 1e-6},
    "RMSprop": {"lr": 0.01, "rho": 0.8, "eps": 1e-6},
    "Adam": {"lr": 0.02, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6},
}
SHAPES = [(3,), (2, 4), (1,)]
STEPS = 6


DEFAULTS = {
    "SGD": {"lr": 0.01},
    "Momentum": {"lr": 0.01, "momentum": 0.9},
    "Nesterov": {"lr": 0.01, "momentum": 0.9},
    "AdaGrad": {"lr": 0.01, "eps": 1e-8},
    "RMSprop": {"lr": 0.001, "rho": 0.9, "eps": 1e-8},
    "Adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


def run(name, hp, start, grad_steps):
    """Parameters after each step of optimizer ``name`` (a list of lists of arrays)."""
    p = [s.astype(float).copy() for s in start]
    a = [np.zeros_like(x) for x in p]  # velocity / sum of squares / mean square / m
    b = [np.zeros_like(x) for x in p]  # Adam's v
    history = []
    for t, grads in enumerate(grad_steps, start=1):
        for i, g in enumerate(grads):
            if name == "SGD":
                p[i] = p[i] - hp["lr"] * g
            elif name == "Momentum":
                a[i] = hp["momentum"] * a[i] - hp["lr"] * g
                p[i] = p[i] + a[i]
            elif name == "Nesterov":
                a[i] = hp["momentum"] * a[i] - hp["lr"] * g
                p[i] = p[i] + hp["momentum"] * a[i] - hp["lr"] * g
            elif name == "AdaGrad":
                a[i] = a[i] + g * g
                p[i] = p[i] - hp["lr"] * g / (np.sqrt(a[i]) + hp["eps"])
            elif name == "RMSprop":
                a[i] = hp["rho"] * a[i] + (1 - hp["rho"]) * g * g
                p[i] = p[i] - hp["lr"] * g / (np.sqrt(a[i]) + hp["eps"])
            elif name == "Adam":
                a[i] = hp["beta1"] * a[i] + (1 - hp["beta1"]) * g
                b[i] = hp["beta2"] * b[i] + (1 - hp["beta2"]) * g * g
                m_hat = a[i] / (1 - hp["beta1"] ** t)
                v_hat = b[i] / (1 - hp["beta2"] ** t)
                p[i] = p[i] - hp["lr"] * m_hat / (np.sqrt(v_hat) + hp["eps"])
        history.append([x.copy() for x in p])
    return history


@pytest.fixture
def opt(submission):
    return submission.module("optimizers")


def _problem(seed, grad_scale=3.0):
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(scale=grad_scale, size=s) for s in SHAPES] for _ in range(STEPS)]
    return start, grads


def _check_every_step(optimizer, name, hp, seed, grad_scale=3.0):
    start, grads = _problem(seed, grad_scale)
    params = [s.copy() for s in start]
    expected = run(name, hp, start, grads)
    for step_no, (g, want) in enumerate(zip(grads, expected, strict=True), start=1):
        optimizer.step(params, [x.copy() for x in g])
        for i, (got, exp) in enumerate(zip(params, want, strict=True)):
            np.testing.assert_allclose(
                got,
                exp,
                rtol=1e-6,  # room for algebraically equal forms
                atol=1e-12,
                err_msg=f"{name}{hp}: parameter {i} after step {step_no}",
            )


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_steps_match_textbook_with_custom_hyper_parameters(opt, name, seed):
    hp = CUSTOM[name]
    _check_every_step(getattr(opt, name)(**hp), name, hp, seed)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("name", NAMES)
def test_defaults_are_the_documented_ones(opt, name):
    _check_every_step(getattr(opt, name)(), name, DEFAULTS[name], 7)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("name", ["AdaGrad", "RMSprop", "Adam"])
def test_the_default_eps_decides_steps_on_tiny_gradients(opt, name):
    """Gradients near 1e-8, where eps is as large as the root of the squared gradients:
    the steps show the default eps is the documented 1e-8."""
    _check_every_step(getattr(opt, name)(), name, DEFAULTS[name], 3, grad_scale=3e-8)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("name", NAMES)
def test_state_is_per_parameter(opt, name):
    """A parameter whose gradients are always zero never moves, whatever the others do."""
    optimizer = getattr(opt, name)(**CUSTOM[name])
    moving, still = np.ones(4), np.full((2, 2), 5.0)
    for k in range(5):
        optimizer.step([moving, still], [np.full(4, 1.0 + k), np.zeros((2, 2))])
    np.testing.assert_array_equal(still, np.full((2, 2), 5.0))
    assert not np.allclose(moving, 1.0)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("name", NAMES)
def test_instances_do_not_share_state(opt, name):
    hp = CUSTOM[name]
    first = getattr(opt, name)(**hp)
    warm = [np.zeros(3)]
    for _ in range(4):
        first.step(warm, [np.ones(3)])
    second = getattr(opt, name)(**hp)
    fresh = [np.zeros(3)]
    second.step(fresh, [np.ones(3)])
    np.testing.assert_allclose(fresh[0], run(name, hp, [np.zeros(3)], [[np.ones(3)]])[0][0])


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("name", NAMES)
def test_updates_in_place_and_keeps_dtype(opt, name):
    param = np.linspace(-1.0, 1.0, 5)
    same = param
    getattr(opt, name)(**CUSTOM[name]).step([param], [np.ones(5)])
    assert param is same and param.dtype == np.float64
    assert not np.allclose(param, np.linspace(-1.0, 1.0, 5))


@pytest.mark.rubric("correctness", weight=4)
def test_adam_bias_correction_on_early_steps(opt):
    """Without bias correction the first steps would be ~lr*(1-b1)/sqrt(1-b2): 3x too small here."""
    hp = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    param = np.zeros(1)
    adam = opt.Adam(**hp)
    for _ in range(3):
        adam.step([param], [np.array([2.0])])
    np.testing.assert_allclose(param, [-0.3], rtol=1e-6)


@pytest.mark.rubric("correctness", weight=5)
def test_nesterov_differs_from_momentum(opt):
    """Nesterov looks ahead: after two equal gradients it has moved further than momentum."""
    a, b = np.zeros(1), np.zeros(1)
    mom, nes = opt.Momentum(lr=0.1, momentum=0.9), opt.Nesterov(lr=0.1, momentum=0.9)
    for _ in range(2):
        mom.step([a], [np.ones(1)])
        nes.step([b], [np.ones(1)])
    np.testing.assert_allclose(a, [-0.29])
    # v1 = -0.1, p1 = 0.9*v1 - 0.1 = -0.19; v2 = -0.19, p2 = p1 + 0.9*v2 - 0.1 = -0.461
    np.testing.assert_allclose(b, [-0.461])


@pytest.mark.rubric("correctness")
def test_lr_is_read_only(opt):
    """The statement's `lr` is read-only: every optimizer reports the rate it was given,
    refuses a new one with AttributeError, and keeps stepping with the old one."""
    for name in NAMES:
        optimizer = getattr(opt, name)(lr=0.05)
        assert optimizer.lr == 0.05, f"{name}(lr=0.05).lr is {optimizer.lr!r}"
        with pytest.raises(AttributeError):
            optimizer.lr = 1.0
        assert optimizer.lr == 0.05, f"{name}: lr changed to {optimizer.lr!r} though read-only"
