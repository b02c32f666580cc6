"""Classic machine-learning models from scratch in numpy, with scikit-learn's fit/predict."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter

import numpy as np


def _with_intercept(X: np.ndarray) -> np.ndarray:
    """X with a leading column of ones."""
    return np.hstack([np.ones((X.shape[0], 1)), X])


def _sq_dists(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, shape (len(X), len(C)); one vectorised pass per row of C."""
    out = np.empty((X.shape[0], C.shape[0]))
    for j, c in enumerate(C):
        out[:, j] = ((X - c) ** 2).sum(axis=1)
    return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """A logistic function that stays finite for any input."""
    return np.exp(-np.logaddexp(0.0, -z))


class Model(ABC):
    """A supervised model with scikit-learn's fit/predict interface."""

    @abstractmethod
    def fit(self, X: np.ndarray, y: np.ndarray) -> Model:
        """Learn from the rows of X and their targets y; return self."""

    @abstractmethod
    def predict(self, X: np.ndarray) -> np.ndarray:
        """A prediction for each row of X."""


class _GradientModel(Model):
    """A linear score X w + b fitted by batch gradient descent from zero."""

    _grad_scale = 1.0

    def __init__(self, lr: float = 0.1, epochs: int = 2000) -> None:
        """Remember the learning rate and the number of steps."""
        self.lr = lr
        self.epochs = epochs
        self.coef_ = np.zeros(0)
        self.intercept_ = 0.0

    @staticmethod
    def _link(z: np.ndarray) -> np.ndarray:
        """The model's output for linear scores z."""
        return z

    def _descend(self, X: np.ndarray, y: np.ndarray) -> None:
        """Run `epochs` steps of gradient descent on the mean loss."""
        A = _with_intercept(X)
        theta = np.zeros(A.shape[1])
        for _ in range(self.epochs):
            residual = self._link(A @ theta) - y
            theta -= self.lr * self._grad_scale * (A.T @ residual) / len(y)
        self.intercept_, self.coef_ = float(theta[0]), theta[1:]

    def _score(self, X: np.ndarray) -> np.ndarray:
        """The linear score of each row."""
        return np.asarray(X, dtype=float) @ self.coef_ + self.intercept_


class LinearRegression(_GradientModel):
    """Least squares with an intercept: method "closed_form" (minimum-norm) or "gradient_descent"."""

    _grad_scale = 2.0

    def __init__(self, method: str = "closed_form", lr: float = 0.1, epochs: int = 2000) -> None:
        """Choose the method ("closed_form" or "gradient_descent") and the descent settings."""
        if method not in ("closed_form", "gradient_descent"):
            raise ValueError(f"unknown method {method!r}")
        super().__init__(lr, epochs)
        self.method = method

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearRegression:
        """Learn coef_ (d,) and intercept_ (float); return self."""
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if self.method == "gradient_descent":
            self._descend(X, y)
            return self
        A = _with_intercept(X)
        theta = np.linalg.inv(A.T @ A) @ A.T @ y
        self.intercept_, self.coef_ = float(theta[0]), theta[1:]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """X @ coef_ + intercept_."""
        return self._score(X)


class LogisticRegression(_GradientModel):
    """Binary logistic regression fitted by gradient descent on the mean log-loss."""

    @staticmethod
    def _link(z: np.ndarray) -> np.ndarray:
        return _sigmoid(z)

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegression:
        """Learn from labels 0 and 1; return self."""
        self._descend(np.asarray(X, dtype=float), np.asarray(y, dtype=float))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of class 1 for each row."""
        return _sigmoid(self._score(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """1 where predict_proba >= 0.5, else 0."""
        return (self.predict_proba(X) >= 0.5).astype(int)


class KNNClassifier(Model):
    """Majority vote of the k nearest training points (Euclidean); ties go to the smallest label."""

    def __init__(self, k: int = 3) -> None:
        """Remember how many neighbours vote."""
        if k < 1:
            raise ValueError("k must be at least 1")
        self.k = k
        self._X = np.zeros((0, 0))
        self._y = np.zeros(0)

    def fit(self, X: np.ndarray, y: np.ndarray) -> KNNClassifier:
        """Remember the training data; return self."""
        self._X, self._y = np.asarray(X, dtype=float), np.asarray(y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The vote of the k nearest training points for each row."""
        dists = _sq_dists(self._X, np.asarray(X, dtype=float))
        k = min(self.k, len(self._y))
        nearest = np.argpartition(dists, k - 1, axis=0)[:k]
        votes = [Counter(self._y[col].tolist()).most_common(1)[0][0] for col in nearest.T]
        return np.array(votes)


