"""Compare a dispatch policy with the nearest-car baseline, the way the grader does.

Run ``python evaluate.py`` next to your ``dispatch.py`` to see, for every public
scenario, the mean and 95th-percentile wait of ``dispatch.Policy`` and of the
baseline over a few seeds, and the credit the grader's formula gives (the
hidden tests use other seeds and one more scenario).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from baseline import NearestCarPolicy
from scenarios import SCENARIOS, Scenario
from simulator import DispatchPolicy, SimulationResult, percentile, simulate

#: How much shorter than the baseline's a wait must be for full credit in each scenario
#: (25% in any other scenario, the hidden one included).
FULL_CREDIT_IMPROVEMENT = {
    "residential_morning": 0.20,
    "residential_evening": 0.25,
    "uniform": 0.10,
    "office_lunch": 0.10,
}
PEAK_IMPROVEMENT = 0.25


def target(scenario_name: str) -> float:
    """The improvement over the baseline that earns full credit in ``scenario_name``."""
    return FULL_CREDIT_IMPROVEMENT.get(scenario_name, PEAK_IMPROVEMENT)


def credit(value: float, baseline: float, full_at: float) -> float:
    """Credit in [0, 1] for a wait of ``value`` seconds against the baseline's ``baseline``.

    Matching the baseline earns 0.5; a wait ``full_at`` (a fraction) shorter earns 1.0,
    one ``full_at`` longer earns 0.0; linear in between.
    """
    if baseline <= 0:
        return 1.0 if value <= 0 else 0.0
    improvement = (baseline - value) / baseline
    return min(1.0, max(0.0, 0.5 + 0.5 * improvement / full_at))


@dataclass(frozen=True)
class Comparison:
    """Pooled waits of a policy and of the baseline on one scenario over several seeds."""

    scenario: str
    mean_wait: float
    p95_wait: float
    baseline_mean_wait: float
    baseline_p95_wait: float

    @property
    def mean_credit(self) -> float:
        """Credit for the mean wait."""
        return credit(self.mean_wait, self.baseline_mean_wait, target(self.scenario))

    @property
    def p95_credit(self) -> float:
        """Credit for the 95th-percentile wait."""
        return credit(self.p95_wait, self.baseline_p95_wait, target(self.scenario))

    @property
    def credit(self) -> float:
        """The scenario's credit: the average of the mean-wait and p95-wait credits."""
        return (self.mean_credit + self.p95_credit) / 2


def run(
    make_policy: Callable[[], DispatchPolicy], scenario: Scenario, seed: int
) -> SimulationResult:
    """One run of a fresh policy on ``scenario`` with ``seed``."""
    return simulate(make_policy(), scenario.passengers(seed), scenario.building)


def pooled(results: Iterable[SimulationResult]) -> tuple[float, float]:
    """Mean and 95th-percentile wait over all passengers of ``results`` together."""
    waits = [w for r in results for w in r.waits]
    return (sum(waits) / len(waits) if waits else 0.0), percentile(waits, 95.0)


def compare(
    make_policy: Callable[[], DispatchPolicy], scenario: Scenario, seeds: Iterable[int]
) -> Comparison:
    """Run the policy and the baseline on ``scenario`` for every seed and pool the waits."""
    seeds = list(seeds)
    mine = pooled(run(make_policy, scenario, s) for s in seeds)
    base = pooled(run(NearestCarPolicy, scenario, s) for s in seeds)
    return Comparison(scenario.name, mine[0], mine[1], base[0], base[1])


def main() -> int:
    """Print the comparison for every public scenario."""
    from dispatch import Policy

    print(f"{'scenario':22} {'mean':>7} {'base':>7} {'p95':>7} {'base':>7} {'credit':>6}")
    for name, make in SCENARIOS.items():
        c = compare(Policy, make(), range(5))
        print(
            f"{name:22} {c.mean_wait:7.1f} {c.baseline_mean_wait:7.1f} "
            f"{c.p95_wait:7.1f} {c.baseline_p95_wait:7.1f} {c.credit:6.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
