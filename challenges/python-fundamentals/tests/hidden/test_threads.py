"""Hidden concurrency test: one memoized function shared by many threads."""

from __future__ import annotations

import random

import pytest

from mlgrader.testing import run_threads


@pytest.mark.rubric("concurrency", weight=2)
def test_memoize_under_eight_threads(submission):
    fun = submission.module("fundamentals")

    @fun.memoize(maxsize=16)
    def square(x):
        return x * x

    def worker(index):
        rng = random.Random(index)
        wrong = []
        for _ in range(20_000):
            x = rng.randrange(40)
            if square(x) != x * x:
                wrong.append(x)
        return wrong

    run = run_threads(worker, n=8, timeout=60)
    run.raise_errors()
    assert not [w for r in run.results for w in r], "wrong values under concurrency"
    hits, misses, size = square.cache_info()
    assert size <= 16, f"cache grew to {size} entries, maxsize 16"
    assert hits + misses == 8 * 20_000, f"{hits} hits + {misses} misses for {8 * 20_000} calls"
