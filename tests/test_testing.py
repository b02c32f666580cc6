"""Tests for mlgrader.testing: run_threads, strict_equal, and the names test authors import."""

from __future__ import annotations

import importlib
import math
import sys
import threading
import time
from collections import OrderedDict, namedtuple
from typing import Any

import pytest

from mlgrader.authoring.testing.strict import strict_equal
from mlgrader.authoring.testing.threads import ThreadError, ThreadRun, run_threads
from mlgrader.errors import UserInputError

# -- the public module ------------------------------------------------------------------------


def test_public_module_reexports_every_helper() -> None:
    """mlgrader.testing is one import for test authors: the helpers' own objects, nothing lost."""
    import mlgrader.testing as public

    assert public.__all__ == [
        "History",
        "Operation",
        "ProcessRun",
        "RaceKey",
        "Spans",
        "ThreadError",
        "ThreadRun",
        "check_linearizable",
        "isclass",
        "lru_cache_model",
        "no_leaks",
        "run_processes",
        "run_threads",
        "run_without_blocking",
        "speedup",
        "strict_equal",
    ]
    defined: dict[str, Any] = {}
    for name in ("eventloop", "leaks", "linearizability", "parallelism", "processes", "racekeys"):
        module = importlib.import_module(f"mlgrader.authoring.testing.{name}")
        defined |= {n: getattr(module, n) for n in module.__all__}
    defined |= {"strict_equal": strict_equal, "run_threads": run_threads}
    defined |= {"ThreadError": ThreadError, "ThreadRun": ThreadRun}
    defined |= {"isclass": importlib.import_module("mlgrader.boundary.typeanswers").isclass}
    for name in public.__all__:
        assert getattr(public, name) is defined[name], name


# -- run_threads -----------------------------------------------------------------------------


def test_results_are_indexed_by_thread() -> None:
    run = run_threads(lambda i: i * 10, n=5)
    assert run.results == [0, 10, 20, 30, 40]
    assert run.errors == []
    assert run.elapsed >= 0
    run.raise_errors()  # no-op


def test_threads_run_concurrently() -> None:
    # Would break (timeout) if the workers ran one after another.
    rendezvous = threading.Barrier(4)
    run = run_threads(lambda i: rendezvous.wait(timeout=5), n=4)
    assert sorted(run.results) == [0, 1, 2, 3]


def test_error_in_one_thread_is_collected() -> None:
    def flaky_worker(i: int) -> int:
        if i == 3:
            raise ValueError(f"boom in {i}")
        return i

    run = run_threads(flaky_worker, n=6)
    assert run.results == [0, 1, 2, None, 4, 5]
    assert len(run.errors) == 1
    (error,) = run.errors
    assert isinstance(error, ThreadError)
    assert (error.index, error.exc_type, error.message) == (3, "ValueError", "boom in 3")
    assert "flaky_worker" in error.traceback
    assert "ValueError: boom in 3" in error.traceback
    assert "body" not in error.traceback.split("flaky_worker")[0]  # our wrapper frame is hidden

    with pytest.raises(AssertionError) as info:
        run.raise_errors()
    message = str(info.value)
    assert message.startswith("1 of 6 threads raised:")
    assert "thread 3: ValueError: boom in 3" in message
    assert "flaky_worker" in message


def test_every_error_is_reported_sorted_by_index() -> None:
    class CustomError(Exception):
        pass

    def worker(i: int) -> None:
        if i % 2:
            raise CustomError(str(i))
        raise SystemExit(i)

    run = run_threads(worker, n=4)
    assert [(e.index, e.exc_type) for e in run.errors] == [
        (0, "SystemExit"),
        (1, "CustomError"),
        (2, "SystemExit"),
        (3, "CustomError"),
    ]
    with pytest.raises(
        AssertionError, match=r"(?s)thread 0: SystemExit.*thread 3: .*CustomError: 3"
    ):
        run.raise_errors()


def test_switch_interval_is_set_during_run_and_restored() -> None:
    before = sys.getswitchinterval()
    run = run_threads(lambda i: sys.getswitchinterval(), n=2, switch_interval=1e-5)
    assert run.results == [pytest.approx(1e-5), pytest.approx(1e-5)]
    assert sys.getswitchinterval() == before

    run = run_threads(lambda i: sys.getswitchinterval(), n=2, switch_interval=None)
    assert run.results == [before, before]


