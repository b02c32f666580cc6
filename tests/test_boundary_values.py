"""What a test sees of candidate values whose own behaviour is graded: their ``==``,
``hash`` and ``repr``, operators with the candidate object on the right, names and
docstrings a decorator copies, builtin classes passed in, frozen support
dataclasses sent as snapshots, ``isclass`` on candidate classes, and the
candidate process's memory read from outside."""

from __future__ import annotations

import operator
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlgrader.authoring.fixtures import Submission
from mlgrader.boundary.connection import Connection, start_local, stop_local
from mlgrader.boundary.refs import Ref
from mlgrader.testing import isclass

CANDIDATE = '''
import functools

class Vec:
    """A vector."""
    def __init__(self, *xs):
        self.xs = xs
    def __eq__(self, other):
        return type(other) is Vec and other.xs == self.xs
    def __hash__(self):
        return hash(self.xs)
    def __rmul__(self, k):
        return Vec(*(k * x for x in self.xs))
    def __abs__(self):
        return sum(x * x for x in self.xs) ** 0.5
    def __iter__(self):
        return iter(self.xs)
    def __repr__(self):
        return "Vec" + repr(self.xs)

def wrapped(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)
    return wrapper

def catching(exceptions, func):
    try:
        return func()
    except exceptions as exc:
        return "caught " + type(exc).__name__

HELD = []

def kind_of(value):
    import snap
    return type(value).__name__, isinstance(value, (snap.Point, snap.Box)), value

class Derived(Vec):
    pass

class Done(Exception):
    pass

def finish():
    raise Done("over")

def fail_as_support(n):
    import snap
    raise snap.SnapError(n)

SEEN = []

class Ctx:
    def __enter__(self):
        return self
    def __exit__(self, kind, value, tb):
        SEEN.append(None if kind is None else kind.__name__)
        return kind is KeyError

def seen():
    return list(SEEN)

def ask_counter(counter, times):
    import multiprocessing
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        return [counter.bump(), *pool.map(counter.bump_by, [1] * times)]

def hold(n):
    HELD.append(bytearray(n))

def burn(seconds):
    import time
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return "burnt"
'''


SUPPORT = """
from dataclasses import dataclass

@dataclass(frozen=True)
class Point:
    x: int
    y: int

@dataclass
class Box:
    content: object

class SnapError(Exception):
    def __init__(self, n):
        super().__init__(n)
        self.n = n

class Counter:
    # counts bumps in the test's process, whichever candidate process bumps

    def __init__(self):
        self.count = 0
        self.address = None

    def __boundary_value__(self, serve):
        copy = Counter()
        copy.address = serve(self._bump)
        return copy

    def _bump(self, caller, request):
        self.count += request["by"]
        return self.count

    def bump(self):
        from mlgrader.boundary.services import call_service
        return call_service(self.address, {"by": 1})

    def bump_by(self, by):
        from mlgrader.boundary.services import call_service
        call_service(self.address, {"by": by})
        return by
"""


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    (tmp_path / "vals.py").write_text(CANDIDATE)
    (tmp_path / "snap.py").write_text(SUPPORT)
    connection, proc = start_local(["snap"], path=[str(tmp_path)])
    sys.path.insert(0, str(tmp_path))  # the support module, trusted: imported here too
    try:
        yield connection
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("snap", None)
        stop_local(connection, proc)


@pytest.fixture
def submission(tmp_path: Path, conn: Connection) -> Submission:
    return Submission(tmp_path, ["vals"], connect=lambda: conn)


@pytest.fixture
def vals(submission: Submission) -> Ref:
    module: Ref = submission.module("vals")  # type: ignore[assignment]
    return module


def _distinct(V: type) -> int:
    return len({V(1, 2), V(1, 2), V(2, 1)})


def test_the_candidates_eq_and_hash_answer_only_through_submission_run(
    submission: Submission, vals: Ref
) -> None:
    V = vals.Vec
    assert V(1, 2) != V(1, 2), "a test's own == on references is identity"
    assert submission.run(operator.eq, V(1, 2), V(1, 2)) is True
    assert submission.run(hash, V(1, 2)) == submission.run(hash, V(1, 2))
    assert submission.run(_distinct, V) == 2
    assert submission.run(repr, V(1, 2)) == "Vec(1, 2)"


def test_submission_run_is_a_plain_call_without_the_boundary(tmp_path: Path) -> None:
    local = Submission(tmp_path, [])
    assert local.run(_distinct, complex) == 2
    assert local.run(operator.eq, (1,), (1,)) is True


def test_operators_with_the_candidate_object_on_the_right(vals: Ref) -> None:
    doubled = 2 * vals.Vec(1, 2)
    assert isinstance(doubled, vals.Vec) and tuple(doubled) == (2, 4)
    assert abs(vals.Vec(3, 4)) == 5.0


