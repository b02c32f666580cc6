"""Hidden correctness tests of PipelineTrainer: every step equals the single-process step.

The expected parameters come from an independent numpy implementation of the MLP
(pipeline_harness.sgd_trajectory), never from the submission's own MLP.
"""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_harness import (
    LR,
    assert_params_close,
    batch,
    bounded,
    copy_params,
    sgd_trajectory,
    start_params,
)

TOL = 1e-6
BAD_SETTINGS = (
    {"stages": 0, "micro_batches": 2, "lr": LR},
    {"stages": 5, "micro_batches": 2, "lr": LR},  # more stages than the 4 layers
    {"stages": 2, "micro_batches": 0, "lr": LR},
    {"stages": 2, "micro_batches": 2, "lr": 0.0},
)


@pytest.fixture
def Trainer(submission):
    """The candidate's PipelineTrainer class."""
    return submission.module("pipeline").PipelineTrainer


def _train_and_compare(Trainer, submission, stages, micro_batches, batches, sizes=None):
    """Run the pipeline on ``batches``; after each step compare loss and parameters."""
    params = start_params(submission) if sizes is None else start_params(submission, sizes)
    expected = sgd_trajectory(params, batches, LR)
    context = f"stages={stages}, micro_batches={micro_batches}"

    def scenario():
        with Trainer(params, stages=stages, micro_batches=micro_batches, lr=LR) as trainer:
            for number, ((x, y), (want_loss, want_params)) in enumerate(
                zip(batches, expected, strict=True), 1
            ):
                loss = trainer.step(x, y)
                assert abs(float(loss) - want_loss) <= TOL, (
                    f"{context}: step {number} returned loss {loss!r}, the single-process "
                    f"model's loss before that step is {want_loss!r}"
                )
                assert_params_close(
                    trainer.parameters(), want_params, TOL, f"{context}, after step {number}"
                )

    bounded(scenario, f"training with {context}")


@pytest.mark.rubric("correctness", weight=4)
@pytest.mark.parametrize("micro_batches", [1, 4])
@pytest.mark.parametrize("stages", [2, 3])
def test_steps_match_the_single_process_model(Trainer, submission, stages, micro_batches):
    """Three steps on one batch: after each, loss and parameters equal the single-process model's."""
    x, y = batch(submission, 32)
    _train_and_compare(Trainer, submission, stages, micro_batches, [(x, y)] * 3)


@pytest.mark.rubric("correctness", weight=3)
def test_uneven_micro_batches(Trainer, submission):
    """30 rows in 4 micro-batches (8, 8, 7, 7 rows), one layer per stage: still the full-batch step."""
    x, y = batch(submission, 30)
    _train_and_compare(Trainer, submission, 4, 4, [(x, y)] * 2)


@pytest.mark.rubric("correctness", weight=2)
def test_changing_batches_and_sizes(Trainer, submission):
    """Consecutive steps on different batches of 33, 20 and 3 rows (3 micro-batches)."""
    batches = [batch(submission, rows, seed=seed) for rows, seed in ((33, 1), (20, 2), (3, 4))]
    _train_and_compare(Trainer, submission, 2, 3, batches)


@pytest.mark.rubric("correctness", weight=2)
def test_one_stage_and_deeper_networks(Trainer, submission):
    """A single stage holding every layer, and a 6-layer network cut into 3 stages."""
    x, y = batch(submission, 24)
    _train_and_compare(Trainer, submission, 1, 3, [(x, y)] * 2)
    sizes = [6, 12, 10, 8, 10, 12, 3]
    x, y = batch(submission, 24, sizes)
    _train_and_compare(Trainer, submission, 3, 2, [(x, y)] * 2, sizes)


@pytest.mark.rubric("correctness", weight=2)
def test_parameters_before_training_and_no_aliasing(Trainer, submission):
    """parameters() before any step is the initial (W, b) list; the caller's arrays never change."""
    params = start_params(submission)
    original = copy_params(params)
    x, y = batch(submission, 16)

    def scenario():
        with Trainer(params, stages=3, micro_batches=2, lr=LR) as trainer:
            got = trainer.parameters()
            assert_params_close(got, original, 0.0, "parameters() before any step")
            for index, (w, b) in enumerate(got):
                assert np.asarray(w).dtype == np.float64 and np.asarray(b).dtype == np.float64, (
                    f"layer {index}: parameters should be float64 arrays, got "
                    f"{np.asarray(w).dtype} and {np.asarray(b).dtype}"
                )
            trainer.step(x, y)
            assert_params_close(params, original, 0.0, "the arrays passed to PipelineTrainer")

    bounded(scenario, "PipelineTrainer(...), parameters() and step()")


@pytest.mark.rubric("correctness", weight=2)
def test_invalid_settings_are_rejected(Trainer, submission):
    """Bad stages, micro_batches or lr raise ValueError; a bad batch raises ValueError and the
    trainer still works; a closed trainer refuses to step with RuntimeError."""
    params = start_params(submission)
    x, y = batch(submission, 8)

    def scenario():
        for settings in BAD_SETTINGS:
            with pytest.raises(ValueError):
                Trainer(params, **settings)
        trainer = Trainer(params, stages=2, micro_batches=4, lr=LR)
        try:
            with pytest.raises(ValueError):
                trainer.step(x[:3], y[:3])  # fewer rows than micro-batches
            with pytest.raises(ValueError):
                trainer.step(x[:, :2], y)  # wrong number of inputs
            want = sgd_trajectory(params, [(x, y)], LR)[0][1]
            trainer.step(x, y)
            assert_params_close(trainer.parameters(), want, TOL, "a step after a refused one")
        finally:
            trainer.close()
        with pytest.raises(RuntimeError):
            trainer.step(x, y)

    bounded(scenario, "invalid settings")


@pytest.mark.rubric("correctness", weight=1)
def test_parameters_that_do_not_chain_are_rejected(Trainer, submission):
    """`ValueError` if the parameters do not chain: a layer's `W` has not as many rows as the
    layer before it has outputs."""
    params = copy_params(start_params(submission))
    w, b = params[2]
    params[2] = (np.zeros((w.shape[0] - 1, w.shape[1])), b)  # 16 outputs into 15 inputs

    def scenario():
        with pytest.raises(ValueError):
            Trainer(params, stages=2, micro_batches=2, lr=LR).close()

    bounded(scenario, "PipelineTrainer(...) with parameters that do not chain")


def _overwrite_returned_parameters(trainer):
    """Write zeros into every array ``parameters()`` returns, where the candidate's code runs
    (arrays that come back to the test are data of its own)."""
    for pair in trainer.parameters():
        for array in pair:
            if array.flags.writeable:
                array[...] = 0.0


@pytest.mark.rubric("correctness", weight=1)
def test_parameters_returns_copies(Trainer, submission):
    """`parameters()` returns copies: changing a returned array leaves the trainer's own
    parameters (its next `parameters()`) unchanged."""
    params = start_params(submission)
    original = copy_params(params)

    def scenario():
        with Trainer(params, stages=2, micro_batches=1, lr=LR) as trainer:
            submission.run(_overwrite_returned_parameters, trainer)
            assert_params_close(
                trainer.parameters(),
                original,
                0.0,
                "after changing the arrays parameters() returned",
            )

    bounded(scenario, "PipelineTrainer(...) and parameters()")
