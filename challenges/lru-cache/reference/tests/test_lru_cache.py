"""Unit tests for LRUCache: eviction order, recency, sizes, validation, and a model check.

Every test is deterministic: no sleeping, no timing, and the one randomized test uses a
seeded generator, so a failure always reproduces.
"""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest
from lru_cache import LRUCache


def stored(cache: LRUCache, keys) -> list:
    """The keys among `keys` that `cache` holds, in the order given (`in` does not touch
    recency, so looking does not change what is asserted next)."""
    return [key for key in keys if key in cache]


def filled(capacity: int, keys) -> LRUCache:
    """A cache of `capacity` with each key put in turn (value: the key upper-cased)."""
    cache = LRUCache(capacity)
    for key in keys:
        cache.put(key, key.upper())
    return cache


# Basic storage


def test_get_returns_what_put_stored():
    """A stored value comes back from get, the very object that was put."""
    cache = LRUCache(2)
    value = ["mutable"]
    cache.put("a", value)
    assert cache.get("a") is value


def test_get_miss_returns_default():
    """A missing key gives None, or the default passed positionally or by keyword."""
    cache = LRUCache(2)
    assert cache.get("nope") is None
    assert cache.get("nope", "fallback") == "fallback"
    assert cache.get("nope", default=0) == 0


def test_none_is_a_value_not_a_miss():
    """A stored None is returned as None, not as the default, and counts as present."""
    cache = LRUCache(2)
    cache.put("k", None)
    assert "k" in cache
    assert cache.get("k", "default") is None


# Eviction order


def test_full_cache_evicts_oldest_entry_first():
    """Without reads, entries leave in the order they were inserted."""
    cache = filled(3, "abc")
    cache.put("d", "D")
    assert stored(cache, "abcd") == ["b", "c", "d"]
    cache.put("e", "E")
    assert stored(cache, "abcde") == ["c", "d", "e"]
    assert cache.get("e") == "E"


def test_newest_entry_survives_eviction():
    """The key just inserted is never the one evicted to make room for it."""
    cache = filled(2, "ab")
    cache.put("c", "C")
    assert "c" in cache
    assert "b" in cache
    assert "a" not in cache


def test_capacity_one_keeps_only_the_latest_key():
    """A cache of capacity 1 always holds just the most recent key."""
    cache = LRUCache(1)
    cache.put("a", 1)
    cache.put("b", 2)
    assert stored(cache, "ab") == ["b"]
    assert len(cache) == 1
    assert cache.get("b") == 2


def test_many_evictions_keep_the_most_recent_keys():
    """After many inserts the cache holds exactly the last `capacity` keys."""
    cache = LRUCache(10)
    for i in range(100):
        cache.put(i, i * i)
    assert len(cache) == 10
    assert stored(cache, range(100)) == list(range(90, 100))
    assert cache.get(95) == 95 * 95


# Recency: what counts as a use


def test_get_hit_makes_key_most_recent():
    """A hit protects the key from the next eviction; the next oldest key goes instead."""
    cache = filled(3, "abc")
    assert cache.get("a") == "A"
    cache.put("d", "D")
    assert stored(cache, "abcd") == ["a", "c", "d"]


def test_get_hit_order_decides_eviction_order():
    """Entries leave in the order they were last read, not the order they were put."""
    cache = filled(3, "abc")
    for key in "cab":  # least recently used is now "c", then "a", then "b"
        cache.get(key)
    cache.put("x", "X")
    assert stored(cache, "abcx") == ["a", "b", "x"]
    cache.put("y", "Y")
    assert stored(cache, "abcxy") == ["b", "x", "y"]


def test_overwrite_makes_key_most_recent():
    """put on an existing key counts as a use: that key is not the next one evicted."""
    cache = filled(3, "abc")
    cache.put("a", "new")
    cache.put("d", "D")
    assert stored(cache, "abcd") == ["a", "c", "d"]
    assert cache.get("a") == "new"


def test_get_miss_changes_nothing():
    """A miss neither inserts the key nor changes the eviction order."""
    cache = filled(2, "ab")
    assert cache.get("zzz", 0) == 0
    assert "zzz" not in cache
    assert len(cache) == 2
    cache.put("c", "C")
    assert stored(cache, "abc") == ["b", "c"]


