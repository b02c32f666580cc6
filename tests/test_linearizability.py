"""Tests for mlgrader.authoring.testing.linearizability on hand-made histories with known answers."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

import pytest

from mlgrader.authoring.testing.linearizability import (
    History,
    Operation,
    Raised,
    check_linearizable,
    lru_cache_model,
)
from mlgrader.errors import UserInputError


def _register(state: Hashable, op: Operation) -> tuple[Any, Hashable]:
    """A single-value register: write(v) -> None, read() -> v."""
    if op.name == "write":
        return None, op.args[0]
    return state, state


def _op(
    thread: int, name: str, args: tuple[Any, ...], result: Any, call: int, ret: int
) -> Operation:
    return Operation(thread, name, args, result, call, ret)


def test_sequential_history_is_linearizable_in_its_own_order() -> None:
    ops = [
        _op(0, "write", (1,), None, 0, 1),
        _op(1, "read", (), 1, 2, 3),
        _op(0, "write", (2,), None, 4, 5),
        _op(1, "read", (), 2, 6, 7),
    ]
    verdict = check_linearizable(ops, _register, 0)
    assert verdict.ok
    assert verdict.order == ops


@pytest.mark.parametrize("seen", [1, 2])
def test_overlapping_writes_let_a_read_see_either(seen: int) -> None:
    ops = [
        _op(0, "write", (1,), None, 0, 10),
        _op(1, "write", (2,), None, 1, 9),
        _op(2, "read", (), seen, 11, 12),
    ]
    assert check_linearizable(ops, _register, 0).ok


def test_real_time_order_is_respected() -> None:
    # write(1) ends before write(2) starts, so a later read cannot see 1.
    ops = [
        _op(0, "write", (1,), None, 0, 1),
        _op(1, "write", (2,), None, 2, 3),
        _op(2, "read", (), 1, 4, 5),
    ]
    verdict = check_linearizable(ops, _register, 0)
    assert not verdict.ok and not verdict.exhausted
    message = verdict.explain()
    assert "not linearizable" in message
    assert "t2 read() -> 1" in message


def test_value_never_written_is_not_linearizable() -> None:
    ops = [_op(0, "write", (1,), None, 0, 3), _op(1, "read", (), 7, 1, 2)]
    assert not check_linearizable(ops, _register, 0).ok


def test_lru_history_with_a_lost_update_is_caught() -> None:
    # Two puts overlap, then both keys are read back, but capacity 2 holds one extra key
    # from before: every order evicts one of them, yet all three are returned.
    ops = [
        _op(0, "put", (1, 1), None, 0, 1),
        _op(0, "put", (2, 2), None, 2, 10),
        _op(1, "put", (3, 3), None, 3, 9),
        _op(0, "get", (1,), 1, 11, 12),
        _op(0, "get", (2,), 2, 13, 14),
        _op(0, "get", (3,), 3, 15, 16),
    ]
    assert not check_linearizable(ops, lru_cache_model(2), ()).ok
    assert check_linearizable(ops, lru_cache_model(3), ()).ok


def test_search_budget_is_reported_as_undecided_not_passed() -> None:
    ops = [_op(i, "write", (i,), None, 0, 100) for i in range(12)]
    ops.append(_op(99, "read", (), -5, 101, 102))  # impossible: forces a full search
    verdict = check_linearizable(ops, _register, 0, max_states=50)
    assert not verdict.ok and verdict.exhausted
    assert "undecided" in verdict.explain()


def test_bad_budget_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="max_states"):
        check_linearizable([], _register, 0, max_states=0)


class _LockedCache:
    def __init__(self) -> None:
        self._data: dict[int, int] = {}
        self._lock = threading.Lock()

    def put(self, key: int, value: int) -> None:
        with self._lock:
            self._data[key] = value

    def get(self, key: int) -> int:
        with self._lock:
            if key == 13:
                raise KeyError(key)
            return self._data.get(key, -1)


def test_recorded_threads_of_a_locked_map_are_linearizable() -> None:
    history = History()
    cache = history.wrap(_LockedCache())
    barrier = threading.Barrier(4)

    def work(t: int) -> None:
        barrier.wait()
        for i in range(5):
            cache.put(i % 3, t * 10 + i)
            cache.get((i + t) % 3)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with pytest.raises(KeyError):
        cache.get(13)
    ops = history.operations
    assert len(ops) == 41 and len({op.thread for op in ops}) == 5
    assert ops[-1].result == Raised("KeyError")

    def step(state: Hashable, op: Operation) -> tuple[Any, Hashable]:
        data = dict(state)  # type: ignore[call-overload]
        if op.name == "put":
            data[op.args[0]] = op.args[1]
            return None, tuple(sorted(data.items()))
        if op.args[0] == 13:
            return Raised("KeyError"), state
        return data.get(op.args[0], -1), state

    verdict = check_linearizable(ops, step, ())
    assert verdict.ok, verdict.explain()


def test_lru_model_contains_and_len_do_not_change_recency() -> None:
    step = lru_cache_model(2, miss=-1)
    ops = [
        _op(0, "put", (1, "a"), None, 0, 1),
        _op(0, "put", (2, "b"), None, 2, 3),
        _op(0, "contains", (1,), True, 4, 5),  # 1 stays least recent ...
        _op(0, "len", (), 2, 6, 7),
        _op(0, "put", (3, "c"), None, 8, 9),  # ... so 1 is evicted
        _op(0, "get", (1,), -1, 10, 11),
        _op(0, "get", (2,), "b", 12, 13),
    ]
    assert check_linearizable(ops, step, ()).ok
