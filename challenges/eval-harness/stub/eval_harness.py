"""An evaluation harness for a binary classifier (a blink detector, say).

Replace every `raise NotImplementedError` with your implementation; keep the names
and signatures below. Labels are 0 and 1 throughout.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


def group_split(groups: Sequence[Hashable], test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices with every group (user) wholly on one side.

    `round(test_size * number of groups)` groups (at least 1, at most all but one) go
    to test, chosen at random from `seed`. ValueError for a test_size outside (0, 1)
    or fewer than two groups.
    """
    raise NotImplementedError


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int]) -> np.ndarray:
    """[[TN, FP], [FN, TP]] (rows: truth, columns: prediction); ValueError on bad input."""
    raise NotImplementedError


def precision_recall_f1(y_true: Sequence[int], y_pred: Sequence[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of class 1; a ratio with a zero denominator is 0.0."""
    raise NotImplementedError


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
    """Accuracy per group, worst first; flag groups significantly below the overall accuracy."""
    raise NotImplementedError


def worst_mistakes(y_true: Sequence[int], proba: Sequence[float], k: int) -> list[int]:
    """Indices of the k wrong predictions made with the most confidence, worst first."""
    raise NotImplementedError


class MajorityBaseline:
    """A heuristic to beat: always predict the most frequent training label (1 on a tie)."""

    def fit(self, y: Sequence[int]) -> MajorityBaseline:
        """Learn the majority label of `y`; return self."""
        raise NotImplementedError

    def predict(self, n: int) -> np.ndarray:
        """`n` predictions of the majority label."""
        raise NotImplementedError
