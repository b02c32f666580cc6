"""Two tiers: ``pytest`` runs the quick tier (unit, plugin, CLI) to iterate with; ``pytest --full``
adds what takes minutes: every challenge validated, the attack suite, Dask, the browser.

A test belongs to the full tier when it is marked ``@pytest.mark.full`` or lives in
one of ``FULL_PATHS``. The quick tier deselects those (they are not skipped: the
full tier, which CI and the README's test command run, runs every one of them).
In the full tier, ``mlgrader validate`` starts as soon as collection ends and runs
beside the other tests; the tests that read its output run last.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FULL_PATHS = (HERE / "adversarial", HERE / "test_challenges.py")
ROOT = HERE.parent
#: The fixture of the tests that read ``mlgrader validate``'s output (test_challenges.py).
VALIDATION = "validation"
#: validate's progress line for one grading, with its seconds.
_GRADED = re.compile(r"([\w.-]+): graded .* in (\d+) s$")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="run the full tier: challenge validation, attacks, Dask, the browser",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "full: a slow test that runs only in the full tier (pytest --full)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("full"):
        # Validation runs in the background from the start (see BackgroundValidation);
        # the tests that read it come last, so the rest of the tier runs meanwhile.
        waiting = [item for item in items if VALIDATION in getattr(item, "fixturenames", ())]
        items[:] = [item for item in items if item not in waiting] + waiting
        return
    quick, slow = [], []
    for item in items:
        path = Path(item.path)
        in_full_path = any(path == p or p in path.parents for p in FULL_PATHS)
        (slow if in_full_path or item.get_closest_marker("full") else quick).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = quick


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    if any(VALIDATION in getattr(item, "fixturenames", ()) for item in session.items):
        session.config.stash[_VALIDATE_RUN] = BackgroundValidation()


class BackgroundValidation:
    """``mlgrader validate --jobs 2`` over every challenge, started as soon as the session
    has collected, so that its 20 minutes of gradings overlap the rest of the full tier
    (which leaves a core idle much of the time: waiting on sleeps, subprocesses, one test
    at a time). Every claim it checks must hold on a busy machine anyway (a grader is a
    measuring instrument, idle or busy), and this is a busy machine."""

    def __init__(self) -> None:
        env = dict(os.environ, MLGRADER_CHALLENGES=str(ROOT / "challenges"))
        # files, not pipes (nothing reads them until the run ends); closed in stop()
        self.out = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.err = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlgrader.cli", "validate", "--jobs", "2"],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=self.err,
            text=True,
            start_new_session=True,  # stopped as a group if the session ends first
        )
        self.done: subprocess.CompletedProcess[str] | None = None

    def result(self) -> subprocess.CompletedProcess[str]:
        """Wait for the run; its exit code and output."""
        if self.done is None:
            self.proc.wait()
            self.out.seek(0)
            self.err.seek(0)
            self.done = subprocess.CompletedProcess(
                self.proc.args, self.proc.returncode, self.out.read(), self.err.read()
            )
        return self.done

    def slowest(self, most: int = 15) -> list[str]:
        """Each challenge's share of a finished run's grading time, then its slowest gradings
        ("lru-cache: graded mutant x in 74 s"): validate's share of the tier, the first
        place to look when the tier grows."""
        if self.done is None:
            return []
        matches = [_GRADED.match(line) for line in self.done.stderr.splitlines()]
        timed = sorted((int(m[2]), m[0], m[1]) for m in matches if m)
        total = sum(seconds for seconds, _, _ in timed)
        per_challenge: dict[str, list[int]] = {}
        for seconds, _, name in timed:
            per_challenge.setdefault(name, []).append(seconds)
        shares = [
            f"{name}: {len(times)} gradings, {sum(times)} s"
            for name, times in sorted(per_challenge.items(), key=lambda kv: -sum(kv[1]))
        ]
        slowest = [line for _, line, _ in reversed(timed[-most:])]
        return [f"{len(timed)} gradings, {total} s in all", *shares, "the slowest:", *slowest]

    def stop(self) -> None:
        if self.proc.poll() is None:  # the session ended first: leave no gradings behind
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.out.close()
        self.err.close()


_VALIDATE_RUN = pytest.StashKey[BackgroundValidation]()


@pytest.fixture(scope="session")
def validation(request: pytest.FixtureRequest) -> subprocess.CompletedProcess[str]:
    """The background validation's result (started here if collection did not start it)."""
    run = request.config.stash.get(_VALIDATE_RUN, None)
    if run is None:
        run = request.config.stash[_VALIDATE_RUN] = BackgroundValidation()
    return run.result()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    run = terminalreporter.config.stash.get(_VALIDATE_RUN, None)
    lines = run.slowest() if run is not None else []
    if lines:
        terminalreporter.write_sep("=", "mlgrader validate: time per grading")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_VALIDATE_RUN, None)
    if run is not None:
        run.stop()
