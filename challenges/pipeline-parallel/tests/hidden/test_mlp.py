"""Hidden tests of the single-process MLP: forward, loss, gradients, SGD step, copies."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_harness import (
    assert_params_close,
    batch,
    copy_params,
    loss_and_gradients,
    sgd_trajectory,
    start_params,
)

pytestmark = pytest.mark.rubric("correctness")


@pytest.fixture
def MLP(submission):
    """The candidate's MLP class."""
    return submission.module("mlp").MLP


def _tiny() -> list[tuple[np.ndarray, np.ndarray]]:
    """A 2-2-1 network small enough to work out by hand."""
    return [
        (np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.0, 0.5])),
        (np.array([[2.0], [-1.0]]), np.array([0.25])),
    ]


@pytest.mark.rubric("correctness", weight=2)
def test_forward_and_loss_known_answer(MLP):
    """Forward pass and MSE of a 2-2-1 network, checked against values worked out by hand."""
    model = MLP(_tiny())
    x = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[1.0], [-2.0]])
    hidden = np.tanh(np.array([[2.0, 3.5], [-0.5, -1.5]]))
    want = hidden @ np.array([[2.0], [-1.0]]) + 0.25
    got = np.asarray(model.forward(x))
    assert got.shape == (2, 1), f"forward returned shape {got.shape}, expected (2, 1)"
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, err_msg="forward output")
    want_loss = float(np.mean((want - y) ** 2))
    got_loss = model.loss(x, y)
    assert abs(float(got_loss) - want_loss) <= 1e-12, (
        f"loss(x, y) is {got_loss!r}, expected the mean squared error {want_loss!r}"
    )


@pytest.mark.rubric("correctness", weight=3)
def test_gradients_match_finite_differences(MLP):
    """Every entry of every dW and db agrees with a central finite difference of the loss."""
    rng = np.random.default_rng(11)
    params = [
        (rng.standard_normal((3, 4)), rng.standard_normal(4)),
        (rng.standard_normal((4, 5)), rng.standard_normal(5)),
        (rng.standard_normal((5, 2)), rng.standard_normal(2)),
    ]
    x, y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    grads = list(MLP(params).gradients(x, y))
    assert len(grads) == len(params), f"gradients returned {len(grads)} pairs for 3 layers"
    eps = 1e-6
    for layer, (w, b) in enumerate(params):
        for name, array, got in (("W", w, grads[layer][0]), ("b", b, grads[layer][1])):
            got = np.asarray(got)
            assert got.shape == array.shape, (
                f"layer {layer} d{name} has shape {got.shape}, expected {array.shape}"
            )
            for index in np.ndindex(array.shape):
                plus, minus = copy_params(params), copy_params(params)
                (plus[layer][0] if name == "W" else plus[layer][1])[index] += eps
                (minus[layer][0] if name == "W" else minus[layer][1])[index] -= eps
                numeric = (
                    loss_and_gradients(plus, x, y)[0] - loss_and_gradients(minus, x, y)[0]
                ) / (2 * eps)
                assert abs(got[index] - numeric) <= 1e-6 * max(1.0, abs(numeric)), (
                    f"layer {layer} d{name}{list(index)} is {got[index]:.8g}, "
                    f"a finite difference of the loss gives {numeric:.8g}"
                )


@pytest.mark.rubric("correctness", weight=2)
def test_step_is_one_full_batch_sgd_update(MLP, submission):
    """step returns the loss before the update and applies W -= lr * dW to every layer."""
    params = start_params(submission)
    x, y = batch(submission, 40)
    model = MLP(params)
    for number, (want_loss, want_params) in enumerate(
        sgd_trajectory(params, [(x, y)] * 3, 0.05), 1
    ):
        loss = model.step(x, y, 0.05)
        assert isinstance(loss, float | np.floating), f"step returned {type(loss).__name__}"
        assert abs(float(loss) - want_loss) <= 1e-9, (
            f"step {number} returned loss {loss!r}, expected the loss before the update {want_loss!r}"
        )
        assert_params_close(model.parameters(), want_params, 1e-9, f"after step {number}")


def _alias_probe(MLP, params, x, y):
    """In the candidate's process, where aliasing is real (arrays that cross to the test are
    data of its own): build a model, write over the arrays passed in and those parameters()
    returned, read parameters() again, then step. Returns (parameters read again, the
    caller's arrays before the step, the caller's arrays after it)."""
    model = MLP(params)
    for w, b in params:
        w += 100.0
        b += 100.0
    for pair in model.parameters():
        for array in pair:
            if array.flags.writeable:
                array[...] = 0.0
    again = [(w.copy(), b.copy()) for w, b in model.parameters()]
    before = [(w.copy(), b.copy()) for w, b in params]
    model.step(x, y, 0.1)
    return again, before, [(w.copy(), b.copy()) for w, b in params]


@pytest.mark.rubric("correctness", weight=2)
def test_parameters_are_copies(MLP, submission):
    """Neither the arrays passed in nor those returned by parameters() are shared with the
    model (changed where the candidate's code runs), and a step leaves the caller's arrays
    alone."""
    params = start_params(submission)
    original = copy_params(params)
    x, y = batch(submission, 8)
    again, before, after = submission.run(_alias_probe, MLP, params, x, y)
    assert_params_close(
        again, original, 0.0, "after changing the arrays passed in and those returned"
    )
    assert_params_close(after, before, 0.0, "the caller's arrays after a step")


@pytest.mark.rubric("correctness", weight=1)
def test_invalid_shapes_are_rejected(MLP):
    """Parameters that do not chain, and batches of the wrong width, raise ValueError."""
    with pytest.raises(ValueError):
        MLP([])
    with pytest.raises(ValueError):
        MLP([(np.zeros((2, 3)), np.zeros(3)), (np.zeros((4, 1)), np.zeros(1))])
    with pytest.raises(ValueError):
        MLP([(np.zeros((2, 3)), np.zeros(2))])
    model = MLP(_tiny())
    with pytest.raises(ValueError):
        model.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError):
        model.loss(np.zeros((4, 2)), np.zeros((3, 1)))


@pytest.mark.rubric("correctness", weight=1)
def test_a_weight_that_is_not_2d_is_rejected(MLP):
    """`ValueError` if a `W` is not 2-D (its `b`, shape and chaining otherwise fitting)."""
    with pytest.raises(ValueError):
        MLP([(np.zeros((2, 3, 1)), np.zeros(3))])
    with pytest.raises(ValueError):
        MLP([(np.zeros(2), np.zeros(2))])
    with pytest.raises(ValueError):
        MLP([(np.zeros((2, 3)), np.zeros(3)), (np.zeros((3, 1, 1)), np.zeros(1))])
