"""Hidden complexity test: a memoized hit costs O(1), however large the cache."""

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
