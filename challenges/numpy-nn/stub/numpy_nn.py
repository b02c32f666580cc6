"""A small neural-network library in numpy: layers, a network, a loss and two optimizers.

Replace every `raise NotImplementedError` with your implementation; keep the names,
signatures and the Layer interface below (a grader's own layer will plug into it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Layer:
    """One differentiable step of a network. Every layer implements these four methods."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch `x` of shape (batch, features); keep what backward needs."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given dLoss/dOutput of the last forward pass, store the parameter gradients
        and return dLoss/dInput."""
        raise NotImplementedError

    def params(self) -> list[np.ndarray]:
        """The parameter arrays, which optimizers update in place."""
        raise NotImplementedError

    def grads(self) -> list[np.ndarray]:
        """The gradients from the last backward pass, in the order of `params()`."""
        raise NotImplementedError


class Linear(Layer):
    """A fully connected layer: y = x W + b, with W of shape (in, out) and b of shape (out,)."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator | None = None) -> None:
        """Initialise W randomly from `rng` (so that units differ) and b at zero."""
        raise NotImplementedError


class Tanh(Layer):
    """Elementwise tanh, with no parameters."""


class Network(Layer):
    """Layers applied in order; works with any Layer, including ones you have never seen."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        raise NotImplementedError


class MSELoss:
    """Mean squared error over every element of the batch."""

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss; keep what backward needs."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dLoss/dPred for the last forward pass."""
        raise NotImplementedError


class SGD:
    """p -= lr * g for every parameter, in place."""

    def __init__(self, lr: float = 0.01) -> None:
        raise NotImplementedError

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        raise NotImplementedError


class MomentumSGD(SGD):
    """v = momentum * v - lr * g; p += v, with one velocity per parameter."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        raise NotImplementedError


def train_step(network: Layer, loss: MSELoss, optimizer: SGD, x: np.ndarray, y: np.ndarray) -> float:
    """One forward pass, backward pass and optimizer step; return the loss before the step."""
    raise NotImplementedError