class KMeans:
    """Lloyd's algorithm from a k-means++ start drawn with `seed`; an empty cluster keeps its centroid."""

    def __init__(self, k: int, max_iter: int = 100, seed: int = 0) -> None:
        """Remember the number of clusters, the iteration cap and the seed."""
        self.k = k
        self.max_iter = max_iter
        self.seed = seed
        self.centroids_ = np.zeros((0, 0))
        self.labels_ = np.zeros(0, dtype=int)

    def _init_centroids(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The k-means++ start: each new centroid drawn with probability proportional to D^2."""
        centroids = [X[rng.integers(len(X))]]
        for _ in range(1, self.k):
            d2 = _sq_dists(X, np.array(centroids)).min(axis=1)
            total = d2.sum()
            probs = d2 / total if total > 0 else None
            centroids.append(X[rng.choice(len(X), p=probs)])
        return np.array(centroids)

    def fit(self, X: np.ndarray) -> KMeans:
        """Cluster the rows of X; set centroids_ (k, d) and labels_ (n,); return self."""
        X = np.asarray(X, dtype=float)
        centroids = self._init_centroids(X, np.random.default_rng(self.seed))
        labels = _sq_dists(X, centroids).argmin(axis=1)
        for _ in range(self.max_iter):
            centroids = np.array([X[labels == j].mean(axis=0) for j in range(self.k)])
            new_labels = _sq_dists(X, centroids).argmin(axis=1)
            if np.array_equal(new_labels, labels):
                break
            labels = new_labels
        self.centroids_, self.labels_ = centroids, labels
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The index of the nearest centroid for each row."""
        return _sq_dists(np.asarray(X, dtype=float), self.centroids_).argmin(axis=1)


def _impurity(counts: np.ndarray, criterion: str) -> np.ndarray:
    """Gini or entropy of each row of class counts."""
    totals = counts.sum(axis=1, keepdims=True)
    p = counts / np.maximum(totals, 1)
    if criterion == "gini":
        return 1.0 - (p ** 2).sum(axis=1)
    return -(p * np.log2(np.where(p > 0, p, 1.0))).sum(axis=1)


def _best_threshold(x: np.ndarray, onehot: np.ndarray, criterion: str) -> tuple[float, float]:
    """The lowest weighted child impurity over thresholds on one feature, and that threshold."""
    order = np.argsort(x, kind="stable")
    xs, counts = x[order], onehot[order]
    left = np.cumsum(counts, axis=0)[:-1]
    right = counts.sum(axis=0) - left
    n_left = np.arange(1, len(x))
    score = (n_left * _impurity(left, criterion) + (len(x) - n_left) * _impurity(right, criterion)) / len(x)
    score = np.where(xs[1:] > xs[:-1], score, np.inf)
    i = int(np.argmin(score))
    return float(score[i]), float((xs[i] + xs[i + 1]) / 2.0)


class _Node:
    """A tree node: a leaf when `left` is None."""

    def __init__(self, label: object) -> None:
        """A leaf predicting `label`, until it is split."""
        self.label = label
        self.feature = 0
        self.threshold = 0.0
        self.left: _Node | None = None
        self.right: _Node | None = None


class DecisionTree(Model):
    """A classification tree with threshold splits, criterion "gini" or "entropy", to max_depth."""

    def __init__(self, max_depth: int | None = None, criterion: str = "gini") -> None:
        """Remember the depth limit and the split criterion."""
        if criterion not in ("gini", "entropy"):
            raise ValueError(f"unknown criterion {criterion!r}")
        self.max_depth = max_depth
        self.criterion = criterion
        self._classes = np.zeros(0)
        self._root: _Node | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> DecisionTree:
        """Grow the tree; return self."""
        self._classes, y_idx = np.unique(np.asarray(y), return_inverse=True)
        onehot = np.eye(len(self._classes))[y_idx]
        self._root = self._grow(np.asarray(X, dtype=float), onehot, 0)
        return self

    def _grow(self, X: np.ndarray, onehot: np.ndarray, depth: int) -> _Node:
        """Build the subtree for these rows."""
        counts = onehot.sum(axis=0)
        node = _Node(self._classes[int(np.argmax(counts))])
        if np.count_nonzero(counts) <= 1 or (self.max_depth is not None and depth >= self.max_depth):
            return node
        splits = [_best_threshold(X[:, f], onehot, self.criterion) for f in range(X.shape[1])]
        feature = int(np.argmin([s[0] for s in splits]))
        if not np.isfinite(splits[feature][0]):
            return node
        node.feature, node.threshold = feature, splits[feature][1]
        mask = X[:, feature] <= node.threshold
        node.left = self._grow(X[mask], onehot[mask], depth + 1)
        node.right = self._grow(X[~mask], onehot[~mask], depth + 1)
        return node

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The label of the leaf each row falls into."""
        if self._root is None:
            raise RuntimeError("fit the tree first")
        X = np.asarray(X, dtype=float)
        out = np.empty(len(X), dtype=self._classes.dtype)
        self._route(self._root, X, np.arange(len(X)), out)
        return out

    def _route(self, node: _Node, X: np.ndarray, rows: np.ndarray, out: np.ndarray) -> None:
        """Send the given rows down from `node`, writing each leaf's label."""
        if node.left is None or node.right is None:
            out[rows] = node.label
            return
        mask = X[rows, node.feature] <= node.threshold
        self._route(node.left, X, rows[mask], out)
        self._route(node.right, X, rows[~mask], out)

    def depth(self) -> int:
        """The depth of the fitted tree (0 for a single leaf)."""
        return self._depth(self._root)

    def _depth(self, node: _Node | None) -> int:
        """The depth of the subtree under `node`."""
        if node is None or node.left is None or node.right is None:
            return 0
        return 1 + max(self._depth(node.left), self._depth(node.right))
