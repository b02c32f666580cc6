"""Hidden OOP tests: static code-quality checks on the candidate's module.

They only earn on structures that work: an untouched stub earns nothing.
"""

from __future__ import annotations

import pytest

CLASSES = ("RunningMedian", "Autocomplete", "OrderedMap")


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose structures pass a smoke test."""
    structures = submission.module("structures")
    try:
        running = structures.RunningMedian()
        for value in (2, 9, 4):
            running.add(value)
        assert running.median() == 4, "RunningMedian"
        auto = structures.Autocomplete()
        auto.add("ab")
        auto.add("b")
        assert auto.complete("a") == ["ab"], "Autocomplete"
        ordered = structures.OrderedMap()
        ordered[2] = "b"
        ordered[1] = "a"
        assert ordered.range(0, 5) == [(1, "a"), (2, "b")], "OrderedMap"
    except Exception as exc:
        pytest.fail(f"OOP points need working structures: {type(exc).__name__}: {exc}")
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


@pytest.mark.rubric("oop", weight=2)
def test_no_module_level_mutable_state(quality):
    """State lives on instances, not in module-level mutable objects."""
    quality.require_no_module_mutable_state()


@pytest.mark.rubric("oop")
def test_no_global_statements(quality):
    """No function rebinds module globals."""
    quality.require_no_global_statements()


@pytest.mark.rubric("oop", weight=3)
@pytest.mark.parametrize("name", CLASSES)
def test_instance_state_is_private(quality, name):
    """Each structure keeps its state in underscore-prefixed attributes."""
    quality.require_private_state(class_name=name)


@pytest.mark.rubric("oop", weight=2)
def test_public_api_is_documented(quality):
    """Public classes, functions and methods have docstrings."""
    quality.require_docstrings()


@pytest.mark.rubric("oop")
def test_no_bare_except(quality):
    """No `except:` that swallows every exception."""
    quality.require_no_bare_except()


@pytest.mark.rubric("oop")
def test_no_mutable_default_arguments(quality):
    """No list, dict or set as a default argument value."""
    quality.require_no_mutable_defaults()


@pytest.mark.rubric("oop")
def test_clean_python(quality):
    """PEP 8 names, no print calls, no star imports."""
    quality.require_pep8_names()
    quality.require_no_print()
    quality.require_no_star_imports()
