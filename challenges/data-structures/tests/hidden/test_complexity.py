"""Hidden complexity tests: every time bound of the statement, measured.

Each `make_input(n)` builds a structure holding n items (untimed) in the candidate's
process; the timed call does one operation on it. The engine doubles n as far as its
budget of the candidate's CPU allows and fails a bound only on clear evidence: exact
bytecode counts of a worse class, or timed growth far beyond the bound. Bounds that
hold "over any long run of calls" are also timed on one long-lived structure
(`require_amortized`), so cost that a structure defers to later calls (a buffer sorted
when the median is asked for) counts. Each structure must first pass a smoke test:
speed only counts when the structure works.
"""

from __future__ import annotations

import itertools
import random

import pytest

# Seconds of the candidate's CPU per check. The O(n) flaws these tests must catch include
# C-level memmoves (list.insert into a sorted list) that show above a call's overhead only
# past n of about 10^4; such a flaw builds its structures cheaply (ascending values are
# appended), so it reaches those sizes within the budget.
BUDGET = 2.0
# A steady-state check costs an O(n) flaw n^2 per size. Batches of n/16 calls (after n/16
# untimed) keep that affordable to 2^17-2^18 within 5 s, where a memmove of n pointers is
# far above a call's overhead. (With batches of n calls the checks stopped at 2^16, and
# sorted-list flaws passed in 1-3 of 5 busy gradings.) The O(n) flaws now measured
# 6.6-27x excess growth against 4x, idle and beside a spinner per core; two heaps, a
# treap and an AVL tree 1.0-2.1x.
STEADY_BUDGET = 5.0
STEADY_SPAN = 1 / 16
STEADY_MAX_N = 2**19
STEADY_FAIL_GROWTH = 4.0


def _smoke(structures):
    running = structures.RunningMedian()
    for value in (3, 1, 2):
        running.add(value)
    assert running.median() == 2 and len(running) == 3, "RunningMedian"
    auto = structures.Autocomplete()
    for word in ("ab", "abc", "b"):
        auto.add(word)
    assert auto.complete("a") == ["ab", "abc"] and "b" in auto and len(auto) == 3, "Autocomplete"
    ordered = structures.OrderedMap()
    for key in (3, 1, 2):
        ordered[key] = key
    del ordered[2]
    assert ordered.range(0, 9) == [(1, 1), (3, 3)] and ordered[3] == 3 and len(ordered) == 2, (
        "OrderedMap"
    )


@pytest.fixture
def structures(submission):
    """The candidate's module, once every structure passes a smoke test."""
    module = submission.module("structures")
    try:
        _smoke(module)
    except Exception as exc:
        pytest.fail(f"complexity points need working structures: {type(exc).__name__}: {exc}")
    return module


# RunningMedian: add O(log n), median O(1), and add + median amortised ----------


def _stream(cls, n):
    """A RunningMedian holding n numbers spread evenly over [0, 1) (added in ascending
    order, which keeps building cheap for any structure), and an endless supply of random
    numbers from the same interval, each landing at a random place among them."""
    running = cls()
    for i in range(n):
        running.add(i / n)
    rng = random.Random(n)
    return running, iter(rng.random, None)


@pytest.mark.rubric("complexity", weight=2)
def test_add_is_logarithmic(structures, complexity):
    """RunningMedian.add is O(log n)."""
    cls = structures.RunningMedian

    def make_input(n):
        return _stream(cls, n)

    def add(arg):
        running, values = arg
        running.add(next(values))

    complexity.require(add, make_input, "O(log n)", time_budget=BUDGET)


@pytest.mark.rubric("complexity", weight=2)
def test_median_is_constant_time(structures, complexity):
    """RunningMedian.median is O(1)."""
    cls = structures.RunningMedian

    def make_input(n):
        return _stream(cls, n)[0]

    def median(running):
        running.median()

    complexity.require(median, make_input, "O(1)", time_budget=BUDGET)


