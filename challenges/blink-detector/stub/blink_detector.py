"""Blink detection on 24x24 grayscale eye crops.

Write `BlinkDetector`: `fit` learns from labelled crops, `predict_proba` gives, for
each crop, the probability that the eye is closed. README.md says what is graded.
"""

from __future__ import annotations

import numpy as np


class BlinkDetector:
    """P(eye closed) for 24x24 grayscale crops in [0, 1]."""

    def __init__(self, seed: int = 0) -> None:
        """A detector whose training is reproducible from `seed` (an int)."""
        raise NotImplementedError

    def fit(self, images: np.ndarray, labels: np.ndarray, users: np.ndarray) -> BlinkDetector:
        """Learn from `images` (n, 24, 24), `labels` (n,) of 0 (open) or 1 (closed) and
        `users` (n,), the user each crop shows; return the detector itself."""
        raise NotImplementedError

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """P(closed) for each image in `images` (n, 24, 24), a float array of shape (n,)."""
        raise NotImplementedError
