"""An evaluation harness for a binary classifier (a blink detector, say).

Labels are 0 and 1 throughout. The harness splits data by user without leakage,
scores predictions (confusion matrix, precision, recall, F1), flags sub-populations
that are significantly worse than the whole (one-sided exact binomial test), lists
the most confident mistakes and provides a majority-label baseline to beat.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

_THRESHOLD = 0.5


def _encode(groups: Sequence[Hashable]) -> tuple[list[Hashable], np.ndarray]:
    """Map each group id to a dense integer code, in order of first appearance.

    Works for any hashable ids (including mixed, unorderable types) in O(n).
    """
    codes_of: dict[Hashable, int] = {}
    codes = np.fromiter(
        (codes_of.setdefault(g, len(codes_of)) for g in groups), dtype=np.int64
    )
    return list(codes_of), codes


def _as_labels(y: Sequence[int], name: str) -> np.ndarray:
    """Validate a 1-D vector of 0/1 labels and return it as an int array."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must contain only the labels 0 and 1")
    return arr.astype(np.int64)


def _check_same_length(*arrays: np.ndarray) -> None:
    """Raise ValueError unless all arrays have the same length."""
    if len({len(a) for a in arrays}) > 1:
        raise ValueError("inputs must have the same length")


def _paired_labels(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Validate truth and predictions together; return them as int arrays."""
    truth, pred = _as_labels(y_true, "y_true"), _as_labels(y_pred, "y_pred")
    _check_same_length(truth, pred)
    return truth, pred


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator as a float, or 0.0 when the denominator is zero."""
    return float(numerator / denominator) if denominator else 0.0


def group_split(groups: Sequence[Hashable], test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices with every group (user) wholly on one side.

    `round(test_size * number of groups)` groups (at least 1, at most all but one) go
    to test, chosen at random from `seed`. ValueError for a test_size outside (0, 1)
    or fewer than two groups. Runs in O(n) for n rows.
    """
    if not 0 < test_size < 1:
        raise ValueError("test_size must be strictly between 0 and 1")
    names, codes = _encode(groups)
    n_groups = len(names)
    if n_groups < 2:
        raise ValueError("group_split needs at least two groups")
    n_test = min(max(round(test_size * n_groups), 1), n_groups - 1)
    is_test = np.zeros(n_groups, dtype=bool)
    is_test[np.random.default_rng(seed).permutation(n_groups)[:n_test]] = True
    row_is_test = is_test[codes]
    return np.flatnonzero(~row_is_test), np.flatnonzero(row_is_test)


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int]) -> np.ndarray:
    """[[TN, FP], [FN, TP]] (rows: truth, columns: prediction); ValueError on bad input.

    Inputs of different lengths, or labels other than 0 and 1, raise ValueError.
    """
    truth, pred = _paired_labels(y_true, y_pred)
    return np.bincount(2 * truth + pred, minlength=4).reshape(2, 2)


def precision_recall_f1(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of class 1; a ratio with a zero denominator is 0.0."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return precision, recall, _ratio(2 * tp, 2 * tp + fp + fn)


@dataclass(frozen=True)
class GroupReport:
    """One sub-population: its size, accuracy, and whether it is significantly worse."""

    group: Hashable
    n: int
    accuracy: float
    p_value: float
    flagged: bool


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), computed exactly in log space."""
    if k >= n or p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    i = np.arange(1, k + 1, dtype=np.float64)
    log_choose = np.concatenate(([0.0], np.cumsum(np.log(n - i + 1) - np.log(i))))
    successes = np.arange(k + 1, dtype=np.float64)
    log_pmf = log_choose + successes * np.log(p) + (n - successes) * np.log1p(-p)
    peak = log_pmf.max()
    return float(min(1.0, np.exp(peak) * np.exp(log_pmf - peak).sum()))


def subgroup_report(
    y_true: Sequence[int], y_pred: Sequence[int], groups: Sequence[Hashable], alpha: float = 0.01
) -> list[GroupReport]:
    """Accuracy per group, worst first; flag groups significantly below the overall accuracy.

    A group of n rows with k right is flagged when P(X <= k) < alpha for
    X ~ Binomial(n, overall accuracy) (a one-sided exact binomial test).
    """
    truth, pred = _paired_labels(y_true, y_pred)
    names, codes = _encode(groups)
    _check_same_length(truth, codes)
    if not truth.size:
        raise ValueError("subgroup_report needs at least one row")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be strictly between 0 and 1")
    correct = truth == pred
    sizes = np.bincount(codes, minlength=len(names))
    rights = np.bincount(codes, weights=correct, minlength=len(names)).astype(np.int64)
    overall = float(correct.mean())
    reports = [
        _group_report(name, int(n), int(k), overall, alpha)
        for name, n, k in zip(names, sizes, rights)
    ]
    return sorted(reports, key=lambda r: (r.accuracy, r.p_value))


def _group_report(name: Hashable, n: int, right: int, overall: float, alpha: float) -> GroupReport:
    """Build the report of one group with `right` of its `n` predictions correct."""
    p_value = _binomial_cdf(right, n, overall)
    return GroupReport(name, n, right / n, p_value, p_value < alpha)


def worst_mistakes(y_true: Sequence[int], proba: Sequence[float], k: int) -> list[int]:
    """Indices of the k wrong predictions made with the most confidence, worst first.

    The prediction is 1 when proba >= 0.5; its confidence is the probability given to
    the predicted class. Ties go to the lower index. Fewer than k mistakes: all of them.
    """
    truth = _as_labels(y_true, "y_true")
    prob = np.asarray(proba, dtype=np.float64)
    _check_same_length(truth, prob)
    if k < 0:
        raise ValueError("k must be non-negative")
    if prob.size and not ((prob >= 0.0) & (prob <= 1.0)).all():
        raise ValueError("proba must lie in [0, 1]")
    pred = prob >= _THRESHOLD
    confidence = np.where(pred, prob, 1.0 - prob)
    wrong = np.flatnonzero(pred != truth.astype(bool))
    order = wrong[np.lexsort((wrong, -confidence[wrong]))]
    return [int(i) for i in order[:k]]


class MajorityBaseline:
    """A heuristic to beat: always predict the most frequent training label (1 on a tie)."""

    def __init__(self) -> None:
        """Create an unfitted baseline."""
        self._label: int | None = None

    def fit(self, y: Sequence[int]) -> MajorityBaseline:
        """Learn the majority label of `y`; return self."""
        labels = _as_labels(y, "y")
        if not labels.size:
            raise ValueError("cannot fit on an empty label vector")
        ones = int(labels.sum())
        self._label = 1 if 2 * ones >= labels.size else 0
        return self

    def predict(self, n: int) -> np.ndarray:
        """`n` predictions of the majority label."""
        if self._label is None:
            raise RuntimeError("MajorityBaseline must be fitted before predict")
        if n < 0:
            raise ValueError("n must be non-negative")
        return np.full(n, self._label, dtype=np.int64)
