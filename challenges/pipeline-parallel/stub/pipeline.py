"""GPipe-style pipeline-parallel training of the MLP: one worker per stage.

Read the README first: it fixes the stage split, the micro-batch split, the GPipe
schedule, the calls to ``device.compute`` every stage must make, and how errors
and shutdown behave.

Replace every ``raise NotImplementedError``. You may add classes and functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import device  # noqa: F401 - every stage calls device.compute (see the README)

Params = list[tuple[np.ndarray, np.ndarray]]


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
        (a process or a thread) per stage.

        The caller's arrays are never modified. Raises ValueError, starting nothing, if
        ``stages`` is not between 1 and the number of layers, if ``micro_batches`` < 1, or if
        ``lr`` <= 0 (and as ``MLP`` does for parameters that do not chain).
        """
        raise NotImplementedError

    def __enter__(self) -> PipelineTrainer:
        """Return the trainer itself."""
        raise NotImplementedError

    def __exit__(self, *exc_info: object) -> None:
        """Close the trainer."""
        raise NotImplementedError

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One GPipe training step on the batch; returns the batch's loss before the update.

        Splits the batch into ``micro_batches`` parts (``np.array_split``), streams them forward
        through the stages and their gradients backward, accumulates the gradients, and applies
        one SGD update in every stage. Returns once every stage has applied its update. The result
        equals ``MLP.step(x, y, lr)`` on the full batch (within 1e-6).

        Raises ValueError (before any work; the trainer stays usable) if the shapes do not fit or
        ``x`` has fewer rows than ``micro_batches``; RuntimeError if the trainer is closed; and an
        exception whose message or cause carries the stage's error if a stage fails.
        """
        raise NotImplementedError

    def parameters(self) -> Params:
        """Copies of every layer's ``(W, b)``, in layer order, gathered from the stages."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop every worker and wait for it; safe to call more than once, and after a failure."""
        raise NotImplementedError
