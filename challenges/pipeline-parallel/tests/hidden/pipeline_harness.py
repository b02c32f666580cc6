"""Shared helpers of the hidden tests (not a test module).

- ``sgd_trajectory``: the single-process model written out independently of any
  submission, so the pipeline is compared with a known-good answer and never with
  the candidate's own MLP;
- ``bounded``: run a call in a helper thread and fail, with its stack, if it has
  not returned in time (a deadlock costs one test, quickly, with a reason);
- ``use_device``, ``busy_stages``: the simulated device, served and recorded in the
  test's process, and what it recorded.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

SIZES = [6, 16, 16, 16, 3]  # four layers: up to four stages
LR = 0.1
TIMEOUT_S = 20.0

Params = list[tuple[np.ndarray, np.ndarray]]


def start_params(submission: Any, sizes: Sequence[int] = SIZES, seed: int = 7) -> Params:
    """Initial parameters from the challenge's own support module."""
    return submission.module("mlp_data").init_params(list(sizes), seed)


def batch(submission: Any, rows: int, sizes: Sequence[int] = SIZES, seed: int = 3) -> Any:
    """A seeded regression batch from the challenge's own support module."""
    return submission.module("mlp_data").make_regression(rows, sizes[0], sizes[-1], seed)


def copy_params(params: Params) -> Params:
    """Independent float64 copies of ``params``."""
    return [(np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)) for w, b in params]


def loss_and_gradients(params: Params, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
    """Full-batch MSE (mean over every element) of the tanh MLP, and its gradients."""
    activations = [x]
    last = len(params) - 1
    for index, (w, b) in enumerate(params):
        z = activations[-1] @ w + b
        activations.append(np.tanh(z) if index < last else z)
    diff = activations[-1] - y
    grad = 2.0 * diff / diff.size
    grads: Params = []
    for index in range(last, -1, -1):
        if index < last:
            grad = grad * (1.0 - activations[index + 1] ** 2)
        grads.append((activations[index].T @ grad, grad.sum(axis=0)))
        grad = grad @ params[index][0].T
    return float(np.mean(diff**2)), grads[::-1]


def sgd_trajectory(
    params: Params, batches: Sequence[tuple[np.ndarray, np.ndarray]], lr: float = LR
) -> list[tuple[float, Params]]:
    """(loss before the step, parameters after it) for each full-batch SGD step."""
    current = copy_params(params)
    out = []
    for x, y in batches:
        loss, grads = loss_and_gradients(current, x, y)
        current = [
            (w - lr * dw, b - lr * db) for (w, b), (dw, db) in zip(current, grads, strict=True)
        ]
        out.append((loss, copy_params(current)))
    return out


def assert_params_close(got: Any, expected: Params, tol: float, context: str) -> None:
    """Fail, naming the layer and the size of the gap, unless ``got`` matches ``expected``."""
    got = list(got)
    assert len(got) == len(expected), (
        f"{context}: expected parameters for {len(expected)} layers, got {len(got)}"
    )
    for index, (pair, (w, b)) in enumerate(zip(got, expected, strict=True)):
        pair = tuple(pair)
        assert len(pair) == 2, f"{context}: layer {index} should be a (W, b) pair, got {pair!r:.80}"
        for name, value, want in (("W", pair[0], w), ("b", pair[1], b)):
            value = np.asarray(value)
            assert value.shape == want.shape, (
                f"{context}: layer {index} {name} has shape {value.shape}, expected {want.shape}"
            )
            gap = float(np.max(np.abs(value - want))) if want.size else 0.0
            assert gap <= tol, (
                f"{context}: layer {index} {name} differs from the single-process model's "
                f"by up to {gap:.3g} (tolerance {tol:g})"
            )


def bounded(fn: Callable[[], Any], what: str, timeout: float = TIMEOUT_S) -> Any:
    """``fn()``, run in a helper thread; fail with its stack if it runs longer than ``timeout``."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, name="bounded-call", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident or -1)
        stack = "".join(traceback.format_stack(frame)[-8:]) if frame is not None else "?"
        pytest.fail(
            f"{what} did not return within {timeout:g} s: a deadlock or a lost message? "
            f"The call was waiting here:\n{stack}",
            pytrace=False,
        )
    if "error" in result:
        raise result["error"]
    return result.get("value")


def use_device(submission: Any) -> Any:
    """The grader's simulated device for this test: every stage's ``device.compute`` call,
    from any process or thread of the submission, is served (and timed, and recorded) by a
    ``DeviceService`` in the test's process. Returns the service: ``recorded(since)`` lists
    the spans, ``fault = (stage, kind)`` makes matching calls fail."""
    device = submission.module("device")
    service = device.DeviceService()
    submission.service(service.handle, env=device.SERVICE_ENV)
    return service


def here() -> tuple[int, int]:
    """(process id, thread id) of the code that runs this: shipped with ``submission.run``,
    the candidate process's thread that serves the test's calls (step() runs there)."""
    import os
    import threading

    return os.getpid(), threading.get_ident()


def busy_stages(spans: Sequence[Any]) -> int:
    """The largest number of distinct stages whose device was busy at one instant."""
    events = sorted(
        [(s.start, 1, s.stage) for s in spans] + [(s.end, -1, s.stage) for s in spans],
        key=lambda e: (e[0], e[1]),  # an end before a start at the same instant
    )
    running: dict[int, int] = {}
    best = 0
    for _, change, stage in events:
        running[stage] = running.get(stage, 0) + change
        best = max(best, sum(1 for count in running.values() if count > 0))
    return best


def micro_batch_rows(rows: int, micro_batches: int) -> list[int]:
    """Rows of each micro-batch when ``rows`` are split as the README says (np.array_split)."""
    return [len(part) for part in np.array_split(np.arange(rows), micro_batches)]
