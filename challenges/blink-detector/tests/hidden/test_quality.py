"""Hidden performance tests: the detector on images of users it never saw.

Quality is the area under the ROC curve over the hidden images, with partial credit
from the baseline (half) to the target (all); every sub-population, one never in the
training set included, must clear a floor; the probabilities must be calibrated; and
the budgets of time and memory are read from outside the candidate's process.
"""

from __future__ import annotations

import pytest
from blink_harness import (
    GROUP_FLOOR_AUC,
    MAX_CALIBRATION_ERROR,
    MAX_FIT_MEMORY_MB,
    MAX_FIT_SECONDS,
    MAX_MS_PER_IMAGE,
    MAX_SINGLE_IMAGE_MS,
    TARGET_AUC,
    auc,
    baseline_proba,
    calibration_error,
    fitted,
    hidden_set,
    probabilities,
    quality_credit,
)
from eyes import GROUPS, HELD_OUT


@pytest.fixture
def detector(submission):
    """The candidate's detector, trained on the training set."""
    return fitted(submission.module("blink_detector"))[0]


@pytest.fixture
def hidden(detector):
    """The hidden set and the detector's probabilities for it."""
    data = hidden_set()
    return data, probabilities(detector, data.images)


@pytest.mark.rubric("performance", weight=30)
def test_quality_against_the_baseline(submission, hidden, partial):
    """AUC over all hidden images: the baseline's earns half, TARGET_AUC all."""
    data, proba = hidden
    base = auc(data.labels, baseline_proba(submission, data.images))
    model = auc(data.labels, proba)
    credit = quality_credit(model, base)
    partial(
        round(credit, 4),
        f"AUC {model:.3f} against the baseline's {base:.3f} (full credit at {TARGET_AUC})",
    )


@pytest.mark.rubric("performance", weight=15)
def test_every_sub_population_clears_the_floor(hidden, partial):
    """AUC within each of the five sub-populations, the one never in the training set
    included: a fifth of the points for each that reaches GROUP_FLOOR_AUC."""
    data, proba = hidden
    found = {
        group: auc(data.labels[data.groups == group], proba[data.groups == group])
        for group in (*GROUPS, HELD_OUT)
    }
    under = [f"{group} {value:.3f}" for group, value in found.items() if value < GROUP_FLOOR_AUC]
    cleared = len(found) - len(under)
    partial(
        cleared / len(found),
        f"{cleared} of {len(found)} sub-populations reach an AUC of {GROUP_FLOOR_AUC}"
        + (f"; under it: {', '.join(under)}" if under else ""),
    )


@pytest.mark.rubric("performance", weight=8)
def test_probabilities_are_calibrated(hidden):
    """Among images given probability p of being closed, about p are closed."""
    data, proba = hidden
    error = calibration_error(data.labels.astype(float), proba)
    assert error <= MAX_CALIBRATION_ERROR, (
        f"expected calibration error {error:.3f} over ten bins, more than {MAX_CALIBRATION_ERROR}"
    )


@pytest.mark.rubric("performance", weight=6)
def test_latency_per_image(submission, detector):
    """predict_proba's CPU per image over 1,000 images, and for a single image."""
    images = hidden_set().images[:1000]
    _, batch = submission.cpu_seconds(lambda: probabilities(detector, images))
    per_image = 1000 * batch / len(images)
    assert per_image <= MAX_MS_PER_IMAGE, (
        f"{batch:.2f} CPU-s for {len(images)} images: {per_image:.2f} ms per image, "
        f"over {MAX_MS_PER_IMAGE}"
    )
    singles = []
    for k in range(5):
        _, used = submission.cpu_seconds(lambda k=k: probabilities(detector, images[k : k + 1]))
        singles.append(used)
    single = 1000 * min(singles)
    assert single <= MAX_SINGLE_IMAGE_MS, (
        f"{single:.1f} CPU-ms for one image: over {MAX_SINGLE_IMAGE_MS} ms"
    )


@pytest.mark.rubric("performance", weight=6)
def test_fit_within_its_time_and_memory_budget(submission):
    """fit on the training set within MAX_FIT_SECONDS of CPU, keeping at most
    MAX_FIT_MEMORY_MB of memory."""
    module = submission.module("blink_detector")
    before = submission.resident_bytes()
    (detector, _), used = submission.cpu_seconds(lambda: fitted(module))
    kept = (submission.resident_bytes() - before) / 2**20
    assert used <= MAX_FIT_SECONDS, f"fit took {used:.1f} CPU-s, over {MAX_FIT_SECONDS}"
    assert kept <= MAX_FIT_MEMORY_MB, f"the fitted detector keeps {kept:.0f} MB"
    probabilities(detector, hidden_set().images[:10])
