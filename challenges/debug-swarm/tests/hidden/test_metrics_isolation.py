"""Bug group: per-peer metrics. A peer made without ``metrics`` counts only its own traffic."""

from __future__ import annotations

import time

import numpy as np
import pytest

from mlgrader.testing import run_threads


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


def run_round(swarm, peers, round_id):
    group = swarm.Group(round_id, peers)
    run = run_threads(
        lambda i: peers[i].all_reduce(group, timeout=10.0),
        n=len(peers),
        timeout=30.0,
        switch_interval=None,
    )
    run.raise_errors()


def wait_until_received(peers, count, patience=2.0):
    """Worker threads may count a message just after handing it over: let them catch up."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if all(peer.metrics.get("messages_received") >= count for peer in peers):
            return
        time.sleep(0.01)


def counters(peers, name):
    return {peer.peer_id: peer.metrics.get(name) for peer in peers}


@pytest.mark.rubric("correctness", weight=2)
def test_peers_made_without_metrics_count_only_their_own_traffic(swarm):
    peers = [swarm.Peer(name, {"w": np.zeros(6)}) for name in ("a", "b", "c", "d")]
    try:
        run_round(swarm, peers[:3], "round-1")  # d takes no part
        wait_until_received(peers[:3], 4)
        peers[0].average_with(peers[3])
        expected = {
            "messages_sent": {"a": 4, "b": 4, "c": 4, "d": 0},
            "messages_received": {"a": 4, "b": 4, "c": 4, "d": 0},
            "rounds": {"a": 1, "b": 1, "c": 1, "d": 0},
            "gossips": {"a": 1, "b": 0, "c": 0, "d": 1},
        }
        for name, want in expected.items():
            got = counters(peers, name)
            assert got == want, (
                f"after one all-reduce of a, b, c (2 messages sent and received per other "
                f"member) and one gossip between a and d: {name} per peer should be {want}, "
                f"got {got}"
            )
        fresh = swarm.Peer("e", {"w": np.zeros(6)})
        try:
            start = fresh.metrics.snapshot()
            assert all(value == 0 for value in start.values()), (
                f"a new peer's metrics should start at zero, got {start}"
            )
        finally:
            fresh.close()
    finally:
        for peer in peers:
            peer.close()


@pytest.mark.rubric("correctness", weight=2)
def test_an_explicitly_shared_metrics_aggregates_only_its_peers(swarm):
    """A ``Metrics`` passed to several peers aggregates exactly their counts. Also:
    ``Metrics.reset()`` sets that ``Metrics``' counters back to zero."""
    shared = swarm.Metrics()
    team = [swarm.Peer(f"team-{i}", {"w": np.ones(4)}, metrics=shared) for i in range(3)]
    loners = [swarm.Peer(f"solo-{i}", {"w": np.ones(4)}) for i in range(2)]
    try:
        team[0].average_with(team[1])
        team[1].average_with(team[2])
        assert shared.get("gossips") == 4, (
            "three peers share one Metrics and two gossips ran between them (each counts on "
            f"both of its peers): expected gossips 4 in the shared Metrics, got {shared.snapshot()}"
        )
        run_round(swarm, loners, "solo-round")
        run_round(swarm, loners, "solo-round-2")
        for peer in loners:
            got = peer.metrics.snapshot()
            assert got.get("messages_sent") == 4 and got.get("rounds") == 2, (
                f"{peer.peer_id}, made without metrics, ran two rounds of two: expected "
                f"messages_sent 4 and rounds 2 in its own Metrics, got {got}"
            )
        assert shared.get("gossips") == 4 and shared.get("rounds") == 0, (
            "rounds run by peers made without metrics must not show in a Metrics they do not "
            f"use; the shared one now reads {shared.snapshot()}"
        )
        shared.reset()
        after = shared.snapshot()
        assert shared.get("gossips") == 0 and all(value == 0 for value in after.values()), (
            f"after reset() every counter should read 0, got {after}"
        )
        team[2].average_with(team[0])
        assert shared.get("gossips") == 2, (
            "after reset() and one gossip between two of its peers the shared Metrics should "
            f"read gossips 2, got {shared.snapshot()}"
        )
        for peer in loners:
            assert peer.metrics.get("rounds") == 2, (
                f"{peer.peer_id}: resetting another Metrics changed its own counts to "
                f"{peer.metrics.snapshot()}"
            )
    finally:
        for peer in team + loners:
            peer.close()
