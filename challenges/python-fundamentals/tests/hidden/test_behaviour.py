"""Hidden correctness tests: decorators, lazy generators, the Vector value type, the bug fix."""

from __future__ import annotations

import itertools
import operator
import time

import pytest


@pytest.fixture
def fun(submission):
    return submission.module("fundamentals")


# --- memoize --------------------------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
def test_memoize_is_bounded_and_least_recently_used(fun):
    calls = []

    @fun.memoize(maxsize=2)
    def f(x):
        calls.append(x)
        return x

    for x in [1, 2, 1, 3, 1, 2]:  # 3 evicts 2 (1 was used more recently); then 2 recomputes
        f(x)
    assert calls == [1, 2, 3, 2]
    hits, misses, size = f.cache_info()
    assert (hits, misses, size) == (2, 4, 2)


@pytest.mark.rubric("correctness")
def test_memoize_keeps_metadata_and_keys_on_keywords(fun):
    @fun.memoize()
    def area(width, height=1):
        """Width times height."""
        return width * height

    assert area.__name__ == "area" and area.__doc__ == "Width times height."
    assert area(2, height=3) == 6 and area(2, height=4) == 8 and area(2) == 2


@pytest.mark.rubric("correctness")
def test_memoize_bypasses_unhashable_arguments(fun):
    calls = []

    @fun.memoize()
    def total(items):
        calls.append(1)
        return sum(items)

    assert total([1, 2]) == 3 and total([1, 2]) == 3
    assert len(calls) == 2


@pytest.mark.rubric("correctness")
def test_memoize_rejects_a_bad_size(fun):
    with pytest.raises(ValueError):
        fun.memoize(maxsize=0)


@pytest.mark.rubric("correctness")
def test_memoize_keeps_128_entries_by_default(fun):
    """`memoize(maxsize=128)`: by default the cache keeps the 128 most recently used."""
    calls = []

    @fun.memoize()
    def square(x):
        calls.append(x)
        return x * x

    for x in range(129):  # the 129th distinct call evicts the first
        square(x)
    hits, misses, size = square.cache_info()
    assert (hits, misses, size) == (0, 129, 128)
    assert square(128) == 128 * 128 and square(1) == 1, "the 128 most recent stay cached"
    assert calls == list(range(129))
    assert square(0) == 0 and calls[-1] == 0, "the 129th distinct call evicted the first"
    hits, misses, size = square.cache_info()
    assert (hits, misses, size) == (2, 130, 128)


# --- retry ------------------------------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
def test_retry_backs_off_then_succeeds(fun):
    waits, attempts = [], []

    @fun.retry(times=4, exceptions=(ConnectionError,), backoff=0.5, sleep=waits.append)
    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("down")
        return "ok"

    assert flaky() == "ok"
    assert len(attempts) == 3 and waits == [0.5, 1.0]


@pytest.mark.rubric("correctness", weight=2)
def test_retry_filters_exceptions_and_reraises_the_last(fun):
    attempts = []

    @fun.retry(times=3, exceptions=(ConnectionError,), sleep=lambda s: None)
    def wrong_input():
        attempts.append(1)
        raise ValueError("bad")

    with pytest.raises(ValueError):
        wrong_input()
    assert len(attempts) == 1, "a ValueError is not retried"

    @fun.retry(times=3, exceptions=(ConnectionError,), sleep=lambda s: None)
    def always_down():
        attempts.append(1)
        raise ConnectionError(f"attempt {len(attempts)}")

    with pytest.raises(ConnectionError, match="attempt 4"):
        always_down()


@pytest.mark.rubric("correctness")
def test_retry_defaults_to_three_attempts_at_any_exception_without_waiting(fun):
    """`retry(times=3, exceptions=(Exception,), backoff=0.0, sleep=time.sleep)`: with the
    defaults, up to 3 attempts in all while any `Exception` is raised, waiting 0 s."""
    attempts = []

    @fun.retry()
    def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise KeyError("not yet")
        return "ok"

    started = time.monotonic()
    assert flaky() == "ok"
    assert len(attempts) == 3

    attempts.clear()

    @fun.retry()
    def always_down():
        attempts.append(1)
        raise RuntimeError(f"attempt {len(attempts)}")

    with pytest.raises(RuntimeError, match="attempt 3"):
        always_down()
    assert len(attempts) == 3, "times=3 means 3 attempts in all"
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"backoff=0.0 waits nothing, yet the retries took {elapsed:.1f} s"


@pytest.mark.rubric("correctness")
def test_retry_rejects_fewer_than_one_attempt(fun):
    """`ValueError` for a `times` below 1 (when `retry` is called or when it decorates)."""
    for times in (0, -2):
        with pytest.raises(ValueError):
            fun.retry(times=times)(lambda: None)


# --- generators -------------------------------------------------------------------------------


class _Source:
    """An infinite iterator that counts how many items were taken from it."""

    def __init__(self):
        self.taken = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.taken += 1
        return self.taken


