"""Bug group: gossip from many threads. No deadlock, and every exchange is atomic."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mlgrader.testing import run_threads

THREADS = 8
ROUNDS = 40  # fresh parameters each round: a lost exchange shows before values converge
EXCHANGES = 25  # per thread and round: 1,000 per thread in all, both directions
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
    """8 threads gossip between 5 peers in both directions: no deadlock, and every
    exchange is atomic. The sample-weighted sum of the parameters is checked after each
    of 40 short rounds, each from fresh random parameters: once values converge, a lost
    exchange changes almost nothing, so a check at the very end sees only early races."""
    for round_no in range(ROUNDS):
        _gossip_round(swarm, round_no)


def _gossip_round(swarm, round_no):
    """One round: fresh peers, THREADS x EXCHANGES concurrent exchanges, then the checks."""
    rng = np.random.default_rng(1000 + round_no)
    peers = [
        swarm.Peer(f"peer-{i}", make_params(rng), samples=s, metrics=swarm.Metrics())
        for i, s in enumerate([1, 2, 3, 4, 5])
    ]
    try:
        before = weighted_sum(peers)

        def worker(index):
            pick = random.Random(round_no * 100 + index)
            for _ in range(EXCHANGES):
                a, b = pick.sample(peers, 2)  # both directions happen: a with b and b with a
                a.average_with(b)

        run = run_threads(worker, n=THREADS, timeout=TIMEOUT_S)  # a deadlock fails here
        run.raise_errors()
        after = weighted_sum(peers)
        assert np.allclose(after, before, rtol=1e-9, atol=1e-9), (
            "each gossip replaces two peers' parameters by their weighted average, so the "
            f"sample-weighted sum over all peers never changes: in round {round_no + 1} of "
            f"{ROUNDS} it was {before.round(6).tolist()}, it is {after.round(6).tolist()} "
            f"after {THREADS * EXCHANGES} concurrent exchanges (an exchange was not atomic)"
        )
        gossips = sum(p.metrics.get("gossips") for p in peers)
        assert gossips == 2 * THREADS * EXCHANGES, (
            f"every exchange counts one gossip on each of its two peers: expected "
            f"{2 * THREADS * EXCHANGES} in round {round_no + 1}, got {gossips}"
        )
    finally:
        for peer in peers:
            peer.close()
