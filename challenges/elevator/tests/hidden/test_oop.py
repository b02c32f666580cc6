"""Hidden OOP tests: static code-quality checks of dispatch.py, earned only by a working policy."""

from __future__ import annotations

import pytest
from elevator_harness import load_kit, require_everyone_delivered


@pytest.fixture
def quality(submission):
    """The quality report of a submission whose Policy serves a short scenario."""
    kit = load_kit(submission)
    phase = kit.scenarios.Phase(0, 600, 6, up=0.4, down=0.4, inter=0.2)
    scenario = kit.scenarios.Scenario("smoke", (phase,))
    try:
        result = kit.simulator.simulate(
            kit.policy_class(), scenario.passengers(1), scenario.building
        )
    except Exception as exc:
        pytest.fail(f"OOP points need a working Policy: {type(exc).__name__}: {exc}")
    require_everyone_delivered(result, "OOP points need a working Policy; a short scenario")
    return submission.quality()


@pytest.mark.rubric("oop", weight=3)
def test_functions_are_simple(quality):
    """Cyclomatic complexity of at most 10 and nesting of at most 4 levels per function."""
    quality.require_max_complexity(limit=10)
    quality.require_max_nesting(limit=4)


@pytest.mark.rubric("oop", weight=2)
def test_functions_are_short(quality):
    """No function or method is longer than 40 lines."""
    quality.require_max_function_length(limit=40)


@pytest.mark.rubric("oop", weight=3)
def test_no_module_level_mutable_state(quality):
    """State lives on Policy instances, not in module-level mutable objects or globals."""
    quality.require_no_module_mutable_state()
    quality.require_no_global_statements()


@pytest.mark.rubric("oop", weight=2)
def test_policy_state_is_private(quality):
    """Policy keeps its state in underscore-prefixed attributes."""
    quality.require_private_state(class_name="Policy")


@pytest.mark.rubric("oop", weight=2)
def test_public_api_is_documented_and_typed(quality):
    """Public classes and functions have docstrings; public functions are fully type-hinted."""
    quality.require_docstrings()
    quality.require_type_hints(1.0)


@pytest.mark.rubric("oop")
def test_clean_python(quality):
    """PEP 8 names, no bare except, no mutable defaults, no print, no star imports."""
    quality.require_pep8_names()
    quality.require_no_bare_except()
    quality.require_no_mutable_defaults()
    quality.require_no_print()
    quality.require_no_star_imports()
