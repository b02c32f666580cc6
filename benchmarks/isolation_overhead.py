"""What does running every test in its own process cost?

The plugin forks each test into a child process (isolation.py) so that a crash,
``os._exit`` or patched pytest in candidate code costs that test alone. This
script prices that guarantee. It writes a throwaway challenge with N trivial
tests that each call ``submission.module("mod").f()`` and times, in fresh
subprocesses:

- inert: the plugin loaded but not enabled (no ``--mlgrader``): bare pytest
  plus the ``submission`` fixture, every test in the pytest process;
- plain: ``pytest -p mlgrader.plugin --mlgrader --mlgrader-no-isolation``,
  every test in the pytest process, with rubric classification and results;
- isolated: the same without ``--mlgrader-no-isolation``, one fork per test;
- sandboxed: isolated plus ``--mlgrader-sandbox`` (network namespace, Landlock,
  orphan reaping), when the plugin has that option;
- boundary: sandboxed, on a copy of the challenge with ``boundary = true``:
  every test also gets a candidate process forked from the fork server, and its
  ``f()`` call is a round trip over the channel;
- forked: bare pytest with ``pytest-forked``'s ``--forked`` (one fork per test,
  no mlgrader), the reference point issue 14 names; skipped if it is not installed.
  FORKED_SHIM lets pytest-forked 1.7 send pytest 9.2's reports (their node id
  became an object marshal cannot carry), and imports what the ``submission``
  fixture imports once, before the first fork, as mlgrader's own pytest process
  does: without that, each forked test imported it anew and forked measured
  about 150 ms a test, a cost of this benchmark, not of forking;
- grade: ``mlgrader grade`` end to end (workspace copy, pytest run, quality
  checks, integrity scan, scorecard).

Each is repeated and the median wall time kept; the per-test overhead of
isolation is (isolated - plain) / N, and each mode's overhead over bare pytest
is (mode - inert) / N.

The plain run loads a small shim (SHIM below): the plugin's in-process branch
returns False from the firstresult hook ``pytest_runtest_protocol``, which
pluggy takes as an answer, so with ``--mlgrader-no-isolation`` no test runs at
all. The shim runs pytest's own protocol in that case; once the plugin returns
None instead, the shim never acts.

    python benchmarks/isolation_overhead.py [--tests 200] [--repeat 3] [--no-grade]

issue 14 bounds the boundary mode's overhead over bare pytest at 15 ms a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

CHALLENGE = "bench"
CHALLENGE_TOML = f"""\
[challenge]
name = "{CHALLENGE}"
title = "Isolation overhead benchmark"
modules = ["mod"]
time_estimate_minutes = 1
"""
MODULE = "def f() -> int:\n    return 1\n"
TESTS = """\
import pytest


@pytest.mark.parametrize("i", range({n}))
def test_f(submission, i):
    assert submission.module("mod").f() == 1
"""


SHIM_NAME = "_bench_inprocess"
SHIM = """\
import pytest
from _pytest import runner


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    result = yield
    if result is False:  # mlgrader's in-process branch; run the test as pytest would
        return runner.pytest_runtest_protocol(item, nextitem)
    return result
"""


FORKED_SHIM_NAME = "_bench_forked_compat"
FORKED_SHIM = """\
import pytest_forked

_serialize = pytest_forked.serialize_report


def _with_plain_node_id(rep):
    data = _serialize(rep)
    if "_id" in data:  # pytest 9.2 reports carry a NodeId object, which marshal cannot send
        data["nodeid"] = str(data.pop("_id"))
    return data


pytest_forked.serialize_report = _with_plain_node_id

