"""Classic machine-learning models from scratch in numpy, with scikit-learn's fit/predict.

Linear regression (closed form and gradient descent), logistic regression,
k-nearest neighbours, k-means and a classification decision tree. Every model is
vectorised: no Python loop over the training points.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


def _matrix(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"expected a non-empty 2-D array, got shape {X.shape}")
    return X


class Model(ABC):
    """A supervised model: fit on (X, y), then predict for new X."""

    @abstractmethod
    def fit(self, X: np.ndarray, y: np.ndarray) -> Model:
        """Learn from X (n, d) and y (n,); return self."""

    @abstractmethod
    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for the rows of X."""


class LinearRegression(Model):
    """Least squares, by the minimum-norm closed form or by batch gradient descent."""

    def __init__(self, method: str = "closed_form", lr: float = 0.1, epochs: int = 2000) -> None:
        if method not in ("closed_form", "gradient_descent"):
            raise ValueError(f"method must be 'closed_form' or 'gradient_descent', got {method!r}")
        self.method, self.lr, self.epochs = method, lr, epochs
        self.coef_ = np.empty(0)
        self.intercept_ = 0.0

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearRegression:
        X, y = _matrix(X), np.asarray(y, dtype=float)
        design = np.column_stack([np.ones(len(X)), X])
        if self.method == "closed_form":
            w = np.linalg.pinv(design) @ y
        else:
            w = np.zeros(design.shape[1])
            for _ in range(self.epochs):
                w -= self.lr * 2 * design.T @ (design @ w - y) / len(y)
        self.intercept_, self.coef_ = float(w[0]), w[1:]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return _matrix(X) @ self.coef_ + self.intercept_


