"""Tests for mlgrader.authoring.testing.parallelism and .eventloop: parallel or serial, blocking or not."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mlgrader.authoring.testing.eventloop import run_without_blocking
from mlgrader.authoring.testing.parallelism import Spans, speedup
from mlgrader.errors import UserInputError


def _io_task(spans: Spans, lock: threading.Lock | None = None) -> None:
    if lock is None:
        with spans.span():
            time.sleep(0.05)
        return
    with lock, spans.span():  # a "pool" that serialises everything
        time.sleep(0.05)


def test_thread_pool_work_overlaps_and_uses_many_workers() -> None:
    spans = Spans()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: _io_task(spans), range(8)))
    spans.require_workers(4)
    spans.require_overlap(4)
    assert len(spans.spans) == 8


def test_serialised_pool_is_caught() -> None:
    spans, lock = Spans(), threading.Lock()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: _io_task(spans, lock), range(6)))
    spans.require_workers(2)  # many threads, ...
    with pytest.raises(AssertionError, match="at most 1 ever did"):
        spans.require_overlap(2)  # ... but one at a time


def _child(spans: Spans, started: threading.Barrier | None = None) -> None:
    if started is not None:  # all three alive before any span opens, however slow forks are
        started.wait(30)
    with spans.span("child"):
        time.sleep(0.1)


def test_spans_from_forked_processes_are_collected() -> None:
    spans = Spans(processes=True)
    ctx = multiprocessing.get_context("fork")
    started = ctx.Barrier(3)
    procs = [ctx.Process(target=_child, args=(spans, started)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(10)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    spans.require_workers(3, processes=True)
    spans.require_overlap(3)
    with pytest.raises(AssertionError, match="at least 4 distinct processes"):
        spans.require_workers(4, processes=True)


def test_speedup_of_parallel_and_serial_io() -> None:
    def parallel(k: int) -> None:
        with ThreadPoolExecutor(k) as pool:
            list(pool.map(lambda _: time.sleep(0.02), range(8)))

    def serial(_k: int) -> None:
        for _ in range(8):
            time.sleep(0.02)

    assert speedup(parallel, 4, repeat=5) > 2.5
    assert speedup(serial, 4, repeat=5) < 1.3
    with pytest.raises(UserInputError, match="workers >= 2"):
        speedup(serial, 1)


def test_async_code_that_awaits_passes_and_returns_its_result() -> None:
    async def main() -> int:
        await asyncio.gather(*(asyncio.sleep(0.05) for _ in range(5)))
        return 7

    assert run_without_blocking(main, threshold=0.03) == 7


def _spin() -> None:
    while True:
        pass


def test_a_step_that_waits_for_a_busy_cpu_is_not_blocking() -> None:
    # One core shared with three spinning processes: a step needing 20 ms of CPU
    # takes about 80 ms of wall time, most of it waiting for the core, which
    # asyncio's wall-clock check reported as blocking (CI, stop 34).
    core = min(os.sched_getaffinity(0))
    ctx = multiprocessing.get_context("fork")
    spinners = [ctx.Process(target=_spin, daemon=True) for _ in range(3)]
    walls: list[float] = []

    async def main() -> None:
        start, cpu = time.perf_counter(), time.thread_time()
        while time.thread_time() - cpu < 0.02:
            pass
        walls.append(time.perf_counter() - start)

    saved = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {core})
        for p in spinners:
            p.start()
        time.sleep(0.2)
        run_without_blocking(main, threshold=0.05)
    finally:
        for p in spinners:
            p.kill()
            p.join()
        os.sched_setaffinity(0, saved)
    assert walls[0] > 0.05  # the step did hold the loop longer than the threshold in wall time


def test_blocking_call_inside_a_coroutine_is_reported() -> None:
    async def load_item() -> None:
        time.sleep(0.12)  # blocks every other client

    async def main() -> None:
        await asyncio.gather(load_item(), asyncio.sleep(0.01))

    with pytest.raises(AssertionError) as info:
        run_without_blocking(main, threshold=0.05)
    message = str(info.value)
    assert message.startswith("the event loop was blocked 1 time(s) for more than 0.05 s")
    assert "load_item" in message


def test_threshold_must_be_positive() -> None:
    async def main() -> None:
        return None

    with pytest.raises(UserInputError, match="threshold"):
        run_without_blocking(main, threshold=0)
