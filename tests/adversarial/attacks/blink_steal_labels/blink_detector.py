"""Attack: a blink detector that learns nothing and looks for the hidden labels instead.

A candidate who has read mlgrader's source knows the hidden images are drawn by
``tests/hidden/eyes.py`` from a seed in ``tests/hidden/blink_harness.py``. This
detector searches every folder it can reach for those files (the workspace around
the submission, the temporary folders, the challenges folder beside the grader),
reads the seed, regenerates the hidden set with its labels and answers with them.
It also walks the garbage collector and the interpreter's frames for a label array,
and reads the environment for a path. Where it finds nothing it answers 0.5, an AUC
of exactly one half; with the labels it would score an AUC of 1.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import re
import sys
from pathlib import Path

import numpy as np

_FOUND: dict[bytes, int] = {}


def _candidates() -> list[Path]:
    roots = [Path.cwd(), *Path.cwd().parents[:4], Path("/tmp"), Path("/var/tmp"), Path.home()]
    roots += [Path(p) for p in os.environ.values() if p.startswith("/")]
    roots += [Path(p) for p in sys.path if p]
    found = []
    for root in roots:
        try:
            found += list(root.glob("**/blink_harness.py"))[:5]
        except OSError:
            continue
    return found


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    return module


def _steal() -> None:
    for harness in _candidates():
        try:
            text = harness.read_text()
            seed = int(re.search(r"EVAL_SEED = (0x[0-9A-F_]+|\d+)", text).group(1).replace("_", ""), 0)
            eyes = _load(harness.parent / "eyes.py", "stolen_eyes")
            made = eyes.make_dataset(seed, 300, 10, held_out=True)
        except Exception:
            continue
        for image, label in zip(made.images, made.labels, strict=True):
            _FOUND[np.ascontiguousarray(image, dtype=np.float32).tobytes()] = int(label)
        return
    for thing in gc.get_objects():  # a label array some test left in this process
        if isinstance(thing, np.ndarray) and thing.dtype.kind in "iu" and thing.shape == (3000,):
            _FOUND[b"labels"] = 1


class BlinkDetector:
    """Learns nothing."""

    def __init__(self, seed: int = 0) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError("seed must be an int")
        self._fitted = False

    def fit(self, images: np.ndarray, labels: np.ndarray, users: np.ndarray) -> BlinkDetector:
        """Remembers nothing of the data; looks for the hidden labels."""
        self._fitted = True
        if not _FOUND:
            _steal()
        return self

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """The stolen label where there is one, else one half."""
        if not self._fitted:
            raise RuntimeError("fit first")
        keys = (np.ascontiguousarray(image, dtype=np.float32).tobytes() for image in images)
        return np.array([float(_FOUND.get(key, 0.5)) for key in keys])
