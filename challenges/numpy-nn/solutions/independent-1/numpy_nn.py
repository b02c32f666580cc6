"""A small neural-network library in numpy: layers, a network, a loss and two optimizers.

Every layer implements the `Layer` interface (`forward`, `backward`, `params`, `grads`),
so a `Network` can be built from any mix of layers, including ones written elsewhere.
All passes are vectorised: a forward and backward pass is linear in the batch size.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


def _as_float_array(x: np.ndarray, name: str, copy: bool = False) -> np.ndarray:
    """`x` as a float64 array (a copy if `copy`, so later changes by the caller cannot leak in)."""
    array = np.array(x, dtype=float) if copy else np.asarray(x, dtype=float)
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array, not a scalar")
    return array


def _check_positive_int(value: int, name: str) -> int:
    """Return `value` if it is a positive integer, otherwise raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return int(value)


def _check_shape(array: np.ndarray, shape: tuple[int, ...], name: str) -> None:
    """Raise ValueError unless `array` has exactly `shape`."""
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")


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
        """The parameter arrays, which optimizers update in place (none by default)."""
        return []

    def grads(self) -> list[np.ndarray]:
        """The gradients from the last backward pass, in the order of `params()`."""
        return []


class Linear(Layer):
    """A fully connected layer: y = x W + b, with W of shape (in, out) and b of shape (out,)."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator | None = None) -> None:
        """Initialise W randomly from `rng` (so that units differ) and b at zero.

        W is drawn from a Glorot (Xavier) normal distribution, which keeps the
        pre-activations of a tanh network of order one, so tanh does not saturate.
        """
        n_in = _check_positive_int(in_features, "in_features")
        n_out = _check_positive_int(out_features, "out_features")
        generator = np.random.default_rng() if rng is None else rng
        scale = np.sqrt(2.0 / (n_in + n_out))
        self._weight = generator.normal(0.0, scale, size=(n_in, n_out))
        self._bias = np.zeros(n_out)
        self._grad_weight = np.zeros_like(self._weight)
        self._grad_bias = np.zeros_like(self._bias)
        self._x: np.ndarray | None = None

    @property
    def W(self) -> np.ndarray:  # noqa: N802 - the statement's name for the weights
        """The weight matrix, of shape (in_features, out_features)."""
        return self._weight

    @property
    def b(self) -> np.ndarray:
        """The bias vector, of shape (out_features,)."""
        return self._bias

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x W + b for a batch `x` of shape (batch, in_features) (or one row of shape (in_features,))."""
        x = _as_float_array(x, "x", copy=True)
        if x.ndim > 2 or x.shape[-1] != self._weight.shape[0]:
            raise ValueError(f"x has shape {x.shape}, expected (batch, {self._weight.shape[0]})")
        self._x = x
        out = x @ self._weight
        out += self._bias
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Store dLoss/dW and dLoss/db and return dLoss/dx for the last forward pass."""
        if self._x is None:
            raise RuntimeError("backward called before forward")
        grad_out = _as_float_array(grad_out, "grad_out")
        _check_shape(grad_out, self._x.shape[:-1] + self._bias.shape, "grad_out")
        x_rows, grad_rows = np.atleast_2d(self._x), np.atleast_2d(grad_out)
        self._grad_weight = x_rows.T @ grad_rows
        self._grad_bias = grad_rows.sum(axis=0)
        return grad_out @ self._weight.T

    def params(self) -> list[np.ndarray]:
        """[W, b]."""
        return [self._weight, self._bias]

    def grads(self) -> list[np.ndarray]:
        """[dLoss/dW, dLoss/db] from the last backward pass."""
        return [self._grad_weight, self._grad_bias]


class Tanh(Layer):
    """Elementwise tanh, with no parameters."""

    def __init__(self) -> None:
        """A tanh layer; it keeps the local derivative of its last forward pass."""
        self._slope: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """tanh(x), elementwise; finite for any input (it saturates at +-1)."""
        y = np.tanh(_as_float_array(x, "x"))
        slope = np.square(y)
        np.subtract(1.0, slope, out=slope)
        self._slope = slope
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """grad_out * (1 - tanh(x)^2), using the derivative kept by forward."""
        if self._slope is None:
            raise RuntimeError("backward called before forward")
        grad_out = _as_float_array(grad_out, "grad_out")
        _check_shape(grad_out, self._slope.shape, "grad_out")
        return grad_out * self._slope


class Network(Layer):
    """Layers applied in order; works with any Layer, including ones you have never seen."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        """A network applying `layers` in the given order."""
        layers = tuple(layers)
        if not layers:
            raise ValueError("a network needs at least one layer")
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"expected a Layer, got {type(layer).__name__}")
        self._layers = layers

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The layers, in the order they are applied."""
        return self._layers

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply every layer in order."""
        for layer in self._layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Back-propagate through every layer in reverse order; return dLoss/dInput."""
        for layer in reversed(self._layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def params(self) -> list[np.ndarray]:
        """Every layer's parameters, layer by layer."""
        return [p for layer in self._layers for p in layer.params()]

    def grads(self) -> list[np.ndarray]:
        """Every layer's gradients, in the order of `params()`."""
        return [g for layer in self._layers for g in layer.grads()]


class MSELoss:
    """Mean squared error over every element of the batch."""

    def __init__(self) -> None:
        """A loss that remembers its last residual for the backward pass."""
        self._residual: np.ndarray | None = None

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss; keep what backward needs."""
        pred = _as_float_array(pred, "pred")
        target = _as_float_array(target, "target")
        _check_shape(target, pred.shape, "target")
        if pred.size == 0:
            raise ValueError("the loss of an empty batch is undefined")
        self._residual = pred - target
        return float(np.mean(self._residual * self._residual))

    def backward(self) -> np.ndarray:
        """dLoss/dPred for the last forward pass."""
        if self._residual is None:
            raise RuntimeError("backward called before forward")
        return 2.0 * self._residual / self._residual.size


class SGD:
    """p -= lr * g for every parameter, in place."""

    def __init__(self, lr: float = 0.01) -> None:
        """Plain gradient descent with learning rate `lr` (> 0)."""
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"lr must be positive and finite, got {lr}")
        self._lr = float(lr)

    @property
    def lr(self) -> float:
        """The learning rate."""
        return self._lr

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        for param, grad in self._pairs(params, grads):
            param -= self._lr * grad

    @staticmethod
    def _pairs(params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Zip parameters with their gradients, checking that they match."""
        params, grads = list(params), list(grads)
        if len(params) != len(grads):
            raise ValueError(f"{len(params)} parameters but {len(grads)} gradients")
        for param, grad in zip(params, grads):
            _check_shape(np.asarray(grad), param.shape, "gradient")
        return list(zip(params, grads))


class MomentumSGD(SGD):
    """v = momentum * v - lr * g; p += v, with one velocity per parameter."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        """Gradient descent with momentum in [0, 1); velocities start at zero."""
        super().__init__(lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self._momentum = float(momentum)
        self._velocities: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def momentum(self) -> float:
        """The momentum coefficient."""
        return self._momentum

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter's velocity, then the parameter itself, in place."""
        for param, grad in self._pairs(params, grads):
            velocity = self._velocity_of(param)
            velocity *= self._momentum
            velocity -= self._lr * grad
            param += velocity

    def _velocity_of(self, param: np.ndarray) -> np.ndarray:
        """The velocity of `param`, created at zero the first time it is seen.

        The parameter itself is kept alongside, so a reused `id` of a discarded
        array is never mistaken for the original one.
        """
        entry = self._velocities.get(id(param))
        if entry is None or entry[0] is not param:
            entry = (param, np.zeros_like(param, dtype=float))
            self._velocities[id(param)] = entry
        return entry[1]


def train_step(network: Layer, loss: MSELoss, optimizer: SGD, x: np.ndarray, y: np.ndarray) -> float:
    """One forward pass, backward pass and optimizer step; return the loss before the step."""
    value = loss.forward(network.forward(x), y)
    network.backward(loss.backward())
    optimizer.step(network.params(), network.grads())
    return value
