"""GPipe-style pipeline-parallel training of the MLP: one worker process per stage.

The caller's thread only splits the batch and moves messages: stage ``k`` runs in a
process of its own, receives forward activations from stage ``k - 1`` and gradients
from stage ``k + 1`` on its inbox queue, and reports to the trainer on a shared
results queue.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import device
from mlp import LayerStack, check_batch, copy_params

Params = list[tuple[np.ndarray, np.ndarray]]

_FORWARD = "forward"
_BACKWARD = "backward"
_PARAMS = "params"
_STOP = "stop"
_DONE = "done"
_ERROR = "error"
_JOIN_SECONDS = 2.0


@dataclass
class _Wiring:
    """The queues one stage talks through."""

    inbox: Any
    previous: Any | None
    following: Any | None
    results: Any


class _StageWorker:
    """The state and message loop of one stage; ``run`` is the body of its process."""

    def __init__(self, index: int, stack: LayerStack, lr: float, wiring: _Wiring) -> None:
        self._index = index
        self._stack = stack
        self._lr = lr
        self._wiring = wiring
        self._cache: dict[int, list[np.ndarray]] = {}
        self._targets: dict[int, np.ndarray] = {}
        self._grads: Params | None = None
        self._backwards = 0

    @property
    def _is_last(self) -> bool:
        return self._wiring.following is None

    def run(self) -> None:
        """Serve the inbox until a stop message; report every failure to the trainer."""
        while True:
            message = self._wiring.inbox.get()
            if message[0] == _STOP:
                return
            try:
                self._handle(message)
            except Exception as exc:  # reported to the caller of step
                self._wiring.results.put((_ERROR, self._index, f"{type(exc).__name__}: {exc}"))

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == _FORWARD:
            self._forward(*message[1:])
        elif kind == _BACKWARD:
            self._backward(*message[1:])
        elif kind == _PARAMS:
            self._wiring.results.put((_PARAMS, self._index, self._stack.parameters()))

    def _forward(self, micro: int, count: int, x: np.ndarray, y: np.ndarray) -> None:
        device.compute(self._index, "forward", micro, x.shape[0])
        acts = self._stack.forward(x)
        self._cache[micro] = acts
        if not self._is_last:
            self._wiring.following.put((_FORWARD, micro, count, acts[-1], y))
            return
        self._targets[micro] = y
        if len(self._cache) == count:
            self._flush(count)

    def _flush(self, count: int) -> None:
        """Last stage, every forward done: start the backward pass of each micro-batch."""
        loss = 0.0
        for micro in range(count):
            diff = self._cache[micro][-1] - self._targets.pop(micro)
            loss += float(np.mean(diff**2)) / count
            self._backward(micro, count, 2.0 * diff / diff.size / count, loss)

    def _backward(self, micro: int, count: int, grad: np.ndarray, loss: float | None = None) -> None:
        device.compute(self._index, "backward", micro, grad.shape[0])
        grad_in, grads = self._stack.backward(self._cache.pop(micro), grad)
        if self._wiring.previous is not None:
            self._wiring.previous.put((_BACKWARD, micro, count, grad_in))
        self._accumulate(grads)
        if self._backwards == count:
            self._update(loss)

    def _accumulate(self, grads: Params) -> None:
        if self._grads is None:
            self._grads = grads
        else:
            self._grads = [(dw + gw, db + gb) for (dw, db), (gw, gb) in zip(self._grads, grads)]
        self._backwards += 1

    def _update(self, loss: float | None) -> None:
        self._stack.apply(self._grads, self._lr)
        self._grads = None
        self._backwards = 0
        self._wiring.results.put((_DONE, self._index, loss))


def _split_layers(params: Params, stages: int) -> list[Params]:
    """``stages`` contiguous, non-empty groups of layers whose sizes differ by at most one."""
    bounds = np.array_split(np.arange(len(params)), stages)
    return [[params[i] for i in group] for group in bounds]


def _check_settings(layers: int, stages: int, micro_batches: int, lr: float) -> None:
    if isinstance(stages, bool) or not isinstance(stages, int) or not 1 <= stages <= layers:
        raise ValueError(f"stages must be an int between 1 and {layers}, got {stages!r}")
    if isinstance(micro_batches, bool) or not isinstance(micro_batches, int) or micro_batches < 1:
        raise ValueError(f"micro_batches must be an int >= 1, got {micro_batches!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")


class PipelineTrainer:
    """Trains an MLP whose layers are split into pipeline stages running in separate workers."""

    def __init__(
        self,
        params: Sequence[tuple[np.ndarray, np.ndarray]],
        stages: int,
        micro_batches: int,
        lr: float,
    ) -> None:
        """Split the layers of ``params`` into ``stages`` contiguous groups and start one worker
        process per stage.

        The caller's arrays are never modified. Raises ValueError, starting nothing, if
        ``stages`` is not between 1 and the number of layers, if ``micro_batches`` < 1, or if
        ``lr`` <= 0 (and as ``MLP`` does for parameters that do not chain).
        """
        layers = copy_params(params)
        if not layers:
            raise ValueError("params must hold at least one layer")
        _check_settings(len(layers), stages, micro_batches, lr)
        self._inputs = layers[0][0].shape[0]
        self._outputs = layers[-1][0].shape[1]
        self._micro_batches = micro_batches
        self._closed = False
        self._failed: str | None = None
        context = multiprocessing.get_context("fork")
        groups = _split_layers(layers, stages)
        self._inboxes = [context.Queue() for _ in groups]
        self._results = context.Queue()
        self._workers = [
            context.Process(target=self._make_worker(k, group, lr, stages).run, daemon=True)
            for k, group in enumerate(groups)
        ]
        for worker in self._workers:
            worker.start()

    def _make_worker(self, k: int, group: Params, lr: float, stages: int) -> _StageWorker:
        wiring = _Wiring(
            inbox=self._inboxes[k],
            previous=self._inboxes[k - 1] if k > 0 else None,
            following=self._inboxes[k + 1] if k < stages - 1 else None,
            results=self._results,
        )
        return _StageWorker(k, LayerStack(group, ends_network=k == stages - 1), lr, wiring)

    def __enter__(self) -> PipelineTrainer:
        """Return the trainer itself."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the trainer."""
        self.close()

    def _check_usable(self) -> None:
        if self._closed:
            raise RuntimeError("the trainer is closed")
        if self._failed is not None:
            raise RuntimeError(f"the trainer failed earlier: {self._failed}")

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One GPipe training step on the batch; returns the batch's loss before the update.

        Splits the batch into ``micro_batches`` parts (``np.array_split``), streams them forward
        through the stages and their gradients backward, accumulates the gradients, and applies
        one SGD update in every stage. Returns once every stage has applied its update. The result
        equals ``MLP.step(x, y, lr)`` on the full batch (within 1e-6).

        Raises ValueError if the shapes do not fit; RuntimeError if the trainer is closed or a
        stage fails (with the stage's error in the message).
        """
        self._check_usable()
        check_batch(x, y, self._inputs, self._outputs)
        xs = np.array_split(np.asarray(x, dtype=np.float64), self._micro_batches)
        ys = np.array_split(np.asarray(y, dtype=np.float64), self._micro_batches)
        for micro, (x_part, y_part) in enumerate(zip(xs, ys)):
            self._inboxes[0].put((_FORWARD, micro, self._micro_batches, x_part, y_part))
        replies = self._collect(_DONE)
        return float(replies[-1][2])

    def _collect(self, kind: str) -> list[tuple[Any, ...]]:
        """One ``kind`` reply from every stage, in stage order; raises a stage's error."""
        replies = []
        while len(replies) < len(self._workers):
            reply = self._results.get()
            if reply[0] == _ERROR:
                self._failed = f"stage {reply[1]}: {reply[2]}"
                raise RuntimeError(f"pipeline stage {reply[1]} failed: {reply[2]}")
            if reply[0] == kind:
                replies.append(reply)
        return sorted(replies, key=lambda reply: reply[1])

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order, gathered from the stages."""
        self._check_usable()
        for inbox in self._inboxes:
            inbox.put((_PARAMS,))
        return [layer for reply in self._collect(_PARAMS) for layer in reply[2]]

    def close(self) -> None:
        """Stop every worker and wait for it; safe to call more than once, and after a failure."""
        if self._closed:
            return
        self._closed = True
        for inbox in self._inboxes:
            inbox.put((_STOP,))
        for worker in self._workers:
            worker.join(_JOIN_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()
        for queue in [*self._inboxes, self._results]:
            queue.close()
            queue.join_thread()
