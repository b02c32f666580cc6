"""Hidden performance tests: throughput with 4 workers against 1 worker, per version.

Items are I/O-bound (each load sleeps), so 4 workers of any kind (threads, processes,
concurrent aload calls) should serve an epoch close to 4 times as fast as one; the bar
is 0.6 x 4 = 2.4. Eight clients drain the epoch; the timing starts once the server has
served a first item (so process start-up is not counted), and the best of up to three
runs with 4 workers counts (machine noise only ever makes a run slower).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from mlgrader.testing import run_threads

VERSIONS = ["ThreadServer", "ProcessServer", "AsyncioServer"]
N_ITEMS = 24
#: 50 ms an item: far above what a load and a hand-out cost besides the sleep, even on a
#: busy machine. Those costs are CPU work that four workers do not spread (one candidate
#: process, one trusted process), so they add to the 4-worker epoch in full: with 5 ms items
#: a correct server once measured a speed-up under 2.4 in a validate run beside another
#: grading, and with 20 ms items an independent correct solution failed one version's test
#: in one CI run (validate --jobs 2 beside the rest of the test suite on 2 cores). If those costs, X an item, run one at a
#: time, the speed-up is about (delay + X) / X, so it stays above 2.4 while X is under
#: delay / 1.4: 36 ms an item at 50 ms, against 14 ms at 20 ms.
DELAY_S = 0.05
CLIENTS = 8
WORKERS = 4
REQUIRED = 0.6 * WORKERS


@pytest.fixture(params=VERSIONS)
def api(request, submission):
    """(server class, dataloader module, dataset module) for one version."""
    dl = submission.module("dataloader")
    ds = submission.module("dataset")
    return getattr(dl, request.param), dl, ds


def _epoch_seconds(cls: Any, dl: Any, ds: Any, workers: int) -> float:
    """Seconds for CLIENTS clients to drain an epoch (after a first, untimed item)."""
    data = ds.SlowDataset(N_ITEMS, delay_s=DELAY_S)

    def client(_: int) -> int:
        served = 0
        while True:
            try:
                server.get_item()
            except dl.EpochEnd:
                return served
            served += 1

    with cls(data, workers=workers, seed=4, prefetch=8) as server:
        server.get_item()
        start = time.perf_counter()
        run = run_threads(client, n=CLIENTS, timeout=20, switch_interval=None)
        took = time.perf_counter() - start
    run.raise_errors()
    served = sum(run.results)
    assert served == N_ITEMS - 1, f"{workers} worker(s): served {served + 1} of {N_ITEMS} items"
    return took


@pytest.mark.rubric("performance")
def test_four_workers_serve_an_epoch_faster_than_one(api):
    """4 workers serve an epoch of I/O-bound items at least 2.4 times as fast as 1 worker."""
    cls, dl, ds = api
    one = _epoch_seconds(cls, dl, ds, 1)
    four = _epoch_seconds(cls, dl, ds, WORKERS)
    for _ in range(2):  # two more tries if the machine was busy
        if one / four >= REQUIRED:
            break
        four = min(four, _epoch_seconds(cls, dl, ds, WORKERS))
    speedup = one / four
    assert speedup >= REQUIRED, (
        f"{cls.__name__}: an epoch of {N_ITEMS} items ({DELAY_S * 1000:.0f} ms each) took "
        f"{one:.3f} s with 1 worker and {four:.3f} s with {WORKERS}: a speed-up of "
        f"{speedup:.2f}, expected at least {REQUIRED:.1f}"
    )
