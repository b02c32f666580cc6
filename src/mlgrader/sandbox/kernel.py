"""OS-level protections around candidate code, each used only where the platform allows it.

Two levels:

* the grading run (the pytest process, before any test forks): it becomes a
  child subreaper, so processes a test orphans (even in a new session) are
  re-parented to it and can be killed; and it moves into a network namespace
  of its own with only loopback up, so candidate code cannot reach the network;
* each test's process: resource limits, then a Landlock ruleset: reads only
  of the system and Python, writes only inside the workspace, signals only to
  processes inside the same sandbox.

When the grader runs as root, the whole run also lives in a ``pids`` cgroup
(ProcessJail) that caps the number of processes and lets the grader kill
everything the candidate started, whatever session it moved to.

Every function reports what it managed, so the scorecard's ``sandbox`` section
says truthfully which protections were active on this run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import platform
import resource
import signal
import socket
import struct
import sys
import time
from collections.abc import Iterable
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
# Write-type filesystem rights (Landlock ABI 1-3); reads stay unrestricted.
_FS_WRITE_FILE = 1 << 1
_FS_WRITE_ABI1 = (1 << 1) | (1 << 4) | (1 << 5) | sum(1 << b for b in range(6, 13))
_FS_EXECUTE = 1 << 0
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_REFER = 1 << 13
_FS_TRUNCATE = 1 << 14
_FS_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
_SCOPE_SIGNAL = 1 << 1

#: Every protection here is Linux-only; elsewhere each function reports "not active".
LINUX = sys.platform.startswith("linux")
_libc = ctypes.CDLL(None, use_errno=True)
_LANDLOCK_ARCH = platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64")


def _prctl(option: int, value: int) -> bool:
    if not LINUX:
        return False
    return int(_libc.prctl(option, value, 0, 0, 0)) == 0


# -- the grading run ------------------------------------------------------------------------


def become_subreaper() -> bool:
    """Adopt orphaned descendants, so nothing a test starts can slip out of reach."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def isolate_network() -> bool:
    """Move this process into a new network namespace with only loopback up.

    Root can do this directly; other users through a user namespace that maps
    their own uid. Must run before any thread is started.
    """
    if not LINUX:
        return False
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(_CLONE_NEWNET) != 0:
        if _libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
            return False
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        except OSError:
            return True  # isolated, though loopback may stay down
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        req = fcntl.ioctl(sock, _SIOCGIFFLAGS, struct.pack("16sh22x", b"lo", 0))
        flags = struct.unpack("16sh22x", req)[1] | _IFF_UP
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags))
    return True


_CLONE_NEWNS = 0x00020000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x2, 0x4, 0x8
_MS_REC, _MS_PRIVATE = 0x4000, 0x40000


