"""Classical estimation in numpy: least squares, PCA and whitening, LS/ML/MAP, Monty Hall.

Replace every `raise NotImplementedError` with your implementation; keep the names
and signatures below.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def least_squares(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum-norm w minimising ||X w - y||^2, through the pseudo-inverse.

    Must work for rank-deficient X. Raise ValueError if X and y disagree in rows.
    """
    raise NotImplementedError


class PCA:
    """Principal components from the sample covariance matrix, and a whitening transform."""

    def fit(self, X: np.ndarray) -> PCA:
        """Learn the mean and the eigen-decomposition of the covariance (ddof=1); return self."""
        raise NotImplementedError

    @property
    def components(self) -> np.ndarray:
        """Unit principal directions as rows, largest variance first."""
        raise NotImplementedError

    @property
    def explained_variance(self) -> np.ndarray:
        """The variance along each component (the covariance's eigenvalues), descending."""
        raise NotImplementedError

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Coordinates of X along the components (centred, not scaled)."""
        raise NotImplementedError

    def whiten(self, X: np.ndarray) -> np.ndarray:
        """Coordinates whose sample covariance is the identity; ValueError if singular."""
        raise NotImplementedError


def ls_speed(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares estimate of v in y = v t + n."""
    raise NotImplementedError


def ml_speed(t: np.ndarray, y: np.ndarray, sigma: float) -> float:
    """Maximum-likelihood v for Gaussian noise N(0, sigma^2); ValueError unless sigma > 0."""
    raise NotImplementedError


def map_speed(t: np.ndarray, y: np.ndarray, sigma: float, prior_mean: float, prior_std: float) -> float:
    """MAP v with prior v ~ N(prior_mean, prior_std^2) and noise N(0, sigma^2)."""
    raise NotImplementedError


def monty_hall(n_doors: int, switch: bool) -> Fraction:
    """Exact probability of winning the car with `n_doors` doors (ValueError below 3)."""
    raise NotImplementedError


def simulate_monty_hall(n_doors: int, switch: bool, trials: int, rng: np.random.Generator) -> float:
    """The share of `trials` games won, played with the random generator `rng`."""
    raise NotImplementedError
