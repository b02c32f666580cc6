"""Hidden correctness tests: numbers a correct solution meets every time."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest


@pytest.fixture
def est(submission):
    return submission.module("estimators")


# --- least squares -----------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_least_squares_full_rank_matches_lstsq(est, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(40, 5)), rng.normal(size=40)
    np.testing.assert_allclose(
        est.least_squares(X, y), np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-9
    )


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("case", ["duplicate column", "zero column", "more columns than rows"])
def test_least_squares_rank_deficient_gives_the_minimum_norm_solution(est, case):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(30, 4))
    if case == "duplicate column":
        X[:, 3] = X[:, 1]
    elif case == "zero column":
        X[:, 2] = 0.0
    else:
        X = rng.normal(size=(3, 6))
    y = rng.normal(size=X.shape[0])
    w = np.asarray(est.least_squares(X, y), dtype=float)
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ y, atol=1e-8, err_msg=case)


@pytest.mark.rubric("correctness")
def test_least_squares_rejects_mismatched_shapes(est):
    with pytest.raises(ValueError):
        est.least_squares(np.ones((4, 2)), np.ones(3))


# --- PCA and whitening -------------------------------------------------------------

COV = np.array([[4.0, 1.5, 0.0], [1.5, 2.0, 0.3], [0.0, 0.3, 0.5]])


def _gaussian(n=2000, seed=3):
    return np.random.default_rng(seed).multivariate_normal([1.0, -2.0, 0.5], COV, size=n)


@pytest.mark.rubric("correctness", weight=2)
def test_pca_components_are_the_covariance_eigenvectors(est):
    X = _gaussian()
    pca = est.PCA().fit(X)
    values, vectors = np.linalg.eigh(np.cov(X, rowvar=False))
    order = np.argsort(values)[::-1]
    np.testing.assert_allclose(pca.explained_variance, values[order], rtol=1e-8)
    comps = np.asarray(pca.components)
    np.testing.assert_allclose(comps @ comps.T, np.eye(3), atol=1e-10)
    for got, want in zip(comps, vectors[:, order].T, strict=True):
        np.testing.assert_allclose(abs(got @ want), 1.0, atol=1e-8)  # up to sign


@pytest.mark.rubric("correctness", weight=4)
def test_whitened_data_has_identity_covariance(est):
    X = _gaussian()
    Z = est.PCA().fit(X).whiten(X)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.eye(3), atol=1e-8)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-10)


@pytest.mark.rubric("correctness")
def test_transform_decorrelates_with_the_component_variances(est):
    X = _gaussian()
    pca = est.PCA().fit(X)
    C = np.cov(pca.transform(X), rowvar=False)
    np.testing.assert_allclose(C, np.diag(pca.explained_variance), atol=1e-8)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("scale", [1.0, 1e6])
def test_whitening_a_singular_covariance_is_refused(est, scale):
    """Singular at any scale: in metres or in micrometres, a rank-2 covariance is singular
    (its smallest eigenvalue is rounding error relative to the largest)."""
    X = _gaussian() * scale
    X[:, 2] = X[:, 0] + X[:, 1]  # rank 2
    with pytest.raises(ValueError):
        est.PCA().fit(X).whiten(X)


# --- LS, ML, MAP ---------------------------------------------------------------------


def _samples(seed, v=3.0, sigma=0.5, n=25):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.5, 5.0, size=n)
    return t, v * t + rng.normal(scale=sigma, size=n)


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("seed", [0, 1])
def test_ls_and_ml_speed_are_the_closed_form(est, seed):
    t, y = _samples(seed)
    want = float(t @ y / (t @ t))
    assert est.ls_speed(t, y) == pytest.approx(want, rel=1e-12)
    assert est.ml_speed(t, y, 0.5) == pytest.approx(want, rel=1e-12)


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize(
    ("sigma", "mu0", "tau"), [(0.5, 2.0, 0.3), (2.0, -1.0, 1.0), (0.1, 10.0, 5.0)]
)
def test_map_speed_is_the_posterior_mode(est, sigma, mu0, tau):
    t, y = _samples(4, sigma=sigma)
    want = (t @ y / sigma**2 + mu0 / tau**2) / (t @ t / sigma**2 + 1 / tau**2)
    assert est.map_speed(t, y, sigma, mu0, tau) == pytest.approx(want, rel=1e-10)


@pytest.mark.rubric("correctness")
def test_map_limits(est):
    """A vague prior gives the LS estimate; a sharp one gives the prior mean."""
    t, y = _samples(5)
    assert est.map_speed(t, y, 0.5, 100.0, 1e6) == pytest.approx(est.ls_speed(t, y), rel=1e-6)
    assert est.map_speed(t, y, 0.5, 7.0, 1e-6) == pytest.approx(7.0, rel=1e-6)


@pytest.mark.rubric("correctness")
def test_bad_noise_or_prior_is_rejected(est):
    t, y = _samples(6)
    with pytest.raises(ValueError):
        est.ml_speed(t, y, 0.0)
    with pytest.raises(ValueError):
        est.map_speed(t, y, 0.5, 1.0, -1.0)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize("sigma", [0.0, -0.5])
def test_map_speed_rejects_a_noise_that_is_not_positive(est, sigma):
    """Raise `ValueError` for a `sigma` that is not positive: `map_speed`'s own `sigma`."""
    t, y = _samples(6)
    with pytest.raises(ValueError):
        est.map_speed(t, y, sigma, 1.0, 2.0)


# --- Monty Hall ----------------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("n", [3, 4, 5, 10, 100])
def test_monty_hall_exact(est, n):
    assert est.monty_hall(n, switch=False) == Fraction(1, n)
    assert est.monty_hall(n, switch=True) == Fraction(n - 1, n * (n - 2))


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize(("n", "switch"), [(3, True), (3, False), (5, True), (10, True)])
def test_simulation_agrees_with_the_exact_answer(est, submission, n, switch):
    """Against the exact answer worked out here, never the candidate's own formula (a
    simulation and a formula wrong the same way must not agree their way to points)."""
    trials = 200_000
    p = float(Fraction(n - 1, n * (n - 2)) if switch else Fraction(1, n))
    got = est.simulate_monty_hall(n, switch, trials, _generator(submission, 11))
    assert abs(got - p) < 5 * np.sqrt(p * (1 - p) / trials), (got, p)


@pytest.mark.rubric("correctness")
def test_monty_hall_needs_three_doors(est, submission):
    with pytest.raises(ValueError):
        est.monty_hall(2, switch=True)
    with pytest.raises(ValueError):
        est.simulate_monty_hall(2, True, 100, _generator(submission, 0))


def _generator(submission, seed):
    """A numpy Generator made where the candidate's code runs, so that it is a real one
    there: one made here crosses as a reference, which `np.random.default_rng(rng)` (a
    fine way to accept a Generator) refuses."""
    return submission.run(np.random.default_rng, seed)
