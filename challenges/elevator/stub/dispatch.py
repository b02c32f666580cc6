"""Your dispatch policy for the elevator bank. Replace every `raise NotImplementedError`.

The simulator (simulator.py, provided) moves the cars and asks your Policy two things:
which car answers each new hall call, and where a car that ran out of work should wait.
Run `python evaluate.py` to compare your policy with the nearest-car baseline.
"""

from __future__ import annotations

from simulator import BuildingView, CarView, HallCall


class Policy:
    """A group-control policy for the elevator bank.

    The grader creates a fresh `Policy()` (no arguments) for every simulation run, and
    the same run must give the same decisions (seed any randomness you use).
    """

    def __init__(self) -> None:
        """Set up whatever state the policy keeps during one run."""

    def assign(self, call: HallCall, view: BuildingView) -> int:
        """Choose the car that answers `call`.

        Called once for every new hall call (a hall button pressed where no car is
        already assigned for that floor and direction), and again when the assigned car
        arrives full and leaves people behind. `view` is a read-only snapshot of all
        cars at `view.time`.

        Returns the index (an `int` in `0 .. view.building.n_cars - 1`) of the car that
        will answer the call. That car, and only that car, stops for it.
        """
        raise NotImplementedError

    def park(self, car: CarView, view: BuildingView) -> int | None:
        """Choose where `car`, which has no work left, waits for the next call.

        Called for every car at the start of a run and each time a car finishes its last
        stop. Return a floor (an `int` in `0 .. view.building.n_floors - 1`) to send it
        there with its doors closed, or `None` to leave it where it is. A parked car
        answers a call assigned to it at once, even on its way to its parking floor.
        """
        raise NotImplementedError
