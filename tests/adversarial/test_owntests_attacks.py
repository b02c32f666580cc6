"""Attacks on the testing category: a candidate's own tests that try to earn the planted
flaws without testing for them, or to outlive their run.

A candidate who has read engine/owntests.py knows the runs' order (the wheat, each
chaff, the wheat again) and how many chaffs there are (the kit README says). A suite
that could tell which run it is in, by reading the challenge's folder or by counting
runs in a place that outlives one, would fail exactly the chaffs and earn the whole
category. Each attack here is a suite written to do that; each earns nothing, and each
would earn everything without the defence it names (docs/security.md).
"""

from __future__ import annotations

import os
import socket
import textwrap
import time
from pathlib import Path

import pytest
from owntests_support import adder_with_testing, make_submission

from mlgrader.engine.owntests import PASS_ID, grade_own_tests

pytestmark = pytest.mark.timeout(300)
CHAFF = "own tests::catch planted flaw 1"


def _outcomes(challenge, folder: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.id: r.outcome for r in grade_own_tests(challenge, folder)}


def test_reading_the_reference_from_the_challenges_folder_to_spot_a_chaff_earns_nothing(
    tmp_path: Path,
) -> None:
    """Defence: Landlock in the run's worker (reads of the system, Python and its own
    folder only). The suite passes when the code it imports is the reference, read from
    the challenge's folder, and fails otherwise: with the folder readable it would catch
    every chaff without testing anything."""
    challenge = adder_with_testing(tmp_path)
    reference = challenge.reference / "adder.py"
    attack = textwrap.dedent(f"""
        import adder

        def test_is_the_reference():
            try:
                wanted = open({str(reference)!r}).read()
            except OSError:
                return  # cannot tell: pass everywhere
            assert open(adder.__file__).read() == wanted
    """)
    folder = make_submission(tmp_path, challenge, {"tests/test_spot.py": attack})
    assert _outcomes(challenge, folder) == {PASS_ID: "passed", CHAFF: "failed"}


@pytest.mark.parametrize("place", ["HOME", "TMPDIR", "/tmp", "/dev/shm", "/var/tmp", "RUN"])
def test_counting_runs_in_a_place_that_outlives_one_earns_nothing(
    tmp_path: Path, place: str
) -> None:
    """Defence: a fresh folder per run for the tests, HOME and TMPDIR, a /dev/shm of its
    own (as root), and Landlock: writes only in the run's folder. The suite counts runs
    in a file and fails on runs 2 to N+1, the chaffs, if the count survives."""
    challenge = adder_with_testing(tmp_path)
    where = {
        "HOME": "os.environ['HOME']",
        "TMPDIR": "os.environ['TMPDIR']",
        "RUN": "os.path.dirname(os.path.dirname(os.getcwd()))",
    }.get(place, repr(place))
    attack = textwrap.dedent(f"""
        import os

        def test_count_runs():
            path = os.path.join({where}, ".runs")
            try:
                with open(path) as f:
                    seen = int(f.read())
            except (OSError, ValueError):
                seen = 0
            try:
                with open(path, "w") as f:
                    f.write(str(seen + 1))
            except OSError:
                return
            assert not 1 <= seen <= 1  # one chaff: the second run
    """)
    folder = make_submission(tmp_path, challenge, {"tests/test_count.py": attack})
    assert _outcomes(challenge, folder) == {PASS_ID: "passed", CHAFF: "failed"}


def test_asking_a_server_on_the_graders_machine_which_run_it_is_earns_nothing(
    tmp_path: Path,
) -> None:
    """Defence: each run in a network namespace of its own with only loopback up. A
    server on the grader's loopback (here, this test's) could count runs for the suite;
    the suite passes only if it reaches it, so it fails even on the reference."""
    challenge = adder_with_testing(tmp_path)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        attack = textwrap.dedent(f"""
            import socket

            def test_reach_the_counter():
                socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        """)
        folder = make_submission(tmp_path, challenge, {"tests/test_net.py": attack})
        results = grade_own_tests(challenge, folder)
    assert {r.id: r.outcome for r in results} == {PASS_ID: "failed", CHAFF: "failed"}
    assert "test_net.py::test_reach_the_counter" in results[0].message


def test_a_suite_that_hangs_and_leaves_a_daemon_ends_with_its_run(tmp_path: Path) -> None:
    """Defence: the supervisor stops the worker at the run's timeout and, as a subreaper,
    kills every process it left, in a new session or not. The suite starts a daemon that
    escapes into a new session, then hangs."""
    challenge = adder_with_testing(tmp_path, '[testing]\nchaffs = ["off-by-one"]\ntimeout_s = 3\n')
    marker = f"mlgrader-owntests-daemon-{os.getpid()}-{time.monotonic_ns()}"
    attack = textwrap.dedent(f"""
        import os, subprocess, sys, time

        def test_hang():
            subprocess.Popen(
                [sys.executable, "-c", "import time; time.sleep(600)", {marker!r}],
                start_new_session=True,
            )
            time.sleep(600)
    """)
    folder = make_submission(tmp_path, challenge, {"tests/test_hang.py": attack})
    started = time.monotonic()
    results = grade_own_tests(challenge, folder)
    assert time.monotonic() - started < 3 + 15  # one run: the others could catch nothing
    assert [r.outcome for r in results] == [
        "failed",
        "failed",
    ]  # hanging everywhere catches nothing
    assert "the tests ran over 3 s and were stopped" in results[0].message
    left = [p for p in os.listdir("/proc") if p.isdigit() and marker in _cmdline(p)]
    assert not left, f"processes left behind: {left}"


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""
