"""How much does an elevator policy's performance credit depend on which hidden seeds are drawn?

The elevator challenge's performance category (60 points) pools each scenario's waits
over a set of hidden seeds and compares them with the nearest-car baseline on the same
seeds. With too few seeds, the same fixed policy earns different credit on another set.
This runs fixed policies (the reference, the mutants that still dispatch, and the
independent solutions in challenges/elevator/solutions/) on ``--sets`` disjoint seed
sets of each size in ``--sizes``, and prints per size the largest spread (max - min) of
the performance points a policy would earn.

    python benchmarks/elevator_seeds.py [--sizes 4 8 16] [--sets 6]

The challenge uses the smallest size whose spread is at most 2 points for every policy.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from mlgrader.model.mutants import build_mutant

ROOT = Path(__file__).resolve().parent.parent
CHALLENGE = ROOT / "challenges" / "elevator"
POINTS = 60.0  # the performance category of challenges.elevator in rubric.toml


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _support() -> dict[str, ModuleType]:
    modules = {}
    for name in ("simulator", "scenarios", "baseline", "evaluate"):
        modules[name] = _load(CHALLENGE / "support" / f"{name}.py", name)
    harness = _load(CHALLENGE / "tests" / "hidden" / "elevator_harness.py", "elevator_harness")
    modules["harness"] = harness
    return modules


def _policies(scratch: Path) -> dict[str, Callable[[], Any]]:
    found = {"reference": _load(CHALLENGE / "reference" / "dispatch.py", "ref_dispatch").Policy}
    for mutant in ("parks-at-lobby", "always-car-zero", "nearest-car-only"):
        folder = build_mutant(
            CHALLENGE / "reference", CHALLENGE / "mutants" / mutant, scratch / mutant, mutant
        )
        found[f"mutant {mutant}"] = _load(folder / "dispatch.py", f"m_{mutant}").Policy
    for folder in sorted((ROOT / "challenges" / "elevator" / "solutions").glob("independent-*")):
        found[f"independent {folder.name}"] = _load(folder / "dispatch.py", folder.name).Policy
    found |= _middling()
    return found


def _middling() -> dict[str, Callable[[], Any]]:
    """Fixed policies between the baseline and a good one, or below it: their credit is
    not clipped at 0, 0.5 or 1, so they show how much the seeds move it."""
    nearest = sys.modules["baseline"].NearestCarPolicy

    class RoundRobin:
        def __init__(self) -> None:
            self.turn = -1

        def assign(self, call: Any, view: Any) -> int:
            self.turn = (self.turn + 1) % len(view.cars)
            return int(view.cars[self.turn].index)

        def park(self, car: Any, view: Any) -> int | None:
            return None

    class MiddleParking(nearest):  # type: ignore[misc, valid-type]
        def park(self, car: Any, view: Any) -> int | None:
            return int(view.building.n_floors // 2)

    class LobbyParking(nearest):  # type: ignore[misc, valid-type]
        def park(self, car: Any, view: Any) -> int | None:
            return int(view.building.lobby)

    return {
        "fixed round-robin": RoundRobin,
        "fixed nearest, park mid": MiddleParking,
        "fixed nearest, park lobby": LobbyParking,
    }


def _points(support: dict[str, ModuleType], make: Callable[[], Any], seeds: list[int]) -> float:
    harness, scenarios, evaluate = support["harness"], support["scenarios"], support["evaluate"]
    credits = []
    for name in harness.ALL_SCENARIOS:
        if name == harness.HIDDEN_SCENARIO:
            scenario = harness.office_morning(scenarios)
        else:
            scenario = scenarios.scenario(name)
        credits.append(evaluate.compare(make, scenario, seeds).credit)
    return POINTS * sum(credits) / len(credits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--sets", type=int, default=6)
    args = parser.parse_args()
    support = _support()
    with tempfile.TemporaryDirectory() as tmp:
        policies = _policies(Path(tmp))
        print(f"{args.sets} disjoint seed sets per size; performance points out of {POINTS:g}")
        for size in args.sizes:
            started = time.perf_counter()
            worst = 0.0
            for label, make in policies.items():
                points = [
                    _points(support, make, [50_000 + k * size + i for i in range(size)])
                    for k in range(args.sets)
                ]
                spread = max(points) - min(points)
                worst = max(worst, spread)
                shown = ", ".join(f"{p:.1f}" for p in points)
                print(f"  {size:>3} seeds  {label:28s} spread {spread:5.2f}  ({shown})")
            seconds = time.perf_counter() - started
            print(f"{size:>3} seeds: largest spread {worst:.2f} points ({seconds:.0f} s)\n")


if __name__ == "__main__":
    main()
