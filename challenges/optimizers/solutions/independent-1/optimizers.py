"""Gradient-descent optimizers in numpy: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam.

Every optimizer shares one interface: hyper-parameters are keyword arguments of
the constructor, `lr` is a read-only property, and `step(params, grads)` updates
each parameter array in place from the gradient at the same position. Any state
(velocities, running averages, step counts) is kept per parameter, by position,
and belongs to a single optimizer instance.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np



def _finite_positive(name: str, value: object) -> float:
    """Return `value` as a float; raise ValueError unless it is a finite number > 0."""
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def _unit_interval(name: str, value: object) -> float:
    """Return `value` as a float; raise ValueError unless it lies in [0, 1)."""
    if not _is_real(value) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def _is_real(value: object) -> bool:
    """Whether `value` is a real number (booleans excluded)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _scaled_descent(
    param: np.ndarray, lr: float, direction: np.ndarray, second_moment: np.ndarray, eps: float
) -> None:
    """In place: param -= lr * direction / (sqrt(second_moment) + eps)."""
    denominator = np.sqrt(second_moment)
    denominator += eps
    param -= lr * direction / denominator


def _decay_towards(average: np.ndarray, decay: float, target: np.ndarray) -> None:
    """In place: average = decay * average + (1 - decay) * target."""
    average *= decay
    average += (1.0 - decay) * target


class Optimizer(ABC):
    """Updates parameters in place from their gradients; state is per parameter."""

    def __init__(self, lr: float) -> None:
        """Raise ValueError unless `lr` is a finite number > 0."""
        self._lr = _finite_positive("lr", lr)
        self._states: list[dict[str, Any]] | None = None

    @property
    def lr(self) -> float:
        """The learning rate."""
        return self._lr

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Apply one update to every parameter array, in place.

        `params[i]` is updated from `grads[i]`; state (velocities, averages, step
        counts) is kept per parameter, by position. Raise ValueError if the lists
        differ in length, a gradient's shape differs from its parameter's, or the
        number of parameters changed since the last step. Nothing is updated when
        the inputs are invalid.
        """
        self._check_inputs(params, grads)
        if self._states is None:
            self._states = [self._initial_state(param) for param in params]
        for param, grad, state in zip(params, grads, self._states):
            self._update(param, np.asarray(grad, dtype=float), state)

    def _check_inputs(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Raise ValueError if `params` and `grads` cannot be used for one step."""
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} parameters but {len(grads)} gradients")
        if self._states is not None and len(params) != len(self._states):
            raise ValueError(
                f"number of parameters changed from {len(self._states)} to {len(params)}"
            )
        for index, (param, grad) in enumerate(zip(params, grads)):
            self._check_pair(index, param, grad)

    def _check_pair(self, index: int, param: np.ndarray, grad: np.ndarray) -> None:
        """Raise if parameter `index` is not an array, or its gradient or state do not fit."""
        if not isinstance(param, np.ndarray):
            raise TypeError(f"parameter {index} must be a numpy array to be updated in place")
        if np.shape(grad) != param.shape:
            raise ValueError(
                f"gradient {index} has shape {np.shape(grad)}, parameter has {param.shape}"
            )
        if self._states is not None and self._states[index]["shape"] != param.shape:
            raise ValueError(f"parameter {index} changed shape since the last step")

    def _initial_state(self, param: np.ndarray) -> dict[str, Any]:
        """The zero state of one parameter: its shape plus one zero array per slot."""
        state: dict[str, Any] = {"shape": param.shape}
        for slot in self._slots():
            state[slot] = np.zeros(param.shape, dtype=float)
        return state

    def _slots(self) -> tuple[str, ...]:
        """Names of the per-parameter state arrays this optimizer keeps (none by default)."""
        return ()

    @abstractmethod
    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """Update `param` in place from `grad`, advancing its `state`."""


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr: float = 0.01) -> None:
        """Raise ValueError unless `lr` is a finite number > 0."""
        super().__init__(lr)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """p -= lr * g."""
        param -= self._lr * grad


