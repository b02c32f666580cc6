"""Bug group: integer tensors. Averages of int8/int16/uint8 arrays with realistic weights.

Sizes are multiples of the group size and samples are equal in the all-reduce, so only the
arithmetic on integer dtypes is tested.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlgrader.testing import run_threads


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


def exact(arrays, weights):
    total = sum(np.asarray(a, dtype=np.float64) * w for a, w in zip(arrays, weights, strict=True))
    return total / sum(weights)


def assert_rounded_average(got, arrays, weights, where):
    dtype = np.asarray(arrays[0]).dtype
    expected = exact(arrays, weights)
    assert isinstance(got, np.ndarray) and got.dtype == dtype, (
        f"{where}: expected an array of dtype {dtype}, got {type(got).__name__} "
        f"of dtype {getattr(got, 'dtype', None)}"
    )
    assert got.shape == expected.shape, f"{where}: shape {got.shape}, expected {expected.shape}"
    assert np.all(np.abs(got.astype(np.float64) - expected) <= 0.5 + 1e-9), (
        f"{where}: expected the average rounded to the nearest integer, "
        f"{np.rint(expected).astype(np.int64).tolist()}, got {got.astype(np.int64).tolist()}"
    )


@pytest.mark.rubric("correctness", weight=1)
def test_weighted_average_of_small_integer_dtypes(swarm):
    """``weighted_average`` of int8/uint8/int16 arrays with realistic weights: accumulated in
    float64, rounded to the nearest integer, dtype and shape kept. Also: ``ValueError`` for no
    arrays, a length mismatch, or weights that do not sum to a positive number."""
    a, b = np.array([1, 2], np.int16), np.array([3, 4], np.int16)
    for what, arrays, weights in (
        ("no arrays", [], []),
        ("2 arrays and 1 weight", [a, b], [1]),
        ("1 array and 2 weights", [a], [1, 2]),
        ("weights summing to 0", [a, b], [0, 0]),
        ("weights summing to 0", [a, b], [3, -3]),
        ("weights summing to -1", [a, b], [2, -3]),
    ):
        try:
            swarm.weighted_average(arrays, weights)
        except ValueError:
            continue
        pytest.fail(f"weighted_average with {what} (weights {weights}) should raise ValueError")
    alone = swarm.weighted_average([b], [7])
    assert alone.dtype == b.dtype and alone.tolist() == b.tolist(), (
        f"the weighted average of one array is that array: got {alone!r} for {b!r}"
    )
    cases = [
        (
            [np.array([1000, 3000, -2000, 7], np.int16), np.array([900, 2000, -1000, 9], np.int16)],
            [50, 30],
        ),
        ([np.array([100, -100, 7, 120], np.int8), np.array([20, 120, -7, 121], np.int8)], [60, 40]),
        ([np.array([200, 10, 255], np.uint8), np.array([100, 250, 254], np.uint8)], [3, 1]),
        (
            [np.arange(6, dtype=np.int16).reshape(2, 3) * 5000, np.full((2, 3), 30000, np.int16)],
            [2, 2],
        ),
    ]
    for arrays, weights in cases:
        got = swarm.weighted_average(arrays, weights)
        where = f"weighted_average({[a.tolist() for a in arrays]} as {arrays[0].dtype}, {weights})"
        assert_rounded_average(got, arrays, weights, where)


@pytest.mark.rubric("correctness", weight=2)
def test_all_reduce_of_int16_counters(swarm):
    rng = np.random.default_rng(3)
    counters = [rng.integers(500, 3000, size=8).astype(np.int16) for _ in range(4)]
    peers = [swarm.Peer(f"peer-{i}", {"steps": c}, samples=100) for i, c in enumerate(counters)]
    try:
        group = swarm.Group("round-1", peers)
        run = run_threads(
            lambda i: peers[i].all_reduce(group, timeout=10.0),
            n=len(peers),
            timeout=30.0,
            switch_interval=None,
        )
        run.raise_errors()
        for peer in peers:
            assert_rounded_average(
                peer.params["steps"],
                counters,
                [100] * 4,
                f"all_reduce of int16 counters, samples 100 each, {peer.peer_id}",
            )
    finally:
        for peer in peers:
            peer.close()


@pytest.mark.rubric("correctness", weight=1)
def test_gossip_of_quantised_int8_weights(swarm):
    codes_a = np.array([[120, -90, 33], [5, 64, -128]], np.int8)
    codes_b = np.array([[100, -120, 35], [-5, 60, -100]], np.int8)
    with (
        swarm.Peer("a", {"codes": codes_a}, samples=70) as a,
        swarm.Peer("b", {"codes": codes_b}, samples=30) as b,
    ):
        a.average_with(b)
        for peer in (a, b):
            assert_rounded_average(
                peer.params["codes"],
                [codes_a, codes_b],
                [70, 30],
                f"gossip of int8 codes with samples 70 and 30, {peer.peer_id}",
            )
