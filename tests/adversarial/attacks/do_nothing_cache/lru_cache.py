"""Attack: a cache that stores nothing and answers None; every operation is trivially O(1).

No tricks at all: it asks whether tests that only time the code (complexity)
also make sure the code works, as the OOP tests do.
"""


class LRUCache:
    """Accepts everything, remembers nothing."""

    def __init__(self, capacity):
        self._capacity = None

    @property
    def capacity(self):
        return self._capacity

    def get(self, key, default=None):
        return None

    def put(self, key, value):
        return None

    def __len__(self):
        return 0

    def __contains__(self, key):
        return False
