"""Hidden performance test: more micro-batches shorten the step, as a pipeline should.

The simulated device sleeps in proportion to the rows it works on, so with one
micro-batch the stages can only take turns, while with M micro-batches a GPipe
step takes about (M + K - 1) / (M * K) of that time. The threshold leaves a wide
margin for a loaded machine: a pipeline whose stages overlap passes easily, one
whose stages take turns cannot.
"""

from __future__ import annotations

import time

import pytest
from pipeline_harness import LR, batch, bounded, start_params

ROWS = 128
STAGES = 3
LIMIT = 0.85  # ideal GPipe: 0.5; one micro-batch at a time: 1.0; measured 0.53-0.70 under load
REPEATS = 3


@pytest.fixture
def Trainer(submission):
    """The candidate's PipelineTrainer class."""
    return submission.module("pipeline").PipelineTrainer


def _best_step_time(Trainer, submission, stages, micro_batches):
    """The shortest of REPEATS timed steps (after one small untimed warm-up step)."""
    x, y = batch(submission, ROWS)
    with Trainer(start_params(submission), stages=stages, micro_batches=micro_batches, lr=LR) as t:
        t.step(x[:16], y[:16])  # workers started and ready
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            t.step(x, y)
            times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.rubric("performance", weight=1)
def test_more_micro_batches_shorten_the_step(Trainer, submission):
    """3 stages: with 4 micro-batches a step takes well under the time of a step with 1."""

    def scenario():
        one = _best_step_time(Trainer, submission, STAGES, 1)
        four = _best_step_time(Trainer, submission, STAGES, 4)
        return one, four

    one, four = bounded(scenario, f"timed steps with {STAGES} stages", timeout=40.0)
    ideal = (4 + STAGES - 1) / (4 * STAGES)
    assert four < LIMIT * one, (
        f"{STAGES} stages, {ROWS} rows: a step took {1000 * one:.0f} ms with 1 micro-batch and "
        f"{1000 * four:.0f} ms with 4 (ratio {four / one:.2f}); a GPipe schedule gets near "
        f"{ideal:.2f}, and below {LIMIT} is required"
    )
