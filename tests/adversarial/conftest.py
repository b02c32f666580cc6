"""Fixtures for the adversarial suite (the machinery lives in arena_support.py).

The attack folders are never collected (``collect_ignore``): their conftest.py
files, smuggled tests, shadow modules and .pth files must not touch this run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from arena_support import Arena

collect_ignore = ["attacks"]


@pytest.fixture(scope="session")
def arena() -> Iterator[Arena]:
    """The shared grading arena (scratch folders under /tmp, removed at the end)."""
    base = Path(tempfile.mkdtemp(prefix="mlgrader-adversarial-", dir="/tmp"))
    base.chmod(0o755)
    arena = Arena(base)
    try:
        yield arena
    finally:
        arena.close()
        for dirpath, dirnames, _ in os.walk(base):
            for name in dirnames:
                with contextlib.suppress(OSError):
                    (Path(dirpath) / name).chmod(0o777)
        shutil.rmtree(base, ignore_errors=True)
