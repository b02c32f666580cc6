"""Hidden complexity tests: k-NN prediction and a k-means iteration are linear in the data."""

from __future__ import annotations

import numpy as np
import pytest

QUERIES = np.random.default_rng(99).normal(size=(20, 3))


@pytest.fixture
def ml(submission):
    ml = submission.module("ml_scratch")
    try:
        ml.KNNClassifier(k=1).fit(np.zeros((2, 3)), np.array([0, 1])).predict(QUERIES[:2])
        ml.KMeans(k=2, seed=0).fit(np.random.default_rng(0).normal(size=(10, 3)))
    except Exception as exc:
        pytest.fail(f"complexity points need working models: {type(exc).__name__}: {exc}")
    return ml


@pytest.mark.rubric("complexity", weight=2)
def test_knn_prediction_is_linear_in_training_size(ml, complexity):
    def make_input(n):
        rng = np.random.default_rng(n)
        n = max(n, 8)
        return ml.KNNClassifier(k=5).fit(rng.normal(size=(n, 3)), rng.integers(0, 3, size=n))

    complexity.require(
        lambda model: model.predict(QUERIES), make_input, "O(n)", max_n=100_000, label="KNN.predict"
    )


@pytest.mark.rubric("complexity", weight=2)
def test_one_kmeans_iteration_is_linear_in_points(ml, complexity):
    def make_input(n):
        return np.random.default_rng(n).normal(size=(max(n, 8), 3))

    complexity.require(
        lambda X: ml.KMeans(k=4, max_iter=1, seed=0).fit(X),
        make_input,
        "O(n)",
        max_n=100_000,
        label="KMeans iteration",
    )
