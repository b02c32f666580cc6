"""The data set and the initial parameters, both made from a seed.

The single-process model and the pipeline must start from the very same
parameters and see the very same data, so both come from here. Do not edit this
file: the grader uses its own copy.

Parameters are a list with one ``(W, b)`` pair per layer, in order: for layer
sizes ``[n0, n1, ..., nL]`` layer ``i`` has ``W`` of shape ``(n[i], n[i+1])``
and ``b`` of shape ``(n[i+1],)``, float64.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

__all__ = ["init_params", "make_regression"]

Params = list[tuple[np.ndarray, np.ndarray]]


def init_params(sizes: Sequence[int], seed: int = 0) -> Params:
    """Random initial parameters for an MLP with layer sizes ``sizes`` (at least two sizes).

    ``W`` is drawn from a normal distribution with standard deviation
    ``1 / sqrt(fan_in)``, ``b`` from one with standard deviation 0.1. The same
    ``sizes`` and ``seed`` always give the same arrays.
    """
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must hold at least two positive ints, got {sizes!r}")
    rng = np.random.default_rng(seed)
    params: Params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        weight = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
        bias = 0.1 * rng.standard_normal(fan_out)
        params.append((weight, bias))
    return params


def make_regression(
    n_rows: int, n_inputs: int, n_outputs: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded regression set: ``x`` of shape ``(n_rows, n_inputs)``, ``y`` of ``(n_rows, n_outputs)``.

    ``y = sin(x @ A) + 0.05 * noise`` for a random matrix ``A``: smooth, learnable
    by a small tanh MLP, float64.
    """
    if min(n_rows, n_inputs, n_outputs) < 1:
        raise ValueError(
            f"n_rows, n_inputs and n_outputs must be >= 1, got {n_rows}, {n_inputs}, {n_outputs}"
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_rows, n_inputs))
    mixing = rng.standard_normal((n_inputs, n_outputs)) / np.sqrt(n_inputs)
    y = np.sin(x @ mixing) + 0.05 * rng.standard_normal((n_rows, n_outputs))
    return x, y
