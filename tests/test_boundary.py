"""The process boundary: what crosses by value, what stays a reference, and what a candidate reaches.

Each test starts a real candidate process (``start_local``: no sandbox, the
channel exactly as in grading) on a small candidate module written here.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from mlgrader.boundary import wire
from mlgrader.boundary.candidate import CandidateSide
from mlgrader.boundary.connection import Connection, start_local, stop_local
from mlgrader.boundary.endpoint import ChannelClosed
from mlgrader.boundary.exceptions import CandidateError
from mlgrader.boundary.refs import Ref
from mlgrader.boundary.trusted import TrustedSide
from mlgrader.engine.grade import grade
from mlgrader.model.challenge import load_challenge
from mlgrader.model.scorecard import Scorecard
from mlgrader.sandbox import kernel
from mlgrader.sandbox.forkserver import ForkServer, kill_candidate
from mlgrader.sandbox.policy import paths_for_tests
from mlgrader.testing import RaceKey, run_threads

CANDIDATE = """
import os, threading

class LyingStr(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__

class Base:
    pass

class Cache(Base):
    def __init__(self, capacity, backend=None):
        self.capacity = capacity
        self.data = {}
        self.backend = backend
    def put(self, key, value):
        self.data[key] = value
    def get(self, key):
        if key not in self.data and self.backend is not None:
            self.data[key] = self.backend.get(key)
        return self.data.get(key)
    def __len__(self):
        return len(self.data)
    def __contains__(self, key):
        return key in self.data
    def items_scan(self):
        return [k for k in self.data if k is None]

class InvalidCapacity(ValueError):
    pass

def check(capacity):
    if capacity <= 0:
        raise InvalidCapacity(f"capacity must be positive, got {capacity}")
    return capacity

def lie():
    return LyingStr("anything")

def sentinel_back(value):
    return value

class SGD:
    def __init__(self, params, lr):
        self.params, self.lr, self.steps = params, lr, {}
    def step(self):
        for p in self.params:
            self.steps[id(p)] = self.steps.get(id(p), 0) + 1
            p -= self.lr
    def counts(self):
        return sorted(self.steps.values())

def append(items, value):
    items.append(value)

def thread_of_caller():
    return threading.get_ident()

def stack_names():
    import sys
    names, frame = [], sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        names += [code.co_filename, code.co_name, code.co_qualname]
        names += [str(frame.f_globals.get(k)) for k in ("__name__", "__file__")]
        frame = frame.f_back
    return names

def in_main_thread():
    import signal
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # works only in the main thread
    return threading.current_thread() is threading.main_thread()

def reach(obj, name):
    # as a hostile candidate would: straight to the channel, past the local proxy class
    return type(obj)._mlg_call(obj, "getattr", name)

def pid():
    return os.getpid()

def crash():
    os._exit(3)

def interval():
    import sys
    return sys.getswitchinterval()

class Tally:
    # check-then-act with no lock, on an interpreter told never to switch threads
    def __init__(self):
        import sys
        sys.setswitchinterval(1.0)
        self.counts = {}
    def add(self, key):
        if key not in self.counts:
            self.counts[key] = 0
        self.counts[key] = self.counts[key] + 1
    def total(self):
        return sum(self.counts.values())

def calm_down():
    import sys
    sys.setswitchinterval(0.005)  # undo the amplification run_threads asked for
    import time
    time.sleep(0.6)
"""


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    (tmp_path / "cand.py").write_text(CANDIDATE)
    connection, proc = start_local(path=[str(tmp_path)])
    yield connection
    stop_local(connection, proc)


@pytest.fixture
def cand(conn: Connection) -> Ref:
    return conn.import_module("cand")


class Service:
    """A trusted support object: counts the calls candidate code makes on it."""

    def __init__(self) -> None:
        self.calls = 0
        self._secret = "hidden"

    def get(self, key: object) -> str:
        self.calls += 1
        return f"value-of-{key!r}"


def test_candidate_objects_are_references_and_plain_results_are_data(cand: Ref) -> None:
    cache = cand.Cache(2)
    cache.put("a", (1, 2.5, b"x", None))
    assert type(cache) is Ref
    assert cache.get("a") == (1, 2.5, b"x", None)
    assert type(cache.get("a")) is tuple
    assert len(cache) == 1 and "a" in cache and "b" not in cache
    assert cache.capacity == 2


def test_a_subclass_of_str_whose_eq_lies_is_a_reference_not_data(cand: Ref) -> None:
    lie = cand.lie()
    assert type(lie) is Ref
    assert lie != "anything"  # identity, never the candidate's __eq__
    assert (lie == "something else") is False


def test_callbacks_reach_the_trusted_object_so_its_state_is_the_tests(cand: Ref) -> None:
    service = Service()
    cache = cand.Cache(2, backend=service)
    assert cache.get("k") == "value-of-'k'"
    assert cache.get("k") == "value-of-'k'"
    assert service.calls == 1


def test_candidate_code_cannot_reach_private_or_dunder_attributes_of_trusted_objects(
    cand: Ref,
) -> None:
    service = Service()
    for name in ("_secret", "__class__", "__dict__", "__init__"):
        with pytest.raises(AttributeError):
            cand.reach(service, name)
    with pytest.raises(AttributeError):
        cand.reach(Service().get, "__globals__")


def test_modules_and_foreign_classes_are_never_handed_to_candidate_code(cand: Ref) -> None:
    import os

    with pytest.raises(TypeError):
        cand.sentinel_back(os)
    with pytest.raises(TypeError):
        cand.sentinel_back(threading.Thread)


def test_objects_handed_over_come_back_as_themselves(cand: Ref) -> None:
    marker = object()
    assert cand.sentinel_back(marker) is marker
    cache = cand.Cache(1)
    assert cand.sentinel_back(cache) is cache


def test_candidate_exceptions_keep_their_name_and_nearest_builtin_base(cand: Ref) -> None:
    with pytest.raises(ValueError, match="capacity must be positive, got 0") as info:
        cand.check(0)
    assert type(info.value).__name__ == "InvalidCapacity"
    assert isinstance(info.value, CandidateError)
    assert "raise InvalidCapacity" in info.value.candidate_traceback  # type: ignore[attr-defined]


def test_in_place_updates_of_arrays_the_test_passed_in_are_seen(cand: Ref) -> None:
    w, b = np.ones(3), np.zeros(2)
    opt = cand.SGD([w, b], lr=0.5)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(w, np.zeros(3))
    np.testing.assert_array_equal(b, -np.ones(2))
    assert opt.params[0] is w
    assert opt.counts() == [2, 2]  # keyed by id(param): the same array on every call
    items: list[int] = [1]
    cand.append(items, 2)
    assert items == [1, 2]


def test_numpy_refuses_a_candidate_reference(cand: Ref) -> None:
    with pytest.raises(TypeError, match="not array data"):
        np.asarray(cand.Cache(1))


def test_each_calling_thread_gets_its_own_thread_in_the_candidate(cand: Ref) -> None:
    seen: list[int] = []
    main = cand.thread_of_caller()
    assert cand.thread_of_caller() == main
    together = threading.Barrier(4)

    def work() -> None:
        seen.append(cand.thread_of_caller())
        together.wait(10)  # all four alive at once, so their candidate threads are too

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 4 and main not in seen


def test_isinstance_and_issubclass_on_candidate_classes(cand: Ref) -> None:
    cache = cand.Cache(1)
    assert isinstance(cache, cand.Cache) and isinstance(cache, cand.Base)
    assert not isinstance(cache, cand.SGD)
    assert issubclass(cand.Cache, cand.Base) and not issubclass(cand.Base, cand.Cache)


def test_a_candidate_process_that_dies_fails_the_call_not_the_test_process(
    conn: Connection, cand: Ref
) -> None:
    with pytest.raises(ChannelClosed):
        cand.crash()
    with pytest.raises(ChannelClosed):
        cand.pid()


def test_a_closure_shipped_by_value_runs_in_the_candidate_process(
    conn: Connection, cand: Ref
) -> None:
    cache = cand.Cache(4)
    cache.put("a", 1)
    probe = conn.ship(lambda c: c.get("a"))
    assert conn.call(probe, cache, loops=1000) == 1


def test_malformed_bytes_are_a_wire_error_never_an_object() -> None:
    side = TrustedSide()
    for data in (b"", b"l\xff\xff\xff\xff", b"a\x03\x00\x00\x00<O8", b"X\x00\x00\x00\x00", b"Nx"):
        with pytest.raises(wire.WireError):
            wire.loads(data, side.hooks)


def test_only_exact_plain_types_cross_by_value() -> None:
    candidate = CandidateSide()
    trusted = TrustedSide()

    class MyInt(int):
        pass

    class MyFraction(Fraction):
        def __eq__(self, other: object) -> bool:
            return True

    sent = [1, MyInt(2), np.float32(1.5), np.array([1, 2]), np.array(["a"], dtype=object), {3}]
    sent += [Fraction(2, 6), MyFraction(1, 2)]
    data = wire.dumps(sent, candidate.hooks)
    received = wire.loads(data, trusted.hooks)
    assert received[0] == 1 and type(received[0]) is int
    assert type(received[1]) is Ref
    assert type(received[2]) is np.float32 and received[2] == 1.5
    assert type(received[3]) is np.ndarray and received[3].tolist() == [1, 2]
    assert type(received[4]) is Ref
    assert received[5] == {3}
    assert type(received[6]) is Fraction and received[6] == Fraction(1, 3)
    assert type(received[7]) is Ref


def test_str_arrays_and_their_elements_cross_by_value() -> None:
    """A test passes each row's group as a str array: candidate code gets an ndarray (it
    was a reference, read a round trip per element), and np.str_ elements come back as
    numpy's own str, not references."""
    candidate = CandidateSide()
    trusted = TrustedSide()
    groups = np.repeat(["g0", "g10"], 3)
    received = wire.loads(wire.dumps(groups, trusted.hooks), candidate.hooks)
    assert type(received) is np.ndarray and received.dtype == groups.dtype
    assert received.tolist() == groups.tolist()
    back = wire.loads(
        wire.dumps([received[4], np.array([], dtype="<U1")], candidate.hooks), trusted.hooks
    )
    assert type(back[0]) is np.str_ and back[0] == "g10"
    assert type(back[1]) is np.ndarray and back[1].size == 0


