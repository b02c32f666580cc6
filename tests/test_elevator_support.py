"""The elevator challenge's settled comparison: how many hidden seeds a policy is graded on.

A policy's credit against the baseline moves from seed to seed, so the hidden tests add
seeds until the credit settles (evaluate.settled_compare). These tests drive it with
synthetic waits whose ratio to the baseline's is known, and check where it stops.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

CHALLENGE = Path(__file__).parents[1] / "challenges" / "elevator"
SUPPORT = CHALLENGE / "support"
SEEDS = range(256)

Waits = Callable[[int], tuple[list[float], list[float]]]


@pytest.fixture
def evaluate() -> Iterator[ModuleType]:
    """The kit's evaluate.py, importing its sibling support modules by their plain names."""
    names = ("simulator", "scenarios", "baseline", "evaluate")
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.path.insert(0, str(SUPPORT))
    try:
        yield importlib.import_module("evaluate")
    finally:
        sys.path.remove(str(SUPPORT))
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def ratio_waits(log_ratio: float, sd: float) -> Waits:
    """Waits of a policy whose wait is exp(log_ratio) times the baseline's, give or take
    ``sd`` (of the log) from one seed to the next."""

    def waits(seed: int) -> tuple[list[float], list[float]]:
        rng = random.Random(seed)
        base = [rng.expovariate(1 / 20) for _ in range(200)]
        factor = math.exp(rng.gauss(log_ratio, sd)) if sd else math.exp(log_ratio)
        return [w * factor for w in base], base

    return waits


def test_a_policy_far_better_than_the_baseline_is_settled_on_the_first_round(evaluate):
    # 35% shorter waits against a 10% target, varying like the reference's (sd 0.08)
    comparison = evaluate.settled_compare("uniform", ratio_waits(math.log(0.65), 0.08), SEEDS)
    assert comparison.seeds == evaluate.FIRST_SEEDS == 16
    assert comparison.credit == 1.0


def test_the_baseline_itself_is_settled_at_half_credit(evaluate):
    comparison = evaluate.settled_compare("uniform", ratio_waits(0.0, 0.0), SEEDS)
    assert (comparison.seeds, comparison.credit) == (16, 0.5)


def test_a_policy_halfway_up_the_credit_line_runs_every_seed(evaluate):
    # 5% shorter against a 10% target: credit about 0.75, and one seed moves it a lot
    comparison = evaluate.settled_compare("uniform", ratio_waits(math.log(0.95), 0.13), SEEDS)
    assert comparison.seeds == 256
    assert 0.6 < comparison.credit < 0.9


def test_a_policy_just_past_full_credit_needs_more_than_the_first_round(evaluate):
    # 12% shorter against 10%: past full credit on average, but not by three standard errors
    comparison = evaluate.settled_compare("uniform", ratio_waits(math.log(0.88), 0.13), SEEDS)
    assert comparison.seeds > 16


def test_the_credit_is_the_pooled_comparison_of_the_seeds_it_used(evaluate):
    waits = ratio_waits(math.log(0.95), 0.13)
    settled = evaluate.settled_compare("office_lunch", waits, range(40))
    assert settled.seeds == 40  # rounds of 16 and 32, then the 40 there are
    ours = [w for seed in range(40) for w in waits(seed)[0]]
    base = [w for seed in range(40) for w in waits(seed)[1]]
    mean = sum(ours) / len(ours)
    assert settled.mean_wait == pytest.approx(mean)
    assert settled.baseline_mean_wait == pytest.approx(sum(base) / len(base))
    expected = evaluate.credit(mean, sum(base) / len(base), evaluate.target("office_lunch"))
    assert settled.mean_credit == pytest.approx(expected)


def test_each_seed_is_run_once_in_order(evaluate):
    asked: list[int] = []
    inner = ratio_waits(math.log(0.95), 0.13)

    def waits(seed: int) -> tuple[list[float], list[float]]:
        asked.append(seed)
        return inner(seed)

    evaluate.settled_compare("uniform", waits, range(100, 200))
    assert asked == list(range(100, 200))


def test_the_hidden_tests_pool_as_many_seeds_as_the_kit_says(evaluate, monkeypatch):
    # The statement and evaluate.py promise rounds up to MOST_SEEDS; the hidden tests'
    # pool must be that large (and disjoint from the public seeds evaluate.py uses).
    spec = importlib.util.spec_from_file_location(
        "elevator_harness_for_test", CHALLENGE / "tests" / "hidden" / "elevator_harness.py"
    )
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, harness)  # its dataclass looks itself up
    spec.loader.exec_module(harness)
    hidden = harness.PERFORMANCE_SEEDS
    assert len(hidden) == len(set(hidden)) == evaluate.MOST_SEEDS == 512
    assert not set(hidden) & set(range(evaluate.MOST_SEEDS))
