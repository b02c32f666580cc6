"""Classic machine-learning models from scratch in numpy, with scikit-learn's fit/predict.

Replace every `raise NotImplementedError` with your implementation; keep the names,
signatures and defaults below. How the classes share code is up to you (graded).
"""

from __future__ import annotations

import numpy as np


class LinearRegression:
    """Least squares with an intercept: method "closed_form" (minimum-norm) or "gradient_descent"."""

    def __init__(self, method: str = "closed_form", lr: float = 0.1, epochs: int = 2000) -> None:
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearRegression:
        """Learn coef_ (d,) and intercept_ (float); return self."""
        raise NotImplementedError

    def predict(self, X: np.ndarray) -> np.ndarray:
        """X @ coef_ + intercept_."""
        raise NotImplementedError


class LogisticRegression:
    """Binary logistic regression fitted by gradient descent on the mean log-loss."""

    def __init__(self, lr: float = 0.1, epochs: int = 2000) -> None:
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegression:
        """Learn from labels 0 and 1; return self."""
        raise NotImplementedError

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of class 1 for each row."""
        raise NotImplementedError

    def predict(self, X: np.ndarray) -> np.ndarray:
        """1 where predict_proba >= 0.5, else 0."""
        raise NotImplementedError


class KNNClassifier:
    """Majority vote of the k nearest training points (Euclidean); ties go to the smallest label."""

    def __init__(self, k: int = 3) -> None:
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: np.ndarray) -> KNNClassifier:
        """Remember the training data; return self."""
        raise NotImplementedError

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The vote of the k nearest training points for each row."""
        raise NotImplementedError


class KMeans:
    """Lloyd's algorithm from a k-means++ start drawn with `seed`; an empty cluster keeps its centroid."""

    def __init__(self, k: int, max_iter: int = 100, seed: int = 0) -> None:
        raise NotImplementedError

    def fit(self, X: np.ndarray) -> KMeans:
        """Cluster the rows of X; set centroids_ (k, d) and labels_ (n,); return self."""
        raise NotImplementedError

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The index of the nearest centroid for each row."""
        raise NotImplementedError


class DecisionTree:
    """A classification tree with threshold splits, criterion "gini" or "entropy", to max_depth."""

    def __init__(self, max_depth: int | None = None, criterion: str = "gini") -> None:
        raise NotImplementedError

    def fit(self, X: np.ndarray, y: np.ndarray) -> DecisionTree:
        """Grow the tree; return self."""
        raise NotImplementedError

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The label of the leaf each row falls into."""
        raise NotImplementedError

    def depth(self) -> int:
        """The depth of the fitted tree (0 for a single leaf)."""
        raise NotImplementedError
