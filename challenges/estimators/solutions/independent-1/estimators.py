"""Classical estimation in numpy: least squares, PCA and whitening, LS/ML/MAP, Monty Hall.

Design notes:

- `least_squares` builds the pseudo-inverse solution from a thin SVD with an
  explicit rank cut-off, so the minimum-norm answer is visible in the code.
- `PCA` works from the SVD of the centred data (never forms the covariance),
  which is better conditioned than an eigen-decomposition of X^T X.
- The MAP speed is written as the prior mean plus a shrunk correction, which
  stays finite in both limits (very vague and very sharp priors).
- The Monty Hall simulation plays every step of the game (random pick, a
  host who chooses uniformly among the goats he may open, a uniformly random
  switch) in vectorised form, without assuming the closed-form answer.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def _as_matrix_and_vector(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return x as a 2-D float array and y as floats, with matching numbers of rows."""
    matrix = np.asarray(x, dtype=float)
    target = np.asarray(y, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {matrix.shape}")
    if target.ndim not in (1, 2) or target.shape[0] != matrix.shape[0]:
        raise ValueError(f"X has {matrix.shape[0]} rows but y has shape {target.shape}")
    return matrix, target


def _rank_cutoff(singular_values: np.ndarray, shape: tuple[int, ...]) -> float:
    """The threshold below which a singular value counts as zero (numpy's rule)."""
    if singular_values.size == 0:
        return 0.0
    return float(singular_values.max()) * max(shape) * np.finfo(float).eps


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum-norm w minimising ||X w - y||^2, through the pseudo-inverse.

    Must work for rank-deficient X. Raise ValueError if X and y disagree in rows.
    """
    matrix, target = _as_matrix_and_vector(X, y)
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    keep = s > _rank_cutoff(s, matrix.shape)
    # w = V_r diag(1/s_r) U_r^T y: the component of w in the null space of X is zero.
    coefficients = (u[:, keep].T @ target) / (s[keep] if target.ndim == 1 else s[keep, None])
    return vt[keep].T @ coefficients


class PCA:
    """Principal components from the sample covariance matrix, and a whitening transform."""

    def __init__(self) -> None:
        """An unfitted PCA; call `fit` before anything else."""
        self._mean: np.ndarray | None = None
        self._components: np.ndarray | None = None
        self._variance: np.ndarray | None = None
        self._singular: bool = True

    def fit(self, X: np.ndarray) -> PCA:
        """Learn the mean and the eigen-decomposition of the covariance (ddof=1); return self."""
        data = np.asarray(X, dtype=float)
        if data.ndim != 2 or data.shape[0] < 2:
            raise ValueError(f"need a 2-D array with at least 2 rows, got shape {data.shape}")
        n_samples, n_features = data.shape
        self._mean = data.mean(axis=0)
        _, s, vt = np.linalg.svd(data - self._mean, full_matrices=True)
        padded = np.zeros(n_features)
        padded[: s.size] = s
        self._components = vt
        self._variance = padded**2 / (n_samples - 1)
        self._singular = bool(np.any(padded <= _rank_cutoff(padded, data.shape)))
        return self

    def _fitted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, components, variances); RuntimeError if `fit` has not been called."""
        if self._mean is None or self._components is None or self._variance is None:
            raise RuntimeError("PCA is not fitted yet: call fit(X) first")
        return self._mean, self._components, self._variance

    @property
    def components(self) -> np.ndarray:
        """Unit principal directions as rows, largest variance first."""
        return self._fitted()[1].copy()

    @property
    def explained_variance(self) -> np.ndarray:
        """The variance along each component (the covariance's eigenvalues), descending."""
        return self._fitted()[2].copy()

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Coordinates of X along the components (centred, not scaled)."""
        mean, components, _ = self._fitted()
        return (np.asarray(X, dtype=float) - mean) @ components.T

    def whiten(self, X: np.ndarray) -> np.ndarray:
        """Coordinates whose sample covariance is the identity; ValueError if singular."""
        variance = self._fitted()[2]
        if self._singular:
            raise ValueError("the sample covariance is singular: it cannot be whitened")
        return self.transform(X) / np.sqrt(variance)


def _require_positive(name: str, value: float) -> float:
    """`value` as a float; ValueError unless it is a finite positive number."""
    value = float(value)
    if not (value > 0 and np.isfinite(value)):
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def _sufficient_statistics(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(sum t_i y_i, sum t_i^2) for the model y = v t + n."""
    t = np.asarray(t, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if t.shape != y.shape:
        raise ValueError(f"t and y differ in length: {t.size} != {y.size}")
    return float(t @ y), float(t @ t)


def ls_speed(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares estimate of v in y = v t + n."""
    ty, tt = _sufficient_statistics(t, y)
    if tt == 0:
        raise ValueError("all t are zero: v is not identifiable")
    return ty / tt


def ml_speed(t: np.ndarray, y: np.ndarray, sigma: float) -> float:
    """Maximum-likelihood v for Gaussian noise N(0, sigma^2); ValueError unless sigma > 0.

    The log-likelihood is -sum (y_i - v t_i)^2 / (2 sigma^2) + const, so its
    maximiser is the least-squares estimate whatever sigma is.
    """
    _require_positive("sigma", sigma)
    return ls_speed(t, y)


def map_speed(t: np.ndarray, y: np.ndarray, sigma: float, prior_mean: float, prior_std: float) -> float:
    """MAP v with prior v ~ N(prior_mean, prior_std^2) and noise N(0, sigma^2).

    The posterior is Gaussian with mode (sum t y / sigma^2 + mu / tau^2) /
    (sum t^2 / sigma^2 + 1 / tau^2), written here as mu plus a correction.
    """
    sigma = _require_positive("sigma", sigma)
    prior_std = _require_positive("prior_std", prior_std)
    ty, tt = _sufficient_statistics(t, y)
    prior_mean = float(prior_mean)
    ratio = sigma / prior_std
    shrinkage = ratio * ratio  # (sigma / tau)^2; inf for a very sharp prior
    if np.isinf(shrinkage):
        return prior_mean
    return prior_mean + (ty - prior_mean * tt) / (tt + shrinkage)


def _check_doors(n_doors: int) -> int:
    """`n_doors` as an int; ValueError unless it is an integer of at least 3."""
    if isinstance(n_doors, bool) or int(n_doors) != n_doors or n_doors < 3:
        raise ValueError(f"n_doors must be an integer of at least 3, got {n_doors!r}")
    return int(n_doors)


def monty_hall(n_doors: int, switch: bool) -> Fraction:
    """Exact probability of winning the car with `n_doors` doors (ValueError below 3).

    Staying wins when the first pick was right (1/n). Switching wins when the
    first pick was wrong ((n-1)/n) and the uniform switch among the n-2 other
    closed doors lands on the car (1/(n-2)).
    """
    n = _check_doors(n_doors)
    first_pick_right = Fraction(1, n)
    if not switch:
        return first_pick_right
    return (1 - first_pick_right) * Fraction(1, n - 2)


def _uniform_door_except(rng: np.random.Generator, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per game, a door drawn uniformly from range(n) minus the doors {a, b} (a may equal b)."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    distinct = low != high
    door = rng.integers(0, n - 1 - distinct)
    door = door + (door >= low)
    return door + (distinct & (door >= high))


def simulate_monty_hall(n_doors: int, switch: bool, trials: int, rng: np.random.Generator) -> float:
    """The share of `trials` games won, played with the random generator `rng`."""
    n = _check_doors(n_doors)
    if int(trials) != trials or trials < 1:
        raise ValueError(f"trials must be a positive integer, got {trials!r}")
    car = rng.integers(0, n, size=int(trials))
    pick = rng.integers(0, n, size=int(trials))
    if not switch:
        return float(np.mean(pick == car))
    opened = _uniform_door_except(rng, n, pick, car)
    final = _uniform_door_except(rng, n, pick, opened)
    return float(np.mean(final == car))
