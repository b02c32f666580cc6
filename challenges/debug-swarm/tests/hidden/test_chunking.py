"""Bug group: chunking. Tensors whose size is not a multiple of the group size.

All samples are equal here and every tensor is float64, so only the chunking is tested.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mlgrader.testing import run_threads


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


@pytest.mark.rubric("correctness", weight=2)
def test_chunk_bounds_cover_every_index_exactly_once(swarm):
    for size in range(24):
        for parts in range(1, 8):
            bounds = [tuple(b) for b in swarm.chunk_bounds(size, parts)]
            where = f"chunk_bounds({size}, {parts}) = {bounds}"
            assert len(bounds) == parts, f"{where}: expected {parts} slices"
            assert bounds[0][0] == 0, f"{where}: the first slice must start at 0"
            assert bounds[-1][1] == size, f"{where}: the last slice must stop at {size}"
            for (_, stop), (start, _) in itertools.pairwise(bounds):
                assert stop == start, (
                    f"{where}: slices must be contiguous (each starts where the last stopped)"
                )
            lengths = [stop - start for start, stop in bounds]
            assert min(lengths) >= 0 and max(lengths) - min(lengths) <= 1, (
                f"{where}: slice lengths {lengths} must differ by at most one"
            )
    for size, parts in ((5, 0), (-1, 2)):
        with pytest.raises(ValueError):
            swarm.chunk_bounds(size, parts)


@pytest.mark.rubric("correctness", weight=2)
def test_all_reduce_averages_every_entry_of_odd_sized_tensors(swarm):
    for group_size in (2, 3, 4):
        check_group(swarm, group_size)


def check_group(swarm, group_size):
    rng = np.random.default_rng(group_size)
    shapes = {"one": (1,), "five": (5,), "seven": (7,), "eleven": (11,), "grid": (3, 3)}
    tensors = [
        {name: rng.normal(size=shape) for name, shape in shapes.items()} for _ in range(group_size)
    ]
    peers = [swarm.Peer(f"peer-{i}", t, samples=3) for i, t in enumerate(tensors)]
    try:
        group = swarm.Group(f"round-{group_size}", peers)
        run = run_threads(
            lambda i: peers[i].all_reduce(group, timeout=10.0),
            n=group_size,
            timeout=30.0,
            switch_interval=None,
        )
        run.raise_errors()
        for name, shape in shapes.items():
            expected = np.mean([t[name] for t in tensors], axis=0)
            for peer in peers:
                got = peer.params[name]
                assert got.shape == shape, f"{peer.peer_id}: {name!r} has shape {got.shape}"
                wrong = np.flatnonzero(~np.isclose(got, expected, rtol=1e-9, atol=1e-12))
                assert wrong.size == 0, (
                    f"group of {group_size}, {peer.peer_id}, tensor {name!r} of {got.size} "
                    f"entries: entries at flat indices {wrong.tolist()} are not the average "
                    f"(expected {expected.ravel()[wrong].round(4).tolist()}, "
                    f"got {got.ravel()[wrong].round(4).tolist()})"
                )
    finally:
        for peer in peers:
            peer.close()
