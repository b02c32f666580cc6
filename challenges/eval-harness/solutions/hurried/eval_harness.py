"""An evaluation harness for a binary classifier (a blink detector, say).

Labels are 0 and 1 throughout.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


def _validate_labels(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return both label vectors as int arrays; ValueError on mismatched or non-binary input."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError("y_true and y_pred must be 1-d and of the same length")
    for arr in (t, p):
        if not np.isin(arr, [0, 1]).all():
            raise ValueError("labels must be 0 or 1")
    return t.astype(int), p.astype(int)


def group_split(groups: Sequence[Hashable], test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices with every group (user) wholly on one side.

    `round(test_size * number of groups)` groups go to test, chosen at random
    from `seed`. ValueError for a test_size outside (0, 1) or fewer than two groups.
    """
    if not 0 < test_size < 1:
        raise ValueError("test_size must be in (0, 1)")
    codes: dict[Hashable, int] = {}
    row_codes = np.fromiter((codes.setdefault(g, len(codes)) for g in groups), dtype=np.int64)
    n_groups = len(codes)
    if n_groups < 2:
        raise ValueError("need at least two groups")
    n_test = round(test_size * n_groups)
    rng = np.random.default_rng(seed)
    test_codes = rng.permutation(n_groups)[:n_test]
    is_test = np.zeros(n_groups, dtype=bool)
    is_test[test_codes] = True
    row_is_test = is_test[row_codes]
    return np.flatnonzero(~row_is_test), np.flatnonzero(row_is_test)


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int]) -> np.ndarray:
    """[[TN, FP], [FN, TP]] (rows: truth, columns: prediction); ValueError on bad input."""
    t, p = _validate_labels(y_true, y_pred)
    cm = np.zeros((2, 2), dtype=int)
    np.add.at(cm, (t, p), 1)
    return cm


def _safe_div(num: float, den: float) -> float:
    """num / den, or 0.0 when den is zero."""
    return float(num / den) if den else 0.0


def precision_recall_f1(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of class 1; a ratio with a zero denominator is 0.0."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred)
    precision = _safe_div(tp, tp + fp)
    recall = _safe_div(tp, tp + fn)
    f1 = _safe_div(2 * precision * recall, precision + recall)
    return precision, recall, f1


@dataclass(frozen=True)
class GroupReport:
    """One sub-population: its size, accuracy, and whether it is significantly worse."""

    group: Hashable
    n: int
    accuracy: float
    p_value: float
    flagged: bool


def _lower_tail_p(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), via the normal approximation."""
    sd = math.sqrt(n * p * (1 - p))
    if sd == 0:
        return 1.0 if k >= n * p else 0.0
    z = (k - n * p) / sd
    return 0.5 * math.erfc(-z / math.sqrt(2))


def subgroup_report(
    y_true: Sequence[int], y_pred: Sequence[int], groups: Sequence[Hashable], alpha: float = 0.01
) -> list[GroupReport]:
    """Accuracy per group, worst first; flag groups significantly below the overall accuracy."""
    t, p = _validate_labels(y_true, y_pred)
    correct = t == p
    overall = float(correct.mean()) if len(correct) else 0.0
    rows: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        rows.setdefault(g, []).append(i)
    reports = []
    for g, idx in rows.items():
        n = len(idx)
        k = int(correct[idx].sum())
        p_value = _lower_tail_p(k, n, overall)
        reports.append(GroupReport(g, n, k / n, p_value, p_value < alpha))
    reports.sort(key=lambda r: r.accuracy)
    return reports


def worst_mistakes(y_true: Sequence[int], proba: Sequence[float], k: int) -> list[int]:
    """Indices of the k wrong predictions made with the most confidence, worst first."""
    t = np.asarray(y_true, dtype=int)
    pr = np.asarray(proba, dtype=float)
    pred = (pr > 0.5).astype(int)
    confidence = np.where(pred == 1, pr, 1 - pr)
    wrong = np.flatnonzero(pred != t)
    order = np.argsort(-confidence[wrong], kind="stable")
    return [int(i) for i in wrong[order][:k]]


class MajorityBaseline:
    """A heuristic to beat: always predict the most frequent training label (1 on a tie)."""

    def __init__(self) -> None:
        """Start unfitted."""
        self.label_: int | None = None

    def fit(self, y: Sequence[int]) -> MajorityBaseline:
        """Learn the majority label of `y`; return self."""
        arr = np.asarray(y, dtype=int)
        ones = int((arr == 1).sum())
        self.label_ = 1 if ones * 2 >= len(arr) else 0
        return self

    def predict(self, n: int) -> np.ndarray:
        """`n` predictions of the majority label."""
        if self.label_ is None:
            raise RuntimeError("call fit first")
        return np.full(n, self.label_, dtype=int)
