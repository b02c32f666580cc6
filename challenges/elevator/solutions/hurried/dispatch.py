"""Dispatch policy for the elevator bank: estimated-time-of-arrival assignment plus
traffic-aware parking of idle cars."""

from __future__ import annotations

import random
from collections import deque

from simulator import IDLE, UP, BuildingView, CarView, HallCall

#: Floors in the building (floor 0 is the lobby).
N_FLOORS = 20
#: How many recent hall calls the policy remembers to guess the traffic pattern.
HISTORY = 40
#: Share of recent calls from the lobby going up above which the lobby is the place to wait.
LOBBY_SHARE = 0.4


class Policy:
    """Assign each call to the car with the earliest estimated arrival; park by traffic."""

    def __init__(self) -> None:
        """Start with no memory of past calls."""
        self.recent: deque[HallCall] = deque(maxlen=HISTORY)

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """The index of the car expected to reach `call` first (with a load penalty)."""
        self.recent.append(call)
        costs = [self._cost(car, call, view) for car in view.cars]
        best = min(costs)
        tied = [i for i, c in enumerate(costs) if c - best < 1e-9]
        return random.choice(tied)

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """Wait at the lobby in an up-peak, otherwise spread the idle cars over the floors."""
        lobby = view.building.lobby
        if self._lobby_share(lobby) >= LOBBY_SHARE:
            others_at_lobby = any(
                c.index != car.index and c.idle and (c.parking == lobby or c.floor == lobby)
                for c in view.cars
            )
            if not others_at_lobby or self._lobby_share(lobby) >= 0.7:
                return lobby
        n_cars = view.building.n_cars
        zone = N_FLOORS // n_cars
        return car.index * zone + zone // 2

    def _lobby_share(self, lobby: int) -> float:
        """Share of the remembered calls that are up calls from the lobby."""
        if not self.recent:
            return 0.0
        hits = sum(1 for c in self.recent if c.floor == lobby and c.direction == UP)
        return hits / len(self.recent)

    def _cost(self, car: CarView, call: HallCall, view: BuildingView) -> float:
        """Estimated seconds before `car` reaches `call`, plus a penalty for a full car."""
        b = view.building
        floors = _route_floors(car, call)
        cost = floors * b.floor_time
        if car.doors_open:
            cost += b.door_time
        if car.load >= car.capacity - 1:
            cost += 2 * b.door_time + floors * b.floor_time
        return cost


def _route_floors(car: CarView, call: HallCall) -> float:
    """Floors the car travels, following collective control, before it reaches the call."""
    pos = car.position
    d = car.direction
    if d == IDLE:
        return abs(call.floor - pos)
    stops = car.stops
    ahead = (call.floor - pos) * d >= 0
    if ahead and call.direction == d:
        return abs(call.floor - pos)
    far = _farthest(stops, pos, d)
    if call.direction != d:
        turn = far if (far - call.floor) * d > 0 else call.floor
        return abs(turn - pos) + abs(turn - call.floor)
    back = _farthest(stops, far, -d) if stops else far
    back = min(back, call.floor) if d == UP else max(back, call.floor)
    return abs(far - pos) + abs(far - back) + abs(call.floor - back)


def _farthest(stops: tuple[int, ...], pos: float, d: int) -> float:
    """The farthest stop from `pos` in direction `d`, or `pos` if there is none."""
    ahead = [s for s in stops if (s - pos) * d > 0]
    if not ahead:
        return pos
    return max(ahead) if d == UP else min(ahead)

