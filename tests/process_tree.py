"""A process's descendants, read from /proc, and waiting for them to be gone: how tests
check that a stopped run (batch, validate) takes every process it started with it."""

from __future__ import annotations

import time
from pathlib import Path


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` right now (children of each of its threads, recursively)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += list(kids - found)
            found |= kids
    return found


def wait_gone(pids: set[int], what: str, timeout: float = 20.0) -> None:
    """Fail unless every process in ``pids`` has exited (or is a zombie) within ``timeout``."""
    deadline = time.monotonic() + timeout
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {p for p in alive if Path(f"/proc/{p}").exists() and not _zombie(p)}
        time.sleep(0.05)
    assert not alive, f"processes of the {what} still running: {sorted(alive)}"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True
