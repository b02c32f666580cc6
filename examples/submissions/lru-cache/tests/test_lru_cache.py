"""My tests for LRUCache: eviction order, recency, overwrites and validation."""

import pytest

from lru_cache import LRUCache


def filled(capacity, keys):
    cache = LRUCache(capacity)
    for key in keys:
        cache.put(key, key * 10)
    return cache


def test_evicts_the_least_recently_used_key():
    cache = filled(2, [1, 2, 3])
    assert 1 not in cache
    assert cache.get(2) == 20 and cache.get(3) == 30


def test_get_makes_a_key_most_recent():
    cache = filled(2, [1, 2])
    assert cache.get(1) == 10
    cache.put(3, 30)
    assert 2 not in cache and 1 in cache


def test_overwrite_makes_a_key_most_recent_and_keeps_the_size():
    cache = filled(2, [1, 2])
    cache.put(1, 11)
    cache.put(3, 30)
    assert cache.get(1) == 11 and 2 not in cache
    assert len(cache) == 2


def test_overwrite_in_a_full_cache_evicts_nothing():
    cache = filled(3, [1, 2, 3])
    cache.put(2, 22)
    assert len(cache) == 3
    assert [k in cache for k in (1, 2, 3)] == [True, True, True]


def test_missing_key_gives_the_default():
    cache = LRUCache(1)
    assert cache.get("nope") is None
    assert cache.get("nope", -1) == -1


@pytest.mark.parametrize("capacity", [0, -1])
def test_capacity_must_be_positive(capacity):
    with pytest.raises(ValueError):
        LRUCache(capacity)