def test_a_str_array_beyond_unicode_is_a_wire_error() -> None:
    """numpy raises SystemError reading a code point past U+10FFFF: such bytes from the
    candidate process are refused on arrival, whole arrays and single elements alike."""
    side = TrustedSide()
    bad = b"\xff\xff\xff\x00"
    shape = b"\x01\x00\x00\x00" + b"\x01\x00\x00\x00\x01"  # one dimension, of 1
    array = b"a\x03\x00\x00\x00<U1" + shape + b"\x04\x00\x00\x00" + bad
    scalar = b"g\x03\x00\x00\x00<U1\x04\x00\x00\x00" + bad
    zero = b"g\x03\x00\x00\x00<U0\x00\x00\x00\x00"
    for data in (array, scalar, zero):
        with pytest.raises(wire.WireError):
            wire.loads(data, side.hooks)
    good = array.replace(bad, "é".encode("utf-32-le"))
    assert wire.loads(good, side.hooks).tolist() == ["é"]


PROBE = """
import os, sys

def env(name):
    return os.environ.get(name)

def read(path):
    with open(path) as f:
        return f.read()

def write(path):
    with open(path, "w") as f:
        f.write("x")
    return path

def loaded(name):
    return name in sys.modules

def exists(path):
    return os.path.exists(path)

def home():
    return os.environ["HOME"], os.environ["TMPDIR"]
"""