class LogisticRegression(Model):
    """Binary logistic regression fitted by gradient descent on the mean log-loss."""

    def __init__(self, lr: float = 0.1, epochs: int = 2000) -> None:
        self.lr, self.epochs = lr, epochs
        self.coef_ = np.empty(0)
        self.intercept_ = 0.0

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegression:
        X, y = _matrix(X), np.asarray(y, dtype=float)
        w, b = np.zeros(X.shape[1]), 0.0
        for _ in range(self.epochs):
            error = _sigmoid(X @ w + b) - y
            w -= self.lr * X.T @ error / len(y)
            b -= self.lr * float(error.mean())
        self.coef_, self.intercept_ = w, b
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of class 1 for each row."""
        return _sigmoid(_matrix(X) @ self.coef_ + self.intercept_)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(int)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


class KNNClassifier(Model):
    """Majority vote of the k nearest training points (Euclidean); ties go to the smallest label."""

    def __init__(self, k: int = 3) -> None:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.k = k
        self._X = np.empty((0, 0))
        self._y = np.empty(0)

    def fit(self, X: np.ndarray, y: np.ndarray) -> KNNClassifier:
        self._X, self._y = _matrix(X), np.asarray(y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = _matrix(X)
        k = min(self.k, len(self._X))
        # squared distances without a Python loop: |a|^2 - 2 a.b + |b|^2
        d2 = (X**2).sum(1)[:, None] - 2 * X @ self._X.T + (self._X**2).sum(1)[None, :]
        nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]
        return np.array([_vote(self._y[row]) for row in nearest])


def _vote(labels: np.ndarray) -> object:
    values, counts = np.unique(labels, return_counts=True)
    return values[len(values) - 1 - np.argmax(counts[::-1])]


class KMeans:
    """Lloyd's algorithm from a k-means++ start drawn with ``seed``; an empty cluster keeps
    its centroid."""

    def __init__(self, k: int, max_iter: int = 100, seed: int = 0) -> None:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.k, self.max_iter, self.seed = k, max_iter, seed
        self.centroids_ = np.empty((0, 0))
        self.labels_ = np.empty(0, dtype=int)

    def fit(self, X: np.ndarray) -> KMeans:
        """Cluster the rows of X; sets centroids_ and labels_; returns self."""
        X = _matrix(X)
        if len(X) < self.k:
            raise ValueError(f"{len(X)} points cannot make {self.k} clusters")
        centroids = self._plus_plus(X, np.random.default_rng(self.seed))
        for _ in range(self.max_iter):
            labels = self._nearest(X, centroids)
            moved = centroids.copy()
            for c in range(self.k):
                members = X[labels == c]
                if len(members):
                    moved[c] = members.mean(axis=0)
            done = np.allclose(moved, centroids)
            centroids = moved
            if done:
                break
        self.centroids_, self.labels_ = centroids, self._nearest(X, centroids)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The index of the nearest centroid for each row."""
        return self._nearest(_matrix(X), self.centroids_)

    def _plus_plus(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """k-means++: each next centre drawn with probability proportional to D(x)^2."""
        centroids = [X[rng.integers(len(X))]]
        for _ in range(1, self.k):
            d2 = ((X[:, None, :] - np.array(centroids)[None, :, :]) ** 2).sum(axis=2).min(axis=1)
            total = d2.sum()
            probs = d2 / total if total > 0 else np.full(len(X), 1 / len(X))
            centroids.append(X[rng.choice(len(X), p=probs)])
        return np.array(centroids, dtype=float)

    @staticmethod
    def _nearest(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
        d2 = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        return np.argmin(d2, axis=1)


class DecisionTree(Model):
    """A classification tree: best threshold split by Gini impurity or entropy, to a depth limit."""

    def __init__(self, max_depth: int | None = None, criterion: str = "gini") -> None:
        if criterion not in ("gini", "entropy"):
            raise ValueError(f"criterion must be 'gini' or 'entropy', got {criterion!r}")
        self.max_depth, self.criterion = max_depth, criterion
        self._root: _Node | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> DecisionTree:
        self._root = self._grow(_matrix(X), np.asarray(y), 0)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        if self._root is None:
            raise RuntimeError("call fit() first")
        return np.array([self._root.decide(row) for row in _matrix(X)])

    def depth(self) -> int:
        """The depth of the fitted tree (0: a single leaf)."""
        return self._root.depth() if self._root is not None else 0

    def _grow(self, X: np.ndarray, y: np.ndarray, depth: int) -> _Node:
        node = _Node(_vote(y))
        if len(np.unique(y)) == 1 or (self.max_depth is not None and depth >= self.max_depth):
            return node
        split = _best_split(X, y, self.criterion)
        if split is not None:
            node.feature, node.threshold = split
            left = X[:, node.feature] <= node.threshold
            node.left = self._grow(X[left], y[left], depth + 1)
            node.right = self._grow(X[~left], y[~left], depth + 1)
        return node


class _Node:
    def __init__(self, label: object) -> None:
        self.label = label
        self.feature = -1
        self.threshold = 0.0
        self.left: _Node | None = None
        self.right: _Node | None = None

    def decide(self, row: np.ndarray) -> object:
        if self.left is None or self.right is None:
            return self.label
        child = self.left if row[self.feature] <= self.threshold else self.right
        return child.decide(row)

    def depth(self) -> int:
        if self.left is None or self.right is None:
            return 0
        return 1 + max(self.left.depth(), self.right.depth())


def _impurity(y: np.ndarray, criterion: str) -> float:
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    return float(1 - (p**2).sum()) if criterion == "gini" else float(-(p * np.log2(p)).sum())


def _best_split(X: np.ndarray, y: np.ndarray, criterion: str) -> tuple[int, float] | None:
    """The (feature, threshold) with the lowest weighted impurity, or None if no feature varies.

    A split that gains nothing now is still taken (XOR needs one before any split helps).
    """
    best, best_score = None, float("inf")
    for feature in range(X.shape[1]):
        values = np.unique(X[:, feature])
        for threshold in (values[:-1] + values[1:]) / 2:  # constant feature: no thresholds
            left = X[:, feature] <= threshold
            score = (left.sum() * _impurity(y[left], criterion) + (~left).sum() * _impurity(y[~left], criterion)) / len(y)
            if score < best_score:
                best, best_score = (feature, float(threshold)), score
    return best
