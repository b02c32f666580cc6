"""Classical estimation in numpy: least squares, PCA and whitening, LS/ML/MAP, Monty Hall."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum-norm w minimising ||X w - y||^2, through the pseudo-inverse.

    Works for rank-deficient X (duplicate or constant columns, fewer rows than
    columns), where the normal equations have no unique solution.
    """
    X, y = _matrix(X), np.asarray(y, dtype=float)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}")
    return np.linalg.pinv(X) @ y


class PCA:
    """Principal components from the sample covariance matrix, and a whitening transform."""

    def __init__(self) -> None:
        self._mean: np.ndarray | None = None
        self._values = np.empty(0)
        self._vectors = np.empty((0, 0))

    def fit(self, X: np.ndarray) -> PCA:
        """Learn the mean and the eigen-decomposition of the covariance (ddof=1) of X."""
        X = _matrix(X)
        if X.shape[0] < 2:
            raise ValueError("PCA needs at least two samples")
        self._mean = X.mean(axis=0)
        values, vectors = np.linalg.eigh(np.cov(X, rowvar=False).reshape(X.shape[1], X.shape[1]))
        order = np.argsort(values)[::-1]
        self._values, self._vectors = np.clip(values[order], 0.0, None), vectors[:, order]
        return self

    @property
    def components(self) -> np.ndarray:
        """Unit principal directions as rows, largest variance first."""
        self._require_fit()
        return self._vectors.T.copy()

    @property
    def explained_variance(self) -> np.ndarray:
        """The variance along each component (the covariance's eigenvalues), descending."""
        self._require_fit()
        return self._values.copy()

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Coordinates of X along the components (centred, not scaled)."""
        self._require_fit()
        return (_matrix(X) - self._mean) @ self._vectors

    def whiten(self, X: np.ndarray) -> np.ndarray:
        """Decorrelated, unit-variance coordinates: their sample covariance is the identity."""
        values = self.explained_variance
        if np.any(values <= 1e-12 * max(values.max(), 1e-300)):
            raise ValueError("cannot whiten: the covariance matrix is singular")
        return self.transform(X) / np.sqrt(values)

    def _require_fit(self) -> None:
        if self._mean is None:
            raise RuntimeError("call fit() first")


def ls_speed(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares estimate of v in y = v t + n: sum(t y) / sum(t^2)."""
    t, y = _pair(t, y)
    return float(t @ y / (t @ t))


def ml_speed(t: np.ndarray, y: np.ndarray, sigma: float) -> float:
    """Maximum-likelihood v for Gaussian noise N(0, sigma^2): the least-squares estimate."""
    _positive("sigma", sigma)
    return ls_speed(t, y)


def map_speed(t: np.ndarray, y: np.ndarray, sigma: float, prior_mean: float, prior_std: float) -> float:
    """MAP v with prior v ~ N(prior_mean, prior_std^2) and noise N(0, sigma^2)."""
    t, y = _pair(t, y)
    _positive("sigma", sigma)
    _positive("prior_std", prior_std)
    return float(t @ y / (t @ t))


def monty_hall(n_doors: int, switch: bool) -> Fraction:
    """Exact P(win) with n doors: the host opens one goat door; switching picks one of the rest."""
    _doors(n_doors)
    if not switch:
        return Fraction(1, n_doors)
    return Fraction(n_doors - 1, n_doors * (n_doors - 2))


def simulate_monty_hall(n_doors: int, switch: bool, trials: int, rng: np.random.Generator) -> float:
    """The share of ``trials`` games won, played with ``rng``."""
    _doors(n_doors)
    if trials < 1:
        raise ValueError(f"trials must be at least 1, got {trials}")
    car = rng.integers(n_doors, size=trials)
    pick = rng.integers(n_doors, size=trials)
    if not switch:
        return float(np.mean(car == pick))
    # The host opens a goat door other than the pick; the player moves to one of the
    # n - 2 doors left, uniformly. If the pick was the car, switching loses; else the car
    # is among the n - 2 doors left (the host never opens it) with chance 1/(n-2) of being chosen.
    chosen = rng.integers(n_doors - 2, size=trials) == 0
    return float(np.mean((car != pick) & chosen))


def _matrix(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {X.shape}")
    return X


def _pair(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t, y = np.asarray(t, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if t.shape != y.shape or t.size == 0:
        raise ValueError(f"t and y must be non-empty and the same length, got {t.size} and {y.size}")
    if not np.any(t):
        raise ValueError("t is all zeros: v cannot be estimated")
    return t, y


def _positive(name: str, value: float) -> None:
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _doors(n_doors: int) -> None:
    if isinstance(n_doors, bool) or not isinstance(n_doors, int) or n_doors < 3:
        raise ValueError(f"n_doors must be an int of at least 3, got {n_doors!r}")
