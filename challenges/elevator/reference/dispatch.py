"""Reference dispatch policy: estimated time to serve, plus traffic-aware parking.

* ``assign`` sends the car with the lowest cost: the estimated time for it to
  reach the caller along its committed route (its direction, the stops it
  promised, the doors it will open on the way), plus a penalty for a car that
  is (nearly) full.
* ``park`` watches the hall calls of the last few minutes: in an up-peak (most
  calls from the lobby going up) idle cars wait at the lobby; otherwise they
  spread over the floors the calls come from, one car per zone.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from simulator import IDLE, UP, Building, BuildingView, CarView, HallCall

#: How far back the traffic monitor looks, in simulated seconds.
WINDOW_S = 300.0
#: Share of recent calls from the lobby going up that makes an up-peak.
UP_PEAK_SHARE = 0.5
#: Extra seconds charged for a car that is full or one passenger short of full.
CROWDING_PENALTY_S = 60.0


@dataclass(frozen=True)
class _Route:
    """Where a car is on its way: position, direction and the floors it must visit."""

    position: float
    direction: int
    stops: tuple[int, ...]

    @classmethod
    def of(cls, car: CarView) -> _Route:
        """The route of ``car`` as it stands."""
        return cls(car.position, car.direction, car.stops)

    def distance_to(self, call: HallCall) -> tuple[float, int]:
        """Floors travelled and stops made before the car can answer ``call``."""
        if self.direction == IDLE:
            return abs(self.position - call.floor), 0
        here, way = self.position, self.direction
        if way == call.direction and (call.floor - here) * way >= 0:
            return abs(call.floor - here), self._stops_between(here, call.floor)
        turn = self._extreme(way, here)
        if way != call.direction:  # answered on the way back, after the far stop
            travelled = abs(turn - here) + abs(turn - call.floor)
            return travelled, self._stops_between(here, turn) + self._stops_between(
                turn, call.floor
            )
        back = self._extreme(-way, turn)  # same direction, but behind: a full loop
        travelled = abs(turn - here) + abs(turn - back) + abs(back - call.floor)
        return travelled, len(self.stops)

    def _extreme(self, way: int, start: float) -> float:
        ahead = [s for s in self.stops if (s - start) * way > 0]
        return float(max(ahead, key=lambda s: s * way)) if ahead else start

    def _stops_between(self, start: float, end: float) -> int:
        low, high = min(start, end), max(start, end)
        return sum(low < s < high for s in self.stops)


class _TrafficMonitor:
    """Remembers recent hall calls and classifies the traffic."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self._window_s = window_s
        self._calls: deque[HallCall] = deque()

    def record(self, call: HallCall) -> None:
        """Remember ``call``."""
        self._calls.append(call)

    def recent(self, now: float) -> list[HallCall]:
        """The calls of the last window."""
        while self._calls and self._calls[0].time < now - self._window_s:
            self._calls.popleft()
        return list(self._calls)

    def is_up_peak(self, now: float, building: Building) -> bool:
        """True when most recent calls are lobby up-calls."""
        calls = self.recent(now)
        lobby_up = sum(c.floor == building.lobby and c.direction == UP for c in calls)
        return len(calls) >= 3 and lobby_up >= UP_PEAK_SHARE * len(calls)


class _Parker:
    """Chooses where idle cars wait."""

    def __init__(self, monitor: _TrafficMonitor) -> None:
        self._monitor = monitor

    def floor_for(self, car: CarView, view: BuildingView) -> int | None:
        """The floor ``car`` should wait at, or None to stay."""
        building = view.building
        if self._monitor.is_up_peak(view.time, building):
            return building.lobby
        homes = self._zone_centres(view)
        taken = [self._home_of(other) for other in view.cars if other.index != car.index]
        free = [h for h in homes if h not in taken] or homes
        return min(free, key=lambda h: (abs(h - car.floor), h))

    def _zone_centres(self, view: BuildingView) -> list[int]:
        """One floor per car, spread over where recent calls came from."""
        floors = sorted(c.floor for c in self._monitor.recent(view.time))
        n = view.building.n_cars
        if len(floors) < n:
            floors = list(range(view.building.n_floors))
        return sorted({floors[(2 * i + 1) * len(floors) // (2 * n)] for i in range(n)})

    @staticmethod
    def _home_of(car: CarView) -> int | None:
        if car.parking is not None:
            return car.parking
        return car.floor if car.idle else None


class Policy:
    """Estimated-time-to-serve dispatching with traffic-aware parking of idle cars."""

    def __init__(self) -> None:
        self._monitor = _TrafficMonitor()
        self._parker = _Parker(self._monitor)

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """The index of the car with the lowest estimated cost to answer ``call``."""
        self._monitor.record(call)
        best = min(view.cars, key=lambda car: (self._cost(car, call, view.building), car.index))
        return best.index

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """Where idle ``car`` should wait: the lobby in an up-peak, else its own zone."""
        return self._parker.floor_for(car, view)

    @staticmethod
    def _cost(car: CarView, call: HallCall, building: Building) -> float:
        """Estimated seconds until ``car`` answers ``call``, plus a penalty if it is crowded."""
        floors, stops = _Route.of(car).distance_to(call)
        eta = floors * building.floor_time + stops * building.door_time
        if car.doors_open:
            eta += building.door_time
        crowded = car.load >= car.capacity - 1
        return eta + (CROWDING_PENALTY_S if crowded else 0.0)
