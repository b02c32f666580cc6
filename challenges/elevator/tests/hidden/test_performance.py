"""Hidden performance tests: waits against the nearest-car baseline, with partial credit.

Per scenario, the candidate's policy and the baseline run on the same hidden seeds; the
waits of all passengers are pooled. Matching the baseline earns half the test, a mean
(and a 95th-percentile) wait shorter by the scenario's target earns all of it, linear in
between and down to zero at the same margin worse (evaluate.credit).
"""

from __future__ import annotations

import pytest
from elevator_harness import ALL_SCENARIOS, PERFORMANCE_SEEDS, load_kit, require_everyone_delivered


def _pooled(kit, make_policy, scenario):
    results = [kit.simulate(make_policy(), scenario, seed) for seed in PERFORMANCE_SEEDS]
    for seed, result in zip(PERFORMANCE_SEEDS, results, strict=True):
        require_everyone_delivered(result, f"scenario {scenario.name}, seed {seed}")
    return kit.evaluate.pooled(results)


@pytest.mark.rubric("performance", weight=12)
@pytest.mark.parametrize("name", ALL_SCENARIOS)
def test_waits_against_nearest_car(submission, partial, name):
    """Mean and p95 wait of the policy against the nearest-car baseline, pooled over seeds."""
    kit = load_kit(submission)
    scenario = kit.scenario(name)
    mean, p95 = _pooled(kit, kit.policy_class, scenario)
    base_mean, base_p95 = _pooled(kit, kit.baseline.NearestCarPolicy, scenario)
    comparison = kit.evaluate.Comparison(name, mean, p95, base_mean, base_p95)
    target = kit.evaluate.target(name)
    why = (
        f"{name}: mean wait {mean:.1f}s vs baseline {base_mean:.1f}s "
        f"(credit {comparison.mean_credit:.2f}); p95 wait {p95:.1f}s vs baseline "
        f"{base_p95:.1f}s (credit {comparison.p95_credit:.2f}); full credit at "
        f"{target:.0%} shorter than the baseline"
    )
    partial(round(comparison.credit, 4), why)
