"""My own tests: the interface table of README.md, errors included, on small data."""

from __future__ import annotations

import numpy as np
import pytest

from blink_detector import BlinkDetector
from data import load_training_set


@pytest.fixture(scope="module")
def training():
    """A small slice of the training set: 20 users."""
    data = load_training_set()
    keep = np.isin(data.users, np.unique(data.users)[:20])
    return data.images[keep], data.labels[keep], data.users[keep]


@pytest.fixture(scope="module")
def fitted(training):
    """A detector fitted on the small slice."""
    return BlinkDetector(seed=3).fit(*training)


@pytest.mark.parametrize("seed", [1.0, "0", None, True, False, np.int64(1)])
def test_a_seed_that_is_not_an_int_is_refused(seed):
    with pytest.raises(TypeError):
        BlinkDetector(seed=seed)


def test_any_int_seed_is_accepted():
    BlinkDetector(seed=-5)
    BlinkDetector(seed=2**70)


def test_fit_returns_the_detector_and_leaves_its_inputs_unchanged(training):
    copies = [array.copy() for array in training]
    detector = BlinkDetector()
    assert detector.fit(*training) is detector
    for before, after in zip(copies, training):
        np.testing.assert_array_equal(before, after)


def test_probabilities_are_finite_and_in_range_even_for_odd_images(fitted):
    rng = np.random.default_rng(0)
    odd = np.stack([np.zeros((24, 24)), np.ones((24, 24)), rng.random((24, 24)), np.full((24, 24), 0.5)])
    proba = fitted.predict_proba(odd)
    assert proba.shape == (4,) and proba.dtype.kind == "f"
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()


def test_a_batch_predicts_as_its_images_one_by_one(fitted, training):
    images = training[0][:40]
    batch = fitted.predict_proba(images)
    single = np.array([fitted.predict_proba(images[i : i + 1])[0] for i in range(len(images))])
    np.testing.assert_array_equal(batch, single)


def test_predict_leaves_images_unchanged(fitted, training):
    images = training[0][:10].copy()
    fitted.predict_proba(images)
    np.testing.assert_array_equal(images, training[0][:10])


def test_the_same_seed_gives_the_same_probabilities(training, fitted):
    again = BlinkDetector(seed=3).fit(*training)
    np.testing.assert_array_equal(again.predict_proba(training[0]), fitted.predict_proba(training[0]))


def test_predict_before_fit_is_a_runtime_error(training):
    with pytest.raises(RuntimeError):
        BlinkDetector().predict_proba(training[0][:2])


@pytest.mark.parametrize("images", [[[0.0] * 24] * 24, None, "image"])
def test_predict_refuses_what_is_not_an_array(fitted, images):
    with pytest.raises(TypeError):
        fitted.predict_proba(images)


@pytest.mark.parametrize("shape", [(0, 24, 24), (24, 24), (2, 24, 23), (2, 1, 24, 24)])
def test_predict_refuses_another_shape(fitted, shape):
    with pytest.raises(ValueError):
        fitted.predict_proba(np.zeros(shape))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_predict_refuses_nan_and_infinity(fitted, bad):
    images = np.zeros((3, 24, 24))
    images[1, 5, 5] = bad
    with pytest.raises(ValueError):
        fitted.predict_proba(images)


def test_fit_refuses_what_is_not_an_array(training):
    images, labels, users = training
    for args in [(images.tolist(), labels, users), (images, list(labels), users), (images, labels, None)]:
        with pytest.raises(TypeError):
            BlinkDetector().fit(*args)


def test_fit_refuses_bad_values(training):
    images, labels, users = training
    nan_images = images.copy()
    nan_images[0, 0, 0] = np.nan
    cases = [
        (images[:-1], labels, users),
        (images, labels[:-1], users),
        (images, labels, users[:-1]),
        (images, np.where(labels == 1, 2, 0), users),
        (images, np.zeros_like(labels), users),
        (nan_images, labels, users),
        (images[:, :, :20], labels, users),
    ]
    for args in cases:
        with pytest.raises(ValueError):
            BlinkDetector().fit(*args)
