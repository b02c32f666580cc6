"""Blink detection on 24x24 grayscale eye crops.

`BlinkDetector` turns each crop into lighting-invariant features (smoothed, with the
best-fitting brightness plane removed and the contrast of the eye region scaled to
one), learns an extra-trees forest on the training crops plus copies of them under
random synthetic lighting, and maps the forest's votes to probabilities with a
logistic (Platt) calibration fitted on users held out of training.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.linear_model import LogisticRegression

SIDE = 24  # crops are SIDE x SIDE pixels
BLUR_KERNEL = (1.0, 4.0, 6.0, 4.0, 1.0)  # binomial smoothing, against sensor noise
EYE_ROWS = (5, 19)  # where the eye sits: contrast and summary statistics come from there
EYE_COLS = (3, 21)
PROFILE_COLS = (7, 17)  # columns averaged into the vertical profile through the eye
PROFILE_ROWS = (6, 18)  # rows averaged into the horizontal profile
Z_LIMIT = 6.0  # normalised pixels are clipped to +-Z_LIMIT (glare, frames)
MIN_SCALE = 1e-3  # contrast floor, so a flat crop does not blow up its noise
AUGMENTED_COPIES = 2  # copies of each training crop under random lighting
CALIBRATION_SHARE = 0.25  # share of the users held out to fit the calibration
SEED_RANGE = 2**32  # seeds are taken modulo this, the range numpy and sklearn accept
TREES = 150  # trees in the forest
LEAF_SIZE = 2  # minimum crops per leaf
FEATURE_SHARE = 0.2  # share of the features each split draws from
SCORE_EPS = 1e-3  # forest votes are clipped to [SCORE_EPS, 1 - SCORE_EPS] before the logit


def _require_array(value: object, name: str) -> np.ndarray:
    """`value` itself; TypeError unless it is a numpy array."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, not {type(value).__name__}")
    return value


def _check_images(images: object) -> np.ndarray:
    """`images` as a float64 array of shape (n, SIDE, SIDE), n >= 1, clipped to [0, 1].

    Raises TypeError if it is not a numpy array of numbers, ValueError for another
    shape, no image, or a NaN or infinite value.
    """
    array = _require_array(images, "images")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"images must hold real numbers, not {array.dtype}")
    if array.shape[1:] != (SIDE, SIDE) or array.size == 0:
        raise ValueError(f"images must have shape (n >= 1, {SIDE}, {SIDE}), not {array.shape}")
    pixels = array.astype(np.float64)
    if not np.isfinite(pixels).all():
        raise ValueError("images must not hold NaN or infinity")
    return np.clip(pixels, 0.0, 1.0)


def _check_labels(labels: object, users: object, n_images: int) -> np.ndarray:
    """`labels` as an int array of 0s and 1s, after checking it and `users`.

    Raises TypeError if either is not a numpy array, ValueError if either is not of
    shape (n_images,), a label is not 0 or 1, or only one class is present.
    """
    for name, value in (("labels", labels), ("users", users)):
        if _require_array(value, name).shape != (n_images,):
            raise ValueError(f"{name} must have shape ({n_images},), not {np.shape(value)}")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("every label must be 0 (open) or 1 (closed)")
    if len(np.unique(labels)) < 2:
        raise ValueError("labels must hold both classes, 0 and 1")
    return labels.astype(np.int64)


def _smooth(images: np.ndarray) -> np.ndarray:
    """`images` (n, SIDE, SIDE) blurred with the separable binomial BLUR_KERNEL."""
    kernel = np.asarray(BLUR_KERNEL) / sum(BLUR_KERNEL)
    radius = len(kernel) // 2
    padded = np.pad(images, ((0, 0), (radius, radius), (radius, radius)), mode="edge")
    rows = sum(w * padded[:, i : i + SIDE, :] for i, w in enumerate(kernel))
    return sum(w * rows[:, :, i : i + SIDE] for i, w in enumerate(kernel))


