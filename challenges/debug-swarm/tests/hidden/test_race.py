"""Bug group: a Metrics shared between threads. Every ``add`` must be counted exactly once.

Counter names are RaceKeys: their hash is answered by the test's process, so every
dict lookup inside ``add`` waits on the channel and lets the candidate process's other
threads run. An unsynchronised read-modify-write then loses updates on every run, not
once in a while, whatever the candidate process does to its own thread scheduling.
(Peers sharing one Metrics across concurrent rounds hit the same race in real use, but
too rarely for a test that must give the same verdict on every run.)
"""

from __future__ import annotations

import pytest

from mlgrader.testing import RaceKey, run_threads

THREADS = 8
ADDS = 500  # each add is a few round trips; an unlocked add loses updates within 50


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


@pytest.mark.rubric("concurrency", weight=3)
def test_metrics_counts_every_add_from_eight_threads(swarm):
    metrics = swarm.Metrics()
    sent, size = RaceKey("messages_sent"), RaceKey("bytes_sent")

    def worker(index):
        for _ in range(ADDS):
            metrics.add(sent)
            metrics.add(size, 3)
        metrics.add(f"thread-{index}")

    run = run_threads(worker, n=THREADS, timeout=60.0)
    run.raise_errors()
    got = metrics.snapshot()
    want = {sent: THREADS * ADDS, size: 3 * THREADS * ADDS}
    want |= {f"thread-{i}": 1 for i in range(THREADS)}
    assert got == want, (
        f"{THREADS} threads each added 1 to messages_sent and 3 to bytes_sent {ADDS} times: "
        f"expected {want}, got {got} (updates were lost)"
    )
