"""Public tests: a first look at the interface. The hidden tests check much more."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest


@pytest.fixture
def est(submission):
    return submission.module("estimators")


def test_least_squares_recovers_an_exact_line(est):
    X = np.column_stack([np.ones(5), np.arange(5.0)])
    np.testing.assert_allclose(est.least_squares(X, 2 + 3 * np.arange(5.0)), [2.0, 3.0])


def test_ls_speed_of_noise_free_samples(est):
    t = np.array([1.0, 2.0, 3.0])
    assert est.ls_speed(t, 4.0 * t) == pytest.approx(4.0)


def test_monty_hall_three_doors(est):
    assert est.monty_hall(3, switch=False) == Fraction(1, 3)
    assert est.monty_hall(3, switch=True) == Fraction(2, 3)
