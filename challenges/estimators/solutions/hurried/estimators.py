"""Classical estimation in numpy: least squares, PCA and whitening, LS/ML/MAP, Monty Hall."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum-norm w minimising ||X w - y||^2, through the pseudo-inverse.

    Must work for rank-deficient X. Raise ValueError if X and y disagree in rows.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows, y has {y.shape[0]}")
    return np.linalg.pinv(X) @ y


class PCA:
    """Principal components from the sample covariance matrix, and a whitening transform."""

    def __init__(self) -> None:
        """Create an unfitted PCA."""
        self._mean: np.ndarray | None = None
        self._components: np.ndarray | None = None
        self._variance: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> PCA:
        """Learn the mean and the eigen-decomposition of the covariance (ddof=1); return self."""
        X = np.asarray(X, dtype=float)
        self._mean = X.mean(axis=0)
        centred = X - self._mean
        cov = centred.T @ centred / len(X)
        eigvals, eigvecs = np.linalg.eigh(cov)
        order = np.argsort(eigvals)[::-1]
        self._variance = eigvals[order]
        self._components = eigvecs[:, order].T
        return self

    @property
    def components(self) -> np.ndarray:
        """Unit principal directions as rows, largest variance first."""
        return self._components

    @property
    def explained_variance(self) -> np.ndarray:
        """The variance along each component (the covariance's eigenvalues), descending."""
        return self._variance

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Coordinates of X along the components (centred, not scaled)."""
        return (np.asarray(X, dtype=float) - self._mean) @ self._components.T

    def whiten(self, X: np.ndarray) -> np.ndarray:
        """Coordinates whose sample covariance is the identity; ValueError if singular."""
        if np.any(self._variance <= 1e-12 * self._variance.max()):
            raise ValueError("covariance is singular, cannot whiten")
        return self.transform(X) / np.sqrt(self._variance)


def _check_positive(name: str, value: float) -> None:
    """ValueError unless value > 0."""
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")


def ls_speed(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares estimate of v in y = v t + n."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(t @ y / (t @ t))


def ml_speed(t: np.ndarray, y: np.ndarray, sigma: float) -> float:
    """Maximum-likelihood v for Gaussian noise N(0, sigma^2); ValueError unless sigma > 0."""
    _check_positive("sigma", sigma)
    # Gaussian likelihood -> maximising it is minimising the squared error.
    return ls_speed(t, y)


def map_speed(t: np.ndarray, y: np.ndarray, sigma: float, prior_mean: float, prior_std: float) -> float:
    """MAP v with prior v ~ N(prior_mean, prior_std^2) and noise N(0, sigma^2)."""
    _check_positive("sigma", sigma)
    _check_positive("prior_std", prior_std)
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    prior_precision = 1.0 / prior_std**2
    return float((t @ y + prior_mean * prior_precision) / (t @ t + prior_precision))


def monty_hall(n_doors: int, switch: bool) -> Fraction:
    """Exact probability of winning the car with `n_doors` doors (ValueError below 3)."""
    if n_doors < 3:
        raise ValueError(f"need at least 3 doors, got {n_doors}")
    if not switch:
        return Fraction(1, n_doors)
    return Fraction(n_doors - 1, n_doors) * Fraction(1, n_doors - 2)


def simulate_monty_hall(n_doors: int, switch: bool, trials: int, rng: np.random.Generator) -> float:
    """The share of `trials` games won, played with the random generator `rng`."""
    car = rng.integers(0, n_doors, size=trials)
    pick = rng.integers(0, n_doors, size=trials)
    if not switch:
        return float(np.mean(car == pick))
    # Switching wins only if the first pick was wrong and the new door is the car,
    # one of the n - 2 doors left closed.
    lucky = rng.integers(0, n_doors - 2, size=trials) == 0
    return float(np.mean((car != pick) & lucky))
