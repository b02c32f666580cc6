"""GPipe-style pipeline-parallel training of the MLP: one worker process per stage.

The layers are split into contiguous stages, each held by a worker process of its own.
Neighbouring stages talk over a duplex pipe (activations go down, gradients come back
up), and the trainer talks to every stage over a control pipe of its own: it sends the
step's micro-batches to the first stage, the targets to the last, and collects one reply
per stage. Waiting on those pipes together with the processes' sentinels turns a stage's
error, or a stage process that dies, into an exception in ``step`` instead of a hang.

Only builtin containers and numpy arrays cross the pipes, so nothing depends on how this
module was imported.
"""

from __future__ import annotations

import multiprocessing
import operator
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection, wait

import numpy as np

import device
from mlp import DenseLayer, Gradients, LayerStack, build_layers, check_batch, output_gradient

Params = list[tuple[np.ndarray, np.ndarray]]

_STEP = "step"
_PARAMETERS = "parameters"
_STOP = "stop"
_OK = "ok"
_ERROR = "error"
#: How long a worker gets to leave on its own after a stop request before it is killed.
_STOP_TIMEOUT_SECONDS = 1.0


class StageError(RuntimeError):
    """A pipeline stage failed (its error's message is in this one), or its process died."""


class _StepJob:
    """One step as a stage sees it: the micro-batch count, and inputs/targets if it gets them."""

    def __init__(self, payload: tuple) -> None:
        """Unpack the ``(inputs, targets, micro_batches)`` payload the trainer sent."""
        self.inputs, self.targets, self.micro_batches = payload

    @property
    def total(self) -> int:
        """The number of elements of the whole batch's targets (the MSE's denominator)."""
        return sum(part.size for part in self.targets)


class _StageWorker:
    """The body of one stage's worker process: holds the stage's layers and does all its work."""

    def __init__(
        self,
        index: int,
        stack: LayerStack,
        lr: float,
        upstream: Connection | None,
        downstream: Connection | None,
    ) -> None:
        """Stage ``index`` with its layers; ``upstream``/``downstream`` lead to its neighbours."""
        self._index = index
        self._stack = stack
        self._lr = lr
        self._upstream = upstream
        self._downstream = downstream

    def run(self, control: Connection) -> None:
        """Serve the trainer's commands on ``control`` until it asks the worker to stop."""
        while True:
            command, payload = control.recv()
            if command == _STOP:
                return
            control.send(self._answer(command, payload))

    def _answer(self, command: str, payload: object) -> tuple[str, object]:
        """The reply to one command: ``(_OK, result)``, or ``(_ERROR, message)`` if it failed."""
        try:
            if command == _PARAMETERS:
                return _OK, self._stack.parameters()
            return _OK, self._step(_StepJob(payload))
        except Exception as exc:  # noqa: BLE001 - reported to the trainer, which raises it
            return _ERROR, f"stage {self._index} failed: {type(exc).__name__}: {exc}"

    def _step(self, job: _StepJob) -> float | None:
        """Every forward, then every backward, then one update; the loss on the last stage."""
        activations = [self._forward(micro, job) for micro in range(job.micro_batches)]
        grads = [self._backward(micro, acts, job) for micro, acts in enumerate(activations)]
        self._stack.apply(_sum_gradients(grads), self._lr)
        if self._downstream is not None:
            return None
        return _batch_loss([acts[-1] for acts in activations], job.targets)

    def _forward(self, micro: int, job: _StepJob) -> list[np.ndarray]:
        """Micro-batch ``micro`` forward through the stage, handed on to the next stage."""
        h = job.inputs[micro] if self._upstream is None else _receive(self._upstream, micro)
        device.compute(self._index, "forward", micro, len(h))
        activations = self._stack.forward(h)
        if self._downstream is not None:
            self._downstream.send((micro, activations[-1]))
        return activations

    def _backward(self, micro: int, activations: list[np.ndarray], job: _StepJob) -> Gradients:
        """Micro-batch ``micro`` backward through the stage; its input gradient goes upstream."""
        grad_out = self._output_gradient(micro, activations[-1], job)
        device.compute(self._index, "backward", micro, len(grad_out))
        grad_in, grads = self._stack.backward(activations, grad_out)
        if self._upstream is not None:
            self._upstream.send((micro, grad_in))
        return grads

    def _output_gradient(self, micro: int, out: np.ndarray, job: _StepJob) -> np.ndarray:
        """dLoss/d(stage output): from the targets on the last stage, else from the next stage."""
        if self._downstream is None:
            return output_gradient(out, job.targets[micro], job.total)
        return _receive(self._downstream, micro)


