"""Classic machine-learning models from scratch in numpy, with scikit-learn's fit/predict.

Every model validates its hyperparameters when constructed and its data when fitted
(raising ``ValueError``), and raises ``NotFittedError`` when used before ``fit``.
All training steps and predictions are vectorised over the data points.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

import numpy as np

_DISTANCE_BLOCK = 1 << 22
"""How many coordinate differences a k-NN prediction materialises at once (memory bound)."""


class NotFittedError(RuntimeError, ValueError, AttributeError):
    """Raised when a model is used before it has been fitted."""


# --------------------------------------------------------------------------- validation


def _check_int(value: object, name: str, minimum: int) -> int:
    """``value`` as an int, or ValueError unless it is an integer at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_positive(value: object, name: str) -> float:
    """``value`` as a float, or ValueError unless it is a finite positive number."""
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not (is_number and np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    """``value`` unchanged, or ValueError unless it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return str(value)


def _as_matrix(X: object, *, allow_inf: bool = False) -> np.ndarray:
    """``X`` as a 2-D float array with at least one row and column and no NaN.

    Infinite values are rejected too unless ``allow_inf`` (for prediction inputs).
    """
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"X must be numeric: {error}") from error
    if X.ndim != 2 or X.size == 0:
        raise ValueError(f"X must be a non-empty 2-D array, got shape {X.shape}")
    invalid = np.isnan(X) if allow_inf else ~np.isfinite(X)
    if invalid.any():
        raise ValueError("X contains NaN" if allow_inf else "X must contain only finite values")
    return X


def _as_targets(y: object, n_rows: int) -> np.ndarray:
    """``y`` as a 1-D array with one entry per row of X."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_rows:
        raise ValueError(f"y must be 1-D with {n_rows} entries, got shape {y.shape}")
    return y


def _as_real_targets(y: np.ndarray) -> np.ndarray:
    """``y`` as a finite float array."""
    try:
        y = y.astype(float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"y must be numeric: {error}") from error
    if not np.all(np.isfinite(y)):
        raise ValueError("y must contain only finite values")
    return y


# --------------------------------------------------------------------------- numerics


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow for any input (NaN counts as 0)."""
    z = np.nan_to_num(z, nan=0.0)
    decay = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))


def _gini(proportions: np.ndarray) -> np.ndarray:
    """Gini impurity of class proportions along the last axis."""
    return 1.0 - np.sum(proportions * proportions, axis=-1)


def _entropy(proportions: np.ndarray) -> np.ndarray:
    """Entropy in bits of class proportions along the last axis (0 log 0 = 0)."""
    safe = np.where(proportions > 0, proportions, 1.0)
    return -np.sum(proportions * np.log2(safe), axis=-1)


def _squared_distances(queries: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Exact squared Euclidean distances, shape (len(queries), len(points))."""
    diff = queries[:, None, :] - points[None, :, :]
    return np.einsum("qnd,qnd->qn", diff, diff)


def _nearest_centroid(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid for each row (first one on a tie).

    ``|x - c|^2 = |x|^2 - 2 x.c + |c|^2`` and ``|x|^2`` does not change the argmin, so
    one matrix product does the work in O(n k d).
    """
    scores = np.sum(centroids * centroids, axis=1) - 2.0 * (X @ centroids.T)
    return np.argmin(scores, axis=1)


def _recentre(X: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Mean of each cluster's points; a cluster with no points keeps its centroid."""
    members = labels[None, :] == np.arange(len(centroids))[:, None]
    counts = members.sum(axis=1)
    sums = members.astype(X.dtype) @ X
    updated = centroids.copy()
    filled = counts > 0
    updated[filled] = sums[filled] / counts[filled, None]
    return updated


def _draw_weighted(rng: np.random.Generator, weights: np.ndarray) -> int:
    """An index drawn with probability proportional to ``weights`` (uniform if all zero)."""
    cumulative = np.cumsum(weights)
    total = cumulative[-1]
    if not total > 0:
        return int(rng.integers(len(weights)))
    index = np.searchsorted(cumulative, rng.random() * total, side="right")
    return int(min(index, len(weights) - 1))


def _midpoint(low: float, high: float) -> float:
    """A threshold t with low <= t < high, halfway between them where floats allow."""
    middle = low / 2 + high / 2
    return float(middle if low <= middle < high else low)


def _count_labels(mask: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """Per row of ``mask``, how many selected training points carry each class code."""
    rows, columns = np.nonzero(mask)
    flat = np.bincount(rows * n_classes + codes[columns], minlength=mask.shape[0] * n_classes)
    return flat.reshape(mask.shape[0], n_classes)


# --------------------------------------------------------------------------- bases


class _Fittable:
    """Tracks whether a model is fitted, and on how many features."""

    def __init__(self) -> None:
        self._n_features: int | None = None

    def _mark_fitted(self, X: np.ndarray) -> _Fittable:
        """Record that fitting on ``X`` succeeded; return self."""
        self._n_features = X.shape[1]
        return self

    def _require_fitted(self) -> None:
        """Raise NotFittedError unless ``fit`` has succeeded."""
        if self._n_features is None:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def _check_predict_input(self, X: object) -> np.ndarray:
        """``X`` validated against the fitted model (infinite values allowed)."""
        self._require_fitted()
        X = _as_matrix(X, allow_inf=True)
        if X.shape[1] != self._n_features:
            raise ValueError(f"X has {X.shape[1]} features, the model was fitted on {self._n_features}")
        return X


class Estimator(_Fittable, ABC):
    """A supervised model with scikit-learn's ``fit``/``predict`` interface."""

    @abstractmethod
    def fit(self, X: np.ndarray, y: np.ndarray) -> Estimator:
        """Learn from the rows of ``X`` (n, d) and their targets ``y`` (n,); return self."""

    @abstractmethod
    def predict(self, X: np.ndarray) -> np.ndarray:
        """One prediction for each row of ``X``."""

    @staticmethod
    def _check_fit_input(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
        """Validated training data: a finite float matrix and one target per row."""
        X = _as_matrix(X)
        return X, _as_targets(y, len(X))


class _LinearModel(Estimator):
    """A model of the affine score ``X @ coef_ + intercept_``, trainable by gradient descent."""

    def __init__(self, lr: float = 0.1, epochs: int = 2000) -> None:
        super().__init__()
        self._lr = _check_positive(lr, "lr")
        self._epochs = _check_int(epochs, "epochs", 0)
        self._coef = np.zeros(0)
        self._intercept = 0.0

    @property
    def coef_(self) -> np.ndarray:
        """The fitted weights, shape (d,)."""
        self._require_fitted()
        return self._coef

    @property
    def intercept_(self) -> float:
        """The fitted intercept."""
        self._require_fitted()
        return self._intercept

    def _scores(self, X: object) -> np.ndarray:
        """The affine score of each row of ``X``."""
        X = self._check_predict_input(X)
        with np.errstate(over="ignore", invalid="ignore"):
            return X @ self._coef + self._intercept

    def _descend(self, X: np.ndarray, y: np.ndarray, link: Callable, scale: float) -> None:
        """Run batch gradient descent from zero and store the result.

        The loss's gradient is ``scale * X.T @ (link(score) - y) / n`` for the weights
        (and with a column of ones for the intercept).
        """
        coef, intercept = np.zeros(X.shape[1]), 0.0
        step = scale * self._lr / len(X)
        for _ in range(self._epochs):
            residual = link(X @ coef + intercept) - y
            coef -= step * (X.T @ residual)
            intercept -= step * float(residual.sum())
        self._coef, self._intercept = coef, intercept


# --------------------------------------------------------------------------- models


class LinearRegression(_LinearModel):
    """Least squares with an intercept: method "closed_form" (minimum-norm) or "gradient_descent"."""

    _METHODS = ("closed_form", "gradient_descent")

    def __init__(self, method: str = "closed_form", lr: float = 0.1, epochs: int = 2000) -> None:
        super().__init__(lr, epochs)
        self._method = _check_choice(method, "method", self._METHODS)

    def fit(self, X: np.ndarray, y: np.ndarray) -> LinearRegression:
        """Learn coef_ (d,) and intercept_ (float); return self."""
        X, y = self._check_fit_input(X, y)
        y = _as_real_targets(y)
        if self._method == "closed_form":
            self._solve(X, y)
        else:
            self._descend(X, y, link=np.asarray, scale=2.0)
        self._mark_fitted(X)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """X @ coef_ + intercept_."""
        return self._scores(X)

    def _solve(self, X: np.ndarray, y: np.ndarray) -> None:
        """The minimum-norm least-squares solution for the weights and intercept together."""
        design = np.column_stack([X, np.ones(len(X))])
        solution = np.linalg.lstsq(design, y, rcond=None)[0]
        self._coef, self._intercept = solution[:-1], float(solution[-1])


class LogisticRegression(_LinearModel):
    """Binary logistic regression fitted by gradient descent on the mean log-loss."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> LogisticRegression:
        """Learn from labels 0 and 1; return self."""
        X, y = self._check_fit_input(X, y)
        y = _as_real_targets(y)
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("LogisticRegression needs labels 0 and 1")
        self._descend(X, y, link=_sigmoid, scale=1.0)
        self._mark_fitted(X)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The probability of class 1 for each row."""
        return _sigmoid(self._scores(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """1 where predict_proba >= 0.5, else 0."""
        return (self.predict_proba(X) >= 0.5).astype(int)


class KNNClassifier(Estimator):
    """Majority vote of the k nearest training points (Euclidean); ties go to the smallest label.

    Points tied in distance with the k-th nearest are also taken smallest label first,
    so a query's vote never depends on the order of the training data.
    """

    def __init__(self, k: int = 3) -> None:
        super().__init__()
        self._k = _check_int(k, "k", 1)
        self._points = np.zeros((0, 0))
        self._codes = np.zeros(0, dtype=int)
        self._classes = np.zeros(0)

    def fit(self, X: np.ndarray, y: np.ndarray) -> KNNClassifier:
        """Remember the training data; return self."""
        X, y = self._check_fit_input(X, y)
        if self._k > len(X):
            raise ValueError(f"k={self._k} exceeds the {len(X)} training points")
        self._classes, self._codes = np.unique(y, return_inverse=True)
        self._points = X.copy()
        self._mark_fitted(X)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The vote of the k nearest training points for each row."""
        X = self._check_predict_input(X)
        rows = max(1, _DISTANCE_BLOCK // self._points.size)
        votes = [self._vote(X[start : start + rows]) for start in range(0, len(X), rows)]
        return self._classes[np.concatenate(votes)]

    def _vote(self, queries: np.ndarray) -> np.ndarray:
        """Winning class code for each query, in O(n d) per query (no full sort)."""
        distances = _squared_distances(queries, self._points)
        kth = np.partition(distances, self._k - 1, axis=1)[:, self._k - 1, None]
        n_classes = len(self._classes)
        closer = _count_labels(distances < kth, self._codes, n_classes)
        tied = _count_labels(distances == kth, self._codes, n_classes)
        free = self._k - closer.sum(axis=1, keepdims=True)
        before = np.cumsum(tied, axis=1) - tied
        votes = closer + np.clip(free - before, 0, tied)
        return np.argmax(votes, axis=1)


class KMeans(_Fittable):
    """Lloyd's algorithm from a k-means++ start drawn with `seed`; an empty cluster keeps its centroid."""

    def __init__(self, k: int, max_iter: int = 100, seed: int = 0) -> None:
        super().__init__()
        self._k = _check_int(k, "k", 1)
        self._max_iter = _check_int(max_iter, "max_iter", 1)
        self._seed = seed
        self._centroids = np.zeros((0, 0))
        self._labels = np.zeros(0, dtype=int)

    @property
    def centroids_(self) -> np.ndarray:
        """The fitted cluster centres, shape (k, d)."""
        self._require_fitted()
        return self._centroids

    @property
    def labels_(self) -> np.ndarray:
        """The cluster index of each training row, shape (n,)."""
        self._require_fitted()
        return self._labels

    def fit(self, X: np.ndarray) -> KMeans:
        """Cluster the rows of X; set centroids_ (k, d) and labels_ (n,); return self."""
        X = _as_matrix(X)
        if self._k > len(X):
            raise ValueError(f"k={self._k} exceeds the {len(X)} points")
        rng = np.random.default_rng(self._seed)
        self._centroids = self._lloyd(X, self._seed_centroids(X, rng))
        self._labels = _nearest_centroid(X, self._centroids)
        self._mark_fitted(X)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The index of the nearest centroid for each row."""
        return _nearest_centroid(self._check_predict_input(X), self._centroids)

    def _seed_centroids(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """k-means++: each new centre drawn with probability proportional to D(x)^2."""
        norms = np.einsum("ij,ij->i", X, X)
        chosen = [int(rng.integers(len(X)))]
        gaps = np.full(len(X), np.inf)
        for _ in range(1, self._k):
            centre = X[chosen[-1]]
            to_centre = np.maximum(norms - 2.0 * (X @ centre) + centre @ centre, 0.0)
            gaps = np.minimum(gaps, to_centre)
            gaps[chosen[-1]] = 0.0
            chosen.append(_draw_weighted(rng, gaps))
        return X[chosen].copy()

    def _lloyd(self, X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
        """Alternate assignment and update until the centroids stop moving or max_iter."""
        for _ in range(self._max_iter):
            updated = _recentre(X, _nearest_centroid(X, centroids), centroids)
            if np.array_equal(updated, centroids):
                break
            centroids = updated
        return centroids


class _Tree:
    """A binary tree stored in parallel lists; node 0 is the root, a leaf has feature -1.

    A row goes to the left child when its value of the node's feature is <= the threshold.
    """

    def __init__(self) -> None:
        self._feature: list[int] = []
        self._threshold: list[float] = []
        self._children: list[tuple[int, int]] = []
        self._label: list[int] = []
        self._depth = 0

    @property
    def depth(self) -> int:
        """The largest depth of any node (0 for a lone root)."""
        return self._depth

    def add_node(self, depth: int) -> int:
        """A new leaf at ``depth``; its label is set later. Returns its id."""
        self._feature.append(-1)
        self._threshold.append(0.0)
        self._children.append((-1, -1))
        self._label.append(0)
        self._depth = max(self._depth, depth)
        return len(self._feature) - 1

    def set_label(self, node: int, label: int) -> None:
        """Set the class code that ``node`` predicts."""
        self._label[node] = label

    def split(self, node: int, feature: int, threshold: float, depth: int) -> tuple[int, int]:
        """Turn leaf ``node`` into a split with two new leaves at ``depth``; return their ids."""
        children = (self.add_node(depth), self.add_node(depth))
        self._feature[node], self._threshold[node] = feature, threshold
        self._children[node] = children
        return children

    def apply(self, X: np.ndarray) -> np.ndarray:
        """The label code of the leaf each row of ``X`` reaches, one level at a time."""
        feature, threshold = np.array(self._feature), np.array(self._threshold)
        children = np.array(self._children, dtype=int).reshape(-1, 2)
        node = np.zeros(len(X), dtype=int)
        active = np.flatnonzero(feature[node] >= 0)
        while active.size:
            at = node[active]
            right = X[active, feature[at]] > threshold[at]
            node[active] = children[at, right.astype(int)]
            active = active[feature[node[active]] >= 0]
        return np.array(self._label, dtype=int)[node]


class DecisionTree(Estimator):
    """A classification tree with threshold splits, criterion "gini" or "entropy", to max_depth.

    Each split minimises the size-weighted impurity of the two children (first feature,
    then lowest threshold, on a tie); thresholds are midpoints between adjacent values.
    """

    _CRITERIA = ("gini", "entropy")

    def __init__(self, max_depth: int | None = None, criterion: str = "gini") -> None:
        super().__init__()
        self._max_depth = None if max_depth is None else _check_int(max_depth, "max_depth", 0)
        _check_choice(criterion, "criterion", self._CRITERIA)
        self._impurity = _gini if criterion == "gini" else _entropy
        self._tree = _Tree()
        self._classes = np.zeros(0)

    def fit(self, X: np.ndarray, y: np.ndarray) -> DecisionTree:
        """Grow the tree; return self."""
        X, y = self._check_fit_input(X, y)
        self._classes, codes = np.unique(y, return_inverse=True)
        self._tree = self._grow(X, codes)
        self._mark_fitted(X)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The label of the leaf each row falls into."""
        X = self._check_predict_input(X)
        return self._classes[self._tree.apply(X)]

    def depth(self) -> int:
        """The depth of the fitted tree (0 for a single leaf)."""
        self._require_fitted()
        return self._tree.depth

    def _grow(self, X: np.ndarray, codes: np.ndarray) -> _Tree:
        """Build the tree depth-first with an explicit stack (no recursion limit)."""
        tree = _Tree()
        pending = [(tree.add_node(0), np.arange(len(codes)), 0)]
        while pending:
            node, rows, depth = pending.pop()
            counts = np.bincount(codes[rows], minlength=len(self._classes))
            tree.set_label(node, int(np.argmax(counts)))
            split = None if self._is_final(counts, depth) else self._best_split(X[rows], codes[rows])
            if split is not None:
                feature, threshold = split
                left = X[rows, feature] <= threshold
                left_id, right_id = tree.split(node, feature, threshold, depth + 1)
                pending += [(right_id, rows[~left], depth + 1), (left_id, rows[left], depth + 1)]
        return tree

    def _is_final(self, counts: np.ndarray, depth: int) -> bool:
        """Whether a node must be a leaf: it is pure or at the depth limit."""
        at_limit = self._max_depth is not None and depth >= self._max_depth
        return at_limit or np.count_nonzero(counts) <= 1

    def _best_split(self, X: np.ndarray, codes: np.ndarray) -> tuple[int, float] | None:
        """The (feature, threshold) of least weighted child impurity; None if no feature varies."""
        one_hot = np.eye(len(self._classes))[codes]
        best_cost, best_split = np.inf, None
        for feature in range(X.shape[1]):
            cost, threshold = self._best_cut(X[:, feature], one_hot)
            if cost < best_cost:
                best_cost, best_split = cost, (feature, threshold)
        return best_split

    def _best_cut(self, column: np.ndarray, one_hot: np.ndarray) -> tuple[float, float]:
        """The least weighted child impurity over the cuts of one feature, and its threshold.

        Every cut between adjacent distinct values is scored at once from cumulative class
        counts; the cost is infinite when the feature does not vary.
        """
        order = np.argsort(column, kind="stable")
        values = column[order]
        left = np.cumsum(one_hot[order], axis=0)[:-1]
        right = one_hot.sum(axis=0) - left
        sizes = np.arange(1, len(column), dtype=float)
        cost = sizes * self._impurity(left / sizes[:, None])
        cost += sizes[::-1] * self._impurity(right / sizes[::-1, None])
        cost = np.where(values[1:] > values[:-1], cost, np.inf)
        cut = int(np.argmin(cost))
        if not np.isfinite(cost[cut]):
            return np.inf, 0.0
        return float(cost[cut]), _midpoint(values[cut], values[cut + 1])
