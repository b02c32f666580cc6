"""OS protections: Landlock, limits, orphan reaping and the process jail."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mlgrader.sandbox import kernel as sandbox


def in_child(body: Callable[[], int]) -> int:
    """Run ``body`` in a forked child (protections are irreversible) and return its exit code."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = body()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_landlock_allows_scratch_and_refuses_the_rest(tmp_path: Path) -> None:
    """After restrict(): writes only in scratch, reads only where allowed, /proc of others closed."""
    scratch, secret, outside = tmp_path / "scratch", tmp_path / "secret", tmp_path / "out.txt"
    scratch.mkdir()
    secret.mkdir()
    (secret / "hidden.py").write_text("ANSWER = 42\n")
    parent = os.getpid()

    def body() -> int:
        assert sandbox.restrict([scratch], sandbox.readable_roots())
        (scratch / "ok.txt").write_text("fine")
        for attempt in (
            lambda: outside.write_text("escaped"),
            lambda: (secret / "hidden.py").read_text(),
            lambda: Path(f"/proc/{parent}/environ").read_bytes(),
        ):
            try:
                attempt()
            except PermissionError:
                continue
            return 1
        return 0

    assert sandbox.landlock_abi() > 0, "this machine's kernel has Landlock"
    assert in_child(body) == 0
    assert (scratch / "ok.txt").read_text() == "fine"
    assert not outside.exists()


def test_apply_limits_sets_soft_and_hard() -> None:
    """Limits are set as soft and hard, so candidate code cannot raise them again."""

    def body() -> int:
        applied = sandbox.apply_limits(256, open_files=64)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        ok = applied["RLIMIT_NOFILE"] == 64 and soft == hard == 64
        ok = ok and resource.getrlimit(resource.RLIMIT_AS) == (256 * 2**20, 256 * 2**20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))
        except (ValueError, OSError):
            return 0 if ok else 1
        return 0 if ok and os.geteuid() == 0 else 2  # only root may raise a hard limit

    assert in_child(body) == 0


def test_kill_orphans_reaps_a_process_in_a_new_session() -> None:
    """A subreaper adopts a grandchild that escaped into a new session, and kills it."""
    read_fd, write_fd = os.pipe()

    def body() -> int:
        assert sandbox.become_subreaper()
        if os.fork() == 0:  # the test process
            escapee = subprocess.Popen(
                [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
            )
            os.write(write_fd, str(escapee.pid).encode())
            os._exit(0)
        os.wait()
        time.sleep(0.2)
        return 0 if sandbox.kill_orphans() >= 1 else 1

    assert in_child(body) == 0
    os.close(write_fd)
    pid = int(os.read(read_fd, 32))
    os.close(read_fd)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    raise AssertionError(f"orphan {pid} is still alive")


def test_process_jail_kills_everything_it_holds() -> None:
    """As root, every process in the jail dies at kill_all, even one in a new session."""
    jail = sandbox.ProcessJail(max_pids=32)
    if os.geteuid() != 0:
        assert jail.path is None  # only root can make cgroups; the jail reports inactive
        return
    assert jail.path is not None
    proc = subprocess.Popen(
        [sys.executable, "-c", "import os, time; os.setsid(); time.sleep(60)"],
        preexec_fn=jail.enter,
    )
    time.sleep(0.2)
    jail.kill_all()
    assert proc.wait(timeout=5) == -signal.SIGKILL
    assert not jail.path.exists()


def test_network_namespace_has_only_loopback() -> None:
    """isolate_network(): outside addresses are unreachable, loopback still works."""
    import socket

    def body() -> int:
        assert sandbox.isolate_network()
        server = socket.create_server(("127.0.0.1", 0))
        client = socket.create_connection(server.getsockname(), timeout=2)
        client.close()
        server.close()
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=2)
        except OSError:
            return 0
        return 1

    assert in_child(body) == 0


def test_a_time_grant_moves_only_later_and_never_past_its_limit() -> None:
    """The page a test's process stretches its deadline through: a forked child's ask is
    seen by the parent; a shorter ask changes nothing; nothing goes past the limit; what is
    not a finite number (candidate code writing the page) counts as no ask at all."""
    import struct

    from mlgrader.sandbox.timegrant import TimeGrant

    grant = TimeGrant()
    grant.begin(1.0, 10.0)
    assert not grant.stretched() and round(grant.granted(), 3) == 1.0
    assert in_child(lambda: 0 if grant.ask(4.0) > grant.base else 1) == 0
    assert grant.stretched() and 4.0 <= grant.granted() < 4.5, grant.granted()
    grant.ask(0.5)
    assert 4.0 <= grant.granted() < 4.5
    grant.ask(1e9)
    assert round(grant.granted(), 3) == 10.0
    for forged in (float("nan"), float("inf")):
        struct.pack_into("d", grant._cell, 0, forged)
        assert round(grant.granted(), 3) == 1.0
    grant.close()
