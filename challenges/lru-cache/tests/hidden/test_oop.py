"""Hidden OOP tests: static code-quality checks on the candidate's module.

They only earn on an implementation that works: an untouched stub earns nothing.
"""

from __future__ import annotations

import pytest

from mlgrader.testing import strict_equal


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose LRUCache passes a smoke test."""
    try:
        cache = submission.module("lru_cache").LRUCache(2)
        cache.put("a", 1)
        cache.put("b", 2)
        strict_equal(cache.get("a"), 1)
        strict_equal(cache.get("b"), 2)
        cache.put("c", 3)
        assert len(cache) == 2, f"len is {len(cache)} after 3 puts into a cache of capacity 2"
        strict_equal(cache.get("c"), 3)
    except Exception as exc:
        pytest.fail(f"OOP points need a working LRUCache: {type(exc).__name__}: {exc}")
    return submission.quality()


@pytest.mark.rubric("oop", weight=3)
def test_functions_have_low_cyclomatic_complexity(quality):
    """No function or method has a cyclomatic complexity above 10."""
    quality.require_max_complexity(limit=10)


@pytest.mark.rubric("oop")
def test_functions_are_short(quality):
    """No function or method is longer than 30 lines."""
    quality.require_max_function_length(limit=30)


@pytest.mark.rubric("oop")
def test_nesting_is_shallow(quality):
    """No block is nested more than 4 levels deep."""
    quality.require_max_nesting(limit=4)


@pytest.mark.rubric("oop", weight=3)
def test_no_module_level_mutable_state(quality):
    """State lives on instances, not in module-level mutable objects."""
    quality.require_no_module_mutable_state()


@pytest.mark.rubric("oop")
def test_no_global_statements(quality):
    """No function rebinds module globals."""
    quality.require_no_global_statements()


@pytest.mark.rubric("oop", weight=3)
def test_instance_state_is_private(quality):
    """LRUCache keeps its state in underscore-prefixed attributes."""
    quality.require_private_state(class_name="LRUCache")


@pytest.mark.rubric("oop", weight=2)
def test_public_api_is_documented(quality):
    """Public classes, functions and methods have docstrings."""
    quality.require_docstrings()


@pytest.mark.rubric("oop")
def test_no_bare_except(quality):
    """No `except:` that swallows every exception."""
    quality.require_no_bare_except()


@pytest.mark.rubric("oop")
def test_cache_class_is_cohesive(quality):
    """LRUCache's methods work on shared state (LCOM4 of 1): one class, one job."""
    quality.require_cohesion(limit=1, class_name="LRUCache")


@pytest.mark.rubric("oop")
def test_clean_python(quality):
    """PEP 8 names, no mutable default arguments, no print calls, no star imports."""
    quality.require_pep8_names()
    quality.require_no_mutable_defaults()
    quality.require_no_print()
    quality.require_no_star_imports()
