"""Hidden correctness tests: known answers on synthetic data, edge cases, determinism."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def ml(submission):
    return submission.module("ml_scratch")


def _blobs(seed, n=60, centers=((0, 0), (6, 6), (0, 7)), scale=0.8):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, scale, size=(n, 2)) for c in centers])
    return X, np.repeat(np.arange(len(centers)), n)


# --- linear regression -----------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
def test_closed_form_matches_lstsq(ml):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ [1.5, -2.0, 0.5] + 3.0 + rng.normal(scale=0.1, size=50)
    model = ml.LinearRegression().fit(X, y)
    w = np.linalg.lstsq(np.column_stack([np.ones(50), X]), y, rcond=None)[0]
    np.testing.assert_allclose([model.intercept_, *model.coef_], w, atol=1e-8)


@pytest.mark.rubric("correctness", weight=2)
def test_gradient_descent_reaches_the_closed_form(ml):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    y = X @ [2.0, -1.0] + 0.5 + rng.normal(scale=0.1, size=80)
    closed = ml.LinearRegression().fit(X, y)
    gd = ml.LinearRegression(method="gradient_descent", lr=0.1, epochs=3000).fit(X, y)
    np.testing.assert_allclose(gd.predict(X), closed.predict(X), atol=1e-3)


@pytest.mark.rubric("correctness")
def test_constant_and_duplicate_features_still_predict(ml):
    rng = np.random.default_rng(2)
    x = rng.normal(size=30)
    X = np.column_stack([x, np.full(30, 4.0), x])  # a constant and a duplicated column
    model = ml.LinearRegression().fit(X, 3 * x + 1)
    np.testing.assert_allclose(model.predict(X), 3 * x + 1, atol=1e-8)


# --- logistic regression ------------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
def test_logistic_regression_separates_two_blobs(ml):
    X, y = _blobs(3, centers=((0, 0), (3, 3)))
    model = ml.LogisticRegression(lr=0.1, epochs=2000).fit(X, y)
    proba = model.predict_proba(X)
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.mean(model.predict(X) == y) >= 0.95


@pytest.mark.rubric("correctness")
def test_logistic_regression_is_stable_on_large_inputs(ml):
    X, y = _blobs(4, centers=((0, 0), (3, 3)))
    model = ml.LogisticRegression().fit(X * 1e3, y)
    assert np.all(np.isfinite(model.predict_proba(X * 1e3)))


@pytest.mark.rubric("correctness")
def test_logistic_regression_single_class(ml):
    X = np.random.default_rng(5).normal(size=(20, 2))
    model = ml.LogisticRegression().fit(X, np.ones(20))
    np.testing.assert_array_equal(model.predict(X), np.ones(20))


@pytest.mark.rubric("correctness")
def test_logistic_regression_predicts_1_at_a_probability_of_one_half(ml):
    """`predict(X)` is 1 where `predict_proba(X)` is at least 0.5: a probability of exactly
    0.5 predicts 1. Symmetric data keeps the gradient at zero, so the weights stay at zero."""
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    model = ml.LogisticRegression().fit(X, np.array([1, 1, 0, 0]))
    queries = np.array([[0.0], [3.0], [-3.0]])
    proba = np.asarray(model.predict_proba(queries))
    np.testing.assert_allclose(proba, 0.5, atol=1e-12)
    np.testing.assert_array_equal(model.predict(queries), np.where(proba >= 0.5, 1, 0))


# --- k-nearest neighbours -----------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
def test_knn_accuracy_on_blobs(ml):
    X, y = _blobs(6)
    Xt, yt = _blobs(7)
    assert np.mean(ml.KNNClassifier(k=5).fit(X, y).predict(Xt) == yt) >= 0.95


@pytest.mark.rubric("correctness")
def test_knn_k1_recalls_training_data_and_handles_duplicates(ml):
    X, y = _blobs(8)
    X = np.vstack([X, X[:5]])
    y = np.concatenate([y, y[:5]])
    np.testing.assert_array_equal(ml.KNNClassifier(k=1).fit(X, y).predict(X), y)


@pytest.mark.rubric("correctness", weight=4)
def test_knn_tie_goes_to_the_smallest_label(ml):
    X = np.array([[0.0], [1.0], [10.0]])
    model = ml.KNNClassifier(k=2).fit(X, np.array([5, 2, 9]))
    np.testing.assert_array_equal(model.predict(np.array([[0.5]])), [2])


# --- k-means ------------------------------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_recovers_the_blobs(ml, seed):
    X, truth = _blobs(seed + 10, centers=((0, 0), (10, 10), (0, 12)))
    labels = np.asarray(ml.KMeans(k=3, seed=seed).fit(X).labels_)
    for blob in range(3):
        assert len(set(labels[truth == blob])) == 1, "a blob split over clusters"
    assert len(set(labels)) == 3


@pytest.mark.rubric("correctness")
def test_kmeans_is_deterministic_given_a_seed(ml):
    X, _ = _blobs(20)
    a = ml.KMeans(k=4, seed=3).fit(X)
    b = ml.KMeans(k=4, seed=3).fit(X)
    np.testing.assert_array_equal(a.centroids_, b.centroids_)
    np.testing.assert_array_equal(a.labels_, b.labels_)


@pytest.mark.rubric("correctness")
def test_kmeans_stops_after_max_iter_iterations(ml):
    """Points spread evenly along a line take Lloyd's algorithm several iterations to
    settle from any start (each halves the distance to the split at the middle), so one
    iteration must leave the centroids short of where a hundred take them. A start whose
    midpoint falls within 2e-6 of the middle would settle at once: with points drawn at
    random, a chance of about 1e-5 per seed."""
    X = np.random.default_rng(7).uniform(size=(400, 1))
    for seed in range(5):
        one = np.sort(np.asarray(ml.KMeans(k=2, max_iter=1, seed=seed).fit(X).centroids_).ravel())
        settled = np.sort(np.asarray(ml.KMeans(k=2, seed=seed).fit(X).centroids_).ravel())
        assert np.abs(one - settled).max() > 1e-6, (
            f"seed {seed}: KMeans(max_iter=1) ended where the default max_iter=100 does "
            f"({settled.round(4).tolist()}): more than one iteration ran"
        )


@pytest.mark.rubric("correctness")
def test_kmeans_plus_plus_start_does_not_depend_on_the_scale(ml):
    """k-means++ draws each next centre with probability proportional to its squared
    distance, a share that does not change when the data is scaled: the same seed gives
    the same clusters on X and on X / 1000 (where every squared distance is below 1)."""
    X, _ = _blobs(7, centers=((0, 0), (10, 10), (0, 12)))
    for seed in range(4):
        big = np.asarray(ml.KMeans(k=3, seed=seed).fit(X).labels_)
        small = np.asarray(ml.KMeans(k=3, seed=seed).fit(X / 1000).labels_)
        np.testing.assert_array_equal(small, big, err_msg=f"seed {seed}")


@pytest.mark.rubric("correctness", weight=4)
def test_kmeans_survives_an_empty_cluster(ml):
    """Five copies of two points and k=3: some cluster ends up empty; no NaN, no crash."""
    X = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    model = ml.KMeans(k=3, seed=0).fit(X)
    assert np.all(np.isfinite(model.centroids_))
    assert np.asarray(model.centroids_).shape == (3, 2)
    labels = np.asarray(model.predict(X))
    assert labels[0] != labels[-1]


# --- decision tree ------------------------------------------------------------------------------


@pytest.mark.rubric("correctness", weight=2)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_tree_learns_xor_at_depth_two(ml, criterion):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 5)
    y = np.array([0, 1, 1, 0] * 5)
    tree = ml.DecisionTree(max_depth=2, criterion=criterion).fit(X, y)
    np.testing.assert_array_equal(tree.predict(X), y)
    assert tree.depth() == 2, f"depth() is {tree.depth()} for a tree that needs two levels"


@pytest.mark.rubric("correctness", weight=4)
def test_tree_respects_the_depth_limit(ml):
    X = np.arange(1.0, 7.0).reshape(-1, 1)
    y = np.array([0, 0, 1, 1, 0, 0])
    stump = ml.DecisionTree(max_depth=1).fit(X, y)
    assert stump.depth() <= 1
    assert np.mean(stump.predict(X) == y) < 1.0
    full = ml.DecisionTree(max_depth=2).fit(X, y)
    np.testing.assert_array_equal(full.predict(X), y)
    xor = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    deep = ml.DecisionTree(max_depth=1).fit(xor, np.array([0, 1, 1, 0]))
    assert deep.depth() == 1, f"XOR with max_depth=1 grew to depth {deep.depth()}"


@pytest.mark.rubric("correctness")
def test_tree_constant_feature_and_single_class(ml):
    X = np.column_stack([np.full(8, 3.0), np.arange(8.0)])
    y = (np.arange(8) >= 4).astype(int)
    np.testing.assert_array_equal(ml.DecisionTree().fit(X, y).predict(X), y)
    only = ml.DecisionTree().fit(X, np.full(8, 7))
    np.testing.assert_array_equal(only.predict(X), np.full(8, 7))
    assert only.depth() == 0


@pytest.mark.rubric("correctness", weight=2)
def test_tree_leaves_predict_their_majority_label_smallest_on_a_tie(ml):
    """Leaves predict their majority label (smallest on a tie)."""
    constant = np.full((4, 1), 2.0)  # no feature varies: the root is a leaf
    leaf = ml.DecisionTree().fit(constant[:3], np.array([2, 5, 5]))
    np.testing.assert_array_equal(leaf.predict(constant[:1]), [5])
    tie = ml.DecisionTree().fit(constant, np.array([3, 1, 3, 1]))
    np.testing.assert_array_equal(tie.predict(constant[:1]), [1])
    # depth 1: the split at 3.5 (weighted Gini 2/7) leaves [2, 1, 2, 1] on the right
    X = np.arange(1.0, 8.0).reshape(-1, 1)
    stump = ml.DecisionTree(max_depth=1).fit(X, np.array([0, 0, 0, 2, 1, 2, 1]))
    np.testing.assert_array_equal(stump.predict(np.array([[1.0], [7.0]])), [0, 1])
