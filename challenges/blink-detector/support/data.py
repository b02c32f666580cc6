"""The training set: eye crops with their labels, users and sub-populations.

``load_training_set()`` reads ``train.npz`` beside this file: 2,400 grayscale 24x24
crops (150 users, 16 each) as float32 in [0, 1], a label per crop (1: closed, a blink;
0: open), the user each crop shows, and that user's sub-population (``plain``,
``glasses``, ``low_light`` or ``side_light``). Every crop of a user belongs to the same
sub-population.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

TRAIN_FILE = Path(__file__).with_name("train.npz")


class TrainingSet(NamedTuple):
    """Row i of each array describes crop i."""

    images: np.ndarray  # (n, 24, 24) float32 in [0, 1]
    labels: np.ndarray  # (n,) int8: 1 closed, 0 open
    users: np.ndarray  # (n,) int64
    groups: np.ndarray  # (n,) str


def load_training_set(path: Path = TRAIN_FILE) -> TrainingSet:
    """The training set stored at ``path`` (by default the kit's ``train.npz``)."""
    with np.load(path) as stored:
        return TrainingSet(
            images=stored["images"].astype(np.float32) / np.float32(255.0),
            labels=stored["labels"],
            users=stored["users"],
            groups=stored["groups"],
        )
