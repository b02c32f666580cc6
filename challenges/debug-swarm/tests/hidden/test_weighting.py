"""Bug group: weighting. Each member's parameters count in proportion to its samples.

Tensor sizes are multiples of the group size and every tensor is float64, so only the
weighting is tested.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlgrader.testing import run_threads


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


def all_reduce_and_check(swarm, samples, shapes, seed):
    rng = np.random.default_rng(seed)
    tensors = [{name: rng.normal(size=shape) for name, shape in shapes.items()} for _ in samples]
    peers = [
        swarm.Peer(f"peer-{i}", t, samples=s)
        for i, (t, s) in enumerate(zip(tensors, samples, strict=True))
    ]
    try:
        group = swarm.Group("round-1", peers)
        run = run_threads(
            lambda i: peers[i].all_reduce(group, timeout=10.0),
            n=len(peers),
            timeout=30.0,
            switch_interval=None,
        )
        run.raise_errors()
        for name in shapes:
            weighted = sum(t[name] * s for t, s in zip(tensors, samples, strict=True))
            expected = weighted / sum(samples)
            for peer in peers:
                got = peer.params[name]
                assert np.allclose(got, expected, rtol=1e-9, atol=1e-12), (
                    f"samples {samples}, {peer.peer_id}, tensor {name!r}: expected the "
                    f"sample-weighted average {expected.ravel()[:6].round(4).tolist()}..., "
                    f"got {got.ravel()[:6].round(4).tolist()}..."
                )
    finally:
        for peer in peers:
            peer.close()


@pytest.mark.rubric("correctness", weight=2)
def test_all_reduce_weights_each_member_by_its_samples(swarm):
    """Each member's parameters weigh in proportion to its ``samples`` in the all-reduce.
    Also: ``samples`` is an int >= 1 (else ``ValueError``), 1 by default."""
    for bad in (0, -3, 2.5):
        try:
            swarm.Peer("bad", {"w": np.zeros(2)}, samples=bad)
        except ValueError:
            continue
        pytest.fail(f"Peer(..., samples={bad!r}) should raise ValueError: samples is an int >= 1")
    default = swarm.Peer("default", {"w": np.zeros(2)})
    try:
        assert default.samples == 1, f"Peer(peer_id, params) has samples {default.samples}, not 1"
    finally:
        default.close()
    for samples in ([3, 1], [1, 10, 100], [5, 2, 9, 4]):
        shapes = {"w": (len(samples), 4), "b": (len(samples),)}
        all_reduce_and_check(swarm, samples, shapes, seed=len(samples))


@pytest.mark.rubric("correctness", weight=2)
def test_a_member_with_most_samples_dominates_wherever_it_sits(swarm):
    for heavy in (0, 2, 3):  # the heavy peer first, in the middle, last in id order
        samples = [1, 1, 1, 1]
        samples[heavy] = 997
        all_reduce_and_check(swarm, samples, {"w": (8,)}, seed=heavy)
