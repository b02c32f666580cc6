"""Are a challenge's complexity verdicts the same every run?

Grades each named solution of a challenge (by default lru-cache's reference and its
list-based mutant) ``--runs`` times with ``mlgrader grade`` and prints, per
complexity test, how many runs it passed, then the measured class of each check.
A fair grader gives the same verdict every time: the reference passes 10 out of
10, the mutant fails the tests its expect.toml names 10 out of 10.

    python benchmarks/complexity_verdicts.py [--challenge lru-cache] [--runs 10]
        [--solution reference --solution mutants/list-order] [--load]
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from mlgrader.model.mutants import build_mutant

ROOT = Path(__file__).resolve().parent.parent


def _grade(challenge: str, solution: Path, out: Path) -> dict[str, object]:
    subprocess.run(
        [
            str(Path(sys.executable).parent / "mlgrader"),
            "grade",
            str(solution),
            "--challenge",
            challenge,
            "--challenges",
            str(ROOT / "challenges"),
            "--json",
            str(out),
            "--format",
            "json",
        ],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return dict(json.loads(out.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--challenge", default="lru-cache")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--solution", action="append", default=[])
    parser.add_argument("--load", action="store_true", help="CPU hog on another core")
    args = parser.parse_args()
    solutions = args.solution or ["reference", "mutants/list-order"]
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.load else None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name in solutions:
                path = ROOT / "challenges" / args.challenge / name
                if path.parent.name == "mutants":  # a patch against the reference: build it
                    path = build_mutant(path.parent.parent / "reference", path, Path(tmp) / name)
                passed: collections.Counter[str] = collections.Counter()
                measured: dict[str, collections.Counter[str]] = collections.defaultdict(
                    collections.Counter
                )
                tests: set[str] = set()
                for run in range(args.runs):
                    card = _grade(args.challenge, path, Path(tmp) / f"{run}.json")
                    for test in card["tests"]:  # type: ignore[attr-defined]
                        if test["category"] != "complexity":
                            continue
                        tests.add(test["id"])
                        passed[test["id"]] += test["outcome"] == "passed"
                        for record in test.get("complexity") or []:
                            measured[test["id"]][record["measured"]] += 1
                    print(f"{name}: run {run + 1}/{args.runs} score {card['score']}", flush=True)
                print(
                    f"\n{args.challenge} {name}: complexity tests passed, out of {args.runs} runs"
                )
                for test_id in sorted(tests):
                    classes = ", ".join(f"{c} x{k}" for c, k in sorted(measured[test_id].items()))
                    short = test_id.split("::")[-1]
                    print(f"  {passed[test_id]:>2}/{args.runs}  {short:55s} measured: {classes}")
                print()
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()


if __name__ == "__main__":
    main()
