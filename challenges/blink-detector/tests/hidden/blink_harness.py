"""What the hidden tests share: the hidden images, the measures, a trained detector.

The hidden images are made here, in the test's process, from seeds that appear nowhere
else; only the images cross to the candidate's process, never the seeds, labels, users
or groups. (The generator is hidden too, so the seeds would not help a candidate who
found them.) The measures are computed here as well, on the probabilities the
candidate's code returns.
"""

from __future__ import annotations

import functools

import eyes
import numpy as np

#: The hidden images: users never in the training set, the held-out group included.
EVAL_SEED = 0x7B1A_C3E5_19D2
EVAL_USERS = 300
EVAL_PER_USER = 10
#: Model quality is the area under the ROC curve over all hidden images: the baseline's
#: earns half the points, this much earns all of them, linear in between (and down to
#: none as far below the baseline's as the target is above it).
TARGET_AUC = 0.94
#: Every sub-population, the one never in the training set included, needs this much.
GROUP_FLOOR_AUC = 0.75
#: Expected calibration error over ten equal-width bins of probability.
MAX_CALIBRATION_ERROR = 0.08
#: CPU of the candidate's process, read from outside it.
MAX_MS_PER_IMAGE = 2.0  # predict_proba over 1,000 images, per image
MAX_SINGLE_IMAGE_MS = 50.0  # predict_proba on one image
MAX_FIT_SECONDS = 60.0  # fit on the training set
MAX_FIT_MEMORY_MB = 512  # what the fitted detector's process keeps beyond its start


@functools.cache
def hidden_set() -> eyes.EyeSet:
    """The hidden images in a fixed shuffled order (no user's crops side by side)."""
    made = eyes.make_dataset(EVAL_SEED, EVAL_USERS, EVAL_PER_USER, held_out=True)
    order = np.random.default_rng(EVAL_SEED).permutation(len(made))
    return eyes.EyeSet(
        made.images[order], made.labels[order], made.users[order], made.groups[order]
    )


@functools.cache
def training_set() -> eyes.EyeSet:
    return eyes.training_set()


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the chance a closed eye scores above an open one
    (ties count half), by ranks."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.bincount(inverse, ranks) / counts)[inverse]  # ties share their mean rank
    closed = labels == 1
    n_closed, n_open = int(closed.sum()), int((~closed).sum())
    return float((ranks[closed].sum() - n_closed * (n_closed + 1) / 2) / (n_closed * n_open))


def calibration_error(labels: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: over ten bins of predicted probability, the gap
    between the mean prediction and the share closed, weighted by the bin's size."""
    which = np.minimum((proba * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(proba[members].mean() - labels[members].mean())
    return total


def quality_credit(model_auc: float, baseline_auc: float) -> float:
    """Half at the baseline's AUC, all at TARGET_AUC, linear, clipped to [0, 1]."""
    return float(
        np.clip(0.5 + 0.5 * (model_auc - baseline_auc) / (TARGET_AUC - baseline_auc), 0, 1)
    )


def baseline_proba(submission, images: np.ndarray) -> np.ndarray:
    """The kit's baseline on ``images`` (the grader's copy of support/baseline.py)."""
    return submission.module("baseline").closed_probability(images)


def probabilities(detector, images: np.ndarray) -> np.ndarray:
    """The candidate's P(closed) for ``images``, checked to be one finite probability
    per image (a clear failure otherwise)."""
    proba = np.asarray(detector.predict_proba(images), dtype=np.float64)
    assert proba.shape == (len(images),), (
        f"predict_proba must return one probability per image, shape ({len(images)},); "
        f"got {proba.shape}"
    )
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all(), (
        "predict_proba must return finite probabilities in [0, 1]"
    )
    return proba


def fitted(module, seed: int = 0):
    """A BlinkDetector(seed) trained on the training set."""
    data = training_set()
    detector = module.BlinkDetector(seed=seed)
    returned = detector.fit(data.images, data.labels, data.users)
    return detector, returned
