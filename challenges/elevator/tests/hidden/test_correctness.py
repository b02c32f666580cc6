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


def _in_every(names, check):
    """``check(name)`` for each name; fail naming every one that failed (a policy that strands
    passengers, or crashes, in one setting the statement names loses the whole test)."""
    failed = []
    for name in names:
        try:
            check(name)
        except (Exception, pytest.fail.Exception) as exc:  # reported with the others'
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    assert not failed, "\n".join(failed)


@pytest.mark.rubric("correctness", weight=10)
def test_every_passenger_is_delivered(kit):
    """On every scenario (the public ones and a hidden one), a fresh Policy serves every
    call: everyone boards and arrives."""

    def check(name):
        scenario = kit.scenario(name)
        result = kit.simulate(kit.policy_class(), scenario, seed=2001)
        require_everyone_delivered(result, f"scenario {name}, seed 2001")
        assert result.calls > 0, f"scenario {name}: expected hall calls, saw {result.calls}"

    _in_every(ALL_SCENARIOS, check)


@pytest.mark.rubric("correctness", weight=3)
def test_only_real_cars_and_floors(kit):
    """assign always answers an int index of an existing car; park None or an existing floor."""
    _in_every(["uniform", "office_lunch"], lambda name: _only_real_answers(kit, name))


def _only_real_answers(kit, name):
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


#: (floors, cars, capacity) of the buildings besides the standard one.
OTHER_BUILDINGS = [(8, 2, 6), (30, 6, 10), (5, 1, 4)]


@pytest.mark.rubric("correctness", weight=10)
def test_other_building_sizes(kit):
    """The policy reads the building from the view: a small one (8 floors, 2 cars of
    capacity 6), a tall one (30 floors, 6 cars) and a one-car one work too."""
    _in_every(OTHER_BUILDINGS, lambda shape: _other_building(kit, *shape))


def _other_building(kit, n_floors, n_cars, capacity):
    building = kit.simulator.Building(n_floors=n_floors, n_cars=n_cars, capacity=capacity)
    phase = kit.scenarios.Phase(0, 1800, 4, up=0.4, down=0.4, inter=0.2)
    scenario = kit.scenarios.Scenario("other_building", (phase,), building)
    recorder = RecordingPolicy(kit.policy_class())
    result = kit.simulate(recorder, scenario, seed=2003)
    where = f"a {n_floors}-floor, {n_cars}-car building"
    require_everyone_delivered(result, where)
    used = {answer for _, answer in recorder.assignments}
    assert used <= set(range(n_cars)), f"{where}: expected cars 0..{n_cars - 1}, saw {sorted(used)}"
    parked = {floor for _, floor in recorder.parkings if floor is not None}
    assert parked <= set(range(n_floors)), f"{where}: park() answered floors {sorted(parked)}"


@pytest.mark.rubric("correctness", weight=2)
def test_heavy_traffic_is_served(kit):
    """Under traffic near the bank's capacity, every passenger is still delivered."""
    phase = kit.scenarios.Phase(0, 1800, 14, up=0.3, down=0.3, inter=0.4)
    scenario = kit.scenarios.Scenario("rush", (phase,))
    result = kit.simulate(kit.policy_class(), scenario, seed=2004)
    require_everyone_delivered(result, "heavy mixed traffic (14 passengers a minute)")


@pytest.mark.rubric("correctness", weight=2)
def test_fresh_policies_give_the_same_run(kit):
    """Two fresh Policy objects on the same run decide alike, on three scenarios: no state
    shared between them, no unseeded randomness."""
    kit.simulate(kit.policy_class(), kit.scenario("residential_morning"), seed=2005)
    for name in ("office_lunch", "uniform", "residential_evening"):
        scenario = kit.scenario(name)
        first = kit.simulate(kit.policy_class(), scenario, seed=2006)
        second = kit.simulate(kit.policy_class(), scenario, seed=2006)
        assert first.waits == second.waits, (
            f"{name}: expected a fresh Policy() to give the same waits on the same run, but two "
            f"runs differ (mean wait {first.mean_wait:.2f}s vs {second.mean_wait:.2f}s): state "
            "shared between instances or unseeded randomness"
        )


@pytest.mark.rubric("correctness", weight=2)
def test_answers_are_checked_against_the_graders_simulator(kit):
    """The submission's module uses the grader's simulator, unpatched, after a full run."""
    kit.simulate(kit.policy_class(), kit.scenario("uniform"), seed=2007)
    kit.require_untouched()
