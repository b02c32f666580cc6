"""Hidden concurrency test: one memoized function shared by many threads.

Arguments are RaceKeys: their hash is answered by this process, so every lookup
the memoized wrapper makes in its cache waits on the channel and lets the
candidate process's other threads run. That opens a gap between each check and
act on the cache, whatever the candidate process does to its own scheduling.
"""

from __future__ import annotations

import random

import pytest

from mlgrader.testing import RaceKey, run_threads

THREADS = 8
CALLS_PER_THREAD = 500  # each call is several round trips; an unlocked cache breaks within 100


@pytest.mark.rubric("concurrency", weight=2)
def test_memoize_under_eight_threads(submission):
    fun = submission.module("fundamentals")

    @fun.memoize(maxsize=16)
    def square(key):
        return key.value * key.value

    def worker(index):
        rng = random.Random(index)
        wrong = []
        for _ in range(CALLS_PER_THREAD):
            x = rng.randrange(40)
            if square(RaceKey(x)) != x * x:
                wrong.append(x)
        return wrong

    run = run_threads(worker, n=THREADS, timeout=60)
    run.raise_errors()
    assert not [w for r in run.results for w in r], "wrong values under concurrency"
    hits, misses, size = square.cache_info()
    calls = THREADS * CALLS_PER_THREAD
    assert size <= 16, f"cache grew to {size} entries, maxsize 16"
    assert hits + misses == calls, f"{hits} hits + {misses} misses for {calls} calls"