def private_shm(size_mb: int | None) -> bool:
    """Give this process (and what it starts) a /dev/shm of its own: an empty tmpfs in a
    new mount namespace, gone with its last process. Needs privilege (root, or a user
    namespace this process owns) and a single thread; False when it cannot be done."""
    if not LINUX or not Path("/dev/shm").is_dir():
        return False
    if _libc.unshare(_CLONE_NEWNS) != 0:
        return False
    if _libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        return False  # without this the new mount would show in the test's namespace too
    options = f"mode=1777,size={size_mb}m" if size_mb else "mode=1777"
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    return bool(_libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", flags, options.encode()) == 0)


def kill_orphans(rounds: int = 50, keep: Iterable[int] = ()) -> int:
    """Kill every child process of this one (orphans adopted as subreaper) except ``keep``;
    return how many."""
    killed = 0
    me = os.getpid()
    spared = set(keep)
    for _ in range(rounds):
        pids = [p for p in children(me) if p not in spared]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:  # adopted children: wait, so none lingers as a zombie
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        _reap_zombies()
        if not pids:
            break
        killed += len(pids)
    return killed


def children(pid: int) -> Iterable[int]:
    """The processes whose parent is ``pid`` (from ``/proc``)."""
    found = False
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found = True
            yield from (int(p) for p in text.split())
    if found:
        return
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    yield int(entry)


def _reap_zombies() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# -- one test's process ----------------------------------------------------------------------


def die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent (the pytest process) dies."""
    return _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def apply_limits(
    memory_mb: int | None, *, file_mb: int = 256, open_files: int = 512, processes: int = 256
) -> dict[str, int]:
    """Resource limits for a test's process; returns the ones that took effect."""
    wanted = {
        "RLIMIT_AS": memory_mb * 1024 * 1024 if memory_mb else None,
        "RLIMIT_FSIZE": file_mb * 1024 * 1024,
        "RLIMIT_NOFILE": open_files,
        "RLIMIT_NPROC": processes,
        "RLIMIT_CORE": 0,
    }
    applied: dict[str, int] = {}
    for name, value in wanted.items():
        if value is None:
            continue
        with contextlib.suppress(ValueError, OSError):
            limit = getattr(resource, name)
            _, hard = resource.getrlimit(limit)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(limit, (value, value))
            applied[name] = value
    return applied


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    return max(
        0, int(_syscall(_SYS_LANDLOCK_CREATE_RULESET, None, 0, _LANDLOCK_CREATE_RULESET_VERSION))
    )


def restrict(
    writable: Iterable[Path], readable: Iterable[Path], devices: Iterable[Path] = ()
) -> bool:
    """Landlock: from now on this process (and its children) may read and execute only under
    ``readable`` and ``writable``, create or change files only under ``writable`` (and write
    ``devices``), and, on kernels that can, signal only processes inside its own sandbox."""
    abi = landlock_abi()
    if abi < 1:
        return False
    writes = _FS_WRITE_ABI1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    reads = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
    scoped = _SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX_SOCKET if abi >= 6 else 0
    attr = (
        struct.pack("QQQ", writes | reads, 0, scoped)
        if abi >= 6
        else struct.pack("Q", writes | reads)
    )
    ruleset = int(_syscall(_SYS_LANDLOCK_CREATE_RULESET, attr, len(attr), 0))
    if ruleset < 0:
        return False
    try:
        rules = [(p, reads) for p in readable] + [(p, reads | writes) for p in writable]
        file_rights = _FS_WRITE_FILE | _FS_READ_FILE | (_FS_TRUNCATE if abi >= 3 else 0)
        rules += [(d, file_rights) for d in devices]
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not Path(path).is_dir():
                    rights &= _FS_FILE_RIGHTS
                rule = struct.pack("=Qi", rights, fd)
                _syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, rule, 0)
            finally:
                os.close(fd)
        if not _prctl(_PR_SET_NO_NEW_PRIVS, 1):
            return False
        return int(_syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0)) == 0
    finally:
        os.close(ruleset)


def readable_roots() -> list[Path]:
    """Where a test may read and execute: the system, Python and its packages; not the
    grader's other files (the original submission, the challenges folder, hidden tests)."""
    roots = [
        Path(p)
        for p in (
            "/usr",
            "/lib",
            "/lib32",
            "/lib64",
            "/bin",
            "/sbin",
            "/etc",
            "/opt",
            "/sys",
            "/dev",
            "/var",
            "/run",
        )
    ]
    roots += [Path(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    roots += [Path(p) for p in sys.path if p and Path(p).exists()]
    roots.append(Path(os.path.realpath(sys.executable)).parent)
    return roots


class ProcessJail:
    """A cgroup (v1 ``pids`` controller, root only) holding every process of one grading run.

    It caps how many processes candidate code may have at once, and at the end
    every process in it is killed, whatever session or process group it moved to.
    """

    ROOT = Path("/sys/fs/cgroup/pids")

    def __init__(self, max_pids: int = 512) -> None:
        self.path: Path | None = None
        if os.geteuid() != 0 or not self.ROOT.is_dir():
            return
        try:
            path = self.ROOT / f"mlgrader-{os.getpid()}-{os.urandom(4).hex()}"
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids))
            self.path = path
        except OSError:
            self.path = None

    def enter(self) -> None:
        """Move the calling process into the jail (used as a Popen preexec_fn)."""
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def kill_all(self, rounds: int = 100) -> None:
        """SIGKILL every process in the jail until it is empty, then remove it."""
        if self.path is None:
            return
        for _ in range(rounds):
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            self.path.rmdir()


def _syscall(number: int, *args: object) -> int:
    if not LINUX or not _LANDLOCK_ARCH:
        return -1  # 444-446 are the Landlock numbers on x86-64 and arm64 Linux
    result = int(_libc.syscall(number, *args))
    if result < 0 and ctypes.get_errno() == errno.ENOSYS:
        return -1
    return result
