"""A dispatch policy for a bank of elevators: estimated-time-of-arrival assignment.

Each new hall call goes to the car that adds the least total waiting when it takes the
call on. For every car the policy replays collective control on a copy of the car's
state (its passengers' destinations, its assigned hall calls, an estimate of its load)
and estimates when it would reach every caller, with and without the new call. The cost
of a car is the new caller's estimated wait plus the extra wait it would cause the
callers that car has already promised to serve; waits are squared so that long waits
weigh more (this keeps the 95th-percentile wait down).

Idle cars park where the next calls are likely to come from: the policy keeps an
exponentially decaying count of the hall calls of each floor, sends cars to the lobby
in proportion to its share of the calls (an up-peak fills the lobby with cars) and
spreads the others so that every busy floor has an idle car close by.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from simulator import DOWN, IDLE, UP, Building, BuildingView, CarView, HallCall

#: Seconds for the weight of a past hall call in the demand estimate to halve.
DEMAND_HALF_LIFE_S = 300.0
#: Pseudo-count of calls spread evenly over the floors before anything is observed.
DEMAND_PRIOR = 0.5
#: Weight of the delay caused to passengers already riding, relative to a waiting one.
RIDER_DELAY_WEIGHT = 0.25
#: A typical wait (s): converts a rider's delay into the squared-wait scale of the cost.
TYPICAL_WAIT_S = 20.0
#: Estimated wait (s) that counts as "never reached" when a car cannot reach a call.
UNREACHABLE_S = 600.0


@dataclass
class _Route:
    """A car's state replayed under collective control, to estimate when it serves calls.

    ``car_calls`` maps a destination floor to the number of riders going there; hall calls
    are ``(floor, direction)`` keys. ``served`` collects when each hall call is answered.
    """

    building: Building
    floor: int
    direction: int
    time: float
    load: float
    car_calls: Counter[int]
    hall_calls: set[tuple[int, int]]
    served: dict[tuple[int, int], float] = field(default_factory=dict)
    delivered: float = 0.0  # summed arrival times of riders, weighted by head count

    @classmethod
    def of(cls, car: CarView, building: Building) -> _Route:
        """The route of ``car`` as it stands, starting at the next floor it can decide at."""
        floor, time = car.floor, 0.0
        if car.moving:
            floor += car.direction
            time = (1.0 - abs(car.position - car.floor)) * building.floor_time
        elif car.doors_open:
            time = building.door_time / 2
        share = car.load / len(car.car_calls) if car.car_calls else 0.0
        car_calls = Counter({f: share for f in car.car_calls})
        halls = {(c.floor, c.direction) for c in car.hall_calls}
        return cls(building, floor, car.direction, time, float(car.load), car_calls, halls)

    @property
    def full(self) -> bool:
        """True when the estimated load fills the car."""
        return self.load >= self.building.capacity - 0.5

    def run(self, max_moves: int) -> _Route:
        """Replay the route until the car runs out of work (or ``max_moves`` floors)."""
        if self.car_calls.get(self.floor) or self._serve_direction() != IDLE:
            self._stop()
        for _ in range(max_moves):
            if not self._targets():
                break
            self._head_for_targets()
            self.floor += self.direction
            self.time += self.building.floor_time
            if self._should_stop():
                self._stop()
        return self

    def _targets(self) -> set[int]:
        return set(self.car_calls) | {f for f, _ in self.hall_calls}

    def _ahead(self, direction: int) -> bool:
        return any((t - self.floor) * direction > 0 for t in self._targets() - {self.floor})

    def _head_for_targets(self) -> None:
        if self.direction == IDLE or not self._ahead(self.direction):
            others = self._targets() - {self.floor}
            nearest = min(others, key=lambda t: (abs(t - self.floor), t), default=self.floor)
            self.direction = UP if nearest > self.floor else DOWN

    def _should_stop(self) -> bool:
        if self.floor in self.car_calls:
            return True
        if self.full:
            return False
        if (self.floor, self.direction) in self.hall_calls:
            return True
        return (self.floor, -self.direction) in self.hall_calls and not self._ahead(self.direction)

    def _serve_direction(self) -> int:
        here, d = self.floor, self.direction
        if d != IDLE and (here, d) in self.hall_calls:
            return d
        if d != IDLE and (here, -d) in self.hall_calls:
            return -d if not self._ahead(d) else IDLE
        for direction in (UP, DOWN):
            if (here, direction) in self.hall_calls:
                return direction
        return IDLE

    def _stop(self) -> None:
        leaving = self.car_calls.pop(self.floor, 0.0)
        self.load = max(0.0, self.load - leaving)
        self.delivered += leaving * self.time
        boarding = 0.0
        direction = self._serve_direction() if not self.full else IDLE
        if direction != IDLE:
            boarding = self._board(direction)
        b = self.building
        self.time += b.door_time + b.transfer_time * (leaving + boarding)

    def _board(self, direction: int) -> float:
        self.hall_calls.discard((self.floor, direction))
        self.served[(self.floor, direction)] = self.time
        self.direction = direction
        top = self.building.n_floors - 1
        destination = (self.floor + top + 1) // 2 if direction == UP else self.floor // 2
        if destination != self.floor:
            self.car_calls[destination] += 1.0
            self.load += 1.0
        return 1.0


@dataclass
class _Demand:
    """Exponentially decaying counts of the hall calls registered at each floor."""

    n_floors: int
    weights: list[float] = field(default_factory=list)
    updated: float = 0.0

    def __post_init__(self) -> None:
        self.weights = [DEMAND_PRIOR / self.n_floors] * self.n_floors

    def record(self, floor: int, time: float) -> None:
        """Count a hall call at ``floor`` registered at ``time``."""
        self._decay_to(time)
        self.weights[floor] += 1.0

    def at(self, time: float) -> list[float]:
        """The weight of every floor at ``time``."""
        self._decay_to(time)
        return list(self.weights)

    def _decay_to(self, time: float) -> None:
        if time > self.updated:
            factor = 0.5 ** ((time - self.updated) / DEMAND_HALF_LIFE_S)
            self.weights = [w * factor for w in self.weights]
            self.updated = time


class Policy:
    """Assign each hall call to the car that adds the least squared waiting; park by demand.

    The grader creates a fresh `Policy()` (no arguments) for every simulation run; the
    policy is deterministic, so the same run always gives the same decisions.
    """

    def __init__(self) -> None:
        """Start with no demand history (it is created with the first view)."""
        self._demand: _Demand | None = None

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """Choose the car that answers `call`: the one with the lowest added waiting cost.

        Returns the index (an `int` in `0 .. view.building.n_cars - 1`) of the car.
        """
        self._demand_for(view).record(call.floor, view.time)
        costs = [(self._cost(car, call, view), car.index) for car in view.cars]
        return int(min(costs)[1])

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """Choose where idle `car` waits: the floor that best covers the expected calls.

        Returns a floor (an `int` in `0 .. view.building.n_floors - 1`), or `None` to stay.
        """
        building = view.building
        weights = self._demand_for(view).at(view.time)
        others = [self._resting_floor(c) for c in view.cars if c.index != car.index and c.idle]
        lobby_cars = self._lobby_quota(weights, building.lobby, building.n_cars)
        if others.count(building.lobby) < lobby_cars:
            return building.lobby
        floor = self._best_cover(weights, [f for f in others if f is not None])
        return None if floor == car.floor else floor

    # -- assignment ------------------------------------------------------------------------

    def _cost(self, car: CarView, call: HallCall, view: BuildingView) -> float:
        """The waiting cost that assigning `call` to `car` adds (squared waits, in s^2)."""
        building = view.building
        moves = 4 * building.n_floors + 4 * (len(car.hall_calls) + len(car.car_calls))
        before = _Route.of(car, building).run(moves)
        after_route = _Route.of(car, building)
        after_route.hall_calls.add((call.floor, call.direction))
        after = after_route.run(moves)
        cost = _squared_wait(after.served, call, view.time)
        for promised in car.hall_calls:
            cost += _squared_wait(after.served, promised, view.time)
            cost -= _squared_wait(before.served, promised, view.time)
        rider_delay = max(0.0, after.delivered - before.delivered)
        return cost + RIDER_DELAY_WEIGHT * rider_delay * 2 * TYPICAL_WAIT_S

    # -- parking ---------------------------------------------------------------------------

    def _demand_for(self, view: BuildingView) -> _Demand:
        if self._demand is None or self._demand.n_floors != view.building.n_floors:
            self._demand = _Demand(view.building.n_floors)
        return self._demand

    @staticmethod
    def _resting_floor(car: CarView) -> int | None:
        """Where an idle car will wait: its parking floor, or where it stands."""
        if car.parking is not None:
            return car.parking
        return None if car.moving else car.floor

    @staticmethod
    def _lobby_quota(weights: list[float], lobby: int, n_cars: int) -> int:
        """How many idle cars should wait at the lobby: its share of the calls, rounded."""
        total = sum(weights)
        share = weights[lobby] / total if total > 0 else 0.0
        return round(share * n_cars)

    @staticmethod
    def _best_cover(weights: list[float], occupied: list[int]) -> int:
        """The floor that most reduces the weighted distance from calls to the nearest car."""

        def coverage_cost(candidate: int) -> float:
            """Weighted distance from every floor to its nearest car, with `candidate`."""
            spots = occupied + [candidate]
            return sum(w * min(abs(f - s) for s in spots) for f, w in enumerate(weights))

        return min(range(len(weights)), key=lambda f: (coverage_cost(f), f))


def _squared_wait(served: dict[tuple[int, int], float], call: HallCall, now: float) -> float:
    """The squared wait of `call`'s caller when answered at the `served` time (if any)."""
    eta = served.get((call.floor, call.direction), UNREACHABLE_S)
    wait = now - call.time + eta
    return wait * wait
