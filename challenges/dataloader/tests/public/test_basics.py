"""A few basic checks of the three servers: run them yourself with `mlgrader check .`.

They are a starting point, not the whole grade: the hidden tests also run 16 clients at
once, time the servers against one worker, watch prefetching, shutdown and the design.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Any

import pytest

from mlgrader.testing import no_leaks, strict_equal

VERSIONS = ["ThreadServer", "ProcessServer", "AsyncioServer"]


@pytest.fixture(params=VERSIONS)
def api(request, submission):
    """(server class, dataloader module, dataset module) for one version."""
    dl = submission.module("dataloader")
    ds = submission.module("dataset")
    return getattr(dl, request.param), dl, ds


def _within(seconds: float, call: Any) -> Any:
    """Run `call()` in a thread; fail with its stack if it has not returned after `seconds`."""
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # re-raised below, in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=body, name="client", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident or -1)
        stack = "".join(traceback.format_stack(frame)[-8:]) if frame else ""
        raise AssertionError(
            f"the client got no answer within {seconds:g} s: a hang (does a failed load ever "
            f"reach the client that asked for it?); the client's stack:\n{stack}"
        )
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.mark.rubric("correctness")
def test_one_client_gets_the_epoch_in_order(api):
    """One client gets every (index, item) in epoch_order, then EpochEnd; epoch 1 reshuffles."""
    cls, dl, ds = api
    data = ds.SlowDataset(12, delay_s=0.002)
    with cls(data, workers=2, seed=42, prefetch=4) as server:
        for epoch in (0, 1):
            if epoch:
                strict_equal(server.new_epoch(), 1)
            got = [server.get_item() for _ in range(12)]
            expected = [(i, f"item-{i}") for i in ds.epoch_order(12, 42, epoch)]
            strict_equal(got, expected)
            with pytest.raises(dl.EpochEnd):
                server.get_item()


@pytest.mark.rubric("correctness")
def test_a_failing_item_raises_for_its_caller(api):
    """The caller whose item fails gets ItemLoadError for that index; serving goes on."""
    cls, _, ds = api
    order = ds.epoch_order(6, 0, 0)
    data = ds.SlowDataset(6, delay_s=0.002, failing=frozenset({order[1]}))

    def serve() -> None:
        with cls(data, workers=2, seed=0, prefetch=2) as server:
            strict_equal(server.get_item(), (order[0], f"item-{order[0]}"))
            with pytest.raises(ds.ItemLoadError) as raised:
                server.get_item()
            strict_equal(raised.value.index, order[1])
            strict_equal(server.get_batch(10), [(i, f"item-{i}") for i in order[2:]])

    _within(15, serve)


@pytest.mark.rubric("concurrency")
def test_close_leaves_no_worker_behind(api):
    """close() ends every thread and process the server started; later calls raise."""
    cls, dl, ds = api
    data = ds.SlowDataset(20, delay_s=0.005)
    with no_leaks(grace=1.0):
        server = cls(data, workers=3, seed=1, prefetch=6)
        server.get_batch(4)
        server.close()
    with pytest.raises(dl.ServerClosed):
        server.get_item()