def _plane_basis() -> np.ndarray:
    """The (3, SIDE * SIDE) orthonormal basis of brightness planes: constant, vertical
    and horizontal ramps (orthogonal as the ramps are centred)."""
    rows, cols = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1.0) - 0.5
    basis = np.stack([np.ones(SIDE * SIDE), rows.ravel(), cols.ravel()])
    return basis / np.linalg.norm(basis, axis=1, keepdims=True)


def _normalize(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed `images` minus their best-fitting brightness plane, divided by the
    contrast (standard deviation) of the eye region and clipped; and that contrast."""
    residual = _smooth(images).reshape(len(images), -1)
    for component in _plane_basis():
        residual = residual - (residual * component).sum(axis=1, keepdims=True) * component
    residual = residual.reshape(images.shape)
    contrast = _eye_region(residual).std(axis=1)
    scaled = residual / np.maximum(contrast, MIN_SCALE)[:, None, None]
    return np.clip(scaled, -Z_LIMIT, Z_LIMIT), contrast


def _eye_region(images: np.ndarray) -> np.ndarray:
    """The pixels of the eye region of each image of `images`, one row per image."""
    eye = images[:, EYE_ROWS[0] : EYE_ROWS[1], EYE_COLS[0] : EYE_COLS[1]]
    return eye.reshape(len(images), -1)


def _features(images: np.ndarray) -> np.ndarray:
    """One row of features per image of `images` (n, SIDE, SIDE) in [0, 1]: the
    normalised crop pooled 2x2, its row and column profiles through the eye, the
    row profile's steps, and summary statistics of the eye region."""
    normalized, contrast = _normalize(images)
    n = len(images)
    pooled = normalized.reshape(n, SIDE // 2, 2, SIDE // 2, 2).mean(axis=(2, 4))
    row_profile = normalized[:, :, PROFILE_COLS[0] : PROFILE_COLS[1]].mean(axis=2)
    col_profile = normalized[:, PROFILE_ROWS[0] : PROFILE_ROWS[1], :].mean(axis=1)
    eye = _eye_region(normalized)
    summary = np.stack(
        [eye.min(axis=1), eye.max(axis=1), np.percentile(eye, 10, axis=1), np.log(contrast + 1e-4)],
        axis=1,
    )
    parts = [pooled.reshape(n, -1), row_profile, col_profile, np.diff(row_profile, axis=1), summary]
    return np.concatenate(parts, axis=1)


def _glare(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Random round highlights (specular glare) for half of `shape[0]` crops."""
    n = shape[0]
    rows, cols = np.mgrid[0:SIDE, 0:SIDE]
    centre_row, centre_col = rng.uniform(0, SIDE, (2, n, 1, 1))
    radius = rng.uniform(1.0, 4.0, (n, 1, 1))
    strength = rng.uniform(0.0, 0.8, (n, 1, 1)) * (rng.random((n, 1, 1)) < 0.5)
    distance = (rows - centre_row) ** 2 + (cols - centre_col) ** 2
    return strength * np.exp(-distance / (2.0 * radius**2))


def _relight(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`images` under random lighting: gain, offset, a brightness gradient in any
    direction, clipping, gamma, glare and sensor noise."""
    n = len(images)
    rows, cols = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1.0) - 0.5
    angle = rng.uniform(0.0, 2.0 * np.pi, (n, 1, 1))
    gradient = rng.uniform(0.0, 0.8, (n, 1, 1)) * (np.cos(angle) * cols + np.sin(angle) * rows)
    gain = rng.uniform(0.2, 1.6, (n, 1, 1)) * (1.0 + gradient)
    lit = np.clip(images * gain + rng.uniform(-0.2, 0.7, (n, 1, 1)), 0.0, 1.0)
    lit = lit ** rng.uniform(0.4, 2.0, (n, 1, 1)) + _glare(images.shape, rng)
    noise = rng.normal(0.0, 1.0, images.shape) * rng.uniform(0.0, 0.06, (n, 1, 1))
    return np.clip(lit + noise, 0.0, 1.0)


def _forest_votes(forest: ExtraTreesClassifier, features: np.ndarray) -> np.ndarray:
    """P(closed) by `forest` for each row of `features`: its trees' mean probability,
    as `forest.predict_proba` gives it, without that call's per-tree scheduling cost
    (about 10 ms for a single image)."""
    rows = np.ascontiguousarray(features, dtype=np.float32)
    trees = forest.estimators_
    return sum(tree.predict_proba(rows, check_input=False)[:, 1] for tree in trees) / len(trees)


def _logit(votes: np.ndarray) -> np.ndarray:
    """The log-odds of `votes` (probabilities), clipped away from 0 and 1."""
    clipped = np.clip(votes, SCORE_EPS, 1.0 - SCORE_EPS)
    return np.log(clipped / (1.0 - clipped))


class BlinkDetector:
    """P(eye closed) for 24x24 grayscale crops in [0, 1]."""

    def __init__(self, seed: int = 0) -> None:
        """A detector whose training is reproducible from `seed` (an int).

        Raises TypeError if `seed` is not an int (a bool is not one). Any int is
        accepted: it is taken modulo SEED_RANGE.
        """
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {type(seed).__name__}")
        self._seed = seed % SEED_RANGE
        self._model: ExtraTreesClassifier | None = None
        self._calibration: LogisticRegression | None = None

    def fit(self, images: np.ndarray, labels: np.ndarray, users: np.ndarray) -> BlinkDetector:
        """Learn from `images` (n, 24, 24), `labels` (n,) of 0 (open) or 1 (closed) and
        `users` (n,), the user each crop shows; return the detector itself.

        The calibration is fitted on a model trained without a share of the users and
        scored on their crops; the final model is then trained on every user.
        Raises TypeError if an argument is not a numpy array, ValueError if the shapes
        do not match, a label is not 0 or 1, only one class is present, or an image
        holds NaN or infinity.
        """
        pixels = _check_images(images)
        targets = _check_labels(labels, users, len(pixels))
        self._calibration = self._fit_calibration(pixels, targets, self._held_out_users(users))
        self._model = self._train(pixels, targets)
        return self

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """P(closed) for each image in `images` (n, 24, 24), a float array of shape (n,).

        Each image is scored on its own. Raises RuntimeError before `fit`, TypeError if
        `images` is not a numpy array, ValueError for another shape, no image, or a NaN
        or infinite value.
        """
        if self._model is None:
            raise RuntimeError("fit the detector before predict_proba")
        votes = _forest_votes(self._model, _features(_check_images(images)))
        if self._calibration is None:
            return votes
        return self._calibration.predict_proba(_logit(votes)[:, None])[:, 1]

    def _held_out_users(self, users: np.ndarray) -> np.ndarray:
        """Mask of the crops whose users are held out to fit the calibration."""
        distinct = np.unique(users)
        rng = np.random.default_rng(self._seed)
        n_held = int(round(CALIBRATION_SHARE * len(distinct)))
        return np.isin(users, rng.permutation(distinct)[:n_held])

    def _train(self, pixels: np.ndarray, targets: np.ndarray) -> ExtraTreesClassifier:
        """A forest fitted on the features of `pixels` and of relit copies of them."""
        rng = np.random.default_rng(self._seed)
        relit = [_features(_relight(pixels, rng)) for _ in range(AUGMENTED_COPIES)]
        features = np.concatenate([_features(pixels), *relit])
        model = ExtraTreesClassifier(
            n_estimators=TREES,
            min_samples_leaf=LEAF_SIZE,
            max_features=FEATURE_SHARE,
            random_state=self._seed,
        )
        return model.fit(features, np.tile(targets, 1 + AUGMENTED_COPIES))

    def _fit_calibration(
        self, pixels: np.ndarray, targets: np.ndarray, held_out: np.ndarray
    ) -> LogisticRegression | None:
        """A logistic map from scores to P(closed), fitted on the `held_out` crops with
        a model trained on the others; None if either part lacks a class."""
        if min(len(np.unique(targets[held_out])), len(np.unique(targets[~held_out]))) < 2:
            return None
        model = self._train(pixels[~held_out], targets[~held_out])
        scores = _logit(_forest_votes(model, _features(pixels[held_out])))
        return LogisticRegression(C=1.0).fit(scores[:, None], targets[held_out])
