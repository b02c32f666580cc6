"""A first look at MLP and PipelineTrainer: run these yourself with `mlgrader check .`.

The hidden tests go much further (see the README): more stage and micro-batch
counts, uneven micro-batches, the GPipe order of every device call, timing,
shutdown and failures. Passing these says little about those.
"""

from __future__ import annotations

import multiprocessing
import threading

import numpy as np
import pytest

from mlgrader.testing import no_leaks

LR = 0.1
SIZES = [4, 8, 8, 2]


def _reference_step(params, x, y, lr):
    """The single-process full-batch SGD step, written out: (loss before, new params)."""
    acts = [x]
    for i, (w, b) in enumerate(params):
        z = acts[-1] @ w + b
        acts.append(np.tanh(z) if i < len(params) - 1 else z)
    diff = acts[-1] - y
    grad = 2 * diff / diff.size
    new = list(params)
    for i in reversed(range(len(params))):
        if i < len(params) - 1:
            grad = grad * (1 - acts[i + 1] ** 2)
        w, b = params[i]
        new[i] = (w - lr * acts[i].T @ grad, b - lr * grad.sum(axis=0))
        grad = grad @ w.T
    return float(np.mean(diff**2)), new


def _run(fn, timeout=20.0):
    """fn() in a thread, failing instead of hanging if it takes longer than ``timeout``.

    Worker processes still alive afterwards are killed, so that one test's leftovers
    cannot hold up the next (the shutdown test checks for them first).
    """
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test's thread below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    for child in multiprocessing.active_children():
        child.kill()
    assert not thread.is_alive(), f"did not finish within {timeout} s (deadlock?)"
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture
def data(submission):
    """Initial parameters and a batch, from the challenge's mlp_data module."""
    mlp_data = submission.module("mlp_data")
    x, y = mlp_data.make_regression(16, SIZES[0], SIZES[-1], seed=1)
    return mlp_data.init_params(SIZES, seed=2), x, y


@pytest.mark.rubric("correctness")
def test_mlp_step(submission, data):
    """MLP.step returns the loss before the update and applies one SGD update."""
    params, x, y = data
    model = submission.module("mlp").MLP(params)
    want_loss, want = _reference_step(params, x, y, LR)
    assert abs(model.step(x, y, LR) - want_loss) < 1e-9
    for (w, b), (gw, gb) in zip(want, model.parameters(), strict=True):
        np.testing.assert_allclose(gw, w, atol=1e-9)
        np.testing.assert_allclose(gb, b, atol=1e-9)


@pytest.mark.rubric("correctness")
def test_pipeline_step_matches_single_process(submission, data):
    """Two stages, two micro-batches: one step equals the full-batch step within 1e-6."""
    params, x, y = data
    want_loss, want = _reference_step(params, x, y, LR)
    Trainer = submission.module("pipeline").PipelineTrainer

    def scenario():
        with Trainer(params, stages=2, micro_batches=2, lr=LR) as trainer:
            return trainer.step(x, y), trainer.parameters()

    loss, got = _run(scenario)
    assert abs(loss - want_loss) < 1e-6, f"loss {loss}, expected {want_loss}"
    for (w, b), (gw, gb) in zip(want, got, strict=True):
        np.testing.assert_allclose(gw, w, atol=1e-6)
        np.testing.assert_allclose(gb, b, atol=1e-6)


@pytest.mark.rubric("concurrency")
def test_stages_overlap(submission, data):
    """With 4 micro-batches, the device shows two stages busy at the same time."""
    params, x, y = data
    device = submission.module("device")
    service = device.DeviceService()  # the grader's device: calls are served and timed here
    submission.service(service.handle, env=device.SERVICE_ENV)
    Trainer = submission.module("pipeline").PipelineTrainer

    def scenario():
        with Trainer(params, stages=2, micro_batches=4, lr=LR) as trainer:
            trainer.step(x, y)
        return True

    _run(scenario)
    spans = service.recorded()
    assert len(spans) == 2 * 2 * 4, (
        f"expected 16 device calls (2 stages x 4 x fwd+bwd), got {len(spans)}"
    )
    overlapping = [
        (a.stage, b.stage)
        for a in spans
        for b in spans
        if a.stage < b.stage and a.start < b.end and b.start < a.end
    ]
    assert overlapping, "no two stages were ever busy at the same time"


@pytest.mark.rubric("concurrency")
def test_close_leaves_nothing_running(submission, data):
    """After close(), no worker process or thread is left."""
    params, x, y = data
    Trainer = submission.module("pipeline").PipelineTrainer

    def scenario():
        with no_leaks(grace=1.0):
            trainer = Trainer(params, stages=3, micro_batches=2, lr=LR)
            trainer.step(x, y)
            trainer.close()
        return True

    _run(scenario)
