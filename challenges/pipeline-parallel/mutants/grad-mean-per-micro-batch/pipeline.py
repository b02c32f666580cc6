"""GPipe-style pipeline-parallel training of an MLP: one process per stage.

The layers are cut into ``stages`` contiguous groups, each owned by a worker
process. A step splits the batch into ``micro_batches`` parts; the caller feeds
every part to stage 0 at once, each stage passes its outputs downstream as soon
as they are ready (so stage s works on micro-batch m while stage s + 1 works on
micro-batch m - 1), the last stage computes the loss and, once it has seen every
micro-batch, starts the backward pass, which flows upstream the same way. Each
stage sums its micro-batches' gradients and applies one SGD update at the end of
the step, so a step equals one full-batch step of the single-process MLP.

Messages: every stage reads one inbox (a ``SimpleQueue``, written by the caller
and by its neighbours) and answers the caller on a pipe of its own. The caller
waits on those pipes and on the processes' sentinels together, so a stage that
raises or dies turns into an exception in the caller instead of a hang.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import device
import numpy as np
from mlp import Gradients, LayerStack, Params, add_gradients, check_batch, check_params, mse

_JOIN_TIMEOUT_S = 5.0


def split_layers(layers: int, stages: int) -> list[range]:
    """Cut ``layers`` layer indices into ``stages`` contiguous, non-empty, near-equal groups."""
    base, extra = divmod(layers, stages)
    groups, start = [], 0
    for stage in range(stages):
        size = base + (1 if stage < extra else 0)
        groups.append(range(start, start + size))
        start += size
    return groups


@dataclass(frozen=True)
class _Links:
    """Where a stage reads from and writes to."""

    inbox: Any
    downstream: Any | None  # the next stage's inbox; None for the last stage
    upstream: Any | None  # the previous stage's inbox; None for stage 0
    reply: Connection  # to the caller


class _StageWorker:
    """One pipeline stage: its layers and the micro-batches it has in flight during a step."""

    def __init__(self, index: int, stack: LayerStack, lr: float, links: _Links) -> None:
        self._index = index
        self._stack = stack
        self._lr = lr
        self._links = links
        self._handlers = {
            "begin": self._begin,
            "forward": self._forward,
            "backward": self._backward,
            "params": self._send_parameters,
        }
        self._begin(0, 0, None)

    def run(self) -> None:
        """Serve messages until told to stop; report any error to the caller."""
        while True:
            message = self._links.inbox.get()
            if message[0] == "stop":
                break
            try:
                self._handlers[message[0]](*message[1:])
            except Exception as exc:
                self._links.reply.send(("error", self._index, f"{type(exc).__name__}: {exc}"))
        self._links.reply.close()

    def _begin(self, total_rows: int, micro_batches: int, targets: list[np.ndarray] | None) -> None:
        self._total_rows = total_rows
        self._micro_batches = micro_batches
        self._targets = targets
        self._caches: dict[int, list[Any]] = {}
        self._output_grads: dict[int, np.ndarray] = {}
        self._grads: Gradients | None = None
        self._backwards_done = 0

    def _forward(self, micro_batch: int, x: np.ndarray) -> None:
        device.compute(self._index, "forward", micro_batch, len(x))
        out, self._caches[micro_batch] = self._stack.forward(x)
        if self._links.downstream is not None:
            self._links.downstream.put(("forward", micro_batch, out))
            return
        assert self._targets is not None, "the last stage got no targets for this step"
        loss, self._output_grads[micro_batch] = mse(out, self._targets[micro_batch], len(out))
        self._links.reply.send(("loss", micro_batch, loss))
        if len(self._output_grads) == self._micro_batches:  # GPipe: all forwards, then backwards
            for index in sorted(self._output_grads, reverse=True):
                self._backward(index, self._output_grads.pop(index))

    def _backward(self, micro_batch: int, grad: np.ndarray) -> None:
        device.compute(self._index, "backward", micro_batch, len(grad))
        grad_in, grads = self._stack.backward(grad, self._caches.pop(micro_batch))
        self._grads = add_gradients(self._grads, grads)
        if self._links.upstream is not None:
            self._links.upstream.put(("backward", micro_batch, grad_in))
        self._backwards_done += 1
        if self._backwards_done == self._micro_batches:
            self._stack.sgd(self._grads, self._lr)
            self._links.reply.send(("updated", self._index))

    def _send_parameters(self) -> None:
        self._links.reply.send(("params", self._index, self._stack.parameters()))


class PipelineTrainer:
    """Trains an MLP with its layers split into pipeline stages that run in separate processes."""

    def __init__(
        self,
        params: Sequence[tuple[np.ndarray, np.ndarray]],
        stages: int,
        micro_batches: int,
        lr: float,
    ) -> None:
        checked = check_params(params)
        _check_settings(len(checked), stages, micro_batches, lr)
        self._n_inputs = checked[0][0].shape[0]
        self._n_outputs = checked[-1][0].shape[1]
        self._micro_batches = micro_batches
        self._closed = False
        self._failure: str | None = None
        context = multiprocessing.get_context("fork")
        self._inboxes = [context.SimpleQueue() for _ in range(stages)]
        self._replies: list[Connection] = []
        self._processes: list[Any] = []
        for index, layers in enumerate(split_layers(len(checked), stages)):
            stack = LayerStack.from_params(
                [checked[i] for i in layers], last_is_output=index == stages - 1
            )
            receiver, sender = context.Pipe(duplex=False)
            self._start_stage(context, _StageWorker(index, stack, lr, self._links(index, sender)))
            sender.close()  # the stage's end: only the child writes to it
            self._replies.append(receiver)

    def __enter__(self) -> PipelineTrainer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One GPipe training step on the batch ``(x, y)``; returns the batch's loss before it."""
        self._require_usable()
        x, y = check_batch(x, y, self._n_inputs, self._n_outputs)
        if len(x) < self._micro_batches:
            raise ValueError(
                f"a batch of {len(x)} rows cannot be split into {self._micro_batches} micro-batches"
            )
        targets = np.array_split(y, self._micro_batches)
        last = len(self._inboxes) - 1
        for index, inbox in enumerate(self._inboxes):
            inbox.put(("begin", len(x), self._micro_batches, targets if index == last else None))
        for micro_batch, part in enumerate(np.array_split(x, self._micro_batches)):
            self._inboxes[0].put(("forward", micro_batch, part))
        return self._finish_step()

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order, gathered from the stages."""
        self._require_usable()
        for inbox in self._inboxes:
            inbox.put(("params",))
        by_stage: dict[int, Params] = {}
        while len(by_stage) < len(self._inboxes):
            _, index, params = self._receive()
            by_stage[index] = params
        return [pair for index in sorted(by_stage) for pair in by_stage[index]]

    def close(self) -> None:
        """Stop and join every stage process; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        for inbox, process in zip(self._inboxes, self._processes, strict=False):
            if process.is_alive():
                inbox.put(("stop",))
        for process in self._processes:
            process.join(_JOIN_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join()
        for channel in [*self._replies, *self._inboxes]:
            channel.close()

    def _links(self, index: int, reply: Connection) -> _Links:
        last = len(self._inboxes) - 1
        return _Links(
            inbox=self._inboxes[index],
            downstream=self._inboxes[index + 1] if index < last else None,
            upstream=self._inboxes[index - 1] if index > 0 else None,
            reply=reply,
        )

    def _start_stage(self, context: Any, worker: _StageWorker) -> None:
        process = context.Process(
            target=worker.run, name=f"pipeline-stage-{len(self._processes)}", daemon=True
        )
        process.start()
        self._processes.append(process)

    def _finish_step(self) -> float:
        losses: dict[int, float] = {}
        updated: set[int] = set()
        while len(losses) < self._micro_batches or len(updated) < len(self._processes):
            message = self._receive()
            if message[0] == "loss":
                losses[message[1]] = message[2]
            else:
                updated.add(message[1])
        return float(sum(losses[index] for index in sorted(losses)) / len(losses))

    def _receive(self) -> tuple[Any, ...]:
        """The next message from any stage; raises if a stage failed or died."""
        sentinels = {process.sentinel: index for index, process in enumerate(self._processes)}
        ready = wait([*self._replies, *sentinels])
        for item in ready:
            if isinstance(item, Connection):
                return self._check_message(self._read(item))
        index = sentinels[ready[0]]
        self._fail(f"stage {index} exited with code {self._processes[index].exitcode}")

    def _read(self, connection: Connection) -> tuple[Any, ...]:
        try:
            return connection.recv()
        except EOFError:
            index = self._replies.index(connection)
            self._fail(f"stage {index} closed its connection unexpectedly")

    def _check_message(self, message: tuple[Any, ...]) -> tuple[Any, ...]:
        if message[0] == "error":
            self._fail(f"stage {message[1]} raised {message[2]}")
        return message

    def _fail(self, reason: str) -> Any:
        self._failure = reason
        raise RuntimeError(f"pipeline step failed: {reason}")

    def _require_usable(self) -> None:
        if self._closed:
            raise RuntimeError("the PipelineTrainer is closed")
        if self._failure is not None:
            raise RuntimeError(f"the PipelineTrainer is unusable after a failure: {self._failure}")


def _check_settings(layers: int, stages: int, micro_batches: int, lr: float) -> None:
    if not 1 <= stages <= layers:
        raise ValueError(f"stages must be between 1 and the {layers} layers, got {stages}")
    if micro_batches < 1:
        raise ValueError(f"micro_batches must be >= 1, got {micro_batches}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr}")
