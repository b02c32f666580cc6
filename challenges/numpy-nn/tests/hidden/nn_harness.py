"""Shared by the hidden tests (not a test module): array entries nudged in place.

A finite-difference check changes one parameter entry at a time. The network's
arrays live where the candidate's code runs and cross to the test as copies, so
``param_entry`` is shipped there with ``submission.run`` and changes the real one.
"""

from __future__ import annotations


def array_entry(array, idx, value):
    """Entry ``idx`` of ``array``, set in place to ``value`` unless it is None; the old one."""
    old = array[idx]
    if value is not None:
        array[idx] = value
    return old


def param_entry(net, i, idx, value):
    """``array_entry`` of the network's i-th parameter array (run where the network lives)."""
    return array_entry(net.params()[i], idx, value)