@pytest.mark.rubric("complexity", weight=2)
def test_add_then_median_stays_logarithmic_over_a_long_run(structures, complexity):
    """add followed by median, over a long run of pairs on one RunningMedian, costs
    O(log n) per pair: work put off by add and done by median (sorting a buffer) counts."""
    cls = structures.RunningMedian

    def make_input(n):
        return _stream(cls, n)

    def add_then_median(arg):
        running, values = arg
        running.add(next(values))
        running.median()

    # A RunningMedian only grows: each timed call leaves it one larger. From n = 2,048 a
    # batch of n/16 calls is long enough to time (the engine's shortest batch is about
    # 1,000 calls), so the structure holds about n numbers at every size; from n = 8 it
    # held thousands whatever n said, which hid the O(n) flaws' growth.
    complexity.require_amortized(
        add_then_median,
        make_input,
        "O(log n)",
        warmup=STEADY_SPAN,
        span=STEADY_SPAN,
        time_budget=STEADY_BUDGET,
        min_n=2048,
        max_n=STEADY_MAX_N,
        fail_growth=STEADY_FAIL_GROWTH,
    )


# Autocomplete: add and in O(len(word)), complete independent of the dictionary ----------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_FOUR = "abcd"


def _dictionary(cls, n, letters=_LETTERS):
    """An Autocomplete holding n random words of 6-10 of `letters`, and the random source
    that made them."""
    rng = random.Random(n)
    auto = cls()
    while len(auto) < n:
        auto.add("".join(rng.choices(letters, k=rng.randint(6, 10))))
    return auto, rng


@pytest.mark.rubric("complexity", weight=2)
def test_adding_a_word_does_not_depend_on_the_dictionary_size(structures, complexity):
    """Autocomplete.add of an 8-letter word costs the same however many words are stored."""
    cls = structures.Autocomplete

    def make_input(n):
        auto, rng = _dictionary(cls, n)
        fresh = ("".join(rng.choice(_LETTERS) for _ in range(8)) for _ in itertools.count())
        return auto, fresh

    def add(arg):
        auto, fresh = arg
        auto.add(next(fresh))

    complexity.require(add, make_input, "O(1)", time_budget=BUDGET)


@pytest.mark.rubric("complexity", weight=3)
def test_complete_does_not_depend_on_the_dictionary_size(structures, complexity):
    """Autocomplete.complete(one letter, 10) costs the same however many words are stored:
    not a scan of the dictionary, nor of every word under the prefix."""
    cls = structures.Autocomplete

    def make_input(n):
        return _dictionary(cls, n, _FOUR)[0], itertools.cycle(_FOUR)

    def complete(arg):
        auto, letters = arg
        auto.complete(next(letters), 10)

    # Words over four letters: from n = 128 every letter starts 20 or more of them, so a
    # query returns ten words at every size. (Over 26 letters a letter started about five
    # at n = 128 and ten from 512: the reference's time doubled across those sizes and
    # read as a log factor, a false fail in 5 of 20 busy gradings.) The exact counts decide
    # the flaw: they need four sizes spanning 16x within a quarter of the budget, which
    # from n = 512 they missed in 2 of 3 runs (a CI run passed the flaw as inconclusive).
    # Collecting every word under the prefix costs n/4 words per call; a trie walked
    # lazily walks about the same nodes at every size.
    complexity.require(
        complete, make_input, "O(1)", min_n=128, time_budget=2 * BUDGET, fail_growth=8.0
    )


@pytest.mark.rubric("complexity")
def test_contains_does_not_depend_on_the_dictionary_size(structures, complexity):
    """`word in Autocomplete` costs the same however many words are stored."""
    cls = structures.Autocomplete

    def make_input(n):
        auto, rng = _dictionary(cls, n)
        probes = ["".join(rng.choice(_LETTERS) for _ in range(8)) for _ in range(64)]
        return auto, itertools.cycle(probes)

    def contains(arg):
        auto, probes = arg
        return next(probes) in auto

    complexity.require(contains, make_input, "O(1)", time_budget=BUDGET)


