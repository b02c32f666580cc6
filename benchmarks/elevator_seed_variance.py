"""Why more hidden seeds alone do not settle an elevator policy's performance credit.

benchmarks/elevator_seeds.py showed the credit of a fixed policy moving by 6-8
points (of 60) between disjoint sets of 16 or 32 seeds, not shrinking like
1/sqrt(seeds). This runs each fixed policy and the nearest-car baseline once on
``--seeds`` seeds per scenario, then, from those runs alone:

* per scenario, the spread of the per-seed log ratio (policy / baseline, same
  passengers) of the mean wait: how much one seed says about a policy;
* for seed sets of 4..32 (5 disjoint sets each), the spread of the performance
  points under three ways of combining seeds: the challenge's pooled waits, the
  geometric mean of per-seed ratios, and their median;
* the seeds a set would need for a spread of about 2 points, from the per-seed
  spread and the credit's slope (full credit at a 10-25% shorter wait).

    python benchmarks/elevator_seed_variance.py [--seeds 160]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import elevator_seeds  # the policies and support modules of the seed benchmark

Waits = list[float]


def _mean(waits: Waits) -> float:
    return sum(waits) / len(waits) if waits else 0.0


def _runs(seeds: int) -> tuple[dict[tuple[str, str], list[Waits]], dict[str, float], list[str]]:
    support = elevator_seeds._support()
    harness, scenarios, evaluate = support["harness"], support["scenarios"], support["evaluate"]
    with tempfile.TemporaryDirectory() as tmp:
        policies = elevator_seeds._policies(Path(tmp))
    makers: dict[str, Callable[[], Any]] = {
        label: make
        for label, make in policies.items()
        if label.startswith("fixed") or label in ("reference", "mutant parks-at-lobby")
    }
    makers["baseline"] = support["baseline"].NearestCarPolicy
    runs: dict[tuple[str, str], list[Waits]] = {}
    targets = {}
    for name in harness.ALL_SCENARIOS:
        started = time.perf_counter()
        if name == harness.HIDDEN_SCENARIO:
            scenario = harness.office_morning(scenarios)
        else:
            scenario = scenarios.scenario(name)
        targets[name] = evaluate.target(name)
        for label, make in makers.items():
            runs[(name, label)] = [
                list(evaluate.run(make, scenario, 50_000 + i).waits) for i in range(seeds)
            ]
        print(f"  ran {name} ({time.perf_counter() - started:.0f} s)", flush=True)
    return runs, targets, [label for label in makers if label != "baseline"]


def _percentile(waits: Waits, q: float) -> float:
    ordered = sorted(waits)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _credit(improvement: float, full_at: float) -> float:
    return min(1.0, max(0.0, 0.5 + 0.5 * improvement / full_at))


def _improvements(runs: Any, scenario: str, label: str, seeds: list[int], how: str) -> Any:
    mine, base = runs[(scenario, label)], runs[(scenario, "baseline")]
    if how == "pooled":
        m = [w for i in seeds for w in mine[i]]
        b = [w for i in seeds for w in base[i]]
        return (
            1 - _mean(m) / _mean(b),
            1 - _percentile(m, 95) / _percentile(b, 95),
        )
    combine = statistics.mean if how == "geo-mean" else statistics.median
    logs_mean = [math.log(_mean(mine[i]) / _mean(base[i])) for i in seeds]
    logs_p95 = [math.log(_percentile(mine[i], 95) / _percentile(base[i], 95)) for i in seeds]
    return 1 - math.exp(combine(logs_mean)), 1 - math.exp(combine(logs_p95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=160)
    args = parser.parse_args()
    runs, targets, labels = _runs(args.seeds)
    points = elevator_seeds.POINTS
    print("\nper-seed log ratio of the mean wait (policy / baseline): mean, sd")
    worst_sd_points = 0.0
    for label in labels:
        parts = []
        variance = 0.0
        for scenario, full_at in targets.items():
            logs = [
                math.log(_mean(runs[(scenario, label)][i]) / _mean(runs[(scenario, "baseline")][i]))
                for i in range(args.seeds)
            ]
            sd = statistics.stdev(logs)
            parts.append(f"{scenario} {statistics.mean(logs):+.2f} sd {sd:.2f}")
            # points per unit of improvement: half the credit per full_at, one of 5 scenarios
            slope = points / len(targets) * 0.5 / full_at
            variance += (slope * sd) ** 2
        worst_sd_points = max(worst_sd_points, math.sqrt(variance))
        print(f"  {label:28s} " + "; ".join(parts))
    # max - min of 5 sets is about 2.3 standard deviations of one set's points
    needed = math.ceil((2.3 * worst_sd_points / 2.0) ** 2)
    print(
        f"one seed moves the points by up to {worst_sd_points:.1f} (sd, mean-wait credit "
        f"alone, unclipped): a spread of 2 points over 5 sets needs about {needed} seeds"
    )
    for size in (4, 8, 16, 32):
        if 5 * size > args.seeds:
            break
        sets = [list(range(k * size, (k + 1) * size)) for k in range(5)]
        print(f"\n{size} seeds per set, 5 disjoint sets: spread of the points (mean)")
        for how in ("pooled", "geo-mean", "median"):
            row = []
            for label in labels:
                totals = []
                for seeds in sets:
                    credits = []
                    for scenario, full_at in targets.items():
                        mean_imp, p95_imp = _improvements(runs, scenario, label, seeds, how)
                        credits.append((_credit(mean_imp, full_at) + _credit(p95_imp, full_at)) / 2)
                    totals.append(points * sum(credits) / len(credits))
                row.append(
                    f"{label[:24]} {max(totals) - min(totals):.1f} ({statistics.mean(totals):.0f})"
                )
            print(f"  {how:8s} " + " | ".join(row))


if __name__ == "__main__":
    main()
