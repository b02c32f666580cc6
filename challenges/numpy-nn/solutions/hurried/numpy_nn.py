"""A small neural-network library in numpy: layers, a network, a loss and two optimizers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Layer(ABC):
    """One differentiable step of a network. Every layer implements these four methods."""

    @abstractmethod
    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch `x` of shape (batch, features); keep what backward needs."""

    @abstractmethod
    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given dLoss/dOutput of the last forward pass, store the parameter gradients
        and return dLoss/dInput."""

    def params(self) -> list[np.ndarray]:
        """The parameter arrays, which optimizers update in place."""
        return []

    def grads(self) -> list[np.ndarray]:
        """The gradients from the last backward pass, in the order of `params()`."""
        return []


class Linear(Layer):
    """A fully connected layer: y = x W + b, with W of shape (in, out) and b of shape (out,)."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator | None = None) -> None:
        """Initialise W randomly from `rng` (so that units differ) and b at zero."""
        rng = rng if rng is not None else np.random.default_rng()
        scale = 1.0 / np.sqrt(in_features)
        self.W = rng.normal(0.0, scale, size=(in_features, out_features))
        self.b = np.zeros(out_features)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = x
        return x @ self.W + self.b

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._x is None:
            raise RuntimeError("backward called before forward")
        self.dW = self._x.T @ grad_out
        self.db = grad_out.mean(axis=0)
        return grad_out @ self.W.T

    def params(self) -> list[np.ndarray]:
        return [self.W, self.b]

    def grads(self) -> list[np.ndarray]:
        return [self.dW, self.db]


class Tanh(Layer):
    """Elementwise tanh, with no parameters."""

    def __init__(self) -> None:
        """No parameters; remembers its last output for backward."""
        self._y: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        ex, emx = np.exp(x), np.exp(-x)
        self._y = (ex - emx) / (ex + emx)
        return self._y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._y is None:
            raise RuntimeError("backward called before forward")
        return grad_out * (1.0 - self._y ** 2)


class Network(Layer):
    """Layers applied in order; works with any Layer, including ones you have never seen."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        """Keep the layers, applied in the given order."""
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
        return self._collect("W", "b")

    def grads(self) -> list[np.ndarray]:
        return self._collect("dW", "db")

    def _collect(self, weight: str, bias: str) -> list[np.ndarray]:
        """The named weight and bias arrays of every layer that has weights, in order."""
        out: list[np.ndarray] = []
        for layer in self.layers:
            if hasattr(layer, "W"):
                out += [getattr(layer, weight), getattr(layer, bias)]
        return out


class MSELoss:
    """Mean squared error over every element of the batch."""

    def __init__(self) -> None:
        """Nothing kept until the first forward pass."""
        self._diff: np.ndarray | None = None

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss; keep what backward needs."""
        self._diff = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)
        return float(np.mean(self._diff ** 2))

    def backward(self) -> np.ndarray:
        """dLoss/dPred for the last forward pass."""
        if self._diff is None:
            raise RuntimeError("backward called before forward")
        return 2.0 * self._diff / self._diff.size


class SGD:
    """p -= lr * g for every parameter, in place."""

    def __init__(self, lr: float = 0.01) -> None:
        """Remember the learning rate."""
        self.lr = lr

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        for p, g in zip(params, grads):
            p -= self.lr * g


class MomentumSGD(SGD):
    """v = momentum * v - lr * g; p += v, with one velocity per parameter."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        """Remember the hyper-parameters; velocities start at zero."""
        super().__init__(lr)
        self.momentum = momentum
        self._velocity: list[np.ndarray] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        if len(self._velocity) != len(params):
            self._velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self._velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v


def train_step(network: Layer, loss: MSELoss, optimizer: SGD, x: np.ndarray, y: np.ndarray) -> float:
    """One forward pass, backward pass and optimizer step; return the loss before the step."""
    value = loss.forward(network.forward(x), y)
    network.backward(loss.backward())
    optimizer.step(network.params(), network.grads())
    return value
