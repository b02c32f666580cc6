"""The heuristic a candidate starts from: an open eye shows a dark pupil and iris.

It looks at the middle of the crop and counts dark pixels: many, open; few, closed.
No training, a few microseconds per image. It breaks where darkness means something
else: a dim sensor makes everything dark, washed-out light makes nothing dark. The
hidden grading gives it half of the model-quality points.
"""

from __future__ import annotations

import numpy as np

DARK = 0.2  # brightness under which a pixel counts as pupil or iris
MIDDLE = (slice(6, 18), slice(4, 20))  # rows, columns where the eye sits
THRESHOLD = 0.04  # share of dark pixels at which open and closed are equally likely
STEEPNESS = 80.0


def closed_probability(images: np.ndarray) -> np.ndarray:
    """P(closed) for each (24, 24) image in ``images`` (n, 24, 24)."""
    middle = np.asarray(images, dtype=np.float64)[:, MIDDLE[0], MIDDLE[1]]
    dark = (middle < DARK).mean(axis=(1, 2))
    return 1.0 / (1.0 + np.exp(STEEPNESS * (dark - THRESHOLD)))
