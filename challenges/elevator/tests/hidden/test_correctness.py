"""Hidden correctness tests: every passenger served, only real cars, valid parking, no errors."""

from __future__ import annotations

import pytest
from elevator_harness import (
    ALL_SCENARIOS,
    RecordingPolicy,
    load_kit,
    require_everyone_delivered,
)

pytestmark = pytest.mark.rubric("correctness")


@pytest.fixture
def kit(submission):
    """The grader's simulator and the candidate's Policy class."""
    return load_kit(submission)


@pytest.mark.rubric("correctness", weight=3)
@pytest.mark.parametrize("name", ALL_SCENARIOS)
def test_every_passenger_is_delivered(kit, name):
    """A fresh Policy serves every call of the scenario: everyone boards and arrives."""
    scenario = kit.scenario(name)
    result = kit.simulate(kit.policy_class(), scenario, seed=2001)
    require_everyone_delivered(result, f"scenario {name}, seed 2001")
    assert result.calls > 0, f"scenario {name}: expected hall calls, saw {result.calls}"


@pytest.mark.rubric("correctness", weight=3)
@pytest.mark.parametrize("name", ["uniform", "office_lunch"])
def test_only_real_cars_and_floors(kit, name):
    """assign always answers an int index of an existing car; park None or an existing floor."""
    recorder = RecordingPolicy(kit.policy_class())
    scenario = kit.scenario(name)
    kit.simulate(recorder, scenario, seed=2002)
    n_cars, n_floors = scenario.building.n_cars, scenario.building.n_floors
    bad = [
        (call, answer)
        for call, answer in recorder.assignments
        if type(answer) is not int or not 0 <= answer < n_cars
    ]
    assert not bad, f"expected car indices 0..{n_cars - 1}; got {bad[:3]}"
    bad_parks = [
        (car, floor)
        for car, floor in recorder.parkings
        if floor is not None and (type(floor) is not int or not 0 <= floor < n_floors)
    ]
    assert not bad_parks, f"expected None or floors 0..{n_floors - 1}; got {bad_parks[:3]}"
    assert len(recorder.parkings) >= n_cars, (
        f"expected park() to be asked at least once per car, saw {len(recorder.parkings)} calls"
    )


@pytest.mark.rubric("correctness", weight=3)
def test_other_building_sizes(kit):
    """The policy reads the building from the view: 8 floors, 2 cars of capacity 6 works too."""
    building = kit.simulator.Building(n_floors=8, n_cars=2, capacity=6)
    phase = kit.scenarios.Phase(0, 1800, 4, up=0.4, down=0.4, inter=0.2)
    scenario = kit.scenarios.Scenario("small_building", (phase,), building)
    recorder = RecordingPolicy(kit.policy_class())
    result = kit.simulate(recorder, scenario, seed=2003)
    require_everyone_delivered(result, "an 8-floor, 2-car building")
    used = {answer for _, answer in recorder.assignments}
    assert used <= {0, 1}, f"expected only cars 0 and 1 in a 2-car building, saw {sorted(used)}"


@pytest.mark.rubric("correctness", weight=2)
def test_heavy_traffic_is_served(kit):
    """Under traffic near the bank's capacity, every passenger is still delivered."""
    phase = kit.scenarios.Phase(0, 1800, 14, up=0.3, down=0.3, inter=0.4)
    scenario = kit.scenarios.Scenario("rush", (phase,))
    result = kit.simulate(kit.policy_class(), scenario, seed=2004)
    require_everyone_delivered(result, "heavy mixed traffic (14 passengers a minute)")


@pytest.mark.rubric("correctness", weight=2)
def test_fresh_policies_give_the_same_run(kit):
    """Two fresh Policy objects on the same run decide alike: no state shared between them."""
    scenario = kit.scenario("office_lunch")
    kit.simulate(kit.policy_class(), kit.scenario("residential_morning"), seed=2005)
    first = kit.simulate(kit.policy_class(), scenario, seed=2006)
    second = kit.simulate(kit.policy_class(), scenario, seed=2006)
    assert first.waits == second.waits, (
        "expected a fresh Policy() to give the same waits on the same run, but two runs "
        f"differ (mean wait {first.mean_wait:.2f}s vs {second.mean_wait:.2f}s): state shared "
        "between instances or unseeded randomness"
    )


@pytest.mark.rubric("correctness", weight=2)
def test_answers_are_checked_against_the_graders_simulator(kit):
    """The submission's module uses the grader's simulator, unpatched, after a full run."""
    kit.simulate(kit.policy_class(), kit.scenario("uniform"), seed=2007)
    kit.require_untouched()
