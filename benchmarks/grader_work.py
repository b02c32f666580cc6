"""How the grader's own work on a submission grows with the submission (issue 15).

Copying the submission, scanning it, measuring its quality and rendering the
scorecard happen outside every test's deadline, so each must be linear in its
input. This script builds a hostile submission at 1x, 2x and 4x a base size
(the lru-cache reference, plus never-imported modules of deep attribute
chains, one class whose methods call each other in a chain, and many small
files) and times each step, best of ``--repeat``; each doubling should at most
about double the time (ratio near 2, well under the 4 of a quadratic step).

    python benchmarks/grader_work.py [--scale 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from mlgrader import find_challenge
from mlgrader.engine.analysis import analyse
from mlgrader.engine.grade import _quality_files, _scan_files, error_scorecard
from mlgrader.engine.workspace import prepare_workspace
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Integrity
from mlgrader.reports.jsonfile import render_json
from mlgrader.reports.markdown import render_markdown
from mlgrader.reports.text import render_text

REPO = Path(__file__).resolve().parents[1]


def build(folder: Path, factor: int, scale: int) -> None:
    """The reference, with ``factor`` times the hostile content."""
    shutil.copytree(REPO / "challenges" / "lru-cache" / "reference", folder)
    chain = "x" + ".a" * 800 + " = 1\n"
    for i in range(factor):
        (folder / f"deep{i}.py").write_text(chain * 150 * scale)
    methods = 2_000 * factor * scale
    body = "".join(f"    def m{i}(self):\n        return self.m{i + 1}()\n" for i in range(methods))
    package = folder / "lru_cache"  # the class inside the module the quality pass measures
    package.mkdir()
    (folder / "lru_cache.py").rename(package / "__init__.py")
    (package / "chain.py").write_text("class Chain:\n" + body)
    for i in range(100 * factor * scale):
        (folder / f"note{i:06d}.txt").write_text("n" * 100)


def best(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(challenge: Challenge, folder: Path, repeat: int) -> tuple[float, float, float]:
    """Best times of copying, reading (scan and quality) and rendering one submission."""
    rubric = challenge.rubric().for_challenge(challenge.name)
    copy = partial(prepare_workspace, challenge, folder, rubric, public_only=True)
    copying = best(lambda: copy().cleanup(), repeat)
    ws = copy()
    try:
        read = partial(analyse, ws.submission, _quality_files(ws, challenge), budget_s=600)
        reading = best(lambda: read(_scan_files(ws, challenge)), repeat)
        found = read(_scan_files(ws, challenge))
    finally:
        ws.cleanup()
    card = error_scorecard(challenge, folder, "benchmark: no tests run")
    card.quality = found.quality
    card.integrity = Integrity.from_findings(found.findings)
    rendering = best(lambda: [r(card) for r in (render_json, render_markdown, render_text)], repeat)
    return copying, reading, rendering


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="base size multiplier")
    parser.add_argument("--repeat", type=int, default=3, help="timings per step; best kept")
    args = parser.parse_args()
    challenge = find_challenge(REPO / "challenges", "lru-cache")
    runs = []
    with tempfile.TemporaryDirectory(prefix="mlgrader-work-") as tmp:
        for factor in (1, 2, 4):
            folder = Path(tmp) / f"x{factor}"
            build(folder, factor, args.scale)
            runs.append(measure(challenge, folder, args.repeat))
    print(f"grader's own work on a hostile submission at 1x, 2x, 4x (scale {args.scale})")
    for step, times in zip(
        ("copy", "scan + quality", "render"), zip(*runs, strict=True), strict=True
    ):
        shown = "  ".join(f"{t:7.3f} s" for t in times)
        ratios = ", ".join(f"{b / a:.2f}" for a, b in itertools.pairwise(times))
        print(f"  {step:<15} {shown}   per doubling: {ratios}")


if __name__ == "__main__":
    main()
