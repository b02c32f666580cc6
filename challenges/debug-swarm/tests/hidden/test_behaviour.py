"""Public behaviour that must keep working: matchmaking, rounds, timeouts, gossip, shutdown.

These are end-to-end uses of the library, so they pass only once every bug that affects
an all-reduce is fixed.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from mlgrader.testing import no_leaks, run_threads


@pytest.fixture
def swarm(submission):
    return submission.module("swarm")


def make_tensors(rng):
    return {
        "w": rng.normal(size=(2, 5)).astype(np.float32),
        "b": rng.normal(size=3),
        "steps": rng.integers(1000, 3000, size=4).astype(np.int16),
    }


def assert_weighted_average(peer, tensors, samples, where):
    """``peer`` holds the sample-weighted average of ``tensors`` (dicts), dtypes kept."""
    got_all = peer.params
    assert set(got_all) == set(tensors[0]), f"{where}: tensors {sorted(got_all)}"
    for name, first in tensors[0].items():
        got = got_all[name]
        exact = sum(
            np.asarray(t[name], dtype=np.float64) * s for t, s in zip(tensors, samples, strict=True)
        ) / sum(samples)
        assert got.dtype == first.dtype and got.shape == first.shape, (
            f"{where}, tensor {name!r}: expected dtype {first.dtype} and shape {first.shape}, "
            f"got {got.dtype} and {got.shape}"
        )
        if np.issubdtype(first.dtype, np.integer):
            ok = np.abs(got.astype(np.float64) - exact) <= 0.5 + 1e-9
        else:
            ok = np.isclose(got, exact, rtol=1e-5, atol=1e-6)
        assert ok.all(), (
            f"{where}, tensor {name!r}: expected the sample-weighted average "
            f"{exact.ravel().round(4).tolist()}, got {got.ravel().round(4).tolist()}"
        )


def _scribble_on_params(peer_class, value):
    """Where the candidate's code runs: a peer made from ``value``; then ``value`` itself,
    and the dict and array the peer's ``params`` returned, are written to. Answers the peer."""
    value = np.array(value)  # the caller's own array, writable
    peer = peer_class("scribbled", {"w": value}, samples=3)
    value[...] = -1.0
    view = peer.params
    view["w"][...] = 99.0
    view["extra"] = value
    return peer


@pytest.mark.rubric("correctness", weight=2)
def test_matchmade_groups_average_and_shut_down_cleanly(swarm):
    """Matchmade groups of 3 average float32/float64/int16 tensors; no thread is left after
    ``close()``. Also: ``encode(array) -> bytes`` and ``decode(payload) -> np.ndarray`` are the
    wire format (dtype and shape are kept); ``close()`` is idempotent."""
    for array in (
        np.arange(10, dtype=np.float32).reshape(2, 5) / 3,
        np.array([0.1, -2.5, 1e300]),
        np.array([[1200, -40], [32767, -32768]], dtype=np.int16),
        np.arange(-3, 3, dtype=np.int8).reshape(2, 1, 3),
        np.array([0, 7, 255], dtype=np.uint8),
    ):
        payload = swarm.encode(array)
        assert type(payload) is bytes, f"encode() should return bytes, got {type(payload)}"
        back = swarm.decode(payload)
        assert back.dtype == array.dtype and back.shape == array.shape, (
            f"decode(encode(array of {array.dtype}, shape {array.shape})) came back as "
            f"{back.dtype}, shape {back.shape}: the wire format keeps dtype and shape"
        )
        assert np.array_equal(back, array), (
            f"decode(encode({array.tolist()})) = {back.tolist()}: values changed on the wire"
        )
    rng = np.random.default_rng(11)
    samples = [3, 17, 40, 8, 25, 60]
    tensors = [make_tensors(rng) for _ in samples]
    with no_leaks(grace=2.0):
        peers = [
            swarm.Peer(f"peer-{i}", t, samples=s)
            for i, (t, s) in enumerate(zip(tensors, samples, strict=True))
        ]
        matchmaker = swarm.Matchmaker(3)
        groups = {}

        def worker(index):
            group = matchmaker.join(peers[index], timeout=10.0)
            groups[index] = group
            peers[index].all_reduce(group, timeout=10.0)

        try:
            run = run_threads(worker, n=len(peers), timeout=30.0, switch_interval=None)
            run.raise_errors()
        finally:
            for peer in peers:
                peer.close()
        for peer in peers:
            peer.close()  # idempotent: closing a closed peer does nothing (and does not hang)
    members = {i: sorted(p.peer_id for p in groups[i].peers) for i in groups}
    distinct = {tuple(m) for m in members.values()}
    assert len(distinct) == 2 and all(len(m) == 3 for m in distinct), (
        f"6 peers in groups of 3 should form 2 disjoint groups, got {sorted(distinct)}"
    )
    for i, peer in enumerate(peers):
        assert peer.peer_id in members[i], f"{peer.peer_id} was given a group without it"
        positions = [int(name.split("-")[1]) for name in members[i]]
        assert_weighted_average(
            peer,
            [tensors[j] for j in positions],
            [samples[j] for j in positions],
            f"{peer.peer_id} in group {members[i]}",
        )