@pytest.fixture
def forkserver(tmp_path: Path) -> Iterator[tuple[ForkServer, Path]]:
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "probe.py").write_text(PROBE)
    server = ForkServer(submission, preload=())
    yield server, tmp_path
    server.close()


def _spawn(server: ForkServer, tmp: Path, name: str) -> tuple[Connection, int]:
    policy = paths_for_tests(tmp / "workspace", server.submission)
    landlock = policy.readable if kernel.landlock_abi() > 0 else None
    shm = (Path("/dev/shm"),)  # as in grading
    cand = server.spawn(memory_mb=2048, scratch=tmp / name, readable=landlock, writable=shm)
    return Connection(cand.sock, cand.pid), cand.pid


def test_candidate_processes_come_from_a_clean_interpreter_with_scratch_of_their_own(
    forkserver: tuple[ForkServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, tmp = forkserver
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "tests/hidden/test_secret.py::test_x (call)")
    first, pid1 = _spawn(server, tmp, "scratch-1")
    second, pid2 = _spawn(server, tmp, "scratch-2")
    try:
        probe1, probe2 = first.import_module("probe"), second.import_module("probe")
        assert probe1.env("PYTEST_CURRENT_TEST") is None
        assert not probe1.loaded("pytest") and not probe1.loaded("_pytest")
        assert probe1.home() == (str(tmp / "scratch-1"),) * 2
        assert probe2.home() == (str(tmp / "scratch-2"),) * 2
        assert pid1 != pid2
        if kernel.landlock_abi() > 0:
            hidden = tmp / "workspace" / "tests" / "hidden"
            hidden.mkdir(parents=True)
            (hidden / "test_secret.py").write_text("EXPECTED = 42\n")
            with pytest.raises(PermissionError):
                probe1.read(str(hidden / "test_secret.py"))
            with pytest.raises(PermissionError):
                probe1.write(str(tmp / "scratch-2" / "planted.py"))
            assert probe1.write(str(tmp / "scratch-1" / "mine.txt"))
        note = f"/dev/shm/mlgrader-note-{tmp.name}"
        probe1.write(note)
        assert probe1.exists(note)
        if os.geteuid() == 0:  # a private /dev/shm needs privilege (kernel.private_shm)
            assert not probe2.exists(note) and not os.path.exists(note)
    finally:
        first.close()
        second.close()
        kill_candidate(pid1)
        kill_candidate(pid2)


# -- a whole grading run behind the boundary ---------------------------------------------------

FRAME_THIEF = '''
import sys

def add(a, b):
    """Look for the calling test's frame and answer from its locals (works in one process)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name.startswith("test_"):
            for value in frame.f_locals.values():
                if isinstance(value, int) and value > 0:
                    return value
        frame = frame.f_back
    return 0
'''

FD_PROBE = '''
import os

def add(a, b):
    """Count the descriptors this process holds besides stdio, as [sockets, anything else]
    (the listing's own is gone by the time its link is read)."""
    sockets = others = 0
    for fd in sorted(int(fd) for fd in os.listdir("/proc/self/fd") if int(fd) > 2):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            sockets += 1
        else:
            others += 1
    return [sockets, others]
'''

BOUNDARY_TESTS = """
import os
import pytest

EXPECTED = 3000

@pytest.mark.rubric("correctness", weight=2)
def test_large(submission):
    assert submission.module("adder").add(1000, 2000) == EXPECTED

def test_runs_elsewhere(submission):
    mod = submission.module("adder")
    assert type(mod).__name__ == "Ref"
    assert submission.connection.pid != os.getpid()
"""


@pytest.fixture
def boundary_challenge(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "adder"
    shutil.copytree(Path(__file__).parent / "fixtures" / "challenges" / "adder", root)
    toml = root / "challenge.toml"
    toml.write_text(
        toml.read_text().replace('modules = ["adder"]', 'modules = ["adder"]\nboundary = true')
    )
    shutil.rmtree(root / "tests" / "hidden")
    (root / "tests" / "hidden").mkdir()
    (root / "tests" / "hidden" / "test_hidden.py").write_text(BOUNDARY_TESTS)
    return root


def _grade(challenge_root: Path, source: str, tmp_path: Path, name: str) -> Scorecard:
    submission = tmp_path / name
    submission.mkdir()
    (submission / "adder.py").write_text(source)
    return grade(submission, load_challenge(challenge_root))


def test_a_grading_run_behind_the_boundary_scores_the_reference(
    boundary_challenge: Path, tmp_path: Path
) -> None:
    card = _grade(
        boundary_challenge,
        (boundary_challenge / "reference" / "adder.py").read_text(),
        tmp_path,
        "ref",
    )
    outcomes = {t.id.split("::")[-1]: t.outcome for t in card.tests}
    assert outcomes["test_large"] == "passed" and outcomes["test_runs_elsewhere"] == "passed"
    assert card.score == 100


def test_candidate_code_cannot_read_the_tests_frames(
    boundary_challenge: Path, tmp_path: Path
) -> None:
    twin = _grade(boundary_challenge, "def add(a, b):\n    return 0\n", tmp_path, "twin")
    thief = _grade(boundary_challenge, FRAME_THIEF, tmp_path, "thief")
    assert thief.score <= twin.score
    assert [t.outcome for t in thief.tests if t.id.endswith("test_large")] == ["failed"]


def test_the_candidate_process_holds_only_its_own_channel(
    boundary_challenge: Path, tmp_path: Path
) -> None:
    card = _grade(boundary_challenge, FD_PROBE, tmp_path, "fds")
    message = next(t.message for t in card.tests if t.id.endswith("test_large"))
    # stdio, plus the channel: its main socket and the calling test thread's lane (no
    # report pipe, no fork server socket, no results stream, no file)
    assert json_list(message) == [2, 0], message


def json_list(message: str) -> list[int]:
    import re

    found = re.search(r"assert (\[[0-9, ]*\]) ==", message)
    assert found, message
    return [int(x) for x in found.group(1).strip("[]").split(",") if x.strip()]


def test_a_method_fetched_from_a_reference_behaves_as_a_bound_method(cand: Ref) -> None:
    cache = cand.Cache(2)
    put = cache.put
    assert put == cache.put and put != cand.Cache(2).put
    put("a", 1)
    assert cache.get("a") == 1
    back = cand.sentinel_back(put)  # crosses as the candidate's bound method, and back
    back("b", 2)
    assert cache.get("b") == 2
    cache.capacity = 5  # a data attribute still goes through getattr/setattr
    assert cache.capacity == 5


def test_run_threads_amplifies_races_in_the_candidate_process(conn: Connection, cand: Ref) -> None:
    run = run_threads(lambda i: cand.interval(), n=4, timeout=10)
    run.raise_errors()
    assert run.results == [1e-6] * 4
    assert conn.switch_interval() == 0.005  # restored after the run


def test_a_candidate_that_switches_amplification_off_fails_run_threads(cand: Ref) -> None:
    with pytest.raises(AssertionError, match="changed the switch interval"):
        run_threads(lambda i: cand.calm_down(), n=2, timeout=10)


def test_a_complexity_check_times_candidate_code_in_its_own_process(cand: Ref) -> None:
    """The timed call and make_input run in the candidate process (shipped by value, the
    helper below with them); time is its CPU clock read from here."""
    from mlgrader.complexity import check

    def full(n: int) -> Ref:
        cache = cand.Cache(n)
        for key in range(n):
            cache.put(key, key)
        return cache

    constant = check(lambda c: c.get(0), full, "O(1)", time_budget=1.5)
    assert constant.verdict == "passed", constant.message
    linear = check(lambda c: c.items_scan(), full, "O(1)", time_budget=1.5)
    assert linear.verdict == "failed", linear.message


def test_race_keys_hash_and_compare_in_the_test_process(cand: Ref) -> None:
    cache = cand.Cache(4)
    cache.put(RaceKey(("user", 1)), "alice")
    assert RaceKey(("user", 1)) in cache  # a different RaceKey, equal value: found
    assert RaceKey(("user", 2)) not in cache
    assert cache.get(RaceKey(("user", 1))) == "alice"


def test_race_keys_open_gaps_the_candidate_process_cannot_close(cand: Ref) -> None:
    """The candidate turned thread switching off in its process: plain keys never
    interleave inside ``add``, RaceKeys lose updates because every lookup waits on us."""

    def hammer(key: object) -> int:
        tally = cand.Tally()
        run_threads(
            lambda i: [tally.add(key) for _ in range(150)], n=4, timeout=30, switch_interval=None
        ).raise_errors()
        total: int = tally.total()
        return total

    assert hammer(7) == 600
    assert hammer(RaceKey(7)) < 600


def test_calls_from_the_tests_main_thread_run_in_the_candidates_main_thread(cand: Ref) -> None:
    """As in one process: candidate code the test calls directly may install signal handlers."""
    assert cand.in_main_thread() is True
    run = run_threads(lambda i: cand.thread_of_caller(), n=2, timeout=10)
    run.raise_errors()
    assert cand.in_main_thread() is True
    other = run_threads(lambda i: cand.in_main_thread(), n=1, timeout=10)
    assert [e.exc_type for e in other.errors] == ["ValueError"]  # a thread of its own there


def test_shipped_test_functions_carry_no_name_of_the_test(conn: Connection, cand: Ref) -> None:
    """Under a timed call, candidate code that walks its frames finds neither the test's
    name, nor its file, nor its module (issue 14: timed batches look like any call)."""
    from mlgrader.authoring.complexity.executor import RemoteExecutor

    def _helper_of_test_get_hit_is_constant_time() -> list[str]:
        names: list[str] = cand.stack_names()
        return names

    def make_input_of_test_get_hit_is_constant_time(n: int) -> list[str]:
        return _helper_of_test_get_hit_is_constant_time()

    executor = RemoteExecutor(conn, len, make_input_of_test_get_hit_is_constant_time)
    names = " ".join(conn.call(executor.make_input, 3))
    assert "mlgrader/boundary/candidate.py" in names  # the frames were walked
    for leak in ("constant_time", "test_boundary", "make_input", "_helper"):
        assert leak not in names, leak


def test_the_next_candidate_process_is_forked_while_this_one_works(
    forkserver: tuple[ForkServer, Path],
) -> None:
    """spawn(then=...) forks the next test's process in advance; close() ends it unused."""
    server, tmp = forkserver

    def spawn(name: str, then: str) -> tuple[Connection, int]:
        cand = server.spawn(
            memory_mb=2048, scratch=tmp / name, readable=None, writable=(), then=tmp / then
        )
        return Connection(cand.sock, cand.pid), cand.pid

    first, pid1 = spawn("c1", "c2")
    try:
        deadline = time.monotonic() + 10
        while not (tmp / "c2").is_dir() and time.monotonic() < deadline:
            time.sleep(0.01)  # the fork server works on it in the background
        assert (tmp / "c2").is_dir()  # forked before anyone asked: it made its scratch folder
        assert first.import_module("probe").home()[0] == str(tmp / "c1")
    finally:
        first.close()
        kill_candidate(pid1)
    second, pid2 = spawn("c2", "c3")  # the one forked in advance
    try:
        assert second.import_module("probe").home()[0] == str(tmp / "c2")
    finally:
        second.close()
        kill_candidate(pid2)
    server.close()
    assert not (tmp / "c3").exists()  # the unused one is gone, scratch and all


def test_a_candidate_process_keeps_no_descriptor_of_threads_that_ended(
    forkserver: tuple[ForkServer, Path],
) -> None:
    """Each calling thread gets a lane; 600 threads one after another (more than the
    candidate's 512 open files) leave the candidate process working."""
    server, tmp = forkserver
    conn, pid = _spawn(server, tmp, "lanes")
    try:
        probe = conn.import_module("probe")
        for _ in range(600):
            thread = threading.Thread(target=probe.loaded, args=("json",))
            thread.start()
            thread.join()
        assert probe.loaded("json") in (True, False)
    finally:
        conn.close()
        kill_candidate(pid)
