"""Hidden complexity test: forward and backward time grows linearly with the batch size.

Stopgap evidence bar (issue 13, item 6) until the verdicts issue replaces the
measurement method. Measured up to 200,000 rows of an 8 -> 16 -> 1 network, the
reference failed about 1 grading in 3: as numpy's arrays outgrow the CPU caches
(and the allocator hands out fresh pages), the time per row roughly doubles, which
the check read as a log factor. So the evidence now stays where that cannot happen:

* a narrow network (4 -> 4 -> 1): every array the reference allocates in a pass is
  at most 128 KiB (4,096 x 4 floats), so a pass's data stays in L2 (2 MiB a core on
  the grading machine) up to the largest batch;
* batches of 80 to 4,096 rows, a range under 64x, on which the check never fails a
  submission for a timed log factor. A log factor done in numpy (say, sorting the
  batch) is therefore not caught here;
* a quadratic step (an n x n matrix built from the batch) still grows, over these
  sizes, well beyond the 16x the check needs to fail it. A row-by-row Python loop
  that re-copies what it built (np.vstack in a loop) is not caught: its quadratic
  part overtakes its per-row overhead only beyond a few thousand rows, where one
  pass takes too long to measure within a few seconds (nor was it caught before).
"""

from __future__ import annotations

import numpy as np
import pytest

FEATURES = 4  # input features and hidden units: small arrays at every batch size
MIN_BATCH, MAX_BATCH = 80, 4096


@pytest.mark.rubric("complexity", weight=2)
def test_forward_and_backward_are_linear_in_batch_size(nn_module, complexity):
    nn = nn_module
    rng = np.random.default_rng(30)
    net = nn.Network(
        [nn.Linear(FEATURES, FEATURES, rng=rng), nn.Tanh(), nn.Linear(FEATURES, 1, rng=rng)]
    )
    loss = nn.MSELoss()

    def make_input(n):
        x = np.random.default_rng(n).normal(size=(n, FEATURES))
        return x, np.zeros((n, 1))

    def forward_backward(arg):
        x, y = arg
        loss.forward(net.forward(x), y)
        net.backward(loss.backward())

    complexity.require(
        forward_backward,
        make_input,
        "O(n)",
        min_n=MIN_BATCH,
        max_n=MAX_BATCH,
        time_budget=4.0,
        label="forward+backward",
    )


@pytest.fixture
def nn_module(submission):
    nn = submission.module("numpy_nn")
    try:
        net = nn.Network([nn.Linear(2, 2, rng=np.random.default_rng(0))])
        loss = nn.MSELoss()
        loss.forward(net.forward(np.ones((3, 2))), np.zeros((3, 2)))
        net.backward(loss.backward())
    except Exception as exc:
        pytest.fail(f"complexity points need a working network: {type(exc).__name__}: {exc}")
    return nn
