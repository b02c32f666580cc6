"""A deterministic discrete-event simulator of a bank of elevators.

The simulator moves the cars; a *dispatch policy* makes the two decisions a
group controller makes:

* ``policy.assign(call, view) -> int``: which car answers a new hall call;
* ``policy.park(car, view) -> int | None``: where a car that just ran out of
  work should wait (a floor), or ``None`` to stay where it is.

Cars follow collective control: a car keeps its direction while it has stops
ahead (its passengers' destinations and the hall calls assigned to it), stops
for an assigned hall call in its direction of travel, and turns around at its
last stop. Only the car a call is assigned to picks up the passengers of that
call. A full car passes its hall calls by and comes back for them.

The policy only ever sees frozen snapshots (``BuildingView``, ``CarView``,
``HallCall``), so it cannot change the simulation except through its answers.
Everything is deterministic: the same policy, scenario and seed give the same
result. Run ``python evaluate.py`` to compare ``dispatch.Policy`` with the
nearest-car baseline.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Protocol

UP = 1
DOWN = -1
IDLE = 0

#: Simulated seconds after the last arrival before a run is cut off as stuck.
DEFAULT_DRAIN_S = 3600.0
#: Hard limit on events processed in one run (a runaway policy cannot hang a run).
MAX_EVENTS = 2_000_000


class PolicyError(RuntimeError):
    """The dispatch policy raised, or answered something that is not a valid decision."""


@dataclass(frozen=True)
class Building:
    """The fixed physical parameters of the building and its elevator bank."""

    n_floors: int = 20
    n_cars: int = 3
    capacity: int = 12
    floor_time: float = 1.5  # seconds to travel one floor
    door_time: float = 4.0  # seconds to open and close the doors at a stop
    transfer_time: float = 1.0  # seconds per passenger getting in or out
    lobby: int = 0

    def __post_init__(self) -> None:
        if self.n_floors < 2 or self.n_cars < 1 or self.capacity < 1:
            raise ValueError(f"a building needs >= 2 floors, >= 1 car, capacity >= 1: {self}")
        if not 0 <= self.lobby < self.n_floors:
            raise ValueError(f"lobby {self.lobby} is not a floor of {self}")
        if min(self.floor_time, self.door_time, self.transfer_time) <= 0:
            raise ValueError(f"times must be positive: {self}")


@dataclass(frozen=True)
class Passenger:
    """Someone who appears at ``origin`` at time ``arrival`` and wants to go to ``destination``."""

    id: int
    arrival: float
    origin: int
    destination: int

    @property
    def direction(self) -> int:
        """UP or DOWN."""
        return UP if self.destination > self.origin else DOWN


@dataclass(frozen=True)
class HallCall:
    """A hall button pressed: someone at ``floor`` wants to travel in ``direction``."""

    floor: int
    direction: int  # UP or DOWN
    time: float  # when the call was registered


@dataclass(frozen=True)
class CarView:
    """A read-only snapshot of one car."""

    index: int
    floor: int  # the floor the car is at, or the last floor it passed while moving
    position: float  # fractional floor while moving between floors
    direction: int  # UP, DOWN or IDLE
    moving: bool
    doors_open: bool
    load: int  # passengers on board
    capacity: int
    car_calls: tuple[int, ...]  # destinations of the passengers on board, sorted
    hall_calls: tuple[HallCall, ...]  # hall calls assigned to this car, not yet answered
    parking: int | None  # the floor it is heading to park at, if any

    @property
    def idle(self) -> bool:
        """True when the car has no passengers and no hall call to answer."""
        return not self.car_calls and not self.hall_calls

    @property
    def stops(self) -> tuple[int, ...]:
        """Every floor the car has committed to visit (car calls and hall calls), sorted."""
        return tuple(sorted(set(self.car_calls) | {c.floor for c in self.hall_calls}))


@dataclass(frozen=True)
class BuildingView:
    """A read-only snapshot of the whole bank, given to the policy with every question."""

    time: float
    building: Building
    cars: tuple[CarView, ...]
    waiting_calls: tuple[HallCall, ...]  # every registered hall call not yet answered


class DispatchPolicy(Protocol):
    """What the simulator needs from a dispatch policy."""

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """The index of the car that answers ``call``."""
        ...

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """The floor where idle ``car`` should wait, or None to stay where it is."""
        ...


@dataclass(frozen=True)
class PassengerRecord:
    """What happened to one passenger (times are None when it did not happen)."""

    passenger: Passenger
    boarded: float | None
    alighted: float | None
    car: int | None

    @property
    def wait(self) -> float | None:
        """Seconds from arrival at the hall to boarding a car."""
        return None if self.boarded is None else self.boarded - self.passenger.arrival


@dataclass(frozen=True)
class SimulationResult:
    """The outcome of one run."""

    records: tuple[PassengerRecord, ...]
    end_time: float
    timed_out: bool  # the run was cut off before everyone was delivered
    calls: int  # hall calls registered (and assigned)

    @property
    def passengers(self) -> int:
        """How many passengers arrived."""
        return len(self.records)

    @property
    def delivered(self) -> int:
        """How many passengers reached their destination."""
        return sum(r.alighted is not None for r in self.records)

    @property
    def waits(self) -> tuple[float, ...]:
        """Wait of every passenger who boarded, in arrival order."""
        return tuple(w for w in (r.wait for r in self.records) if w is not None)

    @property
    def mean_wait(self) -> float:
        """Mean wait in seconds (over passengers who boarded)."""
        waits = self.waits
        return sum(waits) / len(waits) if waits else 0.0

    @property
    def p95_wait(self) -> float:
        """95th-percentile wait in seconds (nearest rank)."""
        return percentile(self.waits, 95.0)

    @property
    def mean_travel(self) -> float:
        """Mean seconds spent in the car, over delivered passengers."""
        rides = [
            r.alighted - r.boarded
            for r in self.records
            if r.alighted is not None and r.boarded is not None
        ]
        return sum(rides) / len(rides) if rides else 0.0


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` by the nearest-rank method (0.0 when empty)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class _Rider:
    passenger: Passenger
    boarded: float | None = None
    alighted: float | None = None
    car: int | None = None


@dataclass
class _Car:
    index: int
    floor: int
    direction: int = IDLE
    moving: bool = False
    doors_open: bool = False
    serving: int = IDLE  # direction of the hall call being boarded while the doors are open
    riders: list[_Rider] = field(default_factory=list)
    hall_calls: dict[tuple[int, int], HallCall] = field(default_factory=dict)
    parking: int | None = None
    departed: float = 0.0  # when the current move between floors started
    close_at: float = 0.0  # when the open doors close
    token: int = 0  # bumps when the pending event is superseded
    pending: bool = False  # an event for this car is in the queue

    def car_calls(self) -> set[int]:
        return {r.passenger.destination for r in self.riders}

    def targets(self) -> set[int]:
        return self.car_calls() | {floor for floor, _ in self.hall_calls}


class Simulation:
    """One run of ``policy`` on a list of passengers. Use ``simulate()`` for the common case."""

    def __init__(
        self,
        policy: DispatchPolicy,
        passengers: Sequence[Passenger],
        building: Building | None = None,
        drain_s: float = DEFAULT_DRAIN_S,
    ) -> None:
        self._b = building or Building()
        self._policy = policy
        self._riders = [_Rider(p) for p in sorted(passengers, key=lambda p: (p.arrival, p.id))]
        for rider in self._riders:
            self._check_passenger(rider.passenger)
        last = self._riders[-1].passenger.arrival if self._riders else 0.0
        self._max_time = last + drain_s
        self._cars = [_Car(i, self._b.lobby) for i in range(self._b.n_cars)]
        self._queues: dict[tuple[int, int], deque[_Rider]] = {}
        self._calls: dict[tuple[int, int], int] = {}  # open hall call -> car index
        self._call_info: dict[tuple[int, int], HallCall] = {}
        self._events: list[tuple[float, int, int, object]] = []
        self._seq = itertools.count()
        self._now = 0.0
        self._n_calls = 0
        self._undelivered = len(self._riders)

    def _check_passenger(self, p: Passenger) -> None:
        floors = range(self._b.n_floors)
        if p.origin not in floors or p.destination not in floors or p.origin == p.destination:
            raise ValueError(f"invalid passenger for {self._b}: {p}")

    # -- the event loop --------------------------------------------------------------------

    def run(self) -> SimulationResult:
        """Run until every passenger is delivered or the time cap is reached."""
        for rider in self._riders:
            self._push(rider.passenger.arrival, -1, rider)
        for car in self._cars:  # every car starts with no work: ask where it should wait
            self._schedule(car, 0.0)
        processed = 0
        while self._events and self._undelivered > 0:
            time, _, kind, payload = heapq.heappop(self._events)
            if time > self._max_time or processed >= MAX_EVENTS:
                break
            self._now = time
            processed += 1
            if kind == -1:
                self._on_arrival(payload)  # type: ignore[arg-type]
            else:
                self._on_car_event(self._cars[kind], payload)  # type: ignore[arg-type]
        records = tuple(
            PassengerRecord(r.passenger, r.boarded, r.alighted, r.car) for r in self._riders
        )
        return SimulationResult(records, self._now, self._undelivered > 0, self._n_calls)

    def _push(self, time: float, kind: int, payload: object) -> None:
        heapq.heappush(self._events, (time, next(self._seq), kind, payload))

    def _schedule(self, car: _Car, delay: float) -> None:
        car.token += 1
        car.pending = True
        self._push(self._now + delay, car.index, car.token)

    # -- passengers and calls --------------------------------------------------------------

    def _on_arrival(self, rider: _Rider) -> None:
        p = rider.passenger
        key = (p.origin, p.direction)
        for car in self._cars:  # a car boarding in that direction right here takes them now
            boarding_here = car.doors_open and car.floor == p.origin
            if boarding_here and car.serving == p.direction and self._has_room(car):
                self._board(car, rider)
                car.close_at += self._b.transfer_time
                self._schedule(car, car.close_at - self._now)
                return
        self._queues.setdefault(key, deque()).append(rider)
        if key not in self._calls:
            self._register(HallCall(p.origin, p.direction, self._now))

    def _register(self, call: HallCall) -> None:
        key = (call.floor, call.direction)
        index = self._ask_assign(call)
        self._n_calls += 1
        self._calls[key] = index
        self._call_info[key] = call
        car = self._cars[index]
        car.hall_calls[key] = call
        car.parking = None
        if not car.pending:
            self._schedule(car, 0.0)

    def _has_room(self, car: _Car) -> bool:
        return len(car.riders) < self._b.capacity

    def _board(self, car: _Car, rider: _Rider) -> None:
        rider.boarded = self._now
        rider.car = car.index
        car.riders.append(rider)

    # -- cars ------------------------------------------------------------------------------

    def _on_car_event(self, car: _Car, token: int) -> None:
        if token != car.token:
            return  # superseded
        car.pending = False
        if car.moving:
            car.moving = False
            car.floor += car.direction
            if self._should_stop(car):
                self._open_doors(car)
                return
        elif car.doors_open:
            car.doors_open = False
            car.serving = IDLE
        self._decide(car)

    def _should_stop(self, car: _Car) -> bool:
        f, d = car.floor, car.direction
        if f in car.car_calls():
            return True
        if len(car.riders) >= self._b.capacity:
            return False
        if (f, d) in car.hall_calls:
            return True
        return (f, -d) in car.hall_calls and not self._ahead(car, car.targets() - {f}, d)

    def _ahead(self, car: _Car, targets: set[int], direction: int) -> bool:
        return any((t - car.floor) * direction > 0 for t in targets)

    def _decide(self, car: _Car) -> None:
        targets = car.targets()
        if not targets:
            self._go_idle(car)
            return
        car.parking = None
        full = len(car.riders) >= self._b.capacity
        if car.floor in targets and not full and self._serve_direction(car) != IDLE:
            self._open_doors(car)
            return
        others = targets - {car.floor}
        if not others:  # cannot happen with a consistent state; never spin at one instant
            self._open_doors(car)
            return
        if car.direction == IDLE or not self._ahead(car, others, car.direction):
            nearest = min(others, key=lambda t: (abs(t - car.floor), t))
            car.direction = UP if nearest > car.floor else DOWN
        self._move(car)

    def _go_idle(self, car: _Car) -> None:
        car.direction = IDLE
        if car.parking is None:  # it just ran out of work
            car.parking = self._ask_park(car)
        if car.parking is None or car.parking == car.floor:
            car.parking = None
            return  # idle, no event pending: a new assignment wakes it
        car.direction = UP if car.parking > car.floor else DOWN
        self._move(car)

    def _move(self, car: _Car) -> None:
        car.moving = True
        car.departed = self._now
        self._schedule(car, self._b.floor_time)

    def _serve_direction(self, car: _Car) -> int:
        f, d = car.floor, car.direction
        if d != IDLE and (f, d) in car.hall_calls:
            return d
        if d != IDLE and (f, -d) in car.hall_calls:
            return -d if not self._ahead(car, car.targets() - {f}, d) else IDLE
        for direction in (UP, DOWN):
            if (f, direction) in car.hall_calls:
                return direction
        return IDLE

    def _open_doors(self, car: _Car) -> None:
        car.parking = None
        staying = [r for r in car.riders if r.passenger.destination != car.floor]
        leaving = len(car.riders) - len(staying)
        for rider in car.riders:
            if rider.passenger.destination == car.floor:
                rider.alighted = self._now
                self._undelivered -= 1
        car.riders = staying
        boarded = self._board_call(car) if len(staying) < self._b.capacity else 0
        car.doors_open = True
        dwell = self._b.door_time + self._b.transfer_time * (leaving + boarded)
        car.close_at = self._now + dwell
        self._schedule(car, dwell)

    def _board_call(self, car: _Car) -> int:
        direction = self._serve_direction(car)
        if direction == IDLE:
            return 0
        key = (car.floor, direction)
        car.direction = direction
        car.serving = direction
        del car.hall_calls[key]
        del self._calls[key]
        del self._call_info[key]
        queue = self._queues.get(key, deque())
        boarded = 0
        while queue and len(car.riders) < self._b.capacity:
            self._board(car, queue.popleft())
            boarded += 1
        if queue:  # the car filled up: the rest press the button again
            self._register(HallCall(car.floor, direction, self._now))
        return boarded

    # -- talking to the policy -------------------------------------------------------------

    def view(self) -> BuildingView:
        """A snapshot of the bank right now."""
        cars = tuple(self._car_view(car) for car in self._cars)
        return BuildingView(self._now, self._b, cars, tuple(self._call_info.values()))

    def _car_view(self, car: _Car) -> CarView:
        position = float(car.floor)
        if car.moving:
            share = min(1.0, (self._now - car.departed) / self._b.floor_time)
            position += car.direction * share
        return CarView(
            index=car.index,
            floor=car.floor,
            position=position,
            direction=car.direction,
            moving=car.moving,
            doors_open=car.doors_open,
            load=len(car.riders),
            capacity=self._b.capacity,
            car_calls=tuple(sorted(car.car_calls())),
            hall_calls=tuple(car.hall_calls.values()),
            parking=car.parking,
        )

    def _ask_assign(self, call: HallCall) -> int:
        try:
            choice = self._policy.assign(call, self.view())
        except Exception as exc:
            raise PolicyError(f"policy.assign({call}) raised {type(exc).__name__}: {exc}") from exc
        n = self._b.n_cars
        if isinstance(choice, bool) or not isinstance(choice, Integral):
            raise PolicyError(
                f"policy.assign({call}) returned {choice!r} ({type(choice).__name__}): "
                f"expected an int car index in 0..{n - 1}"
            )
        if not 0 <= int(choice) < n:
            raise PolicyError(
                f"policy.assign({call}) returned {choice!r}: there is no such car "
                f"(expected an index in 0..{n - 1})"
            )
        return int(choice)

    def _ask_park(self, car: _Car) -> int | None:
        view = self.view()
        try:
            floor = self._policy.park(view.cars[car.index], view)
        except Exception as exc:
            raise PolicyError(
                f"policy.park(car {car.index}) raised {type(exc).__name__}: {exc}"
            ) from exc
        if floor is None:
            return None
        n = self._b.n_floors
        if isinstance(floor, bool) or not isinstance(floor, Integral) or not 0 <= floor < n:
            raise PolicyError(
                f"policy.park(car {car.index}) returned {floor!r}: expected None or an int "
                f"floor in 0..{n - 1}"
            )
        return int(floor)


def simulate(
    policy: DispatchPolicy,
    passengers: Sequence[Passenger],
    building: Building | None = None,
    drain_s: float = DEFAULT_DRAIN_S,
) -> SimulationResult:
    """Run ``policy`` on ``passengers`` in ``building`` (default: 20 floors, 3 cars).

    Raises PolicyError when the policy raises or gives an invalid answer. A run that
    has not delivered everyone ``drain_s`` simulated seconds after the last arrival is
    cut off and returned with ``timed_out`` set.
    """
    return Simulation(policy, passengers, building, drain_s).run()