# What the submission fixture imports, imported once here as mlgrader's own pytest process
# does before it forks: without this every forked test imported it anew (130 ms a test).
import mlgrader.authoring.fixtures
import mlgrader.engine.session
import mlgrader.engine.settings
"""


def write_challenge(root: Path, n: int, name: str = CHALLENGE, boundary: bool = False) -> Path:
    """A challenge folder (with a submission inside, for plain pytest runs); returns it."""
    folder = root / "challenges" / name
    for sub in ("tests/public", "tests/hidden", "submission"):
        (folder / sub).mkdir(parents=True)
    toml = CHALLENGE_TOML.replace(f'"{CHALLENGE}"', f'"{name}"')
    (folder / "challenge.toml").write_text(toml + f"boundary = {str(boundary).lower()}\n")
    (folder / "tests" / "public" / "test_many.py").write_text(TESTS.format(n=n))
    (folder / "submission" / "mod.py").write_text(MODULE)
    if not boundary:
        (root / "candidate").mkdir()
        (root / "candidate" / "mod.py").write_text(MODULE)
        (root / "shim").mkdir()
        (root / "shim" / f"{SHIM_NAME}.py").write_text(SHIM)
        (root / "shim" / f"{FORKED_SHIM_NAME}.py").write_text(FORKED_SHIM)
    return folder


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str], check: str) -> tuple[float, str]:
    """Wall seconds and stdout of one run; fails loudly unless ``check`` is in its stdout."""
    started = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if check not in run.stdout:
        tail = textwrap.indent((run.stdout + run.stderr)[-2000:], "  ")
        raise SystemExit(f"{' '.join(cmd)} exited {run.returncode} without {check!r}:\n{tail}")
    return elapsed, run.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=200, help="number of trivial tests (N)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode; median kept")
    parser.add_argument("--no-grade", action="store_true", help="skip the `mlgrader grade` run")
    args = parser.parse_args()
    n = args.tests

    with tempfile.TemporaryDirectory(prefix="mlgrader-bench-") as tmp:
        root = Path(tmp)
        folder = write_challenge(root, n)
        behind = write_challenge(root, n, name=f"{CHALLENGE}-boundary", boundary=True)
        env = os.environ | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        paths = [str(root / "shim"), *filter(None, [os.environ.get("PYTHONPATH")])]
        shim_env = env | {"PYTHONPATH": os.pathsep.join(paths)}
        pytest = [sys.executable, "-m", "pytest", "-p", "mlgrader.plugin", "-p", "no:cacheprovider"]
        pytest += ["--mlgrader-submission", "submission", "-q"]
        passed = f"{n} passed"
        plain = [*pytest, "-p", SHIM_NAME, "--mlgrader", "--mlgrader-no-isolation", "tests"]
        modes: dict[str, tuple[list[str], Path, dict[str, str], str]] = {
            "inert": ([*pytest, "tests"], folder, env, passed),
            "plain": (plain, folder, shim_env, passed),
            "isolated": ([*pytest, "--mlgrader", "tests"], folder, env, passed),
        }
        if (
            "--mlgrader-sandbox"
            in subprocess.run(
                [*pytest, "--help"], cwd=folder, env=env, capture_output=True, text=True
            ).stdout
        ):
            sandboxed = [*pytest, "--mlgrader", "--mlgrader-sandbox", "tests"]
            modes["sandboxed"] = (sandboxed, folder, env, passed)
            modes["boundary"] = (sandboxed, behind, env, passed)
        if importlib.util.find_spec("pytest_forked") is not None:
            forked = [*pytest, "-p", "pytest_forked", "-p", FORKED_SHIM_NAME, "--forked", "tests"]
            modes["forked"] = (forked, folder, shim_env, passed)
        else:
            print(
                "pytest-forked is not installed: no --forked comparison (pip install pytest-forked)"
            )
        if not args.no_grade:
            grade = [sys.executable, "-m", "mlgrader.cli", "grade", str(root / "candidate")]
            grade += ["--challenge", CHALLENGE, "--challenges", str(root / "challenges")]
            modes["grade"] = ([*grade, "--format", "json"], root, dict(os.environ), '"score"')

        times: dict[str, list[float]] = {mode: [] for mode in modes}
        output: dict[str, str] = {}
        for _ in range(args.repeat):  # interleaved, so drift in machine load hits every mode
            for mode, (cmd, cwd, run_env, check) in modes.items():
                elapsed, output[mode] = timed(cmd, cwd, run_env, check)
                times[mode].append(elapsed)
        if "grade" in output:
            card = json.loads(output["grade"])
            passed_tests = sum(t["outcome"] == "passed" for t in card["tests"])
            on = ", ".join(k for k, v in card["sandbox"].items() if v is True)
            print(f"grade: score {card['score']:g}, {passed_tests}/{n} passed; protections: {on}")
        if "= mlgrader =" not in output["plain"]:
            raise SystemExit("the plain run did not enable mlgrader")

    median = {mode: statistics.median(values) for mode, values in times.items()}
    print(f"{n} trivial tests, median of {args.repeat} runs (python {sys.version.split()[0]})")
    for mode, values in times.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(
            f"  {mode:<9} {median[mode]:6.2f} s   ({runs})   {1000 * median[mode] / n:6.2f} ms/test"
        )
    overhead_ms = 1000 * (median["isolated"] - median["plain"]) / n
    print(f"isolation overhead: {overhead_ms:.2f} ms per test ((isolated - plain) / {n})")
    for mode in ("isolated", "sandboxed", "boundary", "forked"):
        if mode in median:
            extra_ms = 1000 * (median[mode] - median["inert"]) / n
            print(f"{mode} over bare pytest: {extra_ms:.2f} ms per test (({mode} - inert) / {n})")
    if "boundary" in median and "forked" in median:
        # This VM's speed drifts by 1.5x over an hour; the ratio to pytest-forked's own cost,
        # timed in the same interleaved runs, does not.
        ratio = (median["boundary"] - median["inert"]) / (median["forked"] - median["inert"])
        print(f"boundary overhead / forked overhead: {ratio:.2f}")
    if "sandboxed" in median:
        extra_ms = 1000 * (median["sandboxed"] - median["isolated"]) / n
        print(f"sandbox on top of isolation: {extra_ms:.2f} ms per test")
    if "grade" in median:
        extra = median["grade"] - median.get("sandboxed", median["isolated"])
        print(f"grade beyond that pytest run: {extra:.2f} s (workspace, quality, scan, report)")


if __name__ == "__main__":
    main()
