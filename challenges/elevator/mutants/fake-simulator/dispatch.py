"""Dispatch policy: the textbook nearest-car rule, nothing more."""

from __future__ import annotations

from simulator import IDLE, BuildingView, CarView, HallCall


class Policy:
    """Send the most suitable car (figure of suitability); idle cars stay put."""

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """The car with the highest figure of suitability."""
        top = view.building.n_floors - 1
        best = max(view.cars, key=lambda car: (self._suitability(car, call, top), -car.index))
        return best.index

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """Stay where the car is."""
        return None

    @staticmethod
    def _suitability(car: CarView, call: HallCall, top: int) -> float:
        distance = abs(car.position - call.floor)
        if car.direction == IDLE:
            return top + 1 - distance
        if (call.floor - car.position) * car.direction > 0:
            return top + 2 - distance if car.direction == call.direction else top + 1 - distance
        return 1.0
