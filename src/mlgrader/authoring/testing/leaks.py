"""Nothing the candidate started may outlive the test: threads and child processes.

A data-loader server that leaves a worker thread spinning or a pool process alive
passes every functional test and then leaks on every epoch in production. ``with
no_leaks():`` around the code under test notes the threads and child processes
alive before, gives new ones ``grace`` seconds to finish after the block, then
fails naming each survivor (with the stack of each thread). Survivor processes
are killed, so the leak costs the candidate the test and nothing else.

Behind the process boundary the candidate's threads and processes live in its
own process, so they are read from outside, from the kernel: the tasks in
``/proc/PID/task`` and the children each lists. The candidate process runs one
thread for each test thread that calls it (a lane, see boundary/endpoint.py);
those are allowed for by count. Its leftover children are killed with the
candidate process when the test ends.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from mlgrader.boundary.connection import Connection
from mlgrader.boundary.connection import current as current_connection
from mlgrader.errors import UserInputError

__all__ = ["no_leaks"]


@contextmanager
def no_leaks(grace: float = 2.0) -> Iterator[None]:
    """Fail if threads or child processes started in the block are alive ``grace`` s after it."""
    if grace < 0:
        raise UserInputError(f"grace must be >= 0 seconds, got {grace!r}")
    remote = current_connection()
    if remote is not None:
        with _no_remote_leaks(remote, grace):
            yield
        return
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


@contextmanager
def _no_remote_leaks(remote: Connection, grace: float) -> Iterator[None]:
    """``no_leaks`` for the candidate process ``remote``: its threads and children, read
    from ``/proc`` by this process."""
    pid = remote.pid
    tasks_before, children_before = _tasks(pid), _children(pid)
    lanes_before = remote.endpoint.serving_threads()
    yield
    deadline = time.monotonic() + grace
    while True:
        lanes = max(0, remote.endpoint.serving_threads() - lanes_before)
        extra_threads = len(_tasks(pid) - tasks_before) - lanes
        children = sorted(_children(pid) - children_before)
        if (extra_threads <= 0 and not children) or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    if extra_threads <= 0 and not children:
        return
    lines = [f"left running {grace:g} s after the code under test returned:"]
    if extra_threads > 0:
        lines.append(f"--- {extra_threads} thread(s) of the candidate process ---")
    for child in children:
        lines.append(f"--- child process (pid {child}) of the candidate process ---")
    lines.append("The candidate process's threads (as it reports them):\n" + remote.stacks())
    raise AssertionError("\n".join(lines))


def _tasks(pid: int) -> set[int]:
    try:
        return {int(tid) for tid in os.listdir(f"/proc/{pid}/task")}
    except OSError:
        return set()  # the process is gone: nothing of it is running


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for tid in _tasks(pid):
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as listing:
                found.update(int(child) for child in listing.read().split())
        except OSError:
            continue
    return found
