"""Two tiers: ``pytest`` runs the quick tier (unit, plugin, CLI) to iterate with; ``pytest --full``
adds what takes minutes: every challenge validated, the attack suite, Dask, the browser.

A test belongs to the full tier when it is marked ``@pytest.mark.full`` or lives in
one of ``FULL_PATHS``. The quick tier deselects those (they are not skipped: the
full tier, which CI and the README's test command run, runs every one of them).

``mlgrader validate`` over every challenge is the full tier's largest cost (about
17 minutes of two cores). It starts in the background as soon as collection selects
a test that reads it (``VALIDATION_TESTS``), and those tests run last: the rest of the
tier runs beside it, which it must survive anyway (it passes on a machine with one
process spinning per core). ``background_validation`` hands its result over. A test
that leaves a thread running in this process can hang a later test that forks it
(tests/test_batch.py's Dask cluster did): start such things in a process of their own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

HERE = Path(__file__).parent
FULL_PATHS = (HERE / "adversarial", HERE / "test_challenges.py")
#: The tests that read the one background `validate` run (tests/test_challenges.py).
VALIDATION_TESTS = ("test_challenges.py::test_validate",)
VALIDATION_TIMEOUT_S = 2400
STOP_GRACE_S = 30


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
        return
    _deselect_slow(config, items)


def _deselect_slow(config: pytest.Config, items: list[pytest.Item]) -> None:
    quick, slow = [], []
    for item in items:
        path = Path(item.path)
        in_full_path = any(path == p or p in path.parents for p in FULL_PATHS)
        (slow if in_full_path or item.get_closest_marker("full") else quick).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = quick


def _reads_validation(item: pytest.Item) -> bool:
    return any(name in item.nodeid for name in VALIDATION_TESTS)


@dataclass
class _Background:
    """The background `validate` process and the files its output goes to."""

    process: subprocess.Popen[bytes]
    stdout: IO[bytes]
    stderr: IO[bytes]

    def result(self) -> subprocess.CompletedProcess[str]:
        """Wait for it (killing it after VALIDATION_TIMEOUT_S) and return what it printed."""
        try:
            self.process.wait(timeout=VALIDATION_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return subprocess.CompletedProcess(
            self.process.args, self.process.returncode, _text(self.stdout), _text(self.stderr)
        )

    def stop(self) -> None:
        """Stop the run as Ctrl-C in a terminal would (SIGINT to its whole process group, so
        each grading's own cleanup stops its test session), then kill what is left."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _text(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode("utf-8", "replace")


_VALIDATION = pytest.StashKey[_Background]()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Start `validate` now if a selected test reads it, and move those tests to the end."""
    if session.config.option.collectonly or not any(map(_reads_validation, session.items)):
        return
    session.items.sort(key=_reads_validation)  # stable: every other test keeps its order
    # The files outlive this hook: the fixture reads them when the run ends.
    stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "mlgrader.cli", "validate", "--jobs", "2"],
        cwd=HERE.parent,
        env=dict(os.environ, MLGRADER_CHALLENGES=str(HERE.parent / "challenges")),
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,  # so that an interrupted run can stop every grading it began
    )
    session.config.stash[_VALIDATION] = _Background(process, stdout, stderr)
    signal.signal(signal.SIGTERM, _interrupt)  # so that `timeout` or CI stopping the run stops it


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM ends the run as Ctrl-C does: pytest_unconfigure still stops the background run."""
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def background_validation(request: pytest.FixtureRequest) -> subprocess.CompletedProcess[str]:
    """The background `validate` run: its exit code, stdout and stderr."""
    return request.config.stash[_VALIDATION].result()


def pytest_unconfigure(config: pytest.Config) -> None:
    """An interrupted run (Ctrl-C, -x) leaves no grading behind."""
    background = config.stash.get(_VALIDATION, None)
    if background is not None:
        background.stop()
