"""Attack: flood the output: 100 MiB to stdout, 10 MiB to stderr, and a 5 MiB exception message."""

import os
import sys

MIB = 1024 * 1024


def _flood():
    line = (b"flood " * 20 + b"\n") * (MIB // 121 + 1)
    chunk = line[:MIB]
    for _ in range(100):
        os.write(1, chunk)
    text = chunk.decode()
    for _ in range(10):
        sys.stderr.write(text)
    sys.stderr.flush()


class LRUCache:
    """The stub, but it talks a lot."""

    def __init__(self, capacity):
        _flood()
        raise NotImplementedError("x" * (5 * MIB))

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
