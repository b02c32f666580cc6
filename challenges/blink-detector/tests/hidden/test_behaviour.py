"""Hidden correctness tests: the interface the statement gives, and its errors.

Small slices of the training set keep these quick; the hidden images are only for
the performance tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from blink_harness import hidden_set, probabilities, training_set


@pytest.fixture
def module(submission):
    return submission.module("blink_detector")


@pytest.fixture
def small():
    """300 training crops, both classes among them."""
    data = training_set()
    return data.images[:300], data.labels[:300], data.users[:300]


@pytest.mark.rubric("correctness", weight=2)
def test_fit_returns_the_detector_and_predictions_are_probabilities(module, small):
    detector = module.BlinkDetector(seed=0)
    returned = detector.fit(*small)
    assert returned is detector, "fit must return the detector itself (self)"
    probabilities(detector, hidden_set().images[:200])


@pytest.mark.rubric("correctness", weight=2)
def test_odd_images_still_get_probabilities(module, small):
    """All black, all white, constant grey, pure noise: one finite probability each."""
    detector = module.BlinkDetector(seed=0).fit(*small)
    odd = np.stack(
        [
            np.zeros((24, 24)),
            np.ones((24, 24)),
            np.full((24, 24), 0.5),
            np.random.default_rng(0).random((24, 24)),
        ]
    ).astype(np.float32)
    probabilities(detector, odd)


@pytest.mark.rubric("correctness", weight=2)
def test_a_batch_predicts_as_its_images_one_by_one(module, small):
    detector = module.BlinkDetector(seed=0).fit(*small)
    images = hidden_set().images[:20]
    together = probabilities(detector, images)
    alone = np.array([probabilities(detector, images[k : k + 1])[0] for k in range(20)])
    np.testing.assert_allclose(together, alone, atol=1e-9)


@pytest.mark.rubric("correctness", weight=3)
def test_the_same_seed_trains_the_same_detector(module, small):
    """Two detectors with the same seed, fitted on the same data, agree exactly."""
    images = hidden_set().images[:300]
    detectors = [module.BlinkDetector(seed=7) for _ in range(2)]
    for detector in detectors:  # fit's return value is another test's business
        detector.fit(*small)
    first, second = (probabilities(detector, images) for detector in detectors)
    np.testing.assert_array_equal(first, second)


@pytest.mark.rubric("correctness", weight=2)
def test_inputs_are_left_unchanged(module, small):
    images, labels, users = (np.array(a, copy=True) for a in small)
    detector = module.BlinkDetector(seed=0).fit(images, labels, users)
    probabilities(detector, images)
    for given, kept in zip((images, labels, users), small, strict=True):
        np.testing.assert_array_equal(given, kept)


@pytest.mark.rubric("correctness", weight=1)
def test_predicting_before_fit_is_a_runtime_error(module):
    detector = module.BlinkDetector(seed=0)
    with pytest.raises(RuntimeError) as raised:
        detector.predict_proba(hidden_set().images[:2])
    assert not isinstance(raised.value, NotImplementedError), "predict_proba is not written yet"


@pytest.mark.rubric("correctness", weight=1)
def test_a_seed_that_is_not_an_int_is_a_type_error(module):
    for seed in ("0", 1.5, True):
        with pytest.raises(TypeError):
            module.BlinkDetector(seed=seed)


@pytest.mark.rubric("correctness")
@pytest.mark.parametrize(
    "shape",
    [(10, 24), (10, 24, 23), (10, 28, 28), (0, 24, 24)],
    ids=lambda s: "x".join(map(str, s)),
)
def test_images_of_the_wrong_shape_are_a_value_error(module, small, shape):
    detector = module.BlinkDetector(seed=0).fit(*small)
    with pytest.raises(ValueError):
        detector.predict_proba(np.zeros(shape, dtype=np.float32))


@pytest.mark.rubric("correctness", weight=1)
def test_images_with_nan_are_a_value_error(module, small):
    detector = module.BlinkDetector(seed=0).fit(*small)
    images = hidden_set().images[:3].copy()
    images[1, 5, 5] = np.nan
    with pytest.raises(ValueError):
        detector.predict_proba(images)


@pytest.mark.rubric("correctness", weight=1)
def test_images_that_are_not_an_array_are_a_type_error(module, small):
    detector = module.BlinkDetector(seed=0).fit(*small)
    with pytest.raises(TypeError):
        detector.predict_proba(small[0][:2].tolist())


@pytest.mark.rubric("correctness", weight=2)
def test_labels_and_users_must_match_the_images(module, small):
    images, labels, users = small
    for bad in (
        (images, labels[:-1], users),
        (images, labels, users[:-1]),
        (images, np.full(len(labels), 2, dtype=np.int8), users),
    ):
        with pytest.raises(ValueError):
            module.BlinkDetector(seed=0).fit(*bad)


@pytest.mark.rubric("correctness", weight=1)
def test_one_class_only_is_a_value_error(module, small):
    images, labels, users = small
    with pytest.raises(ValueError):
        module.BlinkDetector(seed=0).fit(images, np.zeros_like(labels), users)


@pytest.mark.rubric("correctness", weight=1)
def test_fit_refuses_lists_and_images_with_nan(module, small):
    images, labels, users = small
    for bad in (
        (images.tolist(), labels, users),
        (images, labels.tolist(), users),
        (images, labels, users.tolist()),
    ):
        with pytest.raises(TypeError):
            module.BlinkDetector(seed=0).fit(*bad)
    spoiled = images.copy()
    spoiled[3, 0, 0] = np.inf
    with pytest.raises(ValueError):
        module.BlinkDetector(seed=0).fit(spoiled, labels, users)
