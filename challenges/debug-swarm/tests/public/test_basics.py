"""Public tests: three symptoms users reported. The hidden tests check much more."""

from __future__ import annotations

import numpy as np
import pytest

from mlgrader.testing import run_threads


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


def weighted_mean(arrays, samples):
    """The sample-weighted average, computed in float64 (the expected answer)."""
    total = sum(np.asarray(a, dtype=np.float64) * s for a, s in zip(arrays, samples, strict=True))
    return total / sum(samples)


def run_round(swarm, peers, round_id="round-1"):
    """Every peer of one group calls all_reduce in a thread of its own."""
    group = swarm.Group(round_id, peers)
    run = run_threads(
        lambda i: peers[i].all_reduce(group, timeout=10.0),
        n=len(peers),
        timeout=30.0,
        switch_interval=None,
    )
    run.raise_errors()


def test_all_reduce_gives_every_member_the_weighted_average(swarm):
    rng = np.random.default_rng(7)
    tensors = [rng.normal(size=(2, 5)) for _ in range(3)]
    samples = [1, 2, 5]
    peers = [
        swarm.Peer(f"peer-{i}", {"w": tensor}, samples=s)
        for i, (tensor, s) in enumerate(zip(tensors, samples, strict=True))
    ]
    try:
        run_round(swarm, peers)
        expected = weighted_mean(tensors, samples)
        for peer in peers:
            got = peer.params["w"]
            wrong = np.flatnonzero(~np.isclose(got, expected, rtol=1e-9, atol=1e-12))
            assert wrong.size == 0, (
                f"{peer.peer_id}: entries {wrong.tolist()} of 'w' are not the sample-weighted "
                f"average; expected {expected.ravel()[wrong].round(4).tolist()}, "
                f"got {got.ravel()[wrong].round(4).tolist()}"
            )
    finally:
        for peer in peers:
            peer.close()


def test_gossip_averages_integer_counters(swarm):
    steps_a = np.array([1200, 3000, 250, -40], dtype=np.int16)
    steps_b = np.array([1800, 2900, 260, 40], dtype=np.int16)
    with (
        swarm.Peer("a", {"steps": steps_a}, samples=40) as a,
        swarm.Peer("b", {"steps": steps_b}, samples=60) as b,
    ):
        a.average_with(b)
        expected = weighted_mean([steps_a, steps_b], [40, 60])  # 1560, 2940, 256, 8
        for peer in (a, b):
            got = peer.params["steps"]
            assert got.dtype == np.int16, f"{peer.peer_id}: dtype became {got.dtype}, not int16"
            assert np.all(np.abs(got - expected) <= 0.5), (
                f"{peer.peer_id}: expected {expected.tolist()}, got {got.tolist()}"
            )


def test_each_peer_counts_its_own_traffic(swarm):
    peers = [swarm.Peer(name, {"w": np.ones(4)}) for name in ("a", "b", "idle")]
    try:
        run_round(swarm, peers[:2])
        sent = {peer.peer_id: peer.metrics.get("messages_sent") for peer in peers}
        assert sent == {"a": 2, "b": 2, "idle": 0}, (
            "in a round of two peers each sends one reduce and one gather message, and a "
            f"peer that took no part sends nothing; messages_sent per peer: {sent}"
        )
    finally:
        for peer in peers:
            peer.close()