@pytest.mark.rubric("correctness", weight=2)
def test_batched_is_lazy_and_handles_the_last_batch(fun):
    source = _Source()
    first = list(itertools.islice(fun.batched(source, 3), 2))
    assert first == [(1, 2, 3), (4, 5, 6)]
    assert source.taken <= 7
    assert list(fun.batched(range(7), 3)) == [(0, 1, 2), (3, 4, 5), (6,)]
    assert list(fun.batched([], 3)) == []


@pytest.mark.rubric("correctness")
def test_a_size_of_one_is_allowed(fun):
    """`n` may be any int of at least 1: batches and windows of one item each."""
    assert list(fun.batched("abc", 1)) == [("a",), ("b",), ("c",)]
    assert list(fun.window("abc", 1)) == [("a",), ("b",), ("c",)]


@pytest.mark.rubric("correctness", weight=2)
def test_window_is_lazy(fun):
    source = _Source()
    got = list(itertools.islice(fun.window(source, 4), 3))
    assert got == [(1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 6)]
    assert source.taken <= 7
    assert list(fun.window([1, 2], 3)) == []


def _over_a_count(generator, n):
    """``generator`` (window or batched) over an endless count made where the candidate's
    code runs."""
    return generator(itertools.count(), n)


def _advance(stream, n):
    """Take ``n`` items, where the candidate's code runs (a call each way would be slow)."""
    for _ in range(n):
        next(stream)


def _memory_grown(submission, generator, size, taken):
    """How many bytes the candidate process's resident memory grew while ``taken`` more
    items of ``generator(itertools.count(), size)`` went by (read from outside)."""
    stream = submission.run(_over_a_count, generator, size)
    submission.run(_advance, stream, 1000)
    before = submission.resident_bytes()
    submission.run(_advance, stream, taken)
    return submission.resident_bytes() - before


# kept items would take over 30 MB: 1,000,000 ints and a list of them
@pytest.mark.rubric("correctness", weight=2)
def test_window_uses_constant_memory_on_a_long_stream(submission, fun):
    grown = _memory_grown(submission, fun.window, 5, 1_000_000)
    assert grown < 10_000_000, f"memory grew {grown} bytes over 1,000,000 windows: items are kept"


@pytest.mark.rubric("correctness", weight=2)
def test_batched_uses_constant_memory_on_a_long_stream(submission, fun):
    grown = _memory_grown(submission, fun.batched, 5, 200_000)
    assert grown < 10_000_000, f"memory grew {grown} bytes over 200,000 batches: items are kept"


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_generators_reject_a_bad_size_at_once(fun, bad):
    with pytest.raises(ValueError):
        fun.batched([1], bad)
    with pytest.raises(ValueError):
        fun.window([1], bad)


# --- Vector -------------------------------------------------------------------------------------


def _set_and_dict(V):
    """How many distinct vectors a set holds, and a dict lookup by an equal vector."""
    return len({V(1, 2), V(1, 2), V(2, 1)}), {V(0, 0): "origin"}.get(V(0, 0))


@pytest.mark.rubric("correctness", weight=2)
def test_equal_vectors_hash_alike(submission, fun):
    # The Vector's own ==, hash, set and dict behaviour is what is graded, so these
    # questions run where the candidate's code does (submission.run).
    V, run = fun.Vector, submission.run
    assert run(operator.eq, V(1, 2), V(1, 2)) and run(hash, V(1, 2)) == run(hash, V(1, 2))
    assert run(_set_and_dict, V) == (2, "origin")
    assert run(operator.ne, V(1, 2), V(2, 1)) and run(operator.ne, V(1, 2), (1, 2))


@pytest.mark.rubric("correctness")
def test_vector_is_immutable(fun):
    v = fun.Vector(1, 2)
    with pytest.raises(AttributeError):
        v.x = 5
    assert tuple(v) == (1, 2)


@pytest.mark.rubric("correctness")
def test_vector_arithmetic_and_repr(submission, fun):
    V = fun.Vector
    for result in (V(1, 2) + V(3, 4), 2 * V(1, 2), V(1, 2) * 2):
        assert isinstance(result, V), f"{result!r} is not a Vector"
    assert tuple(V(1, 2) + V(3, 4)) == (4, 6) and tuple(V(3, 4) - V(1, 2)) == (2, 2)
    assert tuple(2 * V(1, 2)) == tuple(V(1, 2) * 2) == (2, 4)
    assert abs(V(3, 4)) == 5.0 and len(V(1, 2, 3)) == 3 and list(V(1, 2)) == [1, 2]
    assert submission.run(repr, V(1, 2)) == "Vector(1, 2)"
    with pytest.raises(ValueError):
        V(1, 2) + V(1, 2, 3)


@pytest.mark.rubric("correctness")
def test_vector_subtraction_needs_the_same_length(fun):
    """`-` needs vectors of the same length, else `ValueError`."""
    V = fun.Vector
    with pytest.raises(ValueError):
        V(1, 2) - V(1, 2, 3)
    with pytest.raises(ValueError):
        V(1, 2, 3) - V(1, 2)


@pytest.mark.rubric("correctness")
def test_append_item_with_and_without_a_list(fun):
    mine = [0]
    assert fun.append_item(1, mine) is mine and mine == [0, 1]
    assert fun.append_item("a") == ["a"] and fun.append_item("b") == ["b"]
