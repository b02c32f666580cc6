"""The candidate's CPU read from outside (boundary/cpuclock.py, sandbox/cpuaccount.py):
work a candidate process hands to a child process of its own is still timed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlgrader.boundary.cpuclock import USAGE, CandidateClock, cpu_clock
from mlgrader.sandbox import cpuaccount

BURN_S = 0.3

#: A stand-in candidate process: on each line it reads, a child of its own burns CPU for
#: BURN_S while it waits for the child ("wait"), or hears that the burn is over and then
#: sleeps, leaving the child unreaped ("linger"); its own CPU clock barely moves. Then it
#: answers. (A sleep alone was not enough: on a busy machine the child had not finished
#: its burn when the sleep ended, and a full tier measured 0.239 CPU-s of 0.3.)
DELEGATOR = textwrap.dedent(
    f"""
    import os, sys, time
    from pathlib import Path
    if len(sys.argv) > 1:
        from mlgrader.sandbox import cpuaccount
        cpuaccount.enter(Path(sys.argv[1]))
    print("ready", flush=True)
    for line in sys.stdin:
        burnt, told = os.pipe()
        pid = os.fork()
        if pid == 0:
            end = time.process_time() + {BURN_S}
            while time.process_time() < end:
                pass
            os.write(told, b"x")
            os._exit(0)
        os.close(told)
        if line.strip() == "wait":
            os.waitpid(pid, 0)
        else:
            os.read(burnt, 1)
            time.sleep({BURN_S} * 4)
        os.close(burnt)
        print("done", flush=True)
    """
)


def _timed_burn(proc: subprocess.Popen[str], clock: CandidateClock, how: str) -> float:
    assert proc.stdin is not None and proc.stdout is not None
    start = clock.start()
    proc.stdin.write(how + "\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "done"
    return clock.since(start)


def _start(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", DELEGATOR, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait()


@pytest.mark.skipif(
    os.geteuid() != 0 or not (cpuaccount.V1 / USAGE).is_file(),
    reason="CPU cgroups need root and cgroup v1's cpuacct controller",
)
def test_a_cgroup_counts_the_cpu_of_every_process_the_candidate_starts() -> None:
    """The process's own clock misses its child's CPU; its cgroup's usage does not, and it
    is CPU, not the wall time the call took. After release and close, nothing of the run is
    left in the cgroup tree."""
    accounts = cpuaccount.CpuAccounts()
    assert accounts.path is not None
    run = accounts.path
    proc = _start(str(run))
    try:
        group = run / str(proc.pid)
        own = cpu_clock(proc.pid)
        before = own()
        measured = _timed_burn(proc, CandidateClock(proc.pid, group), "linger")
        assert 0.8 * BURN_S <= measured < 2 * BURN_S  # the wall time was 4 * BURN_S
        assert own() - before < 0.5 * BURN_S  # the process clock alone would have said ~0
    finally:
        accounts.release(proc.pid)
        proc.wait(5)
        accounts.close()
    assert proc.returncode == -9  # killed with everything in its cgroup
    assert not run.exists()


def test_without_a_cgroup_wall_time_stands_in_while_children_run() -> None:
    """No cgroup (not root): a batch during which the candidate process had a child is
    timed by the wall clock; one without children by its CPU clock plus reaped children."""
    proc = _start()
    try:
        clock = CandidateClock(proc.pid, None)
        assert _timed_burn(proc, clock, "wait") >= 0.8 * BURN_S  # reaped: cutime counts it
        assert _timed_burn(proc, clock, "linger") >= 3 * BURN_S  # not reaped: wall time
    finally:
        _stop(proc)


def test_a_group_that_was_never_made_falls_back(tmp_path: Path) -> None:
    """A cgroup path with no usage file (the candidate could not make it) is not read."""
    proc = _start()
    try:
        clock = CandidateClock(proc.pid, tmp_path / "missing")
        assert _timed_burn(proc, clock, "wait") >= 0.8 * BURN_S
    finally:
        _stop(proc)
