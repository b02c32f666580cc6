"""Bug group: gossip from many threads. No deadlock, and every exchange is atomic."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mlgrader.testing import run_threads

THREADS = 8
EXCHANGES = 1000
TIMEOUT_S = 6.0


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


def make_params(rng):
    return {name: rng.normal(size=4) for name in ("w1", "b1", "w2", "b2")}


def weighted_sum(peers):
    """Sum over peers of samples * params, every tensor concatenated."""
    return sum(np.concatenate(list(p.params.values())) * p.samples for p in peers)


@pytest.mark.rubric("concurrency", weight=3)
def test_concurrent_gossip_never_deadlocks_and_conserves_the_weighted_sum(swarm):
    rng = np.random.default_rng(0)
    samples = [1, 2, 3, 4, 5]
    peers = [
        swarm.Peer(f"peer-{i}", make_params(rng), samples=s, metrics=swarm.Metrics())
        for i, s in enumerate(samples)
    ]
    before = weighted_sum(peers)

    def worker(index):
        pick = random.Random(index)
        for _ in range(EXCHANGES):
            a, b = pick.sample(peers, 2)  # both directions happen: a with b and b with a
            a.average_with(b)

    run = run_threads(worker, n=THREADS, timeout=TIMEOUT_S)  # a deadlock fails here, with stacks
    run.raise_errors()
    after = weighted_sum(peers)
    assert np.allclose(after, before, rtol=1e-9, atol=1e-9), (
        "each gossip replaces two peers' parameters by their weighted average, so the "
        f"sample-weighted sum over all peers never changes: it was {before.round(6).tolist()}, "
        f"it is {after.round(6).tolist()} after {THREADS * EXCHANGES} concurrent exchanges "
        "(an exchange was not atomic)"
    )
    gossips = sum(p.metrics.get("gossips") for p in peers)
    assert gossips == 2 * THREADS * EXCHANGES, (
        f"every exchange counts one gossip on each of its two peers: expected "
        f"{2 * THREADS * EXCHANGES} in all, got {gossips}"
    )
    for peer in peers:
        peer.close()
