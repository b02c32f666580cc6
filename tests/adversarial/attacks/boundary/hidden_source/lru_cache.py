"""Attack: find hidden test source (linecache, sys.modules, other tests' scratch
folders, /tmp, /dev/shm) and pass notes between tests through /dev/shm, then put
everything in the failure message of whichever test calls.

In one process the hidden tests' source sat in linecache and sys.modules, and
scratch folders were shared between tests. Behind the boundary the candidate
process comes from an interpreter that never held a test, its scratch folder and
its /dev/shm are its own, and Landlock keeps it out of the rest.
"""

import linecache
import os
import sys
import tempfile
from pathlib import Path

TRICK = True
_NOTE = f"note-from-{os.getpid()}"


def _harvest():
    found = []
    for name, entry in list(linecache.cache.items()):
        if "test" in str(name):
            found.append("".join(entry[2])[:4000])
    for module in list(sys.modules.values()):
        path = str(getattr(module, "__file__", "") or "")
        if "hidden" in path or os.path.basename(path).startswith("test_"):
            try:
                found.append(Path(path).read_text()[:4000])
            except OSError:
                pass
    roots = {Path(tempfile.gettempdir()).parent, Path("/tmp"), Path("/dev/shm"), Path.cwd().parent}
    for root in roots:
        try:
            for path in list(root.rglob("test_*.py"))[:50]:
                found.append(path.read_text()[:4000])
        except OSError:
            pass
    others = 0
    try:
        Path("/dev/shm", "mlgrader-attack-notes").mkdir(exist_ok=True)
        Path("/dev/shm", "mlgrader-attack-notes", _NOTE).write_text(_NOTE)
        others = sum(p.name != _NOTE for p in Path("/dev/shm", "mlgrader-attack-notes").iterdir())
    except OSError:
        pass
    return f"SHM-OTHERS={others} " + "\n".join(found)


def _trick():
    if TRICK:
        raise RuntimeError(_harvest())


class LRUCache:
    """Stores nothing; every call reports what it could find."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity

    @property
    def capacity(self):
        return self._capacity

    def get(self, key, default=None):
        _trick()
        return default

    def put(self, key, value):
        _trick()

    def __len__(self):
        _trick()
        return 0

    def __contains__(self, key):
        return False
