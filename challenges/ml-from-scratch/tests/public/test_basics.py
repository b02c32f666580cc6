"""Public tests: a first look at the interface. The hidden tests check much more."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def ml(submission):
    return submission.module("ml_scratch")


def test_linear_regression_fits_an_exact_line(ml):
    X = np.arange(6.0).reshape(-1, 1)
    model = ml.LinearRegression().fit(X, 1.0 + 2.0 * X[:, 0])
    np.testing.assert_allclose(model.predict(np.array([[10.0]])), [21.0])


def test_knn_on_a_tiny_example(ml):
    X = np.array([[0.0], [0.1], [5.0], [5.1]])
    model = ml.KNNClassifier(k=1).fit(X, np.array([0, 0, 1, 1]))
    np.testing.assert_array_equal(model.predict(np.array([[0.2], [4.9]])), [0, 1])


def test_kmeans_finds_two_blobs(ml):
    X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.1, 10.0]])
    labels = ml.KMeans(k=2, seed=0).fit(X).labels_
    assert labels[0] == labels[1] != labels[2] == labels[3]
