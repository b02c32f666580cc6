"""Public tests: a first look at the interface. The hidden tests check much more."""

from __future__ import annotations

import itertools

import pytest


@pytest.fixture
def fun(submission):
    return submission.module("fundamentals")


def test_memoize_calls_once_per_argument(fun):
    calls = []

    @fun.memoize(maxsize=8)
    def square(x):
        calls.append(x)
        return x * x

    assert [square(3), square(3), square(4)] == [9, 9, 16]
    assert calls == [3, 4]


def test_window_over_an_infinite_iterator(fun):
    assert list(itertools.islice(fun.window(itertools.count(), 3), 2)) == [(0, 1, 2), (1, 2, 3)]


def test_append_item_does_not_share_its_default(fun):
    assert fun.append_item(1) == [1]
    assert fun.append_item(2) == [2]
