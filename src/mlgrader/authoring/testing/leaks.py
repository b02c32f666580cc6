"""Nothing the candidate started may outlive the test: threads and child processes.

A data-loader server that leaves a worker thread spinning or a pool process alive
passes every functional test and then leaks on every epoch in production. ``with
no_leaks():`` around the code under test notes the threads and child processes
alive before, gives new ones ``grace`` seconds to finish after the block, then
fails naming each survivor (with the stack of each thread). Survivor processes
are killed, so the leak costs the candidate the test and nothing else.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from mlgrader.errors import UserInputError

__all__ = ["no_leaks"]


@contextmanager
def no_leaks(grace: float = 2.0) -> Iterator[None]:
    """Fail if threads or child processes started in the block are alive ``grace`` s after it."""
    if grace < 0:
        raise UserInputError(f"grace must be >= 0 seconds, got {grace!r}")
    threads_before = set(threading.enumerate())
    children_before = {p.pid for p in multiprocessing.active_children()}
    yield
    deadline = time.monotonic() + grace
    while True:
        threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        children = [p for p in multiprocessing.active_children() if p.pid not in children_before]
        if not (threads or children) or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    if not (threads or children):
        return
    frames = sys._current_frames()
    lines = [f"left running {grace:g} s after the code under test returned:"]
    for thread in threads:
        kind = "daemon thread" if thread.daemon else "thread"
        lines.append(f"--- {kind} {thread.name!r} ---")
        frame = frames.get(thread.ident or -1)
        if frame is not None:
            lines.append("".join(traceback.format_stack(frame)[-6:]).rstrip())
    for child in children:
        lines.append(f"--- child process {child.name!r} (pid {child.pid}), now killed ---")
        child.kill()
        child.join(5)
    raise AssertionError("\n".join(lines))
