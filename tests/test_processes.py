"""Tests for mlgrader.testing.run_processes: results, errors, deadlocks between processes."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest

from mlgrader.authoring.testing.processes import run_processes
from mlgrader.errors import UserInputError

_ctx = multiprocessing.get_context("fork")


@pytest.fixture(autouse=True)
def _no_other_threads() -> None:
    """These tests fork this process. A thread an earlier test left running (a Dask client's
    IO loop, a service host's accept loop) can hold a lock at the fork, and the child then
    hangs before it reaches the worker, with no stack to show: once it did, in a full tier.
    Say which thread, instead of a hang some runs."""
    deadline = time.monotonic() + 10  # a thread may still be finishing its last request
    for thread in [t for t in threading.enumerate() if t is not threading.main_thread()]:
        thread.join(max(0.0, deadline - time.monotonic()))
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    assert others == [], f"an earlier test left threads running in this process: {others}"


def test_results_come_back_by_index_from_distinct_processes() -> None:
    run = run_processes(lambda i: (i * i, os.getpid()), n=4, timeout=60)  # busy CI: forks wait
    run.raise_errors()
    assert [r[0] for r in run.results] == [0, 1, 4, 9]
    pids = {r[1] for r in run.results}
    assert len(pids) == 4 and os.getpid() not in pids


def test_a_process_slow_to_exit_after_its_result_is_not_stuck(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A forked copy of a large process takes a while to exit (its pages are unmapped), longer
    on a busy machine. Once it took more than 50 ms after sending its result, and the full
    tier failed it as "still running after 60 s": only the deadline makes a process stuck."""
    real_exit = os._exit

    def slow_exit(code: int) -> None:
        time.sleep(0.5)
        real_exit(code)

    monkeypatch.setattr(os, "_exit", slow_exit)  # the forked children inherit it
    run = run_processes(lambda i: i, n=2, timeout=20)
    run.raise_errors()
    assert run.results == [0, 1]


def test_processes_are_released_together() -> None:
    run = run_processes(lambda i: time.monotonic(), n=3)
    assert max(run.results) - min(run.results) < 0.5


def test_errors_are_collected_with_the_candidates_traceback() -> None:
    def worker(i: int) -> int:
        if i == 1:
            raise ValueError("bad item 1")
        return i

    run = run_processes(worker, n=3)
    assert run.results[0] == 0 and run.results[2] == 2
    with pytest.raises(
        AssertionError, match=r"1 of 3 processes raised:\nprocess 1: ValueError: bad item 1"
    ):
        run.raise_errors()


def test_hard_exit_is_an_error_not_a_hang() -> None:
    run = run_processes(lambda i: os._exit(3) if i == 0 else i, n=2)
    assert run.errors == ["process 0 exited with code 3 and no result"]


def test_lock_order_deadlock_between_processes_is_reported_with_stacks() -> None:
    lock_a, lock_b = _ctx.Lock(), _ctx.Lock()
    holding = _ctx.Barrier(2)

    def transfer(i: int) -> None:
        first, second = (lock_a, lock_b) if i == 0 else (lock_b, lock_a)
        with first:
            holding.wait(5)
            with second:
                pass

    start = time.perf_counter()
    with pytest.raises(AssertionError) as info:
        run_processes(transfer, n=2, timeout=1.0)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert message.startswith("deadlock or hang: 2 of 2 processes still running after 1 s")
    assert message.count("--- stuck process") == 2
    assert message.count("in transfer") == 2
    assert not _ctx.active_children()


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"timeout": 0}])
def test_invalid_arguments(kwargs: dict[str, float]) -> None:
    with pytest.raises(UserInputError):
        run_processes(lambda i: i, **kwargs)  # type: ignore[arg-type]
