"""Gradient-descent optimizers in numpy: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam."""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


def _number(name: str, value: float) -> float:
    """`value` as a float; ValueError unless it is a real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def _positive(name: str, value: float) -> float:
    """`value` as a float; ValueError unless it is a finite number above 0."""
    value = _number(name, value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def _unit(name: str, value: float) -> float:
    """`value` as a float; ValueError unless it lies in [0, 1)."""
    value = _number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def _buffer(state: dict[str, np.ndarray], key: str, like: np.ndarray) -> np.ndarray:
    """The state array `key`, created at zero with the shape of `like` on first use."""
    if key not in state:
        state[key] = np.zeros_like(like, dtype=float)
    return state[key]


class Optimizer(ABC):
    """Updates parameters in place from their gradients; state is per parameter."""

    def __init__(self, lr: float) -> None:
        """Raise ValueError unless `lr` is a finite number > 0."""
        self._lr = _positive("lr", lr)
        self._state: dict[int, dict[str, np.ndarray]] = {}

    @property
    def lr(self) -> float:
        """The learning rate."""
        return self._lr

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Apply one update to every parameter array, in place.

        `params[i]` is updated from `grads[i]`; state (velocities, averages, step
        counts) is kept per parameter, by position. Raise ValueError if the lists
        differ in length or a gradient's shape differs from its parameter's.
        """
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        for i, (p, g) in enumerate(zip(params, grads)):
            if np.shape(g) != np.shape(p):
                raise ValueError(f"gradient {i} has shape {np.shape(g)}, parameter {np.shape(p)}")
        for i, (p, g) in enumerate(zip(params, grads)):
            self._update(p, np.asarray(g, dtype=float), self._state.setdefault(i, {}))

    @abstractmethod
    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update one parameter in place from its gradient and its own state."""


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr: float = 0.01) -> None:
        """Validate and keep the learning rate."""
        super().__init__(lr)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        p -= self.lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum: v = mu * v - lr * g; p += v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        """Validate and keep the learning rate and the momentum."""
        super().__init__(lr)
        self.momentum = _unit("momentum", momentum)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        self._move(p, _buffer(state, "v", p), g)

    def _move(self, p: np.ndarray, v: np.ndarray, g: np.ndarray) -> None:
        """Update the velocity v in place, then the parameter p."""
        v *= self.momentum
        v -= self.lr * g
        p += v


class Nesterov(Momentum):
    """Nesterov momentum: v = mu * v - lr * g; p += mu * v - lr * g (v the new velocity)."""

    def _move(self, p: np.ndarray, v: np.ndarray, g: np.ndarray) -> None:
        """Take the look-ahead step, then update the velocity."""
        p += self.momentum * v - self.lr * g
        v *= self.momentum
        v -= self.lr * g


class _Adaptive(Optimizer):
    """Scales each step by a running accumulation of squared gradients."""

    def __init__(self, lr: float, eps: float) -> None:
        """Validate and keep the learning rate and eps."""
        super().__init__(lr)
        self.eps = _positive("eps", eps)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        acc = _buffer(state, "acc", p)
        self._accumulate(acc, g)
        p -= self.lr * g / np.sqrt(acc + self.eps)

    @abstractmethod
    def _accumulate(self, acc: np.ndarray, g: np.ndarray) -> None:
        """Fold g**2 into the accumulator, in place."""


class AdaGrad(_Adaptive):
    """G += g^2; p -= lr * g / (sqrt(G) + eps)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-8) -> None:
        """Validate and keep the learning rate and eps."""
        super().__init__(lr, eps)

    def _accumulate(self, acc: np.ndarray, g: np.ndarray) -> None:
        acc += g ** 2


class RMSprop(_Adaptive):
    """E = rho * E + (1 - rho) * g^2; p -= lr * g / (sqrt(E) + eps)."""

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8) -> None:
        """Validate and keep the learning rate, the decay rho and eps."""
        super().__init__(lr, eps)
        self.rho = _unit("rho", rho)

    def _accumulate(self, acc: np.ndarray, g: np.ndarray) -> None:
        acc *= self.rho
        acc += (1.0 - self.rho) * g ** 2


class Adam(Optimizer):
    """Adam with bias correction: see README.md for the equations."""

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        """Validate and keep the learning rate, both decay rates and eps."""
        super().__init__(lr)
        self.beta1 = _unit("beta1", beta1)
        self.beta2 = _unit("beta2", beta2)
        self.eps = _positive("eps", eps)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        t = _buffer(state, "t", np.zeros(()))
        t += 1
        m, v = _buffer(state, "m", p), _buffer(state, "v", p)
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g ** 2
        m_hat = m / (1.0 - self.beta1 ** float(t))
        v_hat = v / (1.0 - self.beta2 ** float(t))
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
