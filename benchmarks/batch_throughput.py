"""How many submissions a minute does ``mlgrader batch`` grade, and what does grading cost
over running the same tests with plain pytest?

Generates N submissions for one bundled challenge, round-robin over its reference,
its mutants and its stub (a realistic mix: good, flawed and unfinished work), then
measures, in fresh subprocesses:

- ``mlgrader batch`` with 1 and with 2 workers (wall time, submissions per minute);
- plain pytest on each submission, one after another: the challenge's public and
  hidden tests in one process, ``pytest --mlgrader --mlgrader-no-isolation
  --mlgrader-submission SUB challenges/NAME/tests`` (no workspace copy, no fork per
  test, no sandbox, no scorecard): what a test author runs while writing tests.

The per-submission overhead is (batch wall with 1 worker) / N minus the plain
pytest mean: the price of the clean-room copy, a process per test, the sandbox,
canaries, integrity scan, quality metrics and the scorecard.

    python benchmarks/batch_throughput.py [--challenge estimators] [-n 24] [--out FILE]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlgrader.model.mutants import build_mutant

ROOT = Path(__file__).resolve().parents[1]
CHALLENGES = ROOT / "challenges"


def make_submissions(challenge: str, n: int, dest: Path) -> list[Path]:
    """N submission folders cycling through reference, mutants (built) and stub."""
    root = CHALLENGES / challenge
    sources = [root / "reference", *sorted((root / "mutants").iterdir()), root / "stub"]
    made = []
    for i in range(n):
        source = sources[i % len(sources)]
        target = dest / f"s{i:03d}-{source.name}"
        if source.parent.name == "mutants":
            build_mutant(root / "reference", source, target)
        else:
            shutil.copytree(source, target)
        made.append(target)
    return made


def time_batch(submissions: Path, challenge: str, workers: int, out: Path) -> float:
    cmd = [sys.executable, "-m", "mlgrader.cli", "batch", str(submissions)]
    cmd += ["--challenge", challenge, "--out", str(out), "--workers", str(workers)]
    cmd += ["--challenges", str(CHALLENGES)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def time_plain_pytest(submission: Path, challenge: str) -> float:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mlgrader"]
    cmd += ["--mlgrader-no-isolation", "--mlgrader-submission", str(submission)]
    cmd += [str(CHALLENGES / challenge / "tests")]
    start = time.perf_counter()
    subprocess.run(cmd, check=False, capture_output=True, cwd=CHALLENGES / challenge)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--challenge", default="estimators")
    parser.add_argument("-n", type=int, default=24, help="submissions to generate")
    parser.add_argument("--workers", default="1,2", help="worker counts to try")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args()

    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory(prefix="mlgrader-bench-") as tmp:
        root = Path(tmp)
        subs = make_submissions(args.challenge, args.n, root / "submissions")
        kinds = sorted({p.name.split("-", 1)[1] for p in subs})
        say(f"challenge {args.challenge}: {args.n} submissions cycling {', '.join(kinds)}")
        say("")
        say("| grading | wall s | submissions / min | s per submission |")
        say("|---|---:|---:|---:|")
        walls: dict[int, float] = {}
        for workers in (int(w) for w in args.workers.split(",")):
            wall = time_batch(root / "submissions", args.challenge, workers, root / f"out{workers}")
            walls[workers] = wall
            say(
                f"| mlgrader batch, {workers} worker{'s' if workers > 1 else ''} | {wall:.1f} | "
                f"{60 * args.n / wall:.1f} | {wall / args.n:.2f} |"
            )
        plain = [time_plain_pytest(p, args.challenge) for p in subs]
        total = sum(plain)
        say(
            f"| plain pytest, one after another | {total:.1f} | {60 * args.n / total:.1f} | "
            f"{statistics.mean(plain):.2f} |"
        )
        say("")
        if 1 in walls:
            overhead = walls[1] / args.n - statistics.mean(plain)
            say(
                f"per-submission overhead of mlgrader over plain pytest (1 worker): "
                f"{overhead:.2f} s ({walls[1] / total:.2f}x plain pytest's time)"
            )
        if 1 in walls and 2 in walls:
            say(f"speed-up from 1 to 2 workers: {walls[1] / walls[2]:.2f}x")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
