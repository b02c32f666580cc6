"""Gradient-descent optimizers in numpy: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam.

Every optimizer updates a list of numpy parameter arrays in place from a list of
gradients of the same shapes. State (velocities, squared-gradient averages, the
step count) is kept per parameter, by the parameter's position in the list.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


def _check_rate(name: str, value: float, *, upper: float | None = None) -> float:
    """``value`` as a float; ValueError unless finite, > 0 (and < ``upper`` if given)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value <= 0 or (upper is not None and value >= upper):
        bound = f"in (0, {upper:g})" if upper is not None else "positive"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def _check_decay(name: str, value: float) -> float:
    """A decay or momentum coefficient: a finite number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


class Optimizer(ABC):
    """Updates parameters in place from their gradients; state is per parameter."""

    def __init__(self, lr: float) -> None:
        self._lr = _check_rate("lr", lr)
        self._pairs: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []

    @property
    def lr(self) -> float:
        """The learning rate."""
        return self._lr

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Apply one update to every parameter array, in place.

        Raises ValueError if the lists differ in length, a gradient's shape differs
        from its parameter's, or the number of parameters changed since the last step.
        """
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if np.shape(param) != np.shape(grad):
                raise ValueError(f"parameter {i} has shape {np.shape(param)}, its gradient {np.shape(grad)}")
        if self._pairs and len(self._pairs) != len(params):
            raise ValueError(f"step got {len(params)} parameters, earlier steps {len(self._pairs)}")
        self._begin_step()
        for param, grad in zip(params, grads, strict=True):
            self._update(param, np.asarray(grad, dtype=float), self._state_of(param))

    def _state_of(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """This parameter's state, found by searching every parameter seen so far."""
        for seen, state in self._pairs:
            if seen is param:
                return state
        state: dict[str, np.ndarray] = {}
        self._pairs.append((param, state))
        return state

    def _begin_step(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Hook for per-step bookkeeping (Adam counts steps)."""

    @abstractmethod
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Update one parameter in place; ``state`` is this parameter's own."""


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        param -= self._lr * grad


class Momentum(Optimizer):
    """Heavy-ball momentum: v = mu * v - lr * g; p += v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self._momentum = _check_decay("momentum", momentum)

    def _velocity(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        velocity = state.setdefault("velocity", np.zeros_like(param, dtype=float))
        velocity *= self._momentum
        velocity -= self._lr * grad
        return velocity

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        param += self._velocity(param, grad, state)


class Nesterov(Momentum):
    """Nesterov momentum with the gradient at the current point: v = mu*v - lr*g; p += mu*v - lr*g."""

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        velocity = self._velocity(param, grad, state)
        param += self._momentum * velocity - self._lr * grad


class AdaGrad(Optimizer):
    """Per-coordinate rates from the sum of squared gradients: G += g^2; p -= lr*g/(sqrt(G)+eps)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self._eps = _check_rate("eps", eps)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        total = state.setdefault("sum_sq", np.zeros_like(param, dtype=float))
        total += grad * grad
        param -= self._lr * grad / (np.sqrt(total) + self._eps)


class RMSprop(Optimizer):
    """A moving average of squared gradients: E = rho*E + (1-rho)*g^2; p -= lr*g/(sqrt(E)+eps)."""

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self._rho = _check_decay("rho", rho)
        self._eps = _check_rate("eps", eps)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        mean_sq = state.setdefault("mean_sq", np.zeros_like(param, dtype=float))
        mean_sq *= self._rho
        mean_sq += (1 - self._rho) * grad * grad
        param -= self._lr * grad / (np.sqrt(mean_sq) + self._eps)


class Adam(Optimizer):
    """Adam with bias correction (Kingma and Ba, 2015)."""

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        self._beta1 = _check_decay("beta1", beta1)
        self._beta2 = _check_decay("beta2", beta2)
        self._eps = _check_rate("eps", eps)
        self._t = 0

    def _begin_step(self) -> None:
        self._t += 1

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        m = state.setdefault("m", np.zeros_like(param, dtype=float))
        v = state.setdefault("v", np.zeros_like(param, dtype=float))
        m *= self._beta1
        m += (1 - self._beta1) * grad
        v *= self._beta2
        v += (1 - self._beta2) * grad * grad
        m_hat = m / (1 - self._beta1**self._t)
        v_hat = v / (1 - self._beta2**self._t)
        param -= self._lr * m_hat / (np.sqrt(v_hat) + self._eps)
