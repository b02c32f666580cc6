"""Tests for mlgrader.authoring.complexity.workcount: exact bytecode counts and counted keys.

Counts are deterministic, so these tests assert exact relations (equal steps per
element, exact comparison counts), which no timing test could.
"""

from __future__ import annotations

import bisect
import itertools
import random
import sys
from collections import deque
from typing import Any

import numpy as np
import pytest

from mlgrader.authoring.complexity.workcount import count_bytecodes, counted_keys, median_count


def _loop(items: list[int]) -> int:
    total = 0
    for x in items:
        total += x
    return total


def test_loop_costs_the_same_bytecodes_for_every_extra_item() -> None:
    counts = [count_bytecodes(_loop, list(range(n))) for n in (10, 20, 30)]
    assert counts[1] - counts[0] == counts[2] - counts[1] > 0


def test_c_builtin_runs_no_bytecode_on_plain_ints() -> None:
    assert count_bytecodes(sorted, list(range(1000))[::-1]) == 0


def test_counted_keys_make_c_comparisons_visible() -> None:
    # sorted() on a descending run makes exactly n - 1 comparisons.
    per_compare = None
    for n in (100, 200, 400):
        ops = count_bytecodes(sorted, counted_keys(list(range(n))[::-1]))
        assert ops > 0
        if per_compare is None:
            per_compare = ops / (n - 1)
        assert ops == per_compare * (n - 1)


def test_binary_search_on_counted_keys_grows_by_a_constant_per_doubling() -> None:
    def search(xs: list[int]) -> int:
        return bisect.bisect_left(xs, len(xs) // 3)

    counts = [count_bytecodes(search, counted_keys(list(range(2**k)))) for k in (8, 9, 10, 11)]
    steps = {b - a for a, b in itertools.pairwise(counts)}
    assert len(steps) == 1 and steps.pop() > 0


def test_keys_computed_from_counted_keys_are_counted_too() -> None:
    items = list(range(512))
    random.Random(0).shuffle(items)
    plain = count_bytecodes(lambda xs: sorted(xs, key=lambda x: -x), list(items))
    counted = count_bytecodes(lambda xs: sorted(xs, key=lambda x: -x), counted_keys(list(items)))
    # plain: one key call per item; counted: comparisons of the negated keys as well
    assert counted > 3 * plain


def test_counted_keys_keep_values_and_rewrite_in_place() -> None:
    items = [3, 1.5, "a", None]
    same = counted_keys(items)
    assert same is items
    assert items == [3, 1.5, "a", None]
    assert [type(x).__mro__[1] for x in items[:3]] == [int, float, str]
    assert items[3] is None
    table = {1: [2, 3], "k": 4.0}
    counted_keys(table)
    assert table == {1: [2, 3], "k": 4.0}
    assert all(type(k) is not int and type(k) is not str for k in table)
    assert type(table[1][0]) is not int  # a list inside a dict
    pair = ([1, 2], deque([3]), {4})
    assert counted_keys(pair) == ([1, 2], deque([3]), {4})
    assert type(pair[0][0]) is not int and type(pair[1][0]) is not int
    assert type(next(iter(pair[2]))) is not int


def test_counted_arithmetic_keeps_values() -> None:
    a, b = counted_keys([7, 2])
    assert (-a, a + b, a - b, a * b, a // b, a % b, a / b, a << 1, a & b) == (
        -7, 9, 5, 14, 3, 1, 3.5, 14, 2,
    )  # fmt: skip
    assert isinstance(-a, int) and type(-a) is not int
    assert hash(a) == hash(7) and {a: 1}[7] == 1


@pytest.mark.parametrize("arg", [5, 2.5, object(), np.array(3.0), np.array(["a", "b"])])
def test_scalars_objects_and_non_numeric_arrays_are_left_alone(arg: Any) -> None:
    assert counted_keys(arg) is arg


def test_numeric_array_becomes_an_object_array_of_counted_keys() -> None:
    data = np.arange(12.0).reshape(3, 4)
    counted = counted_keys(data)
    assert counted.dtype == object and counted.shape == (3, 4)
    assert (counted == data).all()
    assert type(counted[1, 2]) is not float and isinstance(counted[1, 2], float)
    # numpy's own loops now call Python: searchsorted compares about log2(n) times
    found = [
        count_bytecodes(lambda a: np.searchsorted(a, 0.3 * len(a)), counted_keys(np.arange(2.0**k)))
        for k in (6, 8, 10)
    ]
    assert found[0] < found[1] < found[2] < 2 * found[0]
    assert count_bytecodes(np.sort, counted_keys(np.arange(64.0)[::-1])) > 64


def test_tuples_are_rebuilt_with_counted_members() -> None:
    pair = (np.arange(3), 7, [1])
    counted = counted_keys(pair)
    assert counted is not pair and counted == (counted[0], 7, [1])
    assert counted[0].dtype == object and type(counted[1]) is not int
    assert counted[2] is pair[2] and type(pair[2][0]) is not int  # the list, in place


def test_tracer_already_installed_is_restored() -> None:
    def tracer(*_: object) -> None:
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        count_bytecodes(_loop, [1, 2, 3])
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_exception_propagates_and_tracer_is_removed() -> None:
    previous = sys.gettrace()

    def boom(_: object) -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        count_bytecodes(boom, None)
    assert sys.gettrace() is previous


def test_median_count_ignores_an_occasional_expensive_call() -> None:
    calls = {"n": 0}

    def amortised(items: list[int]) -> None:
        calls["n"] += 1
        if calls["n"] % 4 == 0:  # a resize every fourth call
            for _ in items:
                pass

    cheap = count_bytecodes(lambda _: None, None)
    assert median_count(amortised, list(range(1000))) < cheap + 40
