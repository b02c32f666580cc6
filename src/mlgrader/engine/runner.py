"""Run pytest on a prepared workspace in a separate process and collect its results stream.

The grading process never imports candidate code: pytest runs in a child
process with a scrubbed environment, other pytest plugins switched off, and a
pipe as the only channel results come back on. The child's whole session is
killed at the submission's deadline; every result recorded before then is kept.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from mlgrader.engine.protocol import RunRecords, parse_records
from mlgrader.engine.workspace import Workspace
from mlgrader.model.limits import Limits
from mlgrader.sandbox import kernel as sandbox

MAX_RESULTS_BYTES = 32 * 1024 * 1024
LOG_TAIL_CHARS = 4000
DEADLINE_MARGIN_S = 15.0
STOP_GRACE_S = 5.0
CANARIES = 2

#: Environment variables passed through to the test processes; everything else is dropped.
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SYSTEMROOT")


@dataclass
class RunOutcome:
    """What came back from the pytest process."""

    records: RunRecords
    returncode: int | None
    log_tail: str
    deadline_hit: bool


def scrubbed_env(ws: Workspace) -> dict[str, str]:
    """The environment candidate code sees: no tokens or secrets, HOME in the workspace."""
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(
        HOME=str(ws.home),
        TMPDIR=str(ws.root / "tmp"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        PYTHONNOUSERSITE="1",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def run_tests(ws: Workspace, limits: Limits) -> RunOutcome:
    """Run the workspace's tests under the mlgrader plugin; never raises for candidate behaviour."""
    jail = sandbox.ProcessJail()
    read_fd, write_fd = os.pipe()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "mlgrader.plugin",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ws.root / "pytest.ini"),
        "--rootdir",
        str(ws.root),
        "--confcutdir",
        str(ws.root),
        "-q",
        "--no-header",
        "-rN",
        "--mlgrader",
        "--mlgrader-sandbox",
        "--mlgrader-canaries",
        str(CANARIES),
        "--mlgrader-submission",
        str(ws.submission),
        "--mlgrader-rubric",
        str(ws.root / "rubric.toml"),
        "--mlgrader-results",
        f"fd:{write_fd}",
        *limits.to_options(),
        "tests",
    ]
    log_path = ws.root / "pytest.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=ws.root,
            env=scrubbed_env(ws),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            start_new_session=True,
            preexec_fn=jail.enter if jail.path is not None else None,
        )
    os.close(write_fd)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_fd, chunks), daemon=True)
    reader.start()
    deadline_hit = False
    try:
        proc.wait(timeout=limits.deadline_s + DEADLINE_MARGIN_S)
    except subprocess.TimeoutExpired:
        deadline_hit = True
    finally:
        _kill_session(proc)
        jail.kill_all()
    reader.join(timeout=5)
    text = b"".join(chunks).decode("utf-8", "replace")
    records = parse_records(text)
    if jail.path is not None:
        records.sandbox["process_jail"] = True
    return RunOutcome(records, proc.returncode, _tail(log_path), deadline_hit)


def _drain(fd: int, chunks: list[bytes]) -> None:
    size = 0
    with os.fdopen(fd, "rb") as stream:
        while chunk := stream.read1(65536):
            if size < MAX_RESULTS_BYTES:
                chunks.append(chunk)
                size += len(chunk)


def _kill_session(proc: subprocess.Popen[bytes]) -> None:
    """Stop pytest: SIGTERM lets the plugin kill the running test and its orphans first."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_GRACE_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - LOG_TAIL_CHARS))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