def test_a_decorator_keeps_the_name_and_docstring_of_a_test_function(vals: Ref) -> None:
    def area(width: int) -> int:
        """Width squared."""
        return width * width

    wrapper = vals.wrapped(area)
    assert (wrapper.__name__, wrapper.__doc__, wrapper(3)) == ("area", "Width squared.", 9)
    assert vals.Vec.__doc__ == "A vector."
    assert Ref.__doc__ is not None and "reference" in Ref.__doc__


def test_builtin_classes_cross_by_name_and_catch_what_the_test_raises(vals: Ref) -> None:
    def down() -> None:
        raise ConnectionError("down")

    assert vals.catching((ConnectionError,), down) == "caught ConnectionError"
    with pytest.raises(ConnectionError):
        vals.catching((ValueError,), down)


def test_resident_memory_is_read_from_the_candidate_process(
    submission: Submission, vals: Ref, tmp_path: Path
) -> None:
    before = submission.resident_bytes()
    vals.hold(64_000_000)
    grown = submission.resident_bytes() - before
    assert grown > 60_000_000, f"the candidate process grew {grown} bytes"


def test_resident_memory_without_the_boundary_is_this_process(tmp_path: Path) -> None:
    local = Submission(tmp_path, [])
    before = local.resident_bytes()
    held = bytearray(64_000_000)
    assert local.resident_bytes() - before > 60_000_000 and len(held)


def test_cpu_seconds_are_the_candidate_process_s_not_the_test_s(
    submission: Submission, vals: Ref
) -> None:
    result, used = submission.cpu_seconds(lambda: vals.burn(0.3))
    assert result == "burnt" and 0.28 <= used < 1.0, used

    def the_test_works() -> int:
        start = time.process_time()
        while time.process_time() - start < 0.3:
            pass
        return 1

    _, used = submission.cpu_seconds(the_test_works)
    assert used < 0.1, f"the test's own 0.3 s were counted: {used}"


def test_cpu_seconds_without_the_boundary_are_this_process_s(tmp_path: Path) -> None:
    local = Submission(tmp_path, [])
    _, idle = local.cpu_seconds(lambda: time.sleep(0.2))
    _, busy = local.cpu_seconds(lambda: sum(range(3_000_000)))
    assert idle < 0.05 and busy > idle, (idle, busy)


def test_frozen_support_dataclasses_cross_by_value_others_by_reference(
    vals: Ref, tmp_path: Path
) -> None:
    """A frozen dataclass of a support module is a snapshot: candidate code gets its own copy
    (fields read without round trips); a mutable one stays a reference to the test's."""
    import snap

    name, is_support, back = vals.kind_of(snap.Point(1, 2))
    assert (name, is_support) == ("Point", True)
    assert type(back) is Ref, "their copy comes back as a reference to their object"
    name, is_support, back = vals.kind_of(snap.Box(3))
    assert (name, is_support) == ("TrustedRef", False)
    assert type(back) is snap.Box and back.content == 3, "the test's own Box came back"


def test_isclass_answers_for_candidate_classes(vals: Ref) -> None:
    assert isclass(vals.Vec) and isclass(vals.Derived) and isclass(int)
    assert not isclass(vals.Vec(1)) and not isclass(vals.wrapped) and not isclass(3)


def test_except_a_candidate_exception_class_catches_what_it_raises(vals: Ref) -> None:
    """``vals.Done`` is a class of the test's process standing for the candidate's: raises
    of it (directly from Exception) are caught by ``except vals.Done``; a support module's
    exception raised there is caught as the support module's class here."""
    with pytest.raises(vals.Done, match="over"):
        vals.finish()
    import snap

    with pytest.raises(snap.SnapError) as info:
        vals.fail_as_support(7)
    assert info.value.n == 7


def test_a_with_block_on_a_candidate_object_tells_it_whether_the_block_failed(vals: Ref) -> None:
    with vals.Ctx():
        pass
    with vals.Ctx():
        raise KeyError("suppressed by the candidate's __exit__")
    with pytest.raises(ValueError), vals.Ctx():
        raise ValueError("not suppressed")
    assert vals.seen() == [None, "KeyError", "ValueError"]


def test_a_support_object_copied_by_value_calls_back_from_any_process(vals: Ref) -> None:
    """``__boundary_value__``: the copy's calls reach the original here, also from processes
    the candidate starts with spawn (which a reference could not reach)."""
    import snap

    counter = snap.Counter()
    assert vals.ask_counter(counter, 3) == [1, 1, 1, 1]
    assert counter.count == 4, "every bump was counted in the test's process"
