"""Blink detection on 24x24 grayscale eye crops.

`BlinkDetector` standardises each crop (per-image mean and standard deviation) and
fits a logistic regression on the pixels.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

SHAPE = (24, 24)


def _check_images(images: object) -> np.ndarray:
    """Validate a batch of crops and return it as a float64 array."""
    if not isinstance(images, np.ndarray):
        raise TypeError("images must be a numpy array")
    if images.ndim != 3 or images.shape[1:] != SHAPE or images.shape[0] == 0:
        raise ValueError(f"images must have shape (n, 24, 24), got {images.shape}")
    out = images.astype(np.float64)
    if not np.isfinite(out).all():
        raise ValueError("images hold NaN or infinity")
    return out


def _features(images: np.ndarray) -> np.ndarray:
    """Flatten each crop and standardise it on its own mean and spread."""
    flat = images.reshape(len(images), -1)
    centred = flat - flat.mean(axis=1, keepdims=True)
    return centred / (flat.std(axis=1, keepdims=True) + 1e-3)


class BlinkDetector:
    """P(eye closed) for 24x24 grayscale crops in [0, 1]."""

    def __init__(self, seed: int = 0) -> None:
        """A detector whose training is reproducible from `seed` (an int)."""
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError("seed must be an int")
        self._seed = seed
        self._model: LogisticRegression | None = None

    def fit(self, images: np.ndarray, labels: np.ndarray, users: np.ndarray) -> BlinkDetector:
        """Learn from `images` (n, 24, 24), `labels` (n,) of 0 (open) or 1 (closed) and
        `users` (n,), the user each crop shows; return the detector itself."""
        for arg in (labels, users):
            if not isinstance(arg, np.ndarray):
                raise TypeError("labels and users must be numpy arrays")
        pixels = _check_images(images)
        if labels.shape != (len(pixels),) or users.shape != (len(pixels),):
            raise ValueError("labels and users must have shape (n,)")
        if not np.isin(labels, (0, 1)).all() or len(np.unique(labels)) < 2:
            raise ValueError("labels must be 0 or 1, with both classes present")
        model = LogisticRegression(C=0.003, max_iter=2000, random_state=self._seed)
        self._model = model.fit(_features(pixels), labels.astype(int))
        return self

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """P(closed) for each image in `images` (n, 24, 24), a float array of shape (n,)."""
        if self._model is None:
            raise RuntimeError("call fit before predict_proba")
        pixels = _check_images(images)
        return self._model.predict_proba(_features(pixels))[:, 1].astype(np.float64)
