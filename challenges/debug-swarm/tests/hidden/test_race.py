"""Bug group: a Metrics shared between threads. Every ``add`` must be counted exactly once.

run_threads releases the threads together and shrinks the interpreter's switch interval,
so an unsynchronised read-modify-write loses updates on every run, not once in a while.
(Peers sharing one Metrics across concurrent rounds hit the same race in real use, but
too rarely for a test that must give the same verdict on every run.)
"""

from __future__ import annotations

import pytest

from mlgrader.testing import run_threads

THREADS = 8
ADDS = 20_000


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


@pytest.mark.rubric("concurrency", weight=3)
def test_metrics_counts_every_add_from_eight_threads(swarm):
    metrics = swarm.Metrics()

    def worker(index):
        for _ in range(ADDS):
            metrics.add("messages_sent")
            metrics.add("bytes_sent", 3)
        metrics.add(f"thread-{index}")

    run = run_threads(worker, n=THREADS, timeout=60.0)
    run.raise_errors()
    got = metrics.snapshot()
    want = {"messages_sent": THREADS * ADDS, "bytes_sent": 3 * THREADS * ADDS}
    want |= {f"thread-{i}": 1 for i in range(THREADS)}
    assert got == want, (
        f"{THREADS} threads each added 1 to messages_sent and 3 to bytes_sent {ADDS} times: "
        f"expected {want}, got {got} (updates were lost)"
    )
