"""Attack: reach the network (1.1.1.1:53) and the grader's own loopback (a port the harness listens on)."""

import json
import socket
from pathlib import Path

CONTEXT = json.loads(Path(__file__).with_name("attack_context.json").read_text())


def _try(address, timeout):
    try:
        with socket.create_connection(address, timeout=timeout):
            return "connected"
    except OSError as exc:
        return f"failed: {type(exc).__name__}: {exc}"


def _probe():
    report = {
        "internet": _try(("1.1.1.1", 53), 2),
        "loopback": _try(("127.0.0.1", CONTEXT["loopback_port"]), 2),
    }
    return "NET" + json.dumps(report) + "END"


class LRUCache:
    """The stub, except constructing it probes the network."""

    def __init__(self, capacity):
        raise AssertionError(_probe())

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
