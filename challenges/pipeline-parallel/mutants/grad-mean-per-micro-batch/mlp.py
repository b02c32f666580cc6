"""A small multi-layer perceptron in numpy: dense layers, tanh between them, MSE loss.

The layers are written so that a contiguous run of them (a ``LayerStack``) can live
in a pipeline stage of its own: ``forward`` returns what ``backward`` will need
instead of keeping it, so one stage can hold several micro-batches in flight.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Params = list[tuple[np.ndarray, np.ndarray]]
Gradients = list[tuple[np.ndarray, np.ndarray]]


def check_params(params: Sequence[tuple[Any, Any]]) -> Params:
    """Copies of ``params`` as float64 arrays; ValueError unless they chain into an MLP."""
    if len(params) == 0:
        raise ValueError("an MLP needs at least one layer, got no parameters")
    checked: Params = []
    for index, pair in enumerate(params):
        weight, bias = (np.array(a, dtype=np.float64) for a in pair)
        if weight.ndim != 2 or bias.shape != (weight.shape[1],):
            raise ValueError(
                f"layer {index}: W must be 2-D and b of shape (W.shape[1],), "
                f"got W {weight.shape} and b {bias.shape}"
            )
        if checked and checked[-1][0].shape[1] != weight.shape[0]:
            raise ValueError(
                f"layer {index}: W has {weight.shape[0]} rows but layer {index - 1} "
                f"outputs {checked[-1][0].shape[1]} features"
            )
        checked.append((weight, bias))
    return checked


def check_batch(x: Any, y: Any, n_inputs: int, n_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` as float64 arrays; ValueError unless their shapes fit the model."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != n_inputs or len(x) == 0:
        raise ValueError(f"x must have shape (n >= 1, {n_inputs}), got {x.shape}")
    if y.shape != (len(x), n_outputs):
        raise ValueError(f"y must have shape ({len(x)}, {n_outputs}), got {y.shape}")
    return x, y


def mse(pred: np.ndarray, target: np.ndarray, total_rows: int) -> tuple[float, np.ndarray]:
    """The share of ``pred``'s rows in the MSE of a batch of ``total_rows`` rows, and its gradient.

    The MSE of the whole batch is ``sum((pred - target) ** 2) / (total_rows * outputs)``;
    for a micro-batch this returns its rows' part of that sum, so the parts of all
    micro-batches add up to the whole batch's loss and gradient.
    """
    scale = 1.0 / (total_rows * pred.shape[1])
    diff = pred - target
    return float(np.sum(diff * diff) * scale), 2.0 * scale * diff


class Dense:
    """``out = x @ W + b``, followed by tanh unless it is the network's last layer."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, *, activation: bool) -> None:
        self._weight = weight
        self._bias = bias
        self._activation = activation

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """The output for ``x``, and the cache ``backward`` needs (input, output)."""
        out = x @ self._weight + self._bias
        if self._activation:
            out = np.tanh(out)
        return out, (x, out)

    def backward(
        self, grad_out: np.ndarray, cache: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """dLoss/dInput and (dLoss/dW, dLoss/db), from dLoss/dOutput and the forward cache."""
        x, out = cache
        grad = grad_out * (1.0 - out * out) if self._activation else grad_out
        return grad @ self._weight.T, (x.T @ grad, grad.sum(axis=0))

    def sgd(self, grads: tuple[np.ndarray, np.ndarray], lr: float) -> None:
        """One plain SGD update: ``W -= lr * dW``, ``b -= lr * db``."""
        self._weight -= lr * grads[0]
        self._bias -= lr * grads[1]

    def parameters(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of ``(W, b)``."""
        return self._weight.copy(), self._bias.copy()


class LayerStack:
    """A contiguous run of dense layers: the whole MLP, or one pipeline stage of it."""

    def __init__(self, layers: Sequence[Dense]) -> None:
        self._layers = list(layers)

    @classmethod
    def from_params(cls, params: Params, *, last_is_output: bool) -> LayerStack:
        """Layers for ``params`` (used as they are); tanh after each but the network's last."""
        count = len(params)
        return cls(
            Dense(w, b, activation=not (last_is_output and i == count - 1))
            for i, (w, b) in enumerate(params)
        )

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[Any]]:
        """The stack's output for ``x`` and the caches of its layers."""
        caches = []
        for layer in self._layers:
            x, cache = layer.forward(x)
            caches.append(cache)
        return x, caches

    def backward(self, grad: np.ndarray, caches: list[Any]) -> tuple[np.ndarray, Gradients]:
        """dLoss/dInput of the stack and each layer's (dW, db), in layer order."""
        grads: Gradients = []
        for layer, cache in zip(reversed(self._layers), reversed(caches), strict=True):
            grad, layer_grads = layer.backward(grad, cache)
            grads.append(layer_grads)
        return grad, grads[::-1]

    def sgd(self, grads: Gradients, lr: float) -> None:
        """Apply one SGD update to every layer."""
        for layer, layer_grads in zip(self._layers, grads, strict=True):
            layer.sgd(layer_grads, lr)

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in order."""
        return [layer.parameters() for layer in self._layers]


def add_gradients(total: Gradients | None, grads: Gradients) -> Gradients:
    """The element-wise sum of two gradient lists (``total`` may be None: nothing yet)."""
    if total is None:
        return [(dw.copy(), db.copy()) for dw, db in grads]
    return [(tw + dw, tb + db) for (tw, tb), (dw, db) in zip(total, grads, strict=True)]


class MLP:
    """A multi-layer perceptron: dense layers with tanh between them, trained on MSE by SGD."""

    def __init__(self, params: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        checked = check_params(params)
        self._n_inputs = checked[0][0].shape[0]
        self._n_outputs = checked[-1][0].shape[1]
        self._stack = LayerStack.from_params(checked, last_is_output=True)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The network's output for a batch ``x`` of shape ``(n, inputs)``."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self._n_inputs:
            raise ValueError(f"x must have shape (n, {self._n_inputs}), got {x.shape}")
        return self._stack.forward(x)[0]

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """The mean squared error over every element of the batch."""
        x, y = check_batch(x, y, self._n_inputs, self._n_outputs)
        return mse(self._stack.forward(x)[0], y, len(x))[0]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> Gradients:
        """dLoss/dW and dLoss/db of every layer for the batch, in layer order."""
        return self._loss_and_gradients(x, y)[1]

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One full-batch SGD step; returns the loss before the update."""
        loss, grads = self._loss_and_gradients(x, y)
        self._stack.sgd(grads, lr)
        return loss

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in order."""
        return self._stack.parameters()

    def _loss_and_gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Gradients]:
        x, y = check_batch(x, y, self._n_inputs, self._n_outputs)
        pred, caches = self._stack.forward(x)
        loss, grad = mse(pred, y, len(x))
        return loss, self._stack.backward(grad, caches)[1]