# OrderedMap: O(log n) set, get, del, in; O(log n + k) range; amortised updates -----------


def _ordered(cls, n):
    """An OrderedMap holding the even keys 0, 2, ..., 2n - 2 (inserted in ascending order,
    which no balanced structure minds), and random odd keys (never stored) to insert."""
    ordered = cls()
    for key in range(0, 2 * n, 2):
        ordered[key] = key
    rng = random.Random(n)
    return ordered, iter(lambda: 2 * rng.randrange(max(n, 1)) + 1, None), rng


@pytest.mark.rubric("complexity", weight=2)
def test_insert_and_delete_are_logarithmic(structures, complexity):
    """Inserting a new key at a random place and deleting it again is O(log n)."""
    cls = structures.OrderedMap

    def make_input(n):
        return _ordered(cls, n)[:2]

    def insert_delete(arg):
        ordered, odd = arg
        key = next(odd)
        ordered[key] = key
        del ordered[key]

    complexity.require(insert_delete, make_input, "O(log n)", time_budget=BUDGET)


@pytest.mark.rubric("complexity", weight=2)
def test_lookup_is_logarithmic(structures, complexity):
    """Reading a stored key, and `in` for a stored and an absent key, is O(log n)."""
    cls = structures.OrderedMap

    def make_input(n):
        ordered, odd, rng = _ordered(cls, n)
        return ordered, odd, iter(lambda: 2 * rng.randrange(max(n, 1)), None)

    def lookup(arg):
        ordered, odd, even = arg
        key = next(even)
        _ = ordered[key]
        _ = key in ordered
        _ = next(odd) in ordered

    complexity.require(lookup, make_input, "O(log n)", time_budget=BUDGET)


@pytest.mark.rubric("complexity", weight=2)
def test_range_of_ten_keys_is_logarithmic(structures, complexity):
    """range over ten stored keys at a random place is O(log n + 10): not a scan."""
    cls = structures.OrderedMap

    def make_input(n):
        ordered, _, rng = _ordered(cls, max(n, 16))
        size = max(n, 16)
        return ordered, iter(lambda: 2 * rng.randrange(size - 10), None)

    def range_of_ten(arg):
        ordered, starts = arg
        low = next(starts)
        ordered.range(low, low + 20)

    complexity.require(range_of_ten, make_input, "O(log n)", time_budget=BUDGET)


@pytest.mark.rubric("complexity", weight=2)
def test_updates_stay_logarithmic_over_a_long_run(structures, complexity):
    """Over a long run on one OrderedMap, each step inserts a new smallest key and deletes a
    random stored one (the size stays n): O(log n) per step, rebuilds and debris included.
    New keys go in at the front, where a sorted list shifts every key (a random end
    shifted half as many, and a sorted-list map then passed in 1 of 3 busy runs)."""
    cls = structures.OrderedMap

    def make_input(n):
        ordered, _, rng = _ordered(cls, max(n, 2))
        stored = list(range(0, 2 * max(n, 2), 2))
        return ordered, stored, itertools.count(-1, -2), rng

    def step(arg):
        ordered, stored, smaller, rng = arg
        key = next(smaller)  # a new key below every stored one
        ordered[key] = key
        i = rng.randrange(len(stored))
        stored[i], stored[-1] = stored[-1], stored[i]
        del ordered[stored.pop()]
        stored.append(key)

    complexity.require_amortized(
        step,
        make_input,
        "O(log n)",
        warmup=STEADY_SPAN,
        span=STEADY_SPAN,
        time_budget=STEADY_BUDGET,
        # from 512, past the sizes that fit in the CPU's caches (from n = 8 a treap
        # measured up to 3.1x), yet low enough that an O(n) walk in Python reaches five
        # sizes (from 2,048 it reached two and passed as inconclusive)
        min_n=512,
        max_n=STEADY_MAX_N,
        fail_growth=STEADY_FAIL_GROWTH,
    )
