"""A small multi-layer perceptron in numpy: dense layers, tanh between them, MSE loss.

Parameters are a list with one ``(W, b)`` pair per layer, in order (see
``mlp_data.init_params``): layer ``i`` computes ``h @ W + b``, followed by
``tanh`` on every layer except the last. The loss is the mean squared error over
every element of the batch: ``mean((forward(x) - y) ** 2)``.

Besides ``MLP`` the module offers the building blocks the pipeline stages reuse:
``DenseLayer`` (one layer), ``LayerStack`` (a contiguous run of layers) and
``build_layers`` (validated layers from ``(W, b)`` pairs).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Params = list[tuple[np.ndarray, np.ndarray]]
Gradients = list[tuple[np.ndarray, np.ndarray]]


class DenseLayer:
    """One dense layer ``h @ W + b``, optionally followed by ``tanh``; it owns copies of W and b."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, activated: bool) -> None:
        """Copy ``weight`` (n_in, n_out) and ``bias`` (n_out,); ``activated`` adds the tanh."""
        self._weight = np.array(weight, dtype=np.float64)
        self._bias = np.array(bias, dtype=np.float64)
        self._activated = activated

    @property
    def inputs(self) -> int:
        """The number of input features."""
        return self._weight.shape[0]

    @property
    def outputs(self) -> int:
        """The number of output features."""
        return self._weight.shape[1]

    def forward(self, h: np.ndarray) -> np.ndarray:
        """The layer's output for the rows of ``h``."""
        z = h @ self._weight + self._bias
        return np.tanh(z) if self._activated else z

    def backward(
        self, h: np.ndarray, out: np.ndarray, grad_out: np.ndarray
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Given input ``h``, output ``out`` and dLoss/d``out``: (dLoss/d``h``, (dW, db))."""
        grad_z = grad_out * (1.0 - out**2) if self._activated else grad_out
        grads = (h.T @ grad_z, grad_z.sum(axis=0))
        return grad_z @ self._weight.T, grads

    def apply(self, grad_weight: np.ndarray, grad_bias: np.ndarray, lr: float) -> None:
        """One SGD update: ``W -= lr * dW`` and ``b -= lr * db``."""
        self._weight -= lr * grad_weight
        self._bias -= lr * grad_bias

    def parameters(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of ``(W, b)``."""
        return self._weight.copy(), self._bias.copy()


class LayerStack:
    """A contiguous run of layers: the whole network, or the part one pipeline stage holds."""

    def __init__(self, layers: Sequence[DenseLayer]) -> None:
        """Wrap ``layers`` (at least one, already chained), applied in order."""
        if not layers:
            raise ValueError("a layer stack needs at least one layer")
        self._layers = list(layers)

    @property
    def inputs(self) -> int:
        """The number of input features of the first layer."""
        return self._layers[0].inputs

    @property
    def outputs(self) -> int:
        """The number of output features of the last layer."""
        return self._layers[-1].outputs

    def forward(self, h: np.ndarray) -> list[np.ndarray]:
        """Every activation: ``h`` itself, then each layer's output (the last is the result)."""
        activations = [h]
        for layer in self._layers:
            activations.append(layer.forward(activations[-1]))
        return activations

    def backward(
        self, activations: Sequence[np.ndarray], grad_out: np.ndarray
    ) -> tuple[np.ndarray, Gradients]:
        """From ``forward``'s activations and dLoss/d(output): (dLoss/d(input), per-layer grads)."""
        grads: Gradients = []
        grad = grad_out
        for index in reversed(range(len(self._layers))):
            layer = self._layers[index]
            grad, layer_grads = layer.backward(activations[index], activations[index + 1], grad)
            grads.append(layer_grads)
        grads.reverse()
        return grad, grads

    def apply(self, grads: Sequence[tuple[np.ndarray, np.ndarray]], lr: float) -> None:
        """One SGD update of every layer with its ``(dW, db)``."""
        for layer, (grad_weight, grad_bias) in zip(self._layers, grads, strict=True):
            layer.apply(grad_weight, grad_bias, lr)

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in order."""
        return [layer.parameters() for layer in self._layers]


def _as_pair(pair: tuple[np.ndarray, np.ndarray], index: int) -> tuple[np.ndarray, np.ndarray]:
    """Layer ``index``'s ``(W, b)`` as float64 arrays; ValueError if their shapes do not fit."""
    try:
        weight, bias = pair
    except (TypeError, ValueError) as exc:
        raise ValueError(f"layer {index}: expected a (W, b) pair") from exc
    weight = np.asarray(weight, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if weight.ndim != 2:
        raise ValueError(f"layer {index}: W must be 2-D, got shape {weight.shape}")
    if bias.shape != (weight.shape[1],):
        raise ValueError(f"layer {index}: b must have shape ({weight.shape[1]},), got {bias.shape}")
    return weight, bias


def build_layers(params: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[DenseLayer]:
    """Validated layers (copies) from ``(W, b)`` pairs: tanh on every layer but the last.

    Raises ValueError if there are no layers, a ``W`` is not 2-D, a ``b`` is not of shape
    ``(W.shape[1],)``, or consecutive layers do not chain.
    """
    pairs = [_as_pair(pair, index) for index, pair in enumerate(params)]
    if not pairs:
        raise ValueError("the network needs at least one layer")
    for index in range(1, len(pairs)):
        if pairs[index][0].shape[0] != pairs[index - 1][0].shape[1]:
            raise ValueError(
                f"layer {index} takes {pairs[index][0].shape[0]} inputs but layer {index - 1} "
                f"gives {pairs[index - 1][0].shape[1]}"
            )
    last = len(pairs) - 1
    return [DenseLayer(w, b, activated=i < last) for i, (w, b) in enumerate(pairs)]


def check_inputs(x: np.ndarray, inputs: int) -> np.ndarray:
    """``x`` as a float64 array; ValueError unless it is 2-D with ``inputs`` columns."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != inputs:
        raise ValueError(f"x must have shape (n, {inputs}), got {x.shape}")
    return x


def check_batch(
    x: np.ndarray, y: np.ndarray, inputs: int, outputs: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` as float64 arrays; ValueError unless they make a non-empty batch that fits."""
    x = check_inputs(x, inputs)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (x.shape[0], outputs):
        raise ValueError(f"y must have shape ({x.shape[0]}, {outputs}), got {y.shape}")
    if x.shape[0] == 0:
        raise ValueError("the batch must hold at least one row")
    return x, y


def output_gradient(out: np.ndarray, y: np.ndarray, total: int) -> np.ndarray:
    """dLoss/d``out`` for rows of a batch whose MSE is averaged over ``total`` elements."""
    return 2.0 * (out - y) / total


class MLP:
    """A multi-layer perceptron: dense layers with tanh between them, trained on MSE by SGD."""

    def __init__(self, params: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Build the network from ``(W, b)`` pairs, copying them (the caller's arrays never change).

        Raises ValueError if there are no layers, if a ``W`` is not 2-D, if a ``b`` is not of
        shape ``(W.shape[1],)``, or if consecutive layers do not chain.
        """
        self._stack = LayerStack(build_layers(params))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch ``x`` of shape ``(n, inputs)``: shape ``(n, outputs)``.

        Raises ValueError if ``x`` is not 2-D with ``inputs`` columns.
        """
        return self._stack.forward(check_inputs(x, self._stack.inputs))[-1]

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """The mean squared error over every element: ``mean((forward(x) - y) ** 2)``.

        Raises ValueError if the shapes of ``x`` and ``y`` do not fit the network.
        """
        x, y = self._check(x, y)
        return float(np.mean((self._stack.forward(x)[-1] - y) ** 2))

    def gradients(self, x: np.ndarray, y: np.ndarray) -> Params:
        """dLoss/dW and dLoss/db of every layer for the batch: ``(dW, db)`` pairs in layer order."""
        x, y = self._check(x, y)
        return self._loss_and_gradients(x, y)[1]

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One full-batch SGD step (``W -= lr * dW``, ``b -= lr * db``); the loss before it."""
        x, y = self._check(x, y)
        loss, grads = self._loss_and_gradients(x, y)
        self._stack.apply(grads, lr)
        return loss

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order."""
        return self._stack.parameters()

    def _check(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Validated float64 ``(x, y)`` for this network."""
        return check_batch(x, y, self._stack.inputs, self._stack.outputs)

    def _loss_and_gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Gradients]:
        """The loss and every layer's ``(dW, db)`` from one forward and one backward pass."""
        activations = self._stack.forward(x)
        diff = activations[-1] - y
        grad_out = output_gradient(activations[-1], y, diff.size)
        return float(np.mean(diff**2)), self._stack.backward(activations, grad_out)[1]
