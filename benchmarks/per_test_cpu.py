"""Where does a test's CPU go behind the boundary?

isolation_overhead.py prices the boundary in wall time; this script says which
process spends it. It runs N trivial boundary tests (the same throwaway
challenge: each test calls ``submission.module("mod").f()`` once) in pytest
inside this process, and reads:

- the pytest process's own CPU time and page faults (``getrusage`` SELF);
- its children's (test processes, which it reaps, and the fork server, which
  it waits for at the end): ``getrusage`` CHILDREN;
- the whole machine's busy CPU (``/proc/stat``) over the same run. The rest,
  busy minus both, is mostly the candidate processes (the fork server lets them
  reap themselves, so no ``getrusage`` counts them) and the kernel's own work.

Everything is per test (divided by N). On a machine with C cores the run cannot
take less wall time than busy CPU / C; a gap between the two is time the
critical path (report, next test's fork, its sandbox and channel, its phases)
spends waiting rather than working.

    python benchmarks/per_test_cpu.py [--tests 400] [--repeat 3]

Measured in session 11 (2 cores, idle, ``--tests 400 --repeat 3``): wall 18.75 ms
a test, busy CPU 25.98 ms; the pytest process 6.42 ms (942 page faults: every
page it writes while a forked test process shares it), test processes and fork
server 12.83 ms (1,919 faults), candidates and kernel 6.73 ms; floor 12.99 ms.
Page faults cost several microseconds each on this VM, so a trusted process
forked per test cannot reach the 15 ms a test issue 14 asks for here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from isolation_overhead import write_challenge

CHILD = """\
import os, resource, sys, time
import pytest

def busy():
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:3]) + sum(fields[5:8])) / ticks  # user nice system irq softirq steal

before, started = busy(), time.perf_counter()
code = pytest.main(sys.argv[1:])
wall, machine = time.perf_counter() - started, busy() - before
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print("RESULT", code, wall, machine, me.ru_utime + me.ru_stime, me.ru_minflt,
      kids.ru_utime + kids.ru_stime, kids.ru_minflt)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=400, help="number of trivial tests (N)")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is kept")
    args = parser.parse_args()
    n = args.tests
    rows: list[list[float]] = []
    with tempfile.TemporaryDirectory(prefix="mlgrader-cpu-") as tmp:
        folder = write_challenge(Path(tmp), n, name="bench-boundary", boundary=True)
        script = Path(tmp) / "run.py"
        script.write_text(CHILD)
        cmd = [sys.executable, str(script), "-p", "mlgrader.plugin", "-p", "no:cacheprovider"]
        cmd += ["--mlgrader-submission", "submission", "-q", "--mlgrader", "--mlgrader-sandbox"]
        env = os.environ | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        for _ in range(args.repeat):
            run = subprocess.run(
                [*cmd, "tests"], cwd=folder, env=env, capture_output=True, text=True, check=False
            )
            line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT")), None)
            if line is None or line.split()[1] != "0":
                raise SystemExit(f"the run failed:\n{(run.stdout + run.stderr)[-2000:]}")
            rows.append([float(v) for v in line.split()[2:]])
            time.sleep(1)  # let the last processes' exits finish before the next run
    wall, machine, own, own_faults, kids, kid_faults = (
        statistics.median(r[i] for r in rows) for i in range(6)
    )
    per = 1000 / n
    print(f"{n} trivial boundary tests, median of {args.repeat} runs, {os.cpu_count()} cores")
    print(f"  wall                          {wall * per:6.2f} ms a test")
    print(f"  busy CPU, whole machine       {machine * per:6.2f} ms a test")
    print(f"  pytest process                {own * per:6.2f} ms  {own_faults / n:6.0f} faults")
    print(f"  test processes + fork server  {kids * per:6.2f} ms  {kid_faults / n:6.0f} faults")
    print(f"  the rest (candidates, kernel) {(machine - own - kids) * per:6.2f} ms")
    print(f"  wall floor on these cores     {machine * per / (os.cpu_count() or 1):6.2f} ms a test")


if __name__ == "__main__":
    main()