class Momentum(Optimizer):
    """Heavy-ball momentum: v = mu * v - lr * g; p += v."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        """Raise ValueError for `lr` not finite and > 0 or `momentum` outside [0, 1)."""
        super().__init__(lr)
        self._momentum = _unit_interval("momentum", momentum)

    @property
    def momentum(self) -> float:
        """The momentum coefficient mu."""
        return self._momentum

    def _slots(self) -> tuple[str, ...]:
        """One velocity per parameter."""
        return ("velocity",)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """v = mu * v - lr * g, then move the parameter by the displacement."""
        velocity = state["velocity"]
        velocity *= self._momentum
        velocity -= self._lr * grad
        param += self._displacement(velocity, grad)

    def _displacement(self, velocity: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """How far the parameter moves given the new velocity: v itself."""
        return velocity


class Nesterov(Momentum):
    """Nesterov momentum: v = mu * v - lr * g; p += mu * v - lr * g (v the new velocity)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        """Raise ValueError for `lr` not finite and > 0 or `momentum` outside [0, 1)."""
        super().__init__(lr, momentum)

    def _displacement(self, velocity: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """The look-ahead step, using only the gradient at p: mu * v - lr * g."""
        return self._momentum * velocity - self._lr * grad


class _AdaptiveOptimizer(Optimizer):
    """Scales each step by the root of an accumulated squared gradient, per element."""

    def __init__(self, lr: float, eps: float) -> None:
        """Raise ValueError unless `lr` and `eps` are finite numbers > 0."""
        super().__init__(lr)
        self._eps = _finite_positive("eps", eps)

    @property
    def eps(self) -> float:
        """The constant added to the denominator for numerical stability."""
        return self._eps

    def _slots(self) -> tuple[str, ...]:
        """One accumulator of squared gradients per parameter."""
        return ("accumulator",)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """p -= lr * direction / (sqrt(second moment) + eps), both from `_moments`."""
        direction, second_moment = self._moments(grad, state)
        _scaled_descent(param, self._lr, direction, second_moment, self._eps)

    @abstractmethod
    def _moments(self, grad: np.ndarray, state: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """Advance `state` with `grad`; return the step direction and its second moment."""


class AdaGrad(_AdaptiveOptimizer):
    """G += g^2; p -= lr * g / (sqrt(G) + eps)."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-8) -> None:
        """Raise ValueError unless `lr` and `eps` are finite numbers > 0."""
        super().__init__(lr, eps)

    def _moments(self, grad: np.ndarray, state: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """G += g^2; the step follows g, scaled by G."""
        accumulator = state["accumulator"]
        accumulator += np.square(grad)
        return grad, accumulator


class RMSprop(_AdaptiveOptimizer):
    """E = rho * E + (1 - rho) * g^2; p -= lr * g / (sqrt(E) + eps)."""

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8) -> None:
        """Raise ValueError for `lr` or `eps` not finite and > 0, or `rho` outside [0, 1)."""
        super().__init__(lr, eps)
        self._rho = _unit_interval("rho", rho)

    @property
    def rho(self) -> float:
        """The decay rate of the running average of g^2."""
        return self._rho

    def _moments(self, grad: np.ndarray, state: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """E = rho * E + (1 - rho) * g^2; the step follows g, scaled by E."""
        accumulator = state["accumulator"]
        _decay_towards(accumulator, self._rho, np.square(grad))
        return grad, accumulator


class Adam(_AdaptiveOptimizer):
    """Adam with bias correction: see README.md for the equations."""

    def __init__(
        self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        """Raise ValueError for `lr` or `eps` not finite and > 0, or a beta outside [0, 1)."""
        super().__init__(lr, eps)
        self._beta1 = _unit_interval("beta1", beta1)
        self._beta2 = _unit_interval("beta2", beta2)

    @property
    def betas(self) -> tuple[float, float]:
        """The decay rates (beta1, beta2) of the first and second moment estimates."""
        return self._beta1, self._beta2

    def _initial_state(self, param: np.ndarray) -> dict[str, Any]:
        """Zero moments and a step count of zero."""
        state = super()._initial_state(param)
        state["t"] = 0
        return state

    def _slots(self) -> tuple[str, ...]:
        """The first and second moment estimates of each parameter."""
        return ("m", "v")

    def _moments(self, grad: np.ndarray, state: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """Advance t and both moments; return them bias-corrected (m_hat, v_hat)."""
        state["t"] += 1
        _decay_towards(state["m"], self._beta1, grad)
        _decay_towards(state["v"], self._beta2, np.square(grad))
        m_hat = state["m"] / (1.0 - self._beta1 ** state["t"])
        v_hat = state["v"] / (1.0 - self._beta2 ** state["t"])
        return m_hat, v_hat