@pytest.mark.rubric("correctness", weight=1)
def test_missing_member_times_out_and_a_later_round_still_works(swarm):
    """A round with a missing member times out and a later one succeeds; ``Matchmaker.join``
    raises ``TimeoutError`` if no group forms in time. Also: ``Group`` raises ``ValueError``
    for no peers or repeated ids; ``Matchmaker.join`` raises ``ValueError`` if a peer with
    that id is already waiting."""
    rng = np.random.default_rng(5)
    samples = [2, 9, 30]
    tensors = [make_tensors(rng) for _ in samples]
    peers = [
        swarm.Peer(f"peer-{i}", t, samples=s)
        for i, (t, s) in enumerate(zip(tensors, samples, strict=True))
    ]
    try:
        twin = swarm.Peer("peer-1", tensors[0], samples=5)  # another peer with peer-1's id
        try:
            for what, members in (
                ("no peers", []),
                ("peer-0 twice", [peers[0], peers[1], peers[0]]),
                ("two peers with id peer-1", [peers[1], twin, peers[2]]),
            ):
                try:
                    swarm.Group("bad", members)
                except ValueError:
                    continue
                pytest.fail(f"Group with {what} should raise ValueError")
        finally:
            twin.close()

        lonely = swarm.Matchmaker(3)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            lonely.join(peers[0], timeout=0.2)
        assert time.monotonic() - start < 5.0, "Matchmaker.join ignored its timeout"

        busy = swarm.Matchmaker(3)  # peer-0 joins twice at once; no other peer comes

        def join_peer_0(_):
            try:
                busy.join(peers[0], timeout=3.0)  # ample for both threads to arrive
            except ValueError:
                return "ValueError"
            except TimeoutError:
                return "TimeoutError"
            return "a group"

        run = run_threads(join_peer_0, n=2, timeout=20.0, switch_interval=None)
        run.raise_errors()
        assert sorted(run.results) == ["TimeoutError", "ValueError"], (
            "peer-0 joined a Matchmaker(3) from two threads at once: the second join should "
            "raise ValueError (a peer with that id is already waiting) and the first time out, "
            f"got {sorted(run.results)}"
        )

        group = swarm.Group("doomed", peers)
        run = run_threads(  # peer-2 never calls all_reduce
            lambda i: peers[i].all_reduce(group, timeout=0.5), n=2, timeout=20.0
        )
        kinds = sorted(e.exc_type for e in run.errors)
        assert kinds == ["TimeoutError", "TimeoutError"], (
            "two of three members called all_reduce(timeout=0.5): both should raise "
            f"TimeoutError, got {kinds or 'no error'}"
        )
        for peer, original in zip(peers, tensors, strict=True):
            for name, value in original.items():
                assert np.array_equal(peer.params[name], value), (
                    f"{peer.peer_id}: a round that timed out must leave parameters unchanged"
                )

        group = swarm.Group("second-try", peers)
        run = run_threads(
            lambda i: peers[i].all_reduce(group, timeout=10.0),
            n=3,
            timeout=30.0,
            switch_interval=None,
        )
        run.raise_errors()
        for peer in peers:
            assert_weighted_average(peer, tensors, samples, f"{peer.peer_id}, round after")
    finally:
        for peer in peers:
            peer.close()


@pytest.mark.rubric("correctness", weight=1)
def test_gossip_then_all_reduce_gives_the_global_weighted_average(submission, swarm):
    """Gossip followed by an all-reduce gives the global sample-weighted average;
    ``ValueError`` for ``other is self`` and for a peer not in the group. Also: ``peer_id``
    and ``samples`` are read-only properties; ``params`` maps names to arrays (copied), and
    ``peer.params`` is a copy of the current tensors."""
    original = np.arange(4.0)
    scribbled = submission.run(_scribble_on_params, swarm.Peer, original)
    try:
        got = {name: value.tolist() for name, value in scribbled.params.items()}
        assert got == {"w": original.tolist()}, (
            f"a peer made from {{'w': {original.tolist()}}} holds {got} after the caller set "
            "that array to -1 and changed the dict and array its params returned: a peer "
            "keeps copies of the tensors it is given and hands out copies"
        )
    finally:
        scribbled.close()

    rng = np.random.default_rng(9)
    samples = [4, 12, 7]
    tensors = [make_tensors(rng) for _ in samples]
    tensors = [{k: v for k, v in t.items() if k != "steps"} for t in tensors]  # floats only
    peers = [
        swarm.Peer(f"peer-{i}", t, samples=s)
        for i, (t, s) in enumerate(zip(tensors, samples, strict=True))
    ]
    try:
        for name, value in (("peer_id", "someone-else"), ("samples", 1000)):
            try:
                setattr(peers[0], name, value)
            except AttributeError:
                continue
            pytest.fail(
                f"peer.{name} = {value!r} should raise AttributeError (a read-only property)"
            )
        assert peers[0].peer_id == "peer-0" and peers[0].samples == 4, (
            f"peer_id and samples are read-only, yet they now read {peers[0].peer_id!r} and "
            f"{peers[0].samples!r}"
        )
        with pytest.raises(ValueError):
            peers[0].average_with(peers[0])
        with pytest.raises(ValueError):
            peers[2].all_reduce(swarm.Group("not-mine", peers[:2]), timeout=1.0)
        peers[0].average_with(peers[1])
        assert_weighted_average(peers[1], tensors[:2], samples[:2], "peer-1 after gossip")
        group = swarm.Group("round-1", peers)
        run = run_threads(
            lambda i: peers[i].all_reduce(group, timeout=10.0),
            n=3,
            timeout=30.0,
            switch_interval=None,
        )
        run.raise_errors()
        for peer in peers:  # a gossip keeps the weighted sum, so the global average is unchanged
            assert_weighted_average(peer, tensors, samples, f"{peer.peer_id} after gossip+round")
    finally:
        for peer in peers:
            peer.close()