def _receive(link: Connection, micro: int) -> np.ndarray:
    """The array of micro-batch ``micro`` from a neighbour; RuntimeError if another one came."""
    got, array = link.recv()
    if got != micro:
        raise RuntimeError(f"expected micro-batch {micro} from a neighbour, got {got}")
    return array


def _batch_loss(outputs: Sequence[np.ndarray], targets: Sequence[np.ndarray]) -> float:
    """The MSE of the whole batch from its micro-batches' outputs and targets."""
    squared = sum(float(np.sum((out - y) ** 2)) for out, y in zip(outputs, targets, strict=True))
    return squared / sum(y.size for y in targets)


def _sum_gradients(per_micro: Sequence[Gradients]) -> Gradients:
    """The layer-wise sum of several micro-batches' ``(dW, db)`` lists."""
    layers = zip(*per_micro, strict=True)
    return [(sum(dw for dw, _ in pairs), sum(db for _, db in pairs)) for pairs in map(list, layers)]


class _StageProcess:
    """The trainer's handle on one stage: its worker process and the control pipe to it."""

    def __init__(self, index: int, worker: _StageWorker) -> None:
        """Prepare (not start) the process that runs ``worker``."""
        self._index = index
        self._control, child_end = multiprocessing.Pipe()
        context = multiprocessing.get_context("fork")
        self._process = context.Process(
            target=worker.run, args=(child_end,), name=f"pipeline-stage-{index}", daemon=True
        )
        self._child_end = child_end

    @property
    def connection(self) -> Connection:
        """The trainer's end of the control pipe."""
        return self._control

    @property
    def sentinel(self) -> int:
        """A handle that becomes ready when the process ends."""
        return self._process.sentinel

    def start(self) -> None:
        """Start the worker process and drop the trainer's copy of the worker's pipe end."""
        self._process.start()
        self._child_end.close()

    def send(self, command: str, payload: object = None) -> None:
        """Send one command to the worker; StageError if its process has gone."""
        try:
            self._control.send((command, payload))
        except OSError as exc:
            raise StageError(self._death_message()) from exc

    def reply(self, ready: Sequence[object]) -> tuple[bool, object]:
        """``(True, result)`` if the worker's reply is among ``ready``, else ``(False, None)``.

        Raises StageError if the worker reported an error or its process has ended.
        """
        if self._control in ready:
            return True, self._receive()
        if self.sentinel in ready:
            raise StageError(self._death_message())
        return False, None

    def request_stop(self) -> None:
        """Ask a live worker to leave its loop."""
        if self._process.is_alive():
            self.send(_STOP)

    def shutdown(self, timeout: float) -> None:
        """Give the process ``timeout`` seconds to end, kill it if it has not; close the pipe."""
        if self._process.pid is not None:
            self._process.join(timeout)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._process.close()
        self._control.close()
        self._child_end.close()

    def _receive(self) -> object:
        """The result of the worker's reply; StageError if it was an error or the pipe closed."""
        try:
            status, value = self._control.recv()
        except EOFError as exc:
            raise StageError(self._death_message()) from exc
        if status == _ERROR:
            raise StageError(value)
        return value

    def _death_message(self) -> str:
        """Why this stage stopped answering."""
        code = self._process.exitcode
        return f"the process of stage {self._index} ended unexpectedly (exit code {code})"


def _gather_replies(stages: Sequence[_StageProcess]) -> list[object]:
    """Every stage's reply, in stage order; StageError as soon as one fails or dies."""
    replies: dict[int, object] = {}
    while len(replies) < len(stages):
        pending = [(i, stage) for i, stage in enumerate(stages) if i not in replies]
        handles = [stage.connection for _, stage in pending] + [s.sentinel for _, s in pending]
        ready = wait(handles)
        for index, stage in pending:
            arrived, value = stage.reply(ready)
            if arrived:
                replies[index] = value
    return [replies[index] for index in range(len(stages))]


def _split_layers(layers: Sequence[DenseLayer], stages: int) -> list[list[DenseLayer]]:
    """``layers`` in ``stages`` contiguous, non-empty groups whose sizes differ by at most one."""
    size, extra = divmod(len(layers), stages)
    groups, start = [], 0
    for index in range(stages):
        end = start + size + (1 if index < extra else 0)
        groups.append(list(layers[start:end]))
        start = end
    return groups


def _build_stages(
    groups: Sequence[Sequence[DenseLayer]], lr: float
) -> tuple[list[_StageProcess], list[Connection]]:
    """One (unstarted) stage process per group of layers, neighbours linked by duplex pipes.

    Also returns every end of those pipes: the trainer closes its copies once the workers run.
    """
    links = [multiprocessing.Pipe() for _ in range(len(groups) - 1)]
    stages = []
    for index, group in enumerate(groups):
        upstream = links[index - 1][1] if index > 0 else None
        downstream = links[index][0] if index < len(links) else None
        worker = _StageWorker(index, LayerStack(group), lr, upstream, downstream)
        stages.append(_StageProcess(index, worker))
    return stages, [end for link in links for end in link]


