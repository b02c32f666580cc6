"""Attack: sitecustomize.py and usercustomize.py that patch pytest at interpreter start."""


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
