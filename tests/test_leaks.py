"""Tests for mlgrader.testing.no_leaks: survivors are named (and killed), clean code passes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mlgrader.authoring.testing.leaks import no_leaks


def test_joined_threads_and_pools_pass() -> None:
    with no_leaks(grace=1.0):
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(abs, range(10)))
        t = threading.Thread(target=time.sleep, args=(0.05,))
        t.start()  # ends within the grace period


def test_thread_left_running_is_named_with_its_stack() -> None:
    stop = threading.Event()

    def prefetch_forever() -> None:
        while not stop.wait(0.01):
            pass

    try:
        with pytest.raises(AssertionError) as info, no_leaks(grace=0.2):
            threading.Thread(target=prefetch_forever, name="prefetcher", daemon=True).start()
        message = str(info.value)
        assert "--- daemon thread 'prefetcher' ---" in message
        assert "prefetch_forever" in message
    finally:
        stop.set()


def _sleep_long() -> None:
    time.sleep(30)


def test_child_process_left_running_is_killed_and_reported() -> None:
    ctx = multiprocessing.get_context("fork")
    with (
        pytest.raises(AssertionError, match=r"child process 'pool-worker' \(pid \d+\), now killed"),
        no_leaks(grace=0.2),
    ):
        ctx.Process(target=_sleep_long, name="pool-worker").start()
    assert not multiprocessing.active_children()
