"""How much does an elevator policy's performance credit depend on which hidden seeds are drawn?

The elevator challenge's performance category (60 points) pools each scenario's waits
over hidden seeds and compares them with the nearest-car baseline on the same seeds,
adding seeds in rounds (16, 32, ... up to 512) until the credit settles
(evaluate.settled_compare). This runs fixed policies (the reference, the mutants that
still dispatch, the independent solutions in challenges/elevator/solutions/, and three
middling policies whose credit is not clipped) on ``--sets`` disjoint pools of seeds,
each as large as the hidden tests' (``--size``), and prints per policy the points on
each pool, the seeds each scenario used, and the spread (max - min) of the points.

    python benchmarks/elevator_seeds.py [--sets 5] [--size 512] [--fixed]

``--fixed`` instead pools exactly ``--size`` seeds per scenario (the grader before it
settled its seeds used 4), to compare. The issue's bar: a spread of at most 2 points.
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
_BASELINE: dict[tuple[str, int], list[float]] = {}  # the baseline's waits per (scenario, seed)


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


def _points(
    support: dict[str, ModuleType], make: Callable[[], Any], seeds: list[int], fixed: bool
) -> tuple[float, list[int]]:
    """The performance points of ``make`` on ``seeds``, and the seeds each scenario used."""
    harness, scenarios, evaluate = support["harness"], support["scenarios"], support["evaluate"]
    nearest = support["baseline"].NearestCarPolicy
    credits, used = [], []
    for name in harness.ALL_SCENARIOS:
        if name == harness.HIDDEN_SCENARIO:
            scenario = harness.office_morning(scenarios)
        else:
            scenario = scenarios.scenario(name)
        if fixed:
            comparison = evaluate.compare(make, scenario, seeds)
        else:

            def waits(
                seed: int, scenario: Any = scenario, name: str = name
            ) -> tuple[list[float], list[float]]:
                if (name, seed) not in _BASELINE:  # the same for every policy: run it once
                    _BASELINE[(name, seed)] = list(evaluate.run(nearest, scenario, seed).waits)
                return list(evaluate.run(make, scenario, seed).waits), _BASELINE[(name, seed)]

            comparison = evaluate.settled_compare(name, waits, seeds)
        credits.append(comparison.credit)
        used.append(comparison.seeds)
    return POINTS * sum(credits) / len(credits), used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=5)
    parser.add_argument(
        "--size", type=int, default=512, help="seeds per pool (the hidden tests' 512)"
    )
    parser.add_argument("--fixed", action="store_true", help="pool exactly --size seeds")
    parser.add_argument("--only", action="append", default=[], help="policies whose label has this")
    args = parser.parse_args()
    support = _support()
    how = "exactly" if args.fixed else "settled over up to"
    print(
        f"{args.sets} disjoint seed pools, {how} {args.size} seeds per scenario; points of {POINTS:g}"
    )
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        policies = _policies(Path(tmp))
        for label, make in policies.items():
            if args.only and not any(part in label for part in args.only):
                continue
            started = time.perf_counter()
            runs = [
                _points(
                    support,
                    make,
                    [50_000 + k * args.size + i for i in range(args.size)],
                    args.fixed,
                )
                for k in range(args.sets)
            ]
            points = [p for p, _ in runs]
            spread = max(points) - min(points)
            worst = max(worst, spread)
            shown = ", ".join(f"{p:.1f}" for p in points)
            seeds = " ".join("/".join(str(n) for n in used) for _, used in runs)
            seconds = time.perf_counter() - started
            print(
                f"  {label:28s} spread {spread:5.2f}  ({shown})  seeds per scenario {seeds}"
                f"  ({seconds:.0f} s)",
                flush=True,
            )
    print(f"largest spread {worst:.2f} points")


if __name__ == "__main__":
    main()