def _launch(groups: Sequence[Sequence[DenseLayer]], lr: float) -> list[_StageProcess]:
    """Start one worker process per group of layers; on failure, stop the ones started."""
    stages, link_ends = _build_stages(groups, lr)
    try:
        for stage in stages:
            stage.start()
    except BaseException:
        for stage in stages:
            stage.shutdown(timeout=0.0)
        raise
    finally:
        for end in link_ends:
            end.close()
    return stages


def _check_count(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """``value`` as an int in ``[minimum, maximum]``; ValueError otherwise."""
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ValueError(f"{name} must be an int, got {value!r}") from exc
    if isinstance(value, bool) or number < minimum or (maximum is not None and number > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {value!r}")
    return number


def _check_lr(lr: object) -> float:
    """``lr`` as a positive, finite float; ValueError otherwise."""
    try:
        rate = float(lr)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"lr must be a number, got {lr!r}") from exc
    if not 0.0 < rate < float("inf"):
        raise ValueError(f"lr must be positive, got {lr!r}")
    return rate


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
        layers = build_layers(params)
        stages = _check_count("stages", stages, 1, len(layers))
        self._micro_batches = _check_count("micro_batches", micro_batches, 1)
        lr = _check_lr(lr)
        self._inputs = layers[0].inputs
        self._outputs = layers[-1].outputs
        self._lock = threading.Lock()
        self._closed = False
        self._broken = False
        self._stages = _launch(_split_layers(layers, stages), lr)

    def __enter__(self) -> PipelineTrainer:
        """Return the trainer itself."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the trainer."""
        self.close()

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One GPipe training step on the batch; returns the batch's loss before the update.

        Splits the batch into ``micro_batches`` parts (``np.array_split``), streams them forward
        through the stages and their gradients backward, accumulates the gradients, and applies
        one SGD update in every stage. Returns once every stage has applied its update. The result
        equals ``MLP.step(x, y, lr)`` on the full batch (within 1e-6).

        Raises ValueError (before any work; the trainer stays usable) if the shapes do not fit or
        ``x`` has fewer rows than ``micro_batches``; RuntimeError if the trainer is closed; and a
        StageError (a RuntimeError) whose message carries the stage's error if a stage fails.
        """
        with self._lock:
            self._check_usable()
            x, y = check_batch(x, y, self._inputs, self._outputs)
            if len(x) < self._micro_batches:
                raise ValueError(
                    f"the batch has {len(x)} rows, fewer than {self._micro_batches} micro-batches"
                )
            inputs = np.array_split(x, self._micro_batches)
            targets = np.array_split(y, self._micro_batches)
            return float(self._exchange(_STEP, self._step_payloads(inputs, targets))[-1])

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order, gathered from the stages.

        Raises RuntimeError if the trainer is closed or a stage has failed.
        """
        with self._lock:
            self._check_usable()
            replies = self._exchange(_PARAMETERS, [None] * len(self._stages))
            return [pair for stage_params in replies for pair in stage_params]

    def close(self) -> None:
        """Stop every worker and wait for it; safe to call more than once, and after a failure."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                if not self._broken:
                    for stage in self._stages:
                        stage.request_stop()
            finally:
                timeout = 0.0 if self._broken else _STOP_TIMEOUT_SECONDS
                for stage in self._stages:
                    stage.shutdown(timeout)

    def _check_usable(self) -> None:
        """RuntimeError if the trainer is closed or broken by a failed stage."""
        if self._closed:
            raise RuntimeError("the trainer is closed")
        if self._broken:
            raise RuntimeError("a stage failed earlier; close the trainer")

    def _step_payloads(self, inputs: list[np.ndarray], targets: list[np.ndarray]) -> list[tuple]:
        """Each stage's step payload: inputs for the first stage, targets for the last."""
        last = len(self._stages) - 1
        return [
            (inputs if index == 0 else None, targets if index == last else None, len(inputs))
            for index in range(len(self._stages))
        ]

    def _exchange(self, command: str, payloads: Sequence[object]) -> list[object]:
        """Send ``command`` to every stage and gather the replies; a failure breaks the trainer."""
        try:
            for stage, payload in zip(self._stages, payloads, strict=True):
                stage.send(command, payload)
            return _gather_replies(self._stages)
        except Exception:
            self._broken = True
            raise
