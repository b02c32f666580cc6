"""Support services and process inspection behind the boundary: evidence kept in the test's
process (``ServiceHost``), whichever candidate process asks, and ``no_leaks`` reading the
candidate process's threads and children from ``/proc``."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlgrader.authoring.fixtures import Submission
from mlgrader.boundary.connection import Connection, start_local, stop_local
from mlgrader.boundary.refs import Ref
from mlgrader.boundary.services import Caller, ServiceError, ServiceHost, call_service
from mlgrader.testing import no_leaks

CANDIDATE = """
import multiprocessing, os, threading, time

def ask(n):
    from mlgrader.boundary.services import call_service
    return call_service(os.environ["SVC"], {"n": n})

def _ask_and_put(queue, n):
    queue.put(ask(n))

def ask_from(method, n):
    context = multiprocessing.get_context(method)
    queue = context.Queue()
    child = context.Process(target=_ask_and_put, args=(queue, n))
    child.start()
    answer = queue.get(timeout=30)
    child.join(30)
    return answer, child.pid

HELD = []

def leak_thread():
    stop = threading.Event()
    HELD.append(stop)
    threading.Thread(target=stop.wait, daemon=True).start()

def leak_child():
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    child.start()
    HELD.append(child)

def tidy_thread():
    worker = threading.Thread(target=time.sleep, args=(0.05,))
    worker.start()
    worker.join()
"""


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    (tmp_path / "svc.py").write_text(CANDIDATE)
    connection, proc = start_local(path=[str(tmp_path)])
    yield connection
    stop_local(connection, proc)


@pytest.fixture
def submission(tmp_path: Path, conn: Connection) -> Iterator[Submission]:
    sub = Submission(tmp_path, ["svc"], connect=lambda: conn)
    yield sub
    sub.close()


@pytest.fixture
def svc(submission: Submission) -> Ref:
    module: Ref = submission.module("svc")  # type: ignore[assignment]
    return module


def _recording(calls: list[tuple[int, Any]]) -> Any:
    def handle(caller: Caller, request: dict[str, Any]) -> Any:
        calls.append((caller.pid, request["n"]))
        if request["n"] < 0:
            raise ValueError("negative")
        return request["n"] * 2

    return handle


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_every_candidate_process_reaches_the_service_and_the_kernel_names_it(
    submission: Submission, svc: Ref, conn: Connection, method: str
) -> None:
    calls: list[tuple[int, Any]] = []
    submission.service(_recording(calls), env="SVC")
    assert svc.ask(21) == 42
    answer, child = svc.ask_from(method, 5)
    assert answer == 10
    assert calls == [(conn.pid, 21), (child, 5)], "the caller's pid comes from SO_PEERCRED"


def test_a_failing_handler_is_an_error_for_the_caller_not_the_host(tmp_path: Path) -> None:
    calls: list[tuple[int, Any]] = []
    host = ServiceHost(_recording(calls))
    try:
        with pytest.raises(ServiceError, match="ValueError: negative"):
            call_service(host.address, {"n": -1})
        assert call_service(host.address, {"n": 3}) == 6, "the host still serves"
        assert calls == [(os.getpid(), -1), (os.getpid(), 3)]
    finally:
        host.close()
    assert not Path(host.address).exists(), "closing removes the socket"


def test_closing_a_host_ends_its_thread() -> None:
    """A host's accepting thread ends with the host: one left blocked in accept outlives
    it in the test's process, and a fork after that copies whatever the thread holds."""
    before = set(threading.enumerate())
    host = ServiceHost(_recording([]))
    assert call_service(host.address, {"n": 1}) == 2
    host.close()
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert left == [], f"threads left after close: {left}"


def test_the_service_address_is_an_environment_variable_without_the_boundary(
    tmp_path: Path,
) -> None:
    local = Submission(tmp_path, [])
    local.service(_recording([]), env="MLGRADER_TEST_SVC")
    assert call_service(os.environ["MLGRADER_TEST_SVC"], {"n": 1}) == 2
    local.close()
    assert "MLGRADER_TEST_SVC" not in os.environ, "closing restores the environment"


def test_no_leaks_sees_a_thread_left_in_the_candidate_process(svc: Ref) -> None:
    leaked = pytest.raises(AssertionError, match=r"1 thread\(s\) of the candidate process")
    with leaked, no_leaks(grace=0.3):
        svc.leak_thread()


def test_no_leaks_sees_a_child_left_by_the_candidate_process(svc: Ref) -> None:
    leaked = pytest.raises(AssertionError, match=r"child process \(pid \d+\) of the candidate")
    with leaked as caught, no_leaks(grace=0.3):
        svc.leak_child()
    found = re.search(r"pid (\d+)", str(caught.value))
    assert found is not None
    os.kill(int(found.group(1)), signal.SIGKILL)  # the leaked child sleeps 60 s: not left behind


def test_no_leaks_allows_threads_that_serve_the_tests_own_threads(svc: Ref) -> None:
    """A test thread that calls candidate code gets a thread of its own there; that is the
    channel's, not a leak, and so is the candidate's thread it joined."""
    result: list[BaseException] = []

    def scenario() -> None:
        try:
            with no_leaks(grace=0.5):
                svc.tidy_thread()
        except BaseException as exc:
            result.append(exc)

    helper = threading.Thread(target=scenario)
    helper.start()
    helper.join()
    assert not result, result
    with no_leaks(grace=0.5):
        svc.tidy_thread()