def test_switch_interval_restored_after_errors() -> None:
    before = sys.getswitchinterval()

    def worker(i: int) -> None:
        raise RuntimeError("nope")

    run_threads(worker, n=3)
    assert sys.getswitchinterval() == before


def test_lost_updates_of_an_unlocked_counter_are_exposed() -> None:
    counter = [0]

    def unsafe_increment(i: int) -> None:
        value = counter[0]
        time.sleep(0.02)  # every thread reads before any writes back
        counter[0] = value + 1

    run_threads(unsafe_increment, n=8)
    assert counter[0] < 8


def test_deadlock_is_reported_with_stack_dump_without_hanging() -> None:
    lock_a, lock_b = threading.Lock(), threading.Lock()
    both_hold_one = threading.Barrier(2)
    before = sys.getswitchinterval()

    def transfer_worker(i: int) -> None:
        first, second = (lock_a, lock_b) if i == 0 else (lock_b, lock_a)
        with first:
            both_hold_one.wait(timeout=5)  # now the opposite-order acquire cannot succeed
            if second.acquire(timeout=5):  # bounded, so the stuck threads end after the test
                second.release()

    start = time.perf_counter()
    with pytest.raises(AssertionError) as info:
        run_threads(transfer_worker, n=2, timeout=0.5)
    took = time.perf_counter() - start

    assert took < 0.5 + 1.0
    message = str(info.value)
    assert message.startswith("deadlock or hang: 2 of 2 threads still running after 0.5 s")
    assert message.count("stuck worker mlgrader-worker-") == 2
    assert "in transfer_worker" in message
    assert "second.acquire(timeout=5)" in message
    assert sys.getswitchinterval() == before


def test_hang_in_one_thread_reports_only_that_thread_as_stuck() -> None:
    release = threading.Event()

    def sleepy_worker(i: int) -> int:
        if i == 1:
            release.wait(timeout=5)
        return i

    try:
        with pytest.raises(AssertionError, match=r"^deadlock or hang: 1 of 3 threads") as info:
            run_threads(sleepy_worker, n=3, timeout=0.3)
    finally:
        release.set()
    assert "stuck worker mlgrader-worker-1 " in str(info.value)
    assert "in sleepy_worker" in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"n": 0}, {"timeout": 0}, {"switch_interval": 0.0}],
)
def test_invalid_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UserInputError):
        run_threads(lambda i: i, **kwargs)


def test_thread_run_defaults() -> None:
    run = ThreadRun()
    assert (run.results, run.errors, run.elapsed) == ([], [], 0.0)


# -- strict_equal ----------------------------------------------------------------------------


