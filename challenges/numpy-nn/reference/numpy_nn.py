"""A small neural-network library in numpy: layers, a network, a loss and two optimizers.

Every layer keeps what its backward pass needs from its last forward pass, so
``network.backward(loss.backward())`` right after a forward pass fills every
layer's gradients. Inputs are batches: arrays of shape (batch, features).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Layer(ABC):
    """One differentiable step of a network."""

    @abstractmethod
    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch ``x``; keeps what ``backward`` needs."""

    @abstractmethod
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given dLoss/dOutput of the last forward pass, store parameter gradients and
        return dLoss/dInput."""

    def params(self) -> list[np.ndarray]:
        """The parameter arrays (updated in place by optimizers); none by default."""
        return []

    def grads(self) -> list[np.ndarray]:
        """Gradients of the parameters from the last backward pass, in ``params`` order."""
        return []


class Linear(Layer):
    """A fully connected layer: y = x W + b, with W of shape (in, out)."""

    def __init__(
        self, in_features: int, out_features: int, rng: np.random.Generator | None = None
    ) -> None:
        if in_features < 1 or out_features < 1:
            raise ValueError(f"features must be positive, got {in_features} and {out_features}")
        rng = rng if rng is not None else np.random.default_rng()
        limit = np.sqrt(6.0 / (in_features + out_features))  # Glorot uniform: breaks symmetry
        self.weight = rng.uniform(-limit, limit, size=(in_features, out_features))
        self.bias = np.zeros(out_features)
        self._x: np.ndarray | None = None
        self._grads = [np.zeros_like(self.weight), np.zeros_like(self.bias)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = np.asarray(x, dtype=float)
        return self._x @ self.weight + self.bias

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._x is None:
            raise RuntimeError("backward called before forward")
        self._grads = [self._x.T @ grad_out, grad_out.sum(axis=0)]
        return grad_out @ self.weight.T

    def params(self) -> list[np.ndarray]:
        return [self.weight, self.bias]

    def grads(self) -> list[np.ndarray]:
        return list(self._grads)


class Tanh(Layer):
    """Elementwise tanh; stable for any input (np.tanh saturates, never overflows)."""

    def __init__(self) -> None:
        self._y: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._y = np.tanh(np.asarray(x, dtype=float))
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._y is None:
            raise RuntimeError("backward called before forward")
        return grad_out * (1.0 - self._y**2)


class Network(Layer):
    """Layers applied in order; itself a layer, so networks nest."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def params(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        return [g for layer in self.layers for g in layer.grads()]


class MSELoss:
    """Mean squared error over every element of the batch."""

    def __init__(self) -> None:
        self._diff: np.ndarray | None = None

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss; keeps the residual for ``backward``."""
        self._diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
        return float(np.mean(self._diff**2))

    def backward(self) -> np.ndarray:
        """dLoss/dPred for the last forward pass."""
        if self._diff is None:
            raise RuntimeError("backward called before forward")
        return 2.0 * self._diff / self._diff.size


class SGD:
    """p -= lr * g for every parameter, in place."""

    def __init__(self, lr: float = 0.01) -> None:
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        self.lr = lr

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        for param, grad in zip(params, grads, strict=True):
            param -= self.lr * grad


class MomentumSGD(SGD):
    """v = momentum * v - lr * g; p += v (one velocity per parameter, by position)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
        self._velocity: list[np.ndarray] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place, with momentum."""
        if not self._velocity:
            self._velocity = [np.zeros_like(p, dtype=float) for p in params]
        for param, grad, velocity in zip(params, grads, self._velocity, strict=True):
            velocity *= self.momentum
            velocity -= self.lr * grad
            param += velocity


def train_step(
    network: Layer, loss: MSELoss, optimizer: SGD, x: np.ndarray, y: np.ndarray
) -> float:
    """One forward pass, backward pass and optimizer step; returns the loss before the step."""
    value = loss.forward(network.forward(x), y)
    network.backward(loss.backward())
    optimizer.step(network.params(), network.grads())
    return value
