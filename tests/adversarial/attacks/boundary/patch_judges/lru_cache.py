"""Attack: patch the judging helpers a test calls (strict comparison, pytest.raises,
the complexity verdict, the quality checks, the linearizability check, assert).

In one process this turned lost points into full marks. Behind the boundary these
modules, if they load at all, load in the candidate process, not the test's.
"""

import builtins

TRICK = True
PATCHED = []


def _everything_passes(*args, **kwargs):
    return None


def _patch():
    import importlib

    for name, attrs in {
        "mlgrader.testing": ("strict_equal", "check_linearizable", "run_threads"),
        "mlgrader.complexity": ("require", "check"),
        "mlgrader.quality": ("analyze_paths",),
        "pytest": ("raises", "fail"),
    }.items():
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        for attr in attrs:
            if hasattr(module, attr):
                setattr(module, attr, _everything_passes)
                PATCHED.append(f"{name}.{attr}")
    builtins.AssertionError = type("AssertionError", (Exception,), {})


def _trick():
    if TRICK and not PATCHED:
        _patch()

class LRUCache:
    """Stores nothing: every lookup misses."""

    def __init__(self, capacity):
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise TypeError("capacity must be an int")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity

    @property
    def capacity(self):
        _trick()
        return self._capacity

    def get(self, key, default=None):
        hash(key)
        _trick()
        return default

    def put(self, key, value):
        hash(key)
        _trick()

    def __len__(self):
        _trick()
        return 0

    def __contains__(self, key):
        _trick()
        return False