class AlwaysEqual:
    """The classic cheat: claims equality with everything."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


Point = namedtuple("Point", "x y")


@pytest.mark.parametrize(
    "value",
    [
        3,
        1.5,
        "abc",
        None,
        [1, [2, (3, 4)], {"k": {5, 6}}],
        {1: "a", "1": "b", (1, 2): frozenset({1})},
        Point(1, 2),
        OrderedDict([("a", 1), ("b", 2)]),
        float("nan"),
        [float("nan")],
        b"bytes",
    ],
)
def test_equal_values_pass(value: Any) -> None:
    strict_equal(value, value)
    clone = eval(repr(value), {"Point": Point, "OrderedDict": OrderedDict, "nan": math.nan})
    strict_equal(clone, value)


@pytest.mark.parametrize(
    ("actual", "expected", "message"),
    [
        (AlwaysEqual(), 3, "value: expected int 3, got AlwaysEqual"),
        ([1, 2, AlwaysEqual()], [1, 2, 3], "value[2]: expected int 3, got AlwaysEqual"),
        (True, 1, "value: expected int 1, got bool True"),
        (1.0, 1, "value: expected int 1, got float 1.0"),
        (4, 3, "value: expected int 3, got int 4"),
        (0.30000000000000004, 0.3, "value: expected float 0.3, got float 0.30000000000000004"),
        ((1, 2), [1, 2], "value: expected list [1, 2], got tuple (1, 2)"),
        ([1, 2], [1, 2, 3], "value: expected list of length 3, got length 2"),
        ({"a": 1, "b": 2}, {"a": 1, "c": 2}, "value: missing keys ['c'], unexpected keys ['b']"),
        ({"a": [1, "2"]}, {"a": [1, 2]}, "value['a'][1]: expected int 2, got str '2'"),
        ({True: "x"}, {1: "x"}, "value: missing keys [1], unexpected keys [True]"),
        ({1, 2.0}, {1, 2}, "value: missing members [2], unexpected members [2.0]"),
        (frozenset({1}), {1}, "value: expected set {1}, got frozenset"),
        (
            OrderedDict([("b", 2), ("a", 1)]),
            OrderedDict([("a", 1), ("b", 2)]),
            "value: expected key order ['a', 'b'], got ['b', 'a']",
        ),
        (Point(1, 2), (1, 2), "value: expected tuple (1, 2), got Point"),
    ],
)
def test_mismatches_name_the_path(actual: Any, expected: Any, message: str) -> None:
    with pytest.raises(AssertionError) as info:
        strict_equal(actual, expected)
    assert str(info.value).startswith(message)


def test_always_equal_object_cannot_pass_nested_or_as_key() -> None:
    with pytest.raises(AssertionError, match=r"^answer\['x'\]: expected int 1, got AlwaysEqual"):
        strict_equal({"x": AlwaysEqual()}, {"x": 1}, path="answer")
    with pytest.raises(AssertionError, match="unexpected keys"):
        strict_equal({AlwaysEqual(): 1}, {0: 1})


def test_same_named_distinct_classes_are_told_apart() -> None:
    first = type("Box", (), {})
    second = type("Box", (), {"__module__": "candidate"})
    with pytest.raises(AssertionError, match=r"expected candidate\.Box .*, got .*\.Box"):
        strict_equal(first(), second())


def test_self_referential_containers_terminate() -> None:
    a: list[Any] = [1]
    a.append(a)
    b: list[Any] = [1]
    b.append(b)
    strict_equal(a, b)


def test_broken_eq_and_repr_become_assertion_errors() -> None:
    class Broken:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no comparing")

        def __hash__(self) -> int:
            return 0

        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    with pytest.raises(AssertionError, match=r"value\[0\]: comparing Broken values raised Runtime"):
        strict_equal([Broken()], [Broken()])
    with pytest.raises(AssertionError, match=r"expected int 1, got Broken <Broken instance at"):
        strict_equal(Broken(), 1)


def test_numpy_arrays_compare_dtype_shape_and_values() -> None:
    np = pytest.importorskip("numpy")
    strict_equal(np.array([1, 2]), np.array([1, 2]))
    for bad in (np.array([1.0, 2.0]), np.array([[1, 2]]), np.array([1, 3])):
        with pytest.raises(AssertionError, match="value: expected ndarray"):
            strict_equal(bad, np.array([1, 2]))


def test_run_threads_whose_workers_finish_while_it_waits_never_raises() -> None:
    """Threads ending between two looks at which are alive (a race run_threads once lost
    with StopIteration, seen as a failed linearizability test of a correct cache)."""
    for _ in range(800):
        run = run_threads(lambda i: i, n=4, timeout=10)
        assert run.results == [0, 1, 2, 3]


# -- RaceKey ---------------------------------------------------------------------------------


def test_race_keys_compare_and_print_as_their_values() -> None:
    from mlgrader.testing import RaceKey

    assert RaceKey((1, "a")) == RaceKey((1, "a")) and hash(RaceKey(5)) == hash(RaceKey(5))
    assert RaceKey(3) != 3 and RaceKey(3) != RaceKey(4)
    assert repr(RaceKey("k")) == "'k'" and RaceKey(7).value == 7


def test_race_keys_open_a_gap_between_check_and_act_in_one_process() -> None:
    """Hashing a RaceKey lets other threads run, so an unlocked read-modify-write on a
    dict keyed by one loses updates even with the interpreter's default switch interval."""
    from mlgrader.testing import RaceKey

    counts: dict[Any, int] = {}
    key = RaceKey("hot")

    def add(_: int) -> None:
        for _ in range(500):
            counts[key] = counts.get(key, 0) + 1

    run_threads(add, n=4, timeout=30, switch_interval=None).raise_errors()
    assert counts[key] < 2000
