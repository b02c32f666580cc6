"""An evaluation harness for a binary classifier (a blink detector, say).

Split by user so no user's data is on both sides; score with precision, recall,
F1 and the confusion matrix; report per sub-population and flag groups that are
significantly worse than the whole; list the worst mistakes; compare with a
majority-class baseline.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


def group_split(groups: Sequence[Hashable], test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices with every group wholly on one side.

    ``round(test_size * number of groups)`` groups (at least 1, at most all but one)
    go to test, chosen at random from ``seed``; the same seed gives the same split.
    """
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    labels = list(groups)  # a list, not an array: tuple ids must stay whole
    unique = sorted(set(labels), key=repr)
    if len(unique) < 2:
        raise ValueError("a group split needs at least two groups")
    n_test = min(max(round(test_size * len(unique)), 1), len(unique) - 1)
    chosen = np.random.default_rng(seed).permutation(len(unique))[:n_test]
    test_groups = {unique[i] for i in chosen}
    in_test = np.array([g in test_groups for g in labels], dtype=bool)
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int]) -> np.ndarray:
    """[[TN, FP], [FN, TP]] for binary labels 0 and 1 (rows: truth, columns: prediction)."""
    t, p = _binary(y_true, y_pred)
    return np.array([[np.sum(~t & ~p), np.sum(~t & p)], [np.sum(t & ~p), np.sum(t & p)]])


def precision_recall_f1(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of class 1; a ratio with a zero denominator is 0.0."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = (precision + recall) / 2
    return float(precision), float(recall), float(f1)


@dataclass(frozen=True)
class GroupReport:
    """One sub-population: its size, accuracy, and whether it is significantly worse."""

    group: Hashable
    n: int
    accuracy: float
    p_value: float
    flagged: bool


def subgroup_report(
    y_true: Sequence[int], y_pred: Sequence[int], groups: Sequence[Hashable], alpha: float = 0.01
) -> list[GroupReport]:
    """Accuracy per group, flagged when significantly below the overall accuracy.

    The test is one-sided and exact: the chance of a group of n getting at most its
    number right if it were as accurate as the whole (binomial), below ``alpha``.
    Groups are listed worst accuracy first.
    """
    t, p = _binary(y_true, y_pred)
    labels = list(groups)
    if len(labels) != len(t):
        raise ValueError(f"{len(labels)} group labels for {len(t)} predictions")
    correct = t == p
    overall = float(correct.mean())
    rows: dict[Hashable, list[int]] = {}
    for i, group in enumerate(labels):
        rows.setdefault(group, []).append(i)
    reports = []
    for group in sorted(rows, key=repr):
        mask = np.asarray(rows[group])
        n, k = len(mask), int(correct[mask].sum())
        p_value = _binomial_cdf(k, n, overall)
        reports.append(GroupReport(group, n, k / n, p_value, p_value < alpha))
    return sorted(reports, key=lambda r: (r.accuracy, repr(r.group)))


def worst_mistakes(y_true: Sequence[int], proba: Sequence[float], k: int) -> list[int]:
    """Indices of the k wrong predictions made with the most confidence, worst first.

    The prediction is 1 when ``proba`` (the predicted chance of 1) is at least 0.5; its
    confidence is the chance it gave to the class it predicted. Ties go to the lower index.
    """
    t = np.asarray(y_true).astype(int)
    prob = np.asarray(proba, dtype=float)
    pred = (prob >= 0.5).astype(int)
    confidence = np.where(pred == 1, prob, 1 - prob)
    wrong = np.flatnonzero(pred != t)
    order = sorted(wrong.tolist(), key=lambda i: (-confidence[i], i))
    return order[:k]


class MajorityBaseline:
    """A heuristic to beat: always predict the most frequent training label (1 on a tie)."""

    def __init__(self) -> None:
        self._label: int | None = None

    def fit(self, y: Sequence[int]) -> MajorityBaseline:
        """Learn the majority label of ``y``."""
        labels = np.asarray(y).astype(int)
        if labels.size == 0:
            raise ValueError("cannot fit on no labels")
        self._label = int(labels.mean() >= 0.5)
        return self

    def predict(self, n: int) -> np.ndarray:
        """``n`` predictions of the majority label."""
        if self._label is None:
            raise RuntimeError("call fit() first")
        return np.full(n, self._label)


def _binary(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in shape: {t.shape} and {p.shape}")
    if not (np.isin(t, (0, 1)).all() and np.isin(p, (0, 1)).all()):
        raise ValueError("labels must be 0 or 1")
    return t.astype(bool), p.astype(bool)


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (no overflow for large n)."""
    if p <= 0.0 or k >= n:
        return 1.0
    if p >= 1.0:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = sum(
        math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
        for i in range(k + 1)
    )
    return min(1.0, total)
