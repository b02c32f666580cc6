"""Basic behaviour of LRUCache: run these yourself with `mlgrader check .`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from mlgrader.testing import strict_equal

pytestmark = pytest.mark.rubric("correctness")


@pytest.fixture
def LRUCache(submission):
    """The candidate's LRUCache class."""
    return submission.module("lru_cache").LRUCache


def _load_kv_service(submission) -> ModuleType:
    """Import kv_service.py from the submission, the kit or the challenge's support/."""
    here = Path(__file__).resolve().parent
    places = [
        submission.path / "kv_service.py",
        submission.path / "support" / "kv_service.py",
        here.parent / "support" / "kv_service.py",
        here.parent.parent / "support" / "kv_service.py",
    ]
    for place in places:
        if place.is_file():
            spec = importlib.util.spec_from_file_location("_lru_kv_service", place)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    pytest.fail("kv_service.py not found next to the submission or in support/")


def test_put_then_get(LRUCache):
    """A stored value comes back from get."""
    cache = LRUCache(2)
    cache.put("a", 1)
    strict_equal(cache.get("a"), 1)


def test_get_missing_returns_default(LRUCache):
    """A missing key gives None, or the default passed to get."""
    cache = LRUCache(2)
    strict_equal(cache.get("nope"), None)
    strict_equal(cache.get("nope", "fallback"), "fallback")


def test_evicts_least_recently_used(LRUCache):
    """Inserting into a full cache drops the entry used longest ago."""
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")  # "b" is now the least recently used
    cache.put("c", 3)
    assert "b" not in cache
    strict_equal(cache.get("a"), 1)
    strict_equal(cache.get("c"), 3)


def test_len_and_contains(LRUCache):
    """len counts entries up to the capacity; `in` tells whether a key is stored."""
    cache = LRUCache(3)
    assert len(cache) == 0
    for i in range(5):
        cache.put(i, str(i))
    assert len(cache) == 3
    assert 4 in cache
    assert 0 not in cache


def test_capacity(LRUCache):
    """capacity reports the limit, and a capacity below 1 is refused."""
    strict_equal(LRUCache(7).capacity, 7)
    with pytest.raises(ValueError):
        LRUCache(0)


def test_cache_in_front_of_the_slow_service(LRUCache, submission):
    """With the cache in front, each hot key reaches the slow service once."""
    service = _load_kv_service(submission).SlowKVService(latency_s=0.001)
    cache = LRUCache(16)
    missing = object()

    def lookup(key):
        value = cache.get(key, missing)
        if value is missing:
            value = service.get(key)
            cache.put(key, value)
        return value

    answers = [lookup(i % 10) for i in range(100)]
    assert answers == [f"value-of-{i % 10!r}" for i in range(100)]
    assert service.calls == 10
