"""Shared by the hidden tests: the grader's simulator, the hidden scenario, guarded runs.

The support modules are loaded from the grader's own files (the grader copies them
over any same-named file in the submission) by path, and registered under their
names before the candidate's module is imported, so ``import simulator`` in
``dispatch.py`` gets the grader's copy whatever the submission ships.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from mlgrader.testing import isclass

SUPPORT = ("simulator", "scenarios", "baseline", "evaluate")
PUBLIC_SCENARIOS = ("residential_morning", "residential_evening", "uniform", "office_lunch")
HIDDEN_SCENARIO = "office_morning"
ALL_SCENARIOS = (*PUBLIC_SCENARIOS, HIDDEN_SCENARIO)
#: Seeds the performance tests pool their waits over, as many as the credit needs to settle
#: (evaluate.settled_compare).
PERFORMANCE_SEEDS = tuple(range(1001, 1513))


@dataclass
class Kit:
    """The grader's support modules plus the candidate's Policy class."""

    simulator: ModuleType
    scenarios: ModuleType
    baseline: ModuleType
    evaluate: ModuleType
    policy_class: type
    _fingerprint: dict[str, int]

    def scenario(self, name: str) -> Any:
        """A public scenario by name, or the hidden one."""
        if name == HIDDEN_SCENARIO:
            return office_morning(self.scenarios)
        return self.scenarios.scenario(name)

    def simulate(self, policy: Any, scenario: Any, seed: int, building: Any = None) -> Any:
        """Run ``policy``; a PolicyError fails the test with the simulator's explanation."""
        building = building or scenario.building
        try:
            result = self.simulator.simulate(policy, scenario.passengers(seed), building)
        except self.simulator.PolicyError as exc:
            pytest.fail(f"scenario {scenario.name}, seed {seed}: {exc}")
        self.require_untouched()
        return result

    def require_untouched(self) -> None:
        """Fail if the candidate's code replaced anything in the grader's simulator."""
        changed = sorted(
            k for k, v in _fingerprint(self.simulator).items() if v != self._fingerprint.get(k)
        )
        changed += sorted(set(self._fingerprint) - set(_fingerprint(self.simulator)))
        assert sys.modules.get("simulator") is self.simulator and not changed, (
            "the grader's simulator must be used unchanged; the submission replaced or "
            f"patched: {', '.join(changed) or 'the simulator module itself'}"
        )


def _fingerprint(module: ModuleType) -> dict[str, int]:
    prints = {}
    for name, value in vars(module).items():
        prints[name] = id(value)
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attr, member in vars(value).items():
                prints[f"{name}.{attr}"] = id(member)
    return prints


def _load(submission: Any, name: str) -> ModuleType:
    path = submission.path / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, f"cannot load the grader's {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_kit(submission: Any) -> Kit:
    """Load the grader's support modules, then the candidate's ``dispatch.Policy``."""
    for name in SUPPORT:
        sys.modules.pop(name, None)
    support = {name: _load(submission, name) for name in SUPPORT}
    prints = _fingerprint(support["simulator"])
    dispatch = submission.module("dispatch")
    policy_class = getattr(dispatch, "Policy", None)
    assert isclass(policy_class), "dispatch.py must define a class named Policy"
    kit = Kit(policy_class=policy_class, _fingerprint=prints, **support)
    kit.require_untouched()
    return kit


def office_morning(scenarios: ModuleType) -> Any:
    """The hidden scenario: an office up-peak, everyone arriving at the lobby for work."""
    phase = scenarios.Phase
    return scenarios.Scenario(
        HIDDEN_SCENARIO,
        (
            phase(0, 600, 5, up=0.80, down=0.05, inter=0.15),
            phase(600, 2400, 10, up=0.85, down=0.05, inter=0.10),
            phase(2400, 3600, 5, up=0.75, down=0.10, inter=0.15),
        ),
    )


class RecordingPolicy:
    """Wraps the candidate's policy and records every answer it gives."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.assignments: list[tuple[Any, Any]] = []
        self.parkings: list[tuple[int, Any]] = []

    def assign(self, call: Any, view: Any) -> Any:
        """Forward to the candidate and record the answer."""
        answer = self._inner.assign(call, view)
        self.assignments.append((call, answer))
        return answer

    def park(self, car: Any, view: Any) -> Any:
        """Forward to the candidate and record the answer."""
        answer = self._inner.park(car, view)
        self.parkings.append((car.index, answer))
        return answer


def require_everyone_delivered(result: Any, where: str) -> None:
    """Every passenger boarded and reached their destination before the time cap."""
    missing = result.passengers - result.delivered
    assert not result.timed_out and missing == 0, (
        f"{where}: expected all {result.passengers} passengers delivered, but {missing} were "
        f"not when the run was cut off at t={result.end_time:.0f}s (a car that never comes "
        "for an assigned call, or a policy that keeps cars busy elsewhere)"
    )


Factory = Callable[[], Any]
