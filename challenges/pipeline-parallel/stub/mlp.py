"""A small multi-layer perceptron in numpy: dense layers, tanh between them, MSE loss.

Parameters are a list with one ``(W, b)`` pair per layer, in order (see
``mlp_data.init_params``): layer ``i`` computes ``h @ W + b``, followed by
``tanh`` on every layer except the last. The loss is the mean squared error over
every element of the batch: ``mean((forward(x) - y) ** 2)``.

Replace every ``raise NotImplementedError``. You may add classes and functions
(the pipeline stages will want to reuse your layers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Params = list[tuple[np.ndarray, np.ndarray]]


class MLP:
    """A multi-layer perceptron: dense layers with tanh between them, trained on MSE by SGD."""

    def __init__(self, params: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Build the network from ``(W, b)`` pairs, copying them (the caller's arrays never change).

        Raises ValueError if there are no layers, if a ``W`` is not 2-D, if a ``b`` is not of
        shape ``(W.shape[1],)``, or if consecutive layers do not chain.
        """
        raise NotImplementedError

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch ``x`` of shape ``(n, inputs)``: shape ``(n, outputs)``.

        Raises ValueError if ``x`` is not 2-D with ``inputs`` columns.
        """
        raise NotImplementedError

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """The mean squared error over every element: ``mean((forward(x) - y) ** 2)``.

        Raises ValueError if the shapes of ``x`` and ``y`` do not fit the network.
        """
        raise NotImplementedError

    def gradients(self, x: np.ndarray, y: np.ndarray) -> Params:
        """dLoss/dW and dLoss/db of every layer for the batch, as ``(dW, db)`` pairs in layer order."""
        raise NotImplementedError

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One full-batch SGD step (``W -= lr * dW``, ``b -= lr * db``); returns the loss before it."""
        raise NotImplementedError

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order."""
        raise NotImplementedError
