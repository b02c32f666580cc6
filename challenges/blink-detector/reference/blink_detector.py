"""Blink detection on 24x24 eye crops: features that survive lighting, then a logistic model.

The baseline counts dark pixels, so its answer moves with the light. This detector
first takes the light out of each image (a smooth shading fitted and divided out, then
zero mean and unit spread), then describes the middle of the crop by its normalised
pixels, its vertical edges (an open eye has lid, iris and lower-lid edges; a closed
one a single line) and its darkest spots. A logistic regression, which gives honest
probabilities when its features separate the classes smoothly, turns them into
P(closed).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

SIZE = 24
_MIDDLE = (slice(3, 21), slice(2, 22))
_CENTRE = (slice(6, 18), slice(4, 20))


class BlinkDetector:
    """P(eye closed) for 24x24 grayscale crops in [0, 1]."""

    def __init__(self, seed: int = 0) -> None:
        """A detector whose training is reproducible from ``seed``."""
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        self._seed = seed
        self._scaler: StandardScaler | None = None
        self._model: LogisticRegression | None = None

    def fit(self, images: np.ndarray, labels: np.ndarray, users: np.ndarray) -> BlinkDetector:
        """Learn from ``images`` (n, 24, 24), ``labels`` (n,) of 0/1 and ``users`` (n,)."""
        pixels = _images(images)
        y = _vector(labels, len(pixels), "labels")
        _vector(users, len(pixels), "users")
        if not np.isin(y, (0, 1)).all():
            raise ValueError("labels must be 0 (open) or 1 (closed)")
        if len(np.unique(y)) < 2:
            raise ValueError("labels need both classes, open and closed")
        features = _features(pixels)
        self._scaler = StandardScaler().fit(features)
        self._model = LogisticRegression(C=0.05, max_iter=2000, random_state=self._seed)
        self._model.fit(self._scaler.transform(features), y.astype(int))
        return self

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """P(closed) for each image, as a float array of shape (n,)."""
        if self._model is None or self._scaler is None:
            raise RuntimeError("call fit before predict_proba")
        features = self._scaler.transform(_features(_images(images)))
        return self._model.predict_proba(features)[:, 1].astype(np.float64)


def _images(images: object) -> np.ndarray:
    """``images`` as a float (n, 24, 24) array, or a clear error."""
    if not isinstance(images, np.ndarray):
        raise TypeError(f"images must be a numpy array, got {type(images).__name__}")
    if images.ndim != 3 or images.shape[1:] != (SIZE, SIZE) or len(images) == 0:
        raise ValueError(
            f"images must have shape (n, {SIZE}, {SIZE}) with n >= 1, got {images.shape}"
        )
    pixels = images.astype(np.float64)
    if not np.isfinite(pixels).all():
        raise ValueError("images must not contain NaN or infinity")
    return pixels


def _vector(values: object, n: int, name: str) -> np.ndarray:
    """``values`` as a 1-d array of ``n`` integers, or a clear error."""
    if not isinstance(values, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(values).__name__}")
    if values.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one per image, got {values.shape}")
    if not np.issubdtype(values.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got {values.dtype}")
    return values


def _features(pixels: np.ndarray) -> np.ndarray:
    """One row of lighting-free features per image."""
    flat = _unshade(pixels)
    middle = flat[:, _MIDDLE[0], _MIDDLE[1]]
    edges = np.abs(np.diff(middle, axis=1))
    n = len(pixels)
    centre = flat[:, _CENTRE[0], _CENTRE[1]]  # clear of glasses' rims
    darkest = np.sort(centre.reshape(n, -1), axis=1)[:, :12]
    rows = edges.mean(axis=2)  # where the horizontal lines are, row by row
    return np.hstack([_pool(middle).reshape(n, -1), _pool(edges).reshape(n, -1), darkest, rows])


def _unshade(pixels: np.ndarray) -> np.ndarray:
    """Each image divided by its fitted linear shading, then at zero mean and unit spread,
    both measured on the image with its brightest tenth clipped: a lens glint must not
    set the scale for the eye."""
    axis = np.linspace(-1.0, 1.0, SIZE)
    gy, gx = np.meshgrid(axis, axis, indexing="ij")
    design = np.stack([np.ones(SIZE * SIZE), gx.ravel(), gy.ravel()], axis=1)
    coef, *_ = np.linalg.lstsq(design, pixels.reshape(len(pixels), -1).T, rcond=None)
    shading = (design @ coef).T.reshape(pixels.shape)
    flat = pixels / np.maximum(shading, 0.05)
    top = np.quantile(flat, 0.9, axis=(1, 2), keepdims=True)
    clipped = np.minimum(flat, top)
    mean = clipped.mean(axis=(1, 2), keepdims=True)
    spread = clipped.std(axis=(1, 2), keepdims=True)
    return (clipped - mean) / np.maximum(spread, 1e-3)


def _pool(values: np.ndarray) -> np.ndarray:
    """Means over 2x2 blocks (the last odd row or column dropped)."""
    n, h, w = values.shape
    h, w = h - h % 2, w - w % 2
    blocks = values[:, :h, :w].reshape(n, h // 2, 2, w // 2, 2)
    return blocks.mean(axis=(2, 4))
