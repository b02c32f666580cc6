"""My own tests for LRUCache, written from the challenge statement.

Deterministic (seeded randomness), single-threaded and quick.
"""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest

from lru_cache import LRUCache


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


class ModelLRU:
    """A deliberately simple (O(n)) reference LRU cache: a list, LRU first."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.order = []  # keys, least recently used first
        self.values = {}

    def get(self, key, default=None):
        if key not in self.values:
            return default
        self.order.remove(key)
        self.order.append(key)
        return self.values[key]

    def put(self, key, value):
        if key in self.values:
            self.order.remove(key)
        elif len(self.order) >= self.capacity:
            oldest = self.order.pop(0)
            del self.values[oldest]
        self.order.append(key)
        self.values[key] = value

    def __len__(self):
        return len(self.order)

    def __contains__(self, key):
        return key in self.values


def filled(capacity, keys=None):
    """A cache with `keys` put in order (default: 0..capacity-1), value = key * 10."""
    cache = LRUCache(capacity)
    for k in range(capacity) if keys is None else keys:
        cache.put(k, k * 10)
    return cache


def evicted_sequence(cache, old_keys, n_new):
    """Put `n_new` brand-new keys into a full cache; return the evicted old keys in order."""
    evicted = []
    present = {k for k in old_keys if k in cache}
    for i in range(n_new):
        cache.put(("new", i), i)
        now = {k for k in old_keys if k in cache}
        gone = present - now
        assert len(gone) <= 1, f"one put evicted several entries: {gone}"
        evicted.extend(gone)
        present = now
    return evicted


# --------------------------------------------------------------------------
# construction and capacity
# --------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [1, 2, 7, 1000, 10**6])
def test_valid_capacity_is_reported(capacity):
    cache = LRUCache(capacity)
    assert cache.capacity == capacity
    assert type(cache.capacity) is int
    assert len(cache) == 0


@pytest.mark.parametrize("bad", [True, False, 2.0, 1.5, "3", None, [3], (3,), 3j])
def test_non_int_capacity_raises_type_error(bad):
    with pytest.raises(TypeError):
        LRUCache(bad)


@pytest.mark.parametrize("bad", [0, -1, -100])
def test_capacity_below_one_raises_value_error(bad):
    with pytest.raises(ValueError):
        LRUCache(bad)


def test_int_subclass_capacity_other_than_bool_is_accepted():
    class MyInt(int):
        pass

    cache = LRUCache(MyInt(3))
    assert cache.capacity == 3


def test_capacity_is_read_only():
    cache = LRUCache(3)
    with pytest.raises(AttributeError):
        cache.capacity = 5
    with pytest.raises(AttributeError):
        del cache.capacity
    assert cache.capacity == 3
    # the limit still applies after the failed assignment
    for i in range(10):
        cache.put(i, i)
    assert len(cache) == 3


# --------------------------------------------------------------------------
# get / put basics
# --------------------------------------------------------------------------


def test_get_returns_the_very_object_put():
    cache = LRUCache(2)
    value = {"a": [1, 2, 3]}
    cache.put("k", value)
    assert cache.get("k") is value


def test_get_missing_returns_none_or_default():
    cache = LRUCache(2)
    sentinel = object()
    assert cache.get("x") is None
    assert cache.get("x", sentinel) is sentinel
    assert cache.get("x", default=5) == 5
    cache.put("y", 1)
    assert cache.get("x", sentinel) is sentinel


def test_stored_none_is_returned_as_none_not_default():
    cache = LRUCache(2)
    sentinel = object()
    cache.put("k", None)
    assert cache.get("k", sentinel) is None
    assert "k" in cache
    assert len(cache) == 1


def test_stored_none_value_counts_for_recency():
    cache = LRUCache(2)
    cache.put("a", None)
    cache.put("b", 2)
    assert cache.get("a", "default") is None  # hit: "b" is now LRU
    cache.put("c", 3)
    assert "a" in cache
    assert "b" not in cache


def test_falsy_values_are_stored():
    cache = LRUCache(5)
    values = [0, "", [], False, 0.0]
    for i, v in enumerate(values):
        cache.put(i, v)
    sentinel = object()
    for i, v in enumerate(values):
        assert cache.get(i, sentinel) is v


def test_miss_does_not_insert():
    cache = LRUCache(2)
    cache.get("a")
    cache.get("a", 1)
    assert "a" not in cache
    assert len(cache) == 0


def test_overwrite_replaces_value_without_changing_size():
    cache = LRUCache(3)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 100)
    assert len(cache) == 2
    assert cache.get("a") == 100
    assert cache.get("b") == 2


def test_overwrite_in_full_cache_does_not_evict():
    cache = filled(3)
    cache.put(0, "zero")
    cache.put(1, "one")
    cache.put(2, "two")
    assert len(cache) == 3
    assert [cache.get(k) for k in range(3)] == ["zero", "one", "two"]


def test_len_never_exceeds_capacity():
    cache = LRUCache(4)
    for i in range(50):
        cache.put(i, i)
        assert len(cache) == min(i + 1, 4)


def test_contains():
    cache = LRUCache(2)
    assert "a" not in cache
    cache.put("a", 1)
    assert "a" in cache
    assert "b" not in cache


# --------------------------------------------------------------------------
# eviction order and recency
# --------------------------------------------------------------------------


def test_without_reads_eviction_is_in_insertion_order():
    cache = filled(4)
    assert evicted_sequence(cache, range(4), 4) == [0, 1, 2, 3]


def test_evicts_exactly_when_full_not_before():
    cache = LRUCache(3)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert all(k in cache for k in "abc")  # full, nothing evicted yet
    cache.put("d", 4)
    assert "a" not in cache
    assert all(k in cache for k in "bcd")
    assert len(cache) == 3


def test_get_hit_makes_key_most_recently_used():
    cache = filled(4)  # order LRU->MRU: 0 1 2 3
    assert cache.get(0) == 0
    assert cache.get(2) == 20
    # order now: 1 3 0 2
    assert evicted_sequence(cache, range(4), 4) == [1, 3, 0, 2]


def test_get_hit_on_lru_protects_it_from_next_eviction():
    cache = filled(2)
    cache.get(0)
    cache.put(2, 20)
    assert 0 in cache
    assert 1 not in cache
    assert 2 in cache


def test_get_on_mru_changes_nothing():
    cache = filled(3)
    cache.get(2)
    assert evicted_sequence(cache, range(3), 3) == [0, 1, 2]


def test_get_on_middle_key():
    cache = filled(3)  # 0 1 2
    cache.get(1)  # 0 2 1
    assert evicted_sequence(cache, range(3), 3) == [0, 2, 1]


def test_repeated_gets_keep_key_alive():
    cache = LRUCache(3)
    cache.put("hot", "h")
    for i in range(100):
        assert cache.get("hot") == "h"
        cache.put(i, i)
    assert "hot" in cache
    assert len(cache) == 3


def test_miss_does_not_change_recency():
    cache = filled(3)  # 0 1 2
    for missing in ("x", 99, None, (0,)):
        assert cache.get(missing, "d") == "d"
    assert evicted_sequence(cache, range(3), 3) == [0, 1, 2]


def test_miss_on_evicted_key_does_not_resurrect_it():
    cache = filled(2)
    cache.put(2, 20)  # evicts 0
    assert cache.get(0) is None
    assert 0 not in cache
    assert len(cache) == 2


def test_put_of_existing_key_makes_it_most_recently_used():
    cache = filled(3)  # 0 1 2
    cache.put(0, "again")  # 1 2 0
    assert evicted_sequence(cache, range(3), 3) == [1, 2, 0]


def test_overwrite_of_lru_protects_it_from_next_eviction():
    cache = filled(2)
    cache.put(0, "fresh")
    cache.put(2, 20)
    assert cache.get(0) == "fresh"
    assert 1 not in cache


def test_overwrite_with_same_value_still_refreshes_recency():
    cache = filled(2)
    cache.put(0, 0)
    cache.put(2, 20)
    assert 0 in cache
    assert 1 not in cache


def test_new_put_is_most_recently_used():
    cache = filled(3)  # 0 1 2
    cache.put(3, 30)  # evicts 0; order 1 2 3
    assert evicted_sequence(cache, [1, 2, 3], 3) == [1, 2, 3]


def test_contains_does_not_change_recency():
    cache = filled(3)  # 0 1 2
    for _ in range(3):
        assert 0 in cache
        assert 1 in cache
    cache.put(3, 30)
    assert 0 not in cache  # still the LRU despite all the `in` checks
    assert 1 in cache


def test_len_does_not_change_recency():
    cache = filled(2)
    assert len(cache) == 2
    cache.put(2, 20)
    assert 0 not in cache


def test_capacity_one():
    cache = LRUCache(1)
    cache.put("a", 1)
    assert cache.get("a") == 1
    cache.put("a", 2)
    assert len(cache) == 1
    assert cache.get("a") == 2
    cache.put("b", 3)
    assert "a" not in cache
    assert cache.get("b") == 3
    assert cache.get("a") is None
    assert len(cache) == 1


def test_capacity_two_alternating_reads():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)  # evicts b
    cache.get("a")
    cache.put("d", 4)  # evicts c
    assert "a" in cache and "d" in cache
    assert "b" not in cache and "c" not in cache


def test_full_eviction_order_after_mixed_operations():
    cache = filled(5)  # 0 1 2 3 4
    cache.get(3)  # 0 1 2 4 3
    cache.put(1, "x")  # 0 2 4 3 1
    cache.get(0)  # 2 4 3 1 0
    assert 4 in cache  # no effect
    cache.get("missing")  # no effect
    assert evicted_sequence(cache, range(5), 5) == [2, 4, 3, 1, 0]


def test_long_run_of_evictions_keeps_most_recent_keys():
    capacity = 100
    cache = LRUCache(capacity)
    n = 20_000
    for i in range(n):
        cache.put(i, i)
    assert len(cache) == capacity
    assert all(i in cache for i in range(n - capacity, n))
    assert not any(i in cache for i in range(n - capacity - 50, n - capacity))
    # the order is still right after a long time of evicting
    cache.get(n - capacity)  # oldest becomes newest
    cache.put("new", 1)
    assert n - capacity in cache
    assert n - capacity + 1 not in cache


# --------------------------------------------------------------------------
# keys
# --------------------------------------------------------------------------


@pytest.mark.parametrize("bad_key", [[1, 2], {"a": 1}, {1, 2}])
def test_unhashable_key_raises_type_error_and_changes_nothing(bad_key):
    cache = filled(3)  # 0 1 2
    with pytest.raises(TypeError):
        cache.put(bad_key, "v")
    with pytest.raises(TypeError):
        cache.get(bad_key)
    with pytest.raises(TypeError):
        cache.get(bad_key, "default")
    assert len(cache) == 3
    assert [cache.get(k) for k in range(3)] == [0, 10, 20]  # order now 0 1 2
    assert evicted_sequence(cache, range(3), 3) == [0, 1, 2]


def test_unhashable_put_into_full_cache_does_not_evict():
    cache = filled(2)
    with pytest.raises(TypeError):
        cache.put([], 1)
    assert 0 in cache and 1 in cache
    assert len(cache) == 2


def test_equal_keys_address_the_same_entry():
    cache = LRUCache(3)
    cache.put(1, "int")
    assert cache.get(1.0) == "int"
    assert 1.0 in cache
    cache.put(1.0, "float")
    assert len(cache) == 1
    assert cache.get(1) == "float"
    cache.put((1, "a"), "t")
    assert cache.get((1, "a")) == "t"
    assert cache.get(tuple([1, "a"])) == "t"


class SlowKey:
    """A hashable key with custom __hash__/__eq__ (equal by `name`)."""

    def __init__(self, name):
        self.name = name

    def __hash__(self):
        return hash(("SlowKey", self.name))

    def __eq__(self, other):
        return isinstance(other, SlowKey) and other.name == self.name


def test_custom_hashable_keys():
    cache = LRUCache(2)
    cache.put(SlowKey("a"), 1)
    cache.put(SlowKey("b"), 2)
    assert cache.get(SlowKey("a")) == 1  # different object, equal key
    cache.put(SlowKey("c"), 3)  # evicts b
    assert SlowKey("b") not in cache
    assert SlowKey("a") in cache
    cache.put(SlowKey("a"), 10)
    assert len(cache) == 2
    assert cache.get(SlowKey("a")) == 10


class CollidingKey:
    """Keys that all share one hash value but are distinct."""

    def __init__(self, n):
        self.n = n

    def __hash__(self):
        return 42

    def __eq__(self, other):
        return isinstance(other, CollidingKey) and other.n == self.n


def test_keys_with_colliding_hashes_are_distinct_entries():
    cache = LRUCache(3)
    for i in range(4):
        cache.put(CollidingKey(i), i)
    assert CollidingKey(0) not in cache
    assert [cache.get(CollidingKey(i)) for i in (1, 2, 3)] == [1, 2, 3]


def test_mixed_key_types():
    cache = LRUCache(10)
    keys = [0, "0", (0,), frozenset({0}), None, b"0", 2.5]
    for i, k in enumerate(keys):
        cache.put(k, i)
    assert len(cache) == len(keys)
    for i, k in enumerate(keys):
        assert cache.get(k) == i


def test_none_as_key():
    cache = LRUCache(2)
    cache.put(None, "n")
    assert None in cache
    assert cache.get(None) == "n"


# --------------------------------------------------------------------------
# random sequences against the model
# --------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [1, 2, 3, 5, 8, 16])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_operations_match_model(capacity, seed):
    rng = random.Random(seed * 1000 + capacity)
    cache = LRUCache(capacity)
    model = ModelLRU(capacity)
    key_space = capacity * 2 + 1
    for step in range(2000):
        op = rng.random()
        key = rng.randrange(key_space)
        if op < 0.4:
            value = (step, key)
            cache.put(key, value)
            model.put(key, value)
        elif op < 0.8:
            assert cache.get(key, "miss") == model.get(key, "miss"), step
        elif op < 0.95:
            assert (key in cache) == (key in model), step
        else:
            assert len(cache) == len(model), step
    # final state: same keys and values, and same recency order
    for key in range(key_space):
        assert (key in cache) == (key in model)
    assert len(cache) == len(model)
    order = list(model.order)
    assert evicted_sequence(cache, order, capacity) == order


def test_random_against_ordereddict_model_large_capacity():
    rng = random.Random(12345)
    capacity = 200
    cache = LRUCache(capacity)
    model: OrderedDict = OrderedDict()
    for step in range(20_000):
        key = rng.randrange(400)
        if rng.random() < 0.5:
            cache.put(key, step)
            if key in model:
                model.move_to_end(key)
            elif len(model) >= capacity:
                model.popitem(last=False)
            model[key] = step
        else:
            expected = model.get(key, "miss")
            if key in model:
                model.move_to_end(key)
            assert cache.get(key, "miss") == expected, step
    assert len(cache) == len(model)
    assert all(k in cache for k in model)


# --------------------------------------------------------------------------
# the cache in front of a slow service (stub service, no sleeping)
# --------------------------------------------------------------------------


class CountingService:
    def __init__(self):
        self.calls = 0

    def get(self, key):
        self.calls += 1
        return f"value-of-{key!r}"


def test_lookup_pattern_hits_hot_keys():
    service = CountingService()
    cache = LRUCache(4)
    missing = object()

    def lookup(key):
        value = cache.get(key, missing)
        if value is missing:
            value = service.get(key)
            cache.put(key, value)
        return value

    # 3 hot keys interleaved with a stream of cold ones: hot keys stay cached
    answers = []
    for i in range(30):
        for hot in ("h1", "h2", "h3"):
            answers.append(lookup(hot))
        answers.append(lookup(("cold", i)))
    assert service.calls == 3 + 30
    assert answers[:3] == ["value-of-'h1'", "value-of-'h2'", "value-of-'h3'"]
