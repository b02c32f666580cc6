"""Hidden correctness tests: LRU semantics, validation and a randomized model check."""

from __future__ import annotations

import random
from collections import OrderedDict
from typing import Any

import pytest

from mlgrader.testing import strict_equal


class _ModelLRU:
    """A simple, obviously correct LRU cache to compare against."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._data: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, default: Any = None) -> Any:
        """Return the value under key (making it most recent), else default."""
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: Any, value: Any) -> None:
        """Store value under key as most recent; drop the oldest entry when over capacity."""
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self._capacity:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data


@pytest.fixture
def LRUCache(submission):
    """The candidate's LRUCache class."""
    return submission.module("lru_cache").LRUCache


def _keys_present(cache, keys) -> list[Any]:
    return [key for key in keys if key in cache]


@pytest.mark.rubric("correctness", weight=3)
def test_evicts_in_least_recently_used_order(LRUCache):
    """Without reads, entries leave in the order they were inserted."""
    cache = LRUCache(3)
    for key in "abc":
        cache.put(key, key.upper())
    cache.put("d", "D")
    assert _keys_present(cache, "abcd") == ["b", "c", "d"]
    cache.put("e", "E")
    assert _keys_present(cache, "abcde") == ["c", "d", "e"]
    strict_equal(cache.get("a"), None)
    strict_equal(cache.get("e"), "E")


@pytest.mark.rubric("correctness", weight=3)
def test_get_refreshes_recency(LRUCache):
    """A hit makes the key the most recently used, so it survives the next eviction."""
    cache = LRUCache(3)
    for key in "abc":
        cache.put(key, key.upper())
    strict_equal(cache.get("a"), "A")
    cache.put("d", "D")
    assert _keys_present(cache, "abcd") == ["a", "c", "d"]
    strict_equal(cache.get("c"), "C")
    cache.put("e", "E")
    assert _keys_present(cache, "abcde") == ["c", "d", "e"]


@pytest.mark.rubric("correctness", weight=3)
def test_overwrite_refreshes_recency_and_keeps_size(LRUCache):
    """put on an existing key replaces the value, keeps the size, and makes it most recent."""
    cache = LRUCache(3)
    for key in "abc":
        cache.put(key, 1)
    cache.put("a", 2)
    assert len(cache) == 3
    strict_equal(cache.get("a", None), 2)
    cache.put("b", 3)
    cache.put("d", 4)
    assert len(cache) == 3
    assert _keys_present(cache, "abcd") == ["a", "b", "d"]
    strict_equal(cache.get("b"), 3)


@pytest.mark.rubric("correctness", weight=2)
def test_contains_never_changes_recency(LRUCache):
    """`in` looks without touching: the key it asked about is still evicted first."""
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert "a" in cache
    assert "a" in cache
    cache.put("c", 3)
    assert "a" not in cache
    assert _keys_present(cache, "abc") == ["b", "c"]


@pytest.mark.rubric("correctness")
def test_get_miss_changes_nothing(LRUCache):
    """A miss neither inserts the key nor changes the eviction order."""
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    strict_equal(cache.get("zzz", 0), 0)
    assert "zzz" not in cache
    assert len(cache) == 2
    cache.put("c", 3)
    assert _keys_present(cache, "abc") == ["b", "c"]


@pytest.mark.rubric("correctness")
def test_len_grows_up_to_capacity(LRUCache):
    """len counts distinct keys and stops at the capacity."""
    cache = LRUCache(4)
    sizes = []
    for i in range(7):
        cache.put(i, i)
        cache.put(i, -i)
        sizes.append(len(cache))
    assert sizes == [1, 2, 3, 4, 4, 4, 4]


@pytest.mark.rubric("correctness", weight=2)
def test_capacity_one(LRUCache):
    """A cache of capacity 1 always holds just the latest key."""
    cache = LRUCache(1)
    cache.put("a", 1)
    strict_equal(cache.get("a"), 1)
    cache.put("b", 2)
    assert "a" not in cache
    assert len(cache) == 1
    strict_equal(cache.get("b"), 2)
    cache.put("b", 3)
    assert len(cache) == 1
    strict_equal(cache.get("b"), 3)
    strict_equal(cache.get("a", "gone"), "gone")


def _raises(exc_type: type[BaseException], func: Any, *args: Any) -> bool:
    """Whether func(*args) raises exc_type (any other exception propagates)."""
    try:
        func(*args)
    except exc_type:
        return True
    return False


@pytest.mark.rubric("correctness", weight=2)
def test_capacity_must_be_an_int(LRUCache):
    """A capacity that is not an int (bool included) raises TypeError."""
    wrong = [True, False, 2.0, 1.5, "3", None, [4]]
    accepted = [repr(value) for value in wrong if not _raises(TypeError, LRUCache, value)]
    assert not accepted, f"LRUCache(capacity) did not raise TypeError for {', '.join(accepted)}"
    strict_equal(LRUCache(3).capacity, 3)


@pytest.mark.rubric("correctness")
def test_capacity_must_be_positive(LRUCache):
    """A capacity below 1 raises ValueError."""
    wrong = [0, -1, -100]
    accepted = [repr(value) for value in wrong if not _raises(ValueError, LRUCache, value)]
    assert not accepted, f"LRUCache(capacity) did not raise ValueError for {', '.join(accepted)}"
    strict_equal(LRUCache(1).capacity, 1)


