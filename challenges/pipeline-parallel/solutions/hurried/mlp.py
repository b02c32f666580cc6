"""A small multi-layer perceptron in numpy: dense layers, tanh between them, MSE loss.

Parameters are a list with one ``(W, b)`` pair per layer, in order (see
``mlp_data.init_params``): layer ``i`` computes ``h @ W + b``, followed by
``tanh`` on every layer except the last. The loss is the mean squared error over
every element of the batch: ``mean((forward(x) - y) ** 2)``.

The layer arithmetic lives in :class:`LayerStack`, which the pipeline stages reuse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Params = list[tuple[np.ndarray, np.ndarray]]


def copy_params(params: Sequence[tuple[np.ndarray, np.ndarray]]) -> Params:
    """Validated float64 copies of ``(W, b)`` pairs; ValueError if they are malformed."""
    layers: Params = []
    for i, (weight, bias) in enumerate(params):
        weight = np.array(weight, dtype=np.float64)
        bias = np.array(bias, dtype=np.float64)
        if weight.ndim != 2:
            raise ValueError(f"layer {i}: W must be 2-D, got shape {weight.shape}")
        if bias.shape != (weight.shape[1],):
            raise ValueError(f"layer {i}: b must have shape ({weight.shape[1]},), got {bias.shape}")
        if layers and layers[-1][0].shape[1] != weight.shape[0]:
            raise ValueError(f"layer {i}: {weight.shape[0]} inputs do not chain to the previous layer")
        layers.append((weight, bias))
    return layers


class LayerStack:
    """A contiguous run of dense layers; tanh after each one unless it is the network's last."""

    def __init__(self, params: Sequence[tuple[np.ndarray, np.ndarray]], ends_network: bool) -> None:
        """Copy ``params``; ``ends_network`` makes the final layer linear (no tanh)."""
        self._layers = copy_params(params)
        if not self._layers:
            raise ValueError("a stack needs at least one layer")
        self._ends_network = ends_network

    @property
    def inputs(self) -> int:
        """Number of input columns."""
        return self._layers[0][0].shape[0]

    @property
    def outputs(self) -> int:
        """Number of output columns."""
        return self._layers[-1][0].shape[1]

    def _activated(self, i: int) -> bool:
        return not (self._ends_network and i == len(self._layers) - 1)

    def forward(self, x: np.ndarray) -> list[np.ndarray]:
        """Every activation, input first and output last (the cache for :meth:`backward`)."""
        acts = [x]
        for i, (weight, bias) in enumerate(self._layers):
            z = acts[-1] @ weight + bias
            acts.append(np.tanh(z) if self._activated(i) else z)
        return acts

    def backward(self, acts: list[np.ndarray], grad: np.ndarray) -> tuple[np.ndarray, Params]:
        """Gradient w.r.t. the input and the ``(dW, db)`` of every layer, given dLoss/doutput."""
        grads: Params = []
        for i in reversed(range(len(self._layers))):
            if self._activated(i):
                grad = grad * (1.0 - acts[i + 1] ** 2)
            weight, _ = self._layers[i]
            grads.append((acts[i].T @ grad, grad.sum(axis=0)))
            grad = grad @ weight.T
        grads.reverse()
        return grad, grads

    def apply(self, grads: Params, lr: float) -> None:
        """One SGD update with the given ``(dW, db)`` pairs."""
        self._layers = [
            (weight - lr * d_weight, bias - lr * d_bias)
            for (weight, bias), (d_weight, d_bias) in zip(self._layers, grads, strict=True)
        ]

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``."""
        return [(weight.copy(), bias.copy()) for weight, bias in self._layers]


def check_batch(x: np.ndarray, y: np.ndarray | None, inputs: int, outputs: int) -> None:
    """ValueError unless ``x`` is ``(n, inputs)`` and ``y`` (if given) is ``(n, outputs)``."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != inputs:
        raise ValueError(f"x must have shape (n, {inputs}), got {x.shape}")
    if y is not None and np.shape(y) != (x.shape[0], outputs):
        raise ValueError(f"y must have shape ({x.shape[0]}, {outputs}), got {np.shape(y)}")


class MLP:
    """A multi-layer perceptron: dense layers with tanh between them, trained on MSE by SGD."""

    def __init__(self, params: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Build the network from ``(W, b)`` pairs, copying them (the caller's arrays never change).

        Raises ValueError if there are no layers, if a ``W`` is not 2-D, if a ``b`` is not of
        shape ``(W.shape[1],)``, or if consecutive layers do not chain.
        """
        self._stack = LayerStack(params, ends_network=True)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch ``x`` of shape ``(n, inputs)``: shape ``(n, outputs)``.

        Raises ValueError if ``x`` is not 2-D with ``inputs`` columns.
        """
        check_batch(x, None, self._stack.inputs, self._stack.outputs)
        return self._stack.forward(np.asarray(x, dtype=np.float64))[-1]

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """The mean squared error over every element: ``mean((forward(x) - y) ** 2)``.

        Raises ValueError if the shapes of ``x`` and ``y`` do not fit the network.
        """
        check_batch(x, y, self._stack.inputs, self._stack.outputs)
        return float(np.mean((self.forward(x) - y) ** 2))

    def _loss_and_gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        check_batch(x, y, self._stack.inputs, self._stack.outputs)
        acts = self._stack.forward(np.asarray(x, dtype=np.float64))
        diff = acts[-1] - y
        _, grads = self._stack.backward(acts, 2.0 * diff / diff.size)
        return float(np.mean(diff**2)), grads

    def gradients(self, x: np.ndarray, y: np.ndarray) -> Params:
        """dLoss/dW and dLoss/db of every layer for the batch, as ``(dW, db)`` pairs in layer order."""
        return self._loss_and_gradients(x, y)[1]

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One full-batch SGD step (``W -= lr * dW``, ``b -= lr * db``); returns the loss before it."""
        loss, grads = self._loss_and_gradients(x, y)
        self._stack.apply(grads, lr)
        return loss

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order."""
        return self._stack.parameters()
