"""Hidden complexity tests: a memoized hit costs O(1), however large the cache, and so
does a miss that evicts, over a long run of misses (steady state)."""

from __future__ import annotations

import itertools

import pytest


@pytest.mark.rubric("complexity", weight=2)
def test_cache_hit_is_constant_time(submission, complexity):
    fun = submission.module("fundamentals")

    def make_input(n):
        n = max(n, 1)

        @fun.memoize(maxsize=n)
        def ident(x):
            return x

        for x in range(n):
            ident(x)
        return ident, itertools.cycle(range(n - 1, -1, -1))

    def hit(arg):
        ident, keys = arg
        ident(next(keys))

    complexity.require(hit, make_input, "O(1)", max_n=200_000, label="memoized hit")


@pytest.mark.rubric("complexity", weight=2)
def test_cache_miss_into_a_full_cache_is_constant_time_in_steady_state(submission, complexity):
    """A miss into a full cache (one call, one insert, one eviction) is O(1) amortised
    over a long run of misses, not only on a freshly filled cache: after n warm-up
    misses, every timed batch is 2n misses, so eviction debris that builds up is paid."""
    fun = submission.module("fundamentals")

    def make_input(n):
        n = max(n, 1)

        @fun.memoize(maxsize=n)
        def ident(x):
            return x

        for x in range(n):
            ident(x)
        return ident, itertools.count(n)

    def miss(arg):
        ident, keys = arg
        ident(next(keys))

    # Batches of 2n misses make an O(n) eviction cost n^2 per size: a budget of the
    # candidate's CPU that reaches n of 32,000-65,000 even when other processes thrash
    # the CPU caches (20 s kept the mutant's points once, with five processes on two
    # cores: the README's test command beside a validate). A dict used as a queue is
    # rebuilt every 1.7n evictions (at these power-of-two sizes), so a batch of 2n covers
    # a whole cycle of debris; its cost then grows 7-17x beyond O(1) above the n of about
    # 4,000 where it shows over a miss's own 1 us (measured), while a correct cache grows
    # under 1.9x: so fail at 4x, not the 16x kept for lookups that miss the CPU caches
    # at random over a 1000x range of n.
    complexity.require_amortized(
        miss,
        make_input,
        "O(1)",
        span=2.0,
        time_budget=30.0,
        max_n=2**16,
        fail_growth=4.0,
        label="memoized miss",
    )