@pytest.mark.rubric("correctness")
def test_capacity_is_read_only(LRUCache):
    """capacity reports the limit and cannot be reassigned or deleted."""
    cache = LRUCache(5)
    strict_equal(cache.capacity, 5)
    with pytest.raises(AttributeError):
        cache.capacity = 10
    with pytest.raises(AttributeError):
        del cache.capacity
    strict_equal(cache.capacity, 5)
    for i in range(8):
        cache.put(i, i)
    assert len(cache) == 5


@pytest.mark.rubric("correctness")
def test_unhashable_keys_raise_type_error(LRUCache):
    """get and put with an unhashable key raise TypeError and leave the cache as it was."""
    cache = LRUCache(2)
    cache.put("a", 1)
    for key in ([1, 2], {"a": 1}, {3}):
        with pytest.raises(TypeError):
            cache.put(key, 2)
        with pytest.raises(TypeError):
            cache.get(key)
    assert len(cache) == 1
    strict_equal(cache.get("a"), 1)


@pytest.mark.rubric("correctness")
def test_get_default_argument(LRUCache):
    """get returns the default (positional or keyword) only on a miss."""
    cache = LRUCache(2)
    sentinel = object()
    assert cache.get("x", sentinel) is sentinel
    assert cache.get("x", default=sentinel) is sentinel
    cache.put("x", 0)
    strict_equal(cache.get("x", sentinel), 0)
    strict_equal(cache.get("x", default=sentinel), 0)


@pytest.mark.rubric("correctness")
def test_none_is_a_storable_value(LRUCache):
    """A stored None comes back as None, not as the default, and counts as present."""
    cache = LRUCache(2)
    cache.put("k", None)
    assert "k" in cache
    assert len(cache) == 1
    strict_equal(cache.get("k", "default"), None)
    cache.put("j", 1)
    cache.get("k", "default")  # a hit on a None value still refreshes recency
    cache.put("m", 2)
    assert _keys_present(cache, "kjm") == ["k", "m"]


@pytest.mark.rubric("correctness")
def test_values_are_returned_as_stored(LRUCache):
    """get returns the very object that was put (a mutable one), or an equal value of the
    same type (an immutable one, which crosses the process boundary as a copy)."""
    values = [0, "", [], {}, (1, 2), 3.5, b"x", frozenset({1}), object()]
    cache = LRUCache(len(values))
    for i, value in enumerate(values):
        cache.put(i, value)
    for i, value in enumerate(values):
        if isinstance(value, (list, dict)) or type(value) is object:
            assert cache.get(i) is value
        else:
            strict_equal(cache.get(i), value)


@pytest.mark.rubric("correctness")
def test_keys_compare_by_equality(LRUCache):
    """Equal keys built separately address the same entry."""
    cache = LRUCache(3)
    cache.put(("user", 42), "alice")
    cache.put("".join(["ke", "y"]), "value")
    strict_equal(cache.get(tuple(["user", 6 * 7])), "alice")
    strict_equal(cache.get("key"), "value")
    cache.put(("user", 42), "bob")
    assert len(cache) == 2
    strict_equal(cache.get(("user", 42)), "bob")


@pytest.mark.rubric("correctness")
def test_instances_are_independent(LRUCache):
    """Two caches share no entries, sizes or capacities."""
    small, large = LRUCache(1), LRUCache(10)
    for i in range(5):
        small.put(i, "small")
        large.put(i, "large")
    assert small.capacity == 1
    assert large.capacity == 10
    assert len(small) == 1
    assert len(large) == 5
    strict_equal(large.get(0), "large")
    strict_equal(small.get(4), "small")
    assert 0 not in small


@pytest.mark.rubric("correctness")
def test_many_evictions(LRUCache):
    """After many inserts the cache holds exactly the most recent `capacity` keys."""
    cache = LRUCache(250)
    for i in range(5_000):  # every slot reused 20 times (each call crosses the boundary)
        cache.put(i, i * 2)
    assert len(cache) == 250
    assert 4_749 not in cache
    for i in range(4_750, 5_000):
        strict_equal(cache.get(i), i * 2)


@pytest.mark.rubric("correctness", weight=3)
@pytest.mark.parametrize("capacity", [2, 3, 16, 64])
def test_matches_model_on_random_operations(LRUCache, capacity):
    """A seeded mix of get/put/in/len gives the same answers as a simple model."""
    rng = random.Random(1000 + capacity)
    cache, model = LRUCache(capacity), _ModelLRU(capacity)
    key_space = 2 * capacity + 3
    for step in range(1500):  # 11 or more visits a key on average, evicting throughout
        key = rng.randrange(key_space)
        roll = rng.random()
        if roll < 0.45:
            value = rng.choice([step, str(step), None])
            cache.put(key, value)
            model.put(key, value)
        elif roll < 0.85:
            strict_equal(cache.get(key, "miss"), model.get(key, "miss"))
        else:
            assert (key in cache) == (key in model), f"step {step}: `{key} in cache`"
        assert len(cache) == len(model), f"step {step}: len"
    assert _keys_present(cache, range(key_space)) == _keys_present(model, range(key_space))
