"""A sample of the checks: run them yourself with `mlgrader check .` in your kit folder."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rubric("correctness")


@pytest.fixture
def sim(submission):
    """The simulator, its scenarios, the baseline and evaluate.py, loaded before dispatch.py."""
    return {
        name: submission.module(name) for name in ("simulator", "scenarios", "baseline", "evaluate")
    }


@pytest.fixture
def Policy(sim, submission):
    """The candidate's Policy class."""
    return submission.module("dispatch").Policy


def test_assign_returns_a_car_index(sim, Policy):
    """assign answers with the int index of a car."""
    simulator = sim["simulator"]
    building = simulator.Building()
    simulation = simulator.Simulation(Policy(), [], building)
    call = simulator.HallCall(floor=7, direction=simulator.DOWN, time=0.0)
    answer = Policy().assign(call, simulation.view())
    assert type(answer) is int and 0 <= answer < building.n_cars, (
        f"expected a car index in 0..{building.n_cars - 1}, got {answer!r}"
    )


def test_park_returns_a_floor_or_none(sim, Policy):
    """park answers None or an int floor of the building."""
    simulator = sim["simulator"]
    view = simulator.Simulation(Policy(), []).view()
    answer = Policy().park(view.cars[0], view)
    assert answer is None or (type(answer) is int and 0 <= answer < view.building.n_floors), (
        f"expected None or a floor in 0..{view.building.n_floors - 1}, got {answer!r}"
    )


@pytest.mark.parametrize("name", ["residential_morning", "uniform"])
def test_everyone_is_delivered(sim, Policy, name):
    """On a public scenario every passenger boards and reaches their floor."""
    scenario = sim["scenarios"].scenario(name)
    result = sim["simulator"].simulate(Policy(), scenario.passengers(0), scenario.building)
    assert not result.timed_out and result.delivered == result.passengers, (
        f"expected all {result.passengers} passengers delivered, got {result.delivered}"
    )


@pytest.mark.rubric("performance")
def test_beats_the_baseline_in_the_evening(sim, Policy, partial):
    """Residential evening, seeds 0-2: credit for mean and p95 wait against the baseline."""
    comparison = sim["evaluate"].compare(
        Policy, sim["scenarios"].scenario("residential_evening"), range(3)
    )
    partial(
        round(comparison.credit, 4),
        f"mean wait {comparison.mean_wait:.1f}s vs baseline {comparison.baseline_mean_wait:.1f}s, "
        f"p95 {comparison.p95_wait:.1f}s vs {comparison.baseline_p95_wait:.1f}s",
    )
