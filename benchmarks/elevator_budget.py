"""Does the elevator statement's time budget hold at its promised speed per decision?

The statement gives each scenario's performance test ``test_timeout_s`` (challenge.toml)
for up to ``evaluate.MOST_SEEDS`` simulated hours of the candidate's policy and as many
of the baseline's, and asks for about ``--per-decision`` ms per decision. This counts
the decisions (``assign`` and ``park`` calls) the reference makes in one hour of each
scenario, times the simulator and the baseline per hour (CPU), and prints the CPU time a
policy that takes exactly the promised time per decision would need for every seed, and
its headroom under the timeout (halve it for a machine with every core busy).

    python benchmarks/elevator_budget.py [--seeds 4] [--per-decision 0.2]
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import elevator_seeds  # loads the support modules the way the seed benchmark does)

CHALLENGE = elevator_seeds.CHALLENGE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="hours measured per scenario")
    parser.add_argument("--per-decision", type=float, default=0.2, help="ms per decision")
    args = parser.parse_args()
    support = elevator_seeds._support()
    harness = support["harness"]
    reference = elevator_seeds._load(CHALLENGE / "reference" / "dispatch.py", "reference_dispatch")
    timeout = tomllib.loads((CHALLENGE / "challenge.toml").read_text())["limits"]["test_timeout_s"]
    hours = support["evaluate"].MOST_SEEDS
    print(
        f"{hours} hours per scenario, {args.per_decision:g} ms per decision, "
        f"test timeout {timeout:g} s (CPU seconds below)"
    )
    for name in harness.ALL_SCENARIOS:
        if name == harness.HIDDEN_SCENARIO:
            scenario = harness.office_morning(support["scenarios"])
        else:
            scenario = support["scenarios"].scenario(name)
        decisions, simulated, baseline = 0, 0.0, 0.0
        for seed in harness.PERFORMANCE_SEEDS[: args.seeds]:
            counted = _counting(reference.Policy)
            started = time.process_time()
            support["simulator"].simulate(counted, scenario.passengers(seed), scenario.building)
            simulated += time.process_time() - started
            decisions += counted.decisions
            started = time.process_time()
            support["evaluate"].run(support["baseline"].NearestCarPolicy, scenario, seed)
            baseline += time.process_time() - started
        per_hour = decisions / args.seeds
        # the reference's own decisions are cheap: count the simulator's time as overhead
        need = hours * (per_hour * args.per_decision / 1000 + (simulated + baseline) / args.seeds)
        print(
            f"  {name:22s} {per_hour:5.0f} decisions/hour  simulator+reference "
            f"{1000 * simulated / args.seeds:4.0f} ms/hour  baseline {1000 * baseline / args.seeds:4.0f}"
            f" ms/hour  needs {need:5.0f} s  headroom x{timeout / need:.1f}",
            flush=True,
        )


def _counting(policy_class: type) -> Any:
    """A ``policy_class`` instance that counts its decisions."""

    class Counting(policy_class):  # type: ignore[misc, valid-type]
        decisions = 0

        def assign(self, call: Any, view: Any) -> int:
            self.decisions += 1
            return int(super().assign(call, view))

        def park(self, car: Any, view: Any) -> int | None:
            self.decisions += 1
            return super().park(car, view)  # type: ignore[no-any-return]

    return Counting()


if __name__ == "__main__":
    main()
