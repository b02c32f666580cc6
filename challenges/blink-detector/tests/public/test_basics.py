"""Public tests: the interface works on the training set you have.

The hidden tests grade the detector on crops of users it never saw; README.md says how.
"""

from __future__ import annotations

import numpy as np


def test_a_fitted_detector_gives_one_probability_per_image(submission):
    module = submission.module("blink_detector")
    data = submission.module("data").load_training_set()
    detector = module.BlinkDetector(seed=0)
    assert detector.fit(data.images[:400], data.labels[:400], data.users[:400]) is detector
    proba = np.asarray(detector.predict_proba(data.images[400:450]))
    assert proba.shape == (50,)
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()


def test_it_beats_chance_on_users_it_did_not_see(submission):
    """Trained on the first 100 users, scored on the other 50 (a rough check only)."""
    module = submission.module("blink_detector")
    data = submission.module("data").load_training_set()
    seen = np.isin(data.users, np.unique(data.users)[:100])
    detector = module.BlinkDetector(seed=0).fit(
        data.images[seen], data.labels[seen], data.users[seen]
    )
    proba = np.asarray(detector.predict_proba(data.images[~seen]))
    labels = data.labels[~seen]
    closed, opened = proba[labels == 1], proba[labels == 0]
    auc = (closed[:, None] > opened[None, :]).mean() + 0.5 * (
        closed[:, None] == opened[None, :]
    ).mean()
    assert auc > 0.6, f"AUC {auc:.3f} on unseen users"
