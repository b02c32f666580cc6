"""How long one call across the process boundary takes (issue 14: median at most 100 us).

Starts a candidate process (``boundary.connection.start_local``: the channel as
in grading, without the sandbox) on a tiny module and times, from the trusted
side, calls that each make exactly one round trip:

- ``call``: a bound method reference called with one small argument, answering a str;
- ``len``: ``len(obj)`` on a candidate object;
- ``call, 1 MB array``: a call whose argument is a fresh 1 MB float array (copied in);

and ``method``: ``obj.get(key)`` as a test writes it (attribute fetch plus call).
Prints median, 10th and 90th percentiles in microseconds.

    python benchmarks/boundary_roundtrip.py [--calls 5000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mlgrader.boundary.connection import start_local, stop_local

MODULE = """
class Box:
    def __init__(self):
        self.data = {"k": "v"}
    def get(self, key):
        return self.data.get(key)
    def __len__(self):
        return len(self.data)
def total(array):
    return float(array[0])
"""


def _times(fn: Callable[[], object], calls: int) -> list[float]:
    for _ in range(min(200, calls)):
        fn()
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bench_mod.py").write_text(MODULE)
        conn, proc = start_local(path=[tmp])
        try:
            mod = conn.import_module("bench_mod")
            box = mod.Box()
            get = box.get
            big = np.ones(1 << 17)
            cases: dict[str, Callable[[], object]] = {
                "call": lambda: get("k"),
                "len": lambda: len(box),
                "method (getattr + call)": lambda: box.get("k"),
                "call, 1 MB array": lambda: mod.total(big.copy()),
            }
            print(
                f"{'case':<26} {'median':>8} {'p10':>8} {'p90':>8}   (microseconds, {args.calls} calls)"
            )
            for name, fn in cases.items():
                calls = args.calls if "array" not in name else max(50, args.calls // 20)
                ts = _times(fn, calls)
                q = statistics.quantiles(ts, n=10)
                print(f"{name:<26} {statistics.median(ts):8.1f} {q[0]:8.1f} {q[-1]:8.1f}")
        finally:
            stop_local(conn, proc)


if __name__ == "__main__":
    main()
