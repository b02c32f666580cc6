"""The dataloader challenge's data set, as graded: the copy candidate code gets behind the
boundary must behave like the kit's own, whatever the candidate keeps a reference to."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mlgrader.boundary.services import ServiceHost

DATASET = Path(__file__).parents[1] / "challenges" / "dataloader" / "support" / "dataset.py"


@pytest.fixture
def dataset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dataloader_dataset_under_test", DATASET)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_a_graded_aload_whose_future_nobody_keeps_still_finishes(
    dataset_module: ModuleType, loop: asyncio.AbstractEventLoop
) -> None:
    """The kit's ``aload`` sleeps on a timer the loop holds, so a task whose future the
    candidate drops still ends. The graded copy waits on the grader's socket instead;
    if only the task's own frame held that wait, a garbage collection in the middle
    would destroy the pending task and hang its client (an independent solution lost
    13 points to exactly this)."""
    hosts: list[ServiceHost] = []

    def serve(handler: Any) -> str:
        hosts.append(ServiceHost(handler))
        return hosts[-1].address

    original = dataset_module.SlowDataset(4, delay_s=0.3)
    copy = original.__boundary_value__(serve)
    done: list[Future[Any]] = []
    try:
        for index in range(4):
            future = asyncio.run_coroutine_threadsafe(copy.aload(index), loop)
            future.add_done_callback(done.append)
        del future
        deadline = time.monotonic() + 10
        while len(done) < 4 and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.02)
        assert sorted(f.result() for f in done) == [f"item-{i}" for i in range(4)]
    finally:
        for host in hosts:
            host.close()
