"""Attack: modules that shadow the stdlib, pytest, numpy, mlgrader and pytest's dependencies.

Every shadow raises at import with SHADOW-IMPORTED: if a test process ever imports
one instead of the real module, the message shows up in that test's result.
"""


class LRUCache:
    """The untouched stub: nothing is implemented."""

    def __init__(self, capacity):
        raise NotImplementedError

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
