"""Attack: a daemon started by one test that is still alive while later tests run.

Each test first looks for the daemons earlier tests left (their pids are kept in
a file in the submission folder, which tests may write), then starts its own: a
double-forked, setsid() sleeper named after the attack's marker. A daemon that
outlives its test could interfere with the tests after it.
"""

import ctypes
import json
import os
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTEXT = json.loads((HERE / "attack_context.json").read_text())
MARKER = CONTEXT["marker"]
LEDGER = HERE / "daemons.txt"


def _alive(pid):
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return comm == MARKER and state != "Z"


def _survivors():
    try:
        pids = [int(p) for p in LEDGER.read_text().split()]
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if _alive(pid)]


def _start_daemon():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                ctypes.CDLL(None).prctl(15, MARKER.encode(), 0, 0, 0)  # PR_SET_NAME
                os.write(write, str(os.getpid()).encode())
                os.closerange(3, 4096)
                time.sleep(300)
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    text = os.read(read, 64).decode()
    os.close(read)
    return int(text) if text.isdigit() else None


class LRUCache:
    """The stub, except constructing it checks on and starts daemons."""

    def __init__(self, capacity):
        survivors = _survivors()
        daemon = _start_daemon()
        try:
            with open(LEDGER, "a") as handle:
                handle.write(f"{daemon}\n")
            ledger = "written"
        except OSError as exc:
            ledger = f"refused ({exc.strerror})"
        report = {"survivors": survivors, "started": daemon, "ledger": ledger}
        raise NotImplementedError("DAEMONS" + json.dumps(report) + "END")

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
