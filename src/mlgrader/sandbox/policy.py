"""What a test's process may read and write once Landlock is on.

Scratch space only for writes (``/dev/shm``, the workspace's TMPDIR and HOME): the
submission copy stays read-only, so one test cannot rewrite code (its own or the
challenge's support files) that later tests import. Reads: the interpreter and
its libraries, the submission, the grader's copy of the challenge's support
modules, never the workspace's tests (hidden ones too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlgrader.sandbox.kernel import readable_roots

#: What a test may read of /proc besides its own process: never other processes' files.
PROC_FILES = tuple(
    Path("/proc", name)
    for name in ("cpuinfo", "meminfo", "stat", "loadavg", "uptime", "version", "sys", "filesystems")
)
DEVICES = (Path("/dev/null"), Path("/dev/zero"), Path("/dev/tty"), Path("/dev/full"))


@dataclass(frozen=True)
class PathPolicy:
    """Landlock's allow-lists for one test process."""

    writable: tuple[Path, ...]
    readable: tuple[Path, ...]


def paths_for_tests(workspace: Path, submission: Path | None) -> PathPolicy:
    """The policy for tests of the run rooted at ``workspace`` on ``submission``."""
    root = workspace.resolve()
    readable = [p for p in readable_roots() if not p.resolve().is_relative_to(root)]
    if submission is not None:
        readable.append(submission)
    if (root / "support").is_dir():  # the grader's copy of the support modules tests import
        readable.append(root / "support")
    writable = [Path("/dev/shm")]
    writable += [Path(p) for p in (os.environ.get("TMPDIR"), os.environ.get("HOME")) if p]
    return PathPolicy(tuple(writable), tuple(readable))
