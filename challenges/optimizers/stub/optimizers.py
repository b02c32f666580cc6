"""Gradient-descent optimizers in numpy: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam.

Replace every `raise NotImplementedError` with your implementation; keep the class
names, constructor signatures, defaults and `step`. How you share code between
the classes is up to you (that is part of what is graded).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Optimizer:
    """Updates parameters in place from their gradients; state is per parameter."""

    def __init__(self, lr: float) -> None:
        """Raise ValueError unless `lr` is a finite number > 0."""
        raise NotImplementedError

    @property
    def lr(self) -> float:
        """The learning rate."""
        raise NotImplementedError

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Apply one update to every parameter array, in place.

        `params[i]` is updated from `grads[i]`; state (velocities, averages, step
        counts) is kept per parameter, by position. Raise ValueError if the lists
        differ in length, a gradient's shape differs from its parameter's, or the
        number of parameters changed since the last step.
        """
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr: float = 0.01) -> None:
        raise NotImplementedError


class Momentum(Optimizer):
    """Heavy-ball momentum: v = mu * v - lr * g; p += v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        raise NotImplementedError


class Nesterov(Optimizer):
    """Nesterov momentum: v = mu * v - lr * g; p += mu * v - lr * g (v the new velocity)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        raise NotImplementedError


class AdaGrad(Optimizer):
    """G += g^2; p -= lr * g / (sqrt(G) + eps)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-8) -> None:
        raise NotImplementedError


class RMSprop(Optimizer):
    """E = rho * E + (1 - rho) * g^2; p -= lr * g / (sqrt(E) + eps)."""

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8) -> None:
        raise NotImplementedError


class Adam(Optimizer):
    """Adam with bias correction: see README.md for the equations."""

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        raise NotImplementedError