def test_contains_does_not_change_recency():
    """`in` only looks: the key it asked about is still the first evicted."""
    cache = filled(2, "ab")
    assert "a" in cache
    cache.put("c", "C")
    assert stored(cache, "abc") == ["b", "c"]


# Sizes: overwrites and len


def test_overwrite_replaces_value_and_keeps_size():
    """Overwriting replaces the value without adding an entry."""
    cache = LRUCache(3)
    cache.put("a", 1)
    cache.put("a", 2)
    assert len(cache) == 1
    assert cache.get("a") == 2


def test_overwrite_in_full_cache_evicts_nothing():
    """Overwriting a key of a full cache keeps every entry: only a new key needs room."""
    cache = filled(3, "abc")
    cache.put("c", "cc")  # the newest key, so a wrong eviction would hit another one
    assert len(cache) == 3
    assert stored(cache, "abc") == ["a", "b", "c"]
    cache.put("b", "bb")
    assert len(cache) == 3
    assert [cache.get(key) for key in "abc"] == ["A", "bb", "cc"]


def test_len_counts_distinct_keys_up_to_capacity():
    """len grows with each new key, ignores overwrites and stops at the capacity."""
    cache = LRUCache(4)
    sizes = []
    for i in range(7):
        cache.put(i, i)
        cache.put(i, -i)
        sizes.append(len(cache))
    assert sizes == [1, 2, 3, 4, 4, 4, 4]


def test_contains_reports_stored_keys():
    """`in` is True for stored keys and False for absent and evicted ones."""
    cache = LRUCache(2)
    assert "a" not in cache
    cache.put("a", 1)
    assert "a" in cache
    cache.put("b", 2)
    cache.put("c", 3)
    assert "a" not in cache
    assert "c" in cache


# Capacity


def test_capacity_is_reported_and_read_only():
    """capacity gives the limit and cannot be reassigned or deleted."""
    cache = LRUCache(5)
    assert cache.capacity == 5
    with pytest.raises(AttributeError):
        cache.capacity = 10
    with pytest.raises(AttributeError):
        del cache.capacity
    assert cache.capacity == 5


@pytest.mark.parametrize("capacity", [True, False, 2.0, "3", None])
def test_capacity_must_be_an_int(capacity):
    """A capacity that is not an int (bool included) raises TypeError."""
    with pytest.raises(TypeError):
        LRUCache(capacity)


@pytest.mark.parametrize("capacity", [0, -1])
def test_capacity_must_be_positive(capacity):
    """A capacity below 1 raises ValueError."""
    with pytest.raises(ValueError):
        LRUCache(capacity)


def test_unhashable_key_raises_type_error_and_changes_nothing():
    """get and put with an unhashable key raise TypeError and leave the cache as it was."""
    cache = LRUCache(2)
    cache.put("a", 1)
    with pytest.raises(TypeError):
        cache.put(["a"], 2)
    with pytest.raises(TypeError):
        cache.get({"a": 1})
    assert len(cache) == 1
    assert cache.get("a") == 1


# Against a model


class ModelLRU:
    """An obviously correct (and slow) LRU cache on an OrderedDict, oldest entry first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.data: OrderedDict = OrderedDict()

    def get(self, key, default=None):
        """The value under `key` (now the most recent), else `default`."""
        if key not in self.data:
            return default
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key, value) -> None:
        """Store `value` as the most recent entry, dropping the oldest when over capacity."""
        self.data[key] = value
        self.data.move_to_end(key)
        if len(self.data) > self.capacity:
            self.data.popitem(last=False)


@pytest.mark.parametrize("capacity", [1, 2, 5])
def test_matches_model_on_seeded_random_operations(capacity):
    """A seeded mix of get, put, `in` and len agrees with the model at every step."""
    rng = random.Random(capacity)
    cache, model = LRUCache(capacity), ModelLRU(capacity)
    keys = range(2 * capacity + 2)
    for step in range(400):
        key = rng.choice(keys)
        if rng.random() < 0.5:
            cache.put(key, step)
            model.put(key, step)
        else:
            assert cache.get(key, "miss") == model.get(key, "miss"), f"step {step}: get({key})"
        assert len(cache) == len(model.data), f"step {step}: len"
        assert stored(cache, keys) == [k for k in keys if k in model.data], f"step {step}"
