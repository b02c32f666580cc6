"""The nearest-car baseline: the policy your dispatch policy is measured against.

This is the classic "nearest car" group-control algorithm (Barney, *Elevator
Traffic Handbook*): every car gets a *figure of suitability* for the call, and
the most suitable car answers it. With N = n_floors - 1 and d the distance in
floors between the car and the calling floor:

* the car is coming towards the call, travelling in the call's direction: N + 2 - d
* the car is coming towards the call, travelling the other way: N + 1 - d
* the car is idle: N + 1 - d
* the car is going away from the call: 1

Ties go to the lowest car index. An idle car stays where its last stop left it.
The baseline ignores how many stops a car has promised and how full it is.
"""

from __future__ import annotations

from simulator import IDLE, BuildingView, CarView, HallCall


class NearestCarPolicy:
    """The nearest-car (figure of suitability) policy; idle cars stay where they stop."""

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """The index of the most suitable car for ``call``."""
        top = view.building.n_floors - 1
        best = max(view.cars, key=lambda car: (suitability(car, call, top), -car.index))
        return best.index

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """Stay where the car is."""
        return None


def suitability(car: CarView, call: HallCall, top: int) -> float:
    """The figure of suitability of ``car`` for ``call`` (higher is better)."""
    distance = abs(car.position - call.floor)
    if car.direction == IDLE:
        return top + 1 - distance
    if (call.floor - car.position) * car.direction > 0:  # coming towards the call
        return top + 2 - distance if car.direction == call.direction else top + 1 - distance
    return 1.0
