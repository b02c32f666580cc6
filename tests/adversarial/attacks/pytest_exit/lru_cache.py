"""Attack: end the whole pytest session (pytest.exit, KeyboardInterrupt, SystemExit) from candidate code."""

import os
import zlib

import pytest


def _leave():
    test = os.environ.get("PYTEST_CURRENT_TEST", "")
    choice = zlib.crc32(test.encode()) % 4
    if choice == 0:
        pytest.exit("all tests passed", returncode=0)
    if choice == 1:
        raise KeyboardInterrupt
    if choice == 2:
        raise SystemExit(0)
    raise GeneratorExit


class LRUCache:
    """Every operation tries to stop the run."""

    def __init__(self, capacity):
        _leave()

    @property
    def capacity(self):
        _leave()

    def get(self, key, default=None):
        _leave()

    def put(self, key, value):
        _leave()

    def __len__(self):
        _leave()
        return 0

    def __contains__(self, key):
        _leave()
        return False
