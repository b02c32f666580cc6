"""Many processes against one shared resource, released together, never hanging a test.

The process twin of :func:`mlgrader.testing.run_threads`: ``run_processes(worker,
n)`` forks n processes that wait at one barrier and then call ``worker(index)``.
Results and exceptions come back over a pipe (results must pickle). A process
still running at the timeout has its stack dumped by ``faulthandler`` to a file
the parent reads, so a deadlock between processes is reported with every stuck
process's stack, and then it is killed: no process outlives the call.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.errors import UserInputError

__all__ = ["ProcessRun", "run_processes"]

#: How long before the deadline a stuck process writes its stack.
_DUMP_MARGIN_S = 0.2
#: How long a process still has to exit when the deadline has passed already.
_EXIT_GRACE_S = 0.05


@dataclass
class ProcessRun:
    """Per-process results (by index), error messages, and wall time in seconds."""

    results: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    elapsed: float = 0.0

    def raise_errors(self) -> None:
        """Raise AssertionError describing every process that raised; nothing if none did."""
        if self.errors:
            raise AssertionError(
                f"{len(self.errors)} of {len(self.results)} processes raised:\n"
                + "\n".join(self.errors)
            )


def _child(
    worker: Callable[[int], Any],
    index: int,
    barrier: Any,
    conn: Any,
    dump: str,
    deadline: float,
) -> None:
    # the stacks are dumped just before the parent's deadline, not a timeout after this
    # process started: a process that started late would otherwise be killed first
    left = max(0.05, deadline - time.monotonic() - _DUMP_MARGIN_S)
    with open(dump, "w") as out:
        faulthandler.dump_traceback_later(left, exit=False, file=out)
        try:
            barrier.wait(left)
            conn.send(("ok", worker(index)))
        except BaseException as exc:  # the candidate's error is data for the parent
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            conn.send(("error", f"process {index}: {type(exc).__name__}: {exc}\n{text}"))
        finally:
            faulthandler.cancel_dump_traceback_later()
            conn.close()
    # The result is sent: leave at once (multiprocessing's exit handlers and flushes would
    # run in a fork of the pytest process, and nothing here needs them).
    os._exit(0)


def run_processes(worker: Callable[[int], Any], n: int = 4, *, timeout: float = 10.0) -> ProcessRun:
    """Call ``worker(index)`` for index 0..n-1, each in its own forked process, all at once.

    Exceptions are collected (see :meth:`ProcessRun.raise_errors`). If any process
    is still running ``timeout`` seconds after the start, every one still running
    is killed and AssertionError is raised with their stacks.
    """
    if n < 1:
        raise UserInputError(f"run_processes needs n >= 1 processes, got {n}")
    if timeout <= 0:
        raise UserInputError(f"run_processes needs a positive timeout, got {timeout}")
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(n)
    run = ProcessRun(results=[None] * n)
    with tempfile.TemporaryDirectory(prefix="mlgrader-procs-") as tmp:
        start = time.monotonic()  # one clock for every process on the machine
        deadline = start + timeout
        dumps = [str(Path(tmp) / f"stack-{i}.txt") for i in range(n)]
        pipes = [ctx.Pipe(duplex=False) for _ in range(n)]
        procs = [
            ctx.Process(
                target=_child,
                args=(worker, i, barrier, pipes[i][1], dumps[i], deadline),
                name=f"mlgrader-process-{i}",
                daemon=True,
            )
            for i in range(n)
        ]
        try:
            for proc in procs:
                proc.start()
            for _, sender in pipes:
                sender.close()  # the parent keeps only the read ends
            for i, (receiver, _) in enumerate(pipes):
                if receiver.poll(max(0.0, deadline - time.monotonic())):
                    try:
                        kind, value = receiver.recv()
                    except EOFError:  # died without a word (os._exit, a signal)
                        continue
                    if kind == "ok":
                        run.results[i] = value
                    else:
                        run.errors.append(value)
            # A process that sent its result may still be on its way out (a fork of a large
            # process takes a while to unmap its pages; on a busy machine, longer): it is
            # stuck only if it is still running at the deadline, never 50 ms after its result.
            for proc in procs:
                proc.join(max(_EXIT_GRACE_S, deadline - time.monotonic()))
            stuck = [i for i, proc in enumerate(procs) if proc.is_alive()]
            if stuck:
                time.sleep(_DUMP_MARGIN_S)  # let faulthandler finish writing the stacks
                stacks = [f"--- stuck process {i} ---\n{_read(dumps[i])}" for i in stuck]
                raise AssertionError(
                    f"deadlock or hang: {len(stuck)} of {n} processes still running after "
                    f"{timeout:g} s\n" + "\n".join(stacks)
                )
            for i, proc in enumerate(procs):
                if proc.exitcode not in (0, None) and run.results[i] is None:
                    message = f"process {i} exited with code {proc.exitcode} and no result"
                    if message not in run.errors:
                        run.errors.append(message)
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.kill()
                proc.join(5)
            run.pids = [proc.pid or 0 for proc in procs]
    run.elapsed = time.monotonic() - start
    return run


def _read(path: str) -> str:
    try:
        text = Path(path).read_text(errors="replace").strip()
    except OSError:
        return "(no stack dump)"
    return text or "(no stack dump)"
