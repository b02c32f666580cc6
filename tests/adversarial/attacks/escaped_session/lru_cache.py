"""Attack: processes that leave the test's process group and session, to outlive grading.

Each test starts: a subprocess with start_new_session=True, a double-forked
daemon that calls os.setsid(), and a child that moves to its own process group.
Each sleeps 300 s and carries the attack's marker (argv or process name).
"""

import ctypes
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CONTEXT = json.loads(Path(__file__).with_name("attack_context.json").read_text())
MARKER = CONTEXT["marker"]


def _name_me():
    try:
        ctypes.CDLL(None).prctl(15, MARKER.encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass


def _new_session_subprocess():
    code = "import time; time.sleep(300)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, MARKER],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc.pid


def _daemon():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            grandchild = os.fork()
            if grandchild == 0:
                _name_me()
                os.write(write, str(os.getpid()).encode())
                os.closerange(3, 4096)
                time.sleep(300)
            else:
                os.write(write, b"")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    text = os.read(read, 64).decode()
    os.close(read)
    return int(text) if text.isdigit() else None


def _own_group():
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            _name_me()
            os.closerange(3, 4096)
            time.sleep(300)
        finally:
            os._exit(0)
    return pid


class LRUCache:
    """The stub, except constructing it starts three escapees."""

    def __init__(self, capacity):
        pids = [p for p in (_new_session_subprocess(), _daemon(), _own_group()) if p]
        try:
            (Path(CONTEXT["outdir"]) / f"escape-{os.getpid()}.pids").write_text(
                " ".join(map(str, pids))
            )
            note = "written"
        except OSError as exc:
            note = f"refused ({exc.strerror})"
        report = {"escapees": pids, "pidfile": note}
        raise NotImplementedError("ESCAPED" + json.dumps(report) + "END")

    @property
    def capacity(self):
        raise NotImplementedError

    def get(self, key, default=None):
        raise NotImplementedError

    def put(self, key, value):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __contains__(self, key):
        raise NotImplementedError
