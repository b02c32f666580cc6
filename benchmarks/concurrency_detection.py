"""Do the concurrency helpers catch real bugs every time, and pass correct code every time?

Runs each scenario ``--runs`` times (default 20) and prints how often the helper
gave the right answer:

- an unlocked counter incremented by 8 threads: ``run_threads`` exposes lost updates;
- a lock-order deadlock between two threads, and between two processes: reported
  with both stacks within the timeout, never hanging;
- lru-cache's unlocked mutant: its recorded histories are not linearizable;
- a locked counter and lru-cache's reference: always pass.

    python benchmarks/concurrency_detection.py [--runs 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlgrader.model.mutants import build_mutant
from mlgrader.testing import (
    History,
    check_linearizable,
    lru_cache_model,
    run_processes,
    run_threads,
)

ROOT = Path(__file__).resolve().parent.parent
CHALLENGE = ROOT / "challenges" / "lru-cache"


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"lru_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LRUCache


class _Counter:
    """A word counter: read, add one, write back (a lock makes it atomic)."""

    def __init__(self, locked: bool) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock() if locked else None

    def increment(self, word: str) -> None:
        if self._lock is None:
            self.counts[word] = self.counts.get(word, 0) + 1
            return
        with self._lock:
            self.counts[word] = self.counts.get(word, 0) + 1


def counter_is_exact(locked: bool) -> bool:
    counter = _Counter(locked)
    run_threads(lambda _: [counter.increment("w") for _ in range(20_000)], n=8).raise_errors()
    return counter.counts["w"] == 8 * 20_000


def thread_deadlock_reported() -> bool:
    a, b = threading.Lock(), threading.Lock()
    holding = threading.Barrier(2)

    def transfer(i: int) -> None:
        first, second = (a, b) if i == 0 else (b, a)
        with first:
            holding.wait(5)
            if second.acquire(timeout=3):  # bounded so the stuck threads end eventually
                second.release()

    start = time.perf_counter()
    try:
        run_threads(transfer, n=2, timeout=0.5)
    except AssertionError as exc:
        text = str(exc)
        return text.count("stuck worker") == 2 and time.perf_counter() - start < 2
    return False


def process_deadlock_reported() -> bool:
    ctx = multiprocessing.get_context("fork")
    a, b = ctx.Lock(), ctx.Lock()
    holding = ctx.Barrier(2)

    def transfer(i: int) -> None:
        first, second = (a, b) if i == 0 else (b, a)
        with first:
            holding.wait(5)
            with second:
                pass

    start = time.perf_counter()
    try:
        run_processes(transfer, n=2, timeout=1.0)
    except AssertionError as exc:
        text = str(exc)
        return text.count("--- stuck process") == 2 and time.perf_counter() - start < 4
    return False


def lru_linearizable(cls: Any, seed: int, rounds: int = 600) -> bool:
    """True when every round's history is linearizable (as the hidden test asks)."""
    step = lru_cache_model(3)
    for round_no in range(rounds):
        cache, history = cls(3), History()

        def worker(
            i: int, cache: Any = cache, history: History = history, r: int = round_no
        ) -> None:
            rng = random.Random(seed * 100_000 + r * 1000 + i)
            for op_no in range(20):
                key = rng.randrange(5)
                try:
                    if rng.random() < 0.5:
                        history.record("put", cache.put, key, (key, i, op_no))
                    else:
                        history.record("get", cache.get, key)
                except Exception:
                    pass

        run_threads(worker, n=4)
        if not check_linearizable(history.operations, step, ()).ok:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    reference = _load(CHALLENGE / "reference" / "lru_cache.py")
    with tempfile.TemporaryDirectory() as tmp:  # the mutant is a patch: build, then load it
        mutant = CHALLENGE / "mutants" / "no-lock"
        built = build_mutant(CHALLENGE / "reference", mutant, Path(tmp) / "no-lock")
        unlocked = _load(built / "lru_cache.py")
    scenarios: list[tuple[str, Callable[[int], bool]]] = [
        ("unlocked counter: lost updates exposed", lambda _: not counter_is_exact(False)),
        ("locked counter: exact", lambda _: counter_is_exact(True)),
        ("lock-order deadlock, threads: both stacks", lambda _: thread_deadlock_reported()),
        ("lock-order deadlock, processes: both stacks", lambda _: process_deadlock_reported()),
        ("unlocked LRU cache: not linearizable", lambda s: not lru_linearizable(unlocked, s)),
        ("locked LRU cache (reference): linearizable", lambda s: lru_linearizable(reference, s)),
    ]
    print(f"{args.runs} runs per scenario")
    for name, scenario in scenarios:
        start = time.perf_counter()
        right = sum(scenario(run) for run in range(args.runs))
        took = (time.perf_counter() - start) / args.runs
        print(f"  {right:>3}/{args.runs}  {name}  ({took:.2f} s a run)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
