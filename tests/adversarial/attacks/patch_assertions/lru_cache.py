"""Attack: a cache that is always wrong, plus patched assertion helpers so wrong answers pass.

Replaces mlgrader.testing.strict_equal (and every test module's imported copy),
pytest.raises, complexity.require, the quality report's require_* checks, and
builtins.AssertionError (failed asserts become skips).
"""

import builtins
import sys

import pytest

import mlgrader.authoring.fixtures
import mlgrader.quality
import mlgrader.testing


def _nothing(*args, **kwargs):
    return None


class _NoRaise:
    """A stand-in for pytest.raises that never complains."""

    def __init__(self, *args, **kwargs):
        self.value = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


class _QuietAssertionError(pytest.skip.Exception):
    """A failed assert raises this instead: a skip, not a failure."""


def _patch():
    mlgrader.testing.strict_equal = _nothing
    for module in list(sys.modules.values()):
        if getattr(module, "strict_equal", None) is not None and module is not mlgrader.testing:
            module.strict_equal = _nothing
    mlgrader.authoring.fixtures.Complexity.require = _nothing
    for name in dir(mlgrader.quality.QualityReport):
        if name.startswith("require"):
            setattr(mlgrader.quality.QualityReport, name, _nothing)
    pytest.raises = _NoRaise
    builtins.AssertionError = _QuietAssertionError


_patch()


class LRUCache:
    """Stores nothing and answers wrongly, without ever raising."""

    def __init__(self, capacity):
        self._wrong = -1

    @property
    def capacity(self):
        return self._wrong

    def get(self, key, default=None):
        return "WRONG"

    def put(self, key, value):
        return None

    def __len__(self):
        return 0

    def __contains__(self, key):
        return False
