"""Traffic scenarios: seeded passenger arrivals for the simulator.

A scenario is a list of phases. In each phase passengers arrive as a Poisson
process at ``rate_per_min``; each one is an *up* trip (lobby to an upper floor),
a *down* trip (an upper floor to the lobby) or an *inter-floor* trip (between
two different upper floors), with the phase's shares. Floors other than the
lobby are equally likely. The same scenario and seed always give the same
passengers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator import Building, Passenger


@dataclass(frozen=True)
class Phase:
    """A stretch of time with a constant arrival rate and trip mix."""

    start: float  # seconds
    end: float  # seconds
    rate_per_min: float
    up: float  # share of lobby -> upper-floor trips
    down: float  # share of upper-floor -> lobby trips
    inter: float  # share of upper-floor -> upper-floor trips

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end or self.rate_per_min <= 0:
            raise ValueError(f"invalid phase times or rate: {self}")
        if min(self.up, self.down, self.inter) < 0 or self.up + self.down + self.inter <= 0:
            raise ValueError(f"trip shares must be >= 0 and not all zero: {self}")


@dataclass(frozen=True)
class Scenario:
    """A named traffic pattern: phases over ``duration`` seconds in ``building``."""

    name: str
    phases: tuple[Phase, ...]
    building: Building = field(default_factory=Building)

    @property
    def duration(self) -> float:
        """When the last phase ends, in seconds."""
        return max(p.end for p in self.phases)

    def passengers(self, seed: int) -> list[Passenger]:
        """The passengers of this scenario for ``seed``, in arrival order."""
        rng = random.Random(f"{self.name}:{seed}")
        trips: list[tuple[float, int, int]] = []
        for phase in self.phases:
            trips += _phase_trips(phase, self.building, rng)
        trips.sort()
        return [Passenger(i, t, o, d) for i, (t, o, d) in enumerate(trips)]


def _phase_trips(
    phase: Phase, building: Building, rng: random.Random
) -> list[tuple[float, int, int]]:
    upper = [f for f in range(building.n_floors) if f != building.lobby]
    total = phase.up + phase.down + phase.inter
    trips = []
    t = phase.start + rng.expovariate(phase.rate_per_min / 60.0)
    while t < phase.end:
        kind = rng.random() * total
        if kind < phase.up:
            origin, destination = building.lobby, rng.choice(upper)
        elif kind < phase.up + phase.down:
            origin, destination = rng.choice(upper), building.lobby
        else:
            origin, destination = rng.sample(upper, 2)
        trips.append((round(t, 3), origin, destination))
        t += rng.expovariate(phase.rate_per_min / 60.0)
    return trips


def residential_morning() -> Scenario:
    """Everyone goes down to the lobby: a down-peak that builds and fades over an hour."""
    return Scenario(
        "residential_morning",
        (
            Phase(0, 900, 2, up=0.05, down=0.85, inter=0.10),
            Phase(900, 2700, 6, up=0.05, down=0.85, inter=0.10),
            Phase(2700, 3600, 2, up=0.05, down=0.85, inter=0.10),
        ),
    )


def residential_evening() -> Scenario:
    """Everyone comes home: an up-peak from the lobby over an hour."""
    return Scenario(
        "residential_evening",
        (
            Phase(0, 900, 5, up=0.85, down=0.05, inter=0.10),
            Phase(900, 2700, 9, up=0.85, down=0.05, inter=0.10),
            Phase(2700, 3600, 5, up=0.85, down=0.05, inter=0.10),
        ),
    )


def uniform() -> Scenario:
    """Steady traffic between random floors, the lobby no busier than any other floor."""
    n = Building().n_floors
    lobby_share = 1.0 / n
    return Scenario(
        "uniform",
        (
            Phase(
                0,
                3600,
                8,
                up=lobby_share,
                down=lobby_share,
                inter=1.0 - 2 * lobby_share,
            ),
        ),
    )


def office_lunch() -> Scenario:
    """Out to lunch, then back: a down-heavy half hour followed by an up-heavy one."""
    return Scenario(
        "office_lunch",
        (
            Phase(0, 600, 5, up=0.15, down=0.45, inter=0.40),
            Phase(600, 1800, 9, up=0.20, down=0.60, inter=0.20),
            Phase(1800, 3000, 9, up=0.60, down=0.20, inter=0.20),
            Phase(3000, 3600, 5, up=0.45, down=0.15, inter=0.40),
        ),
    )


#: The four public scenarios, by name.
SCENARIOS = {
    "residential_morning": residential_morning,
    "residential_evening": residential_evening,
    "uniform": uniform,
    "office_lunch": office_lunch,
}


def scenario(name: str) -> Scenario:
    """The public scenario called ``name`` (see SCENARIOS)."""
    try:
        return SCENARIOS[name]()
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
