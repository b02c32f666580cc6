"""Attacks on blink-detector's hidden data: no hidden label is readable from the
candidate's process (issue 20).

The hidden images are made in the test's process from a seed in the hidden harness;
only the images cross to the candidate's code. The attack (attacks/blink_steal_labels)
searches every folder it can reach for the hidden generator and harness, regenerates
the hidden set with its labels and answers with them, and walks the garbage
collector for a label array. With Landlock switched off it finds the workspace's
hidden tests and scores 89.7 (measured by hand); here it must find nothing: its
answers are one half everywhere, an AUC of 0.5.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlgrader import GradeOptions, find_challenge, grade

ROOT = Path(__file__).resolve().parents[2]
ATTACK = Path(__file__).parent / "attacks" / "blink_steal_labels"


def test_the_hidden_labels_are_out_of_the_candidates_reach(tmp_path: Path) -> None:
    submission = tmp_path / "steal"
    shutil.copytree(ATTACK, submission)
    challenge = find_challenge(ROOT / "challenges", "blink-detector")
    card = grade(submission, challenge, GradeOptions())
    quality = next(t for t in card.tests if t.id.endswith("test_quality_against_the_baseline"))
    assert "AUC 0.500 against the baseline's" in str(quality.message), quality.message
    assert quality.earned < 0.5, quality  # under the baseline's half credit
    floors = next(t for t in card.tests if "sub_population" in t.id)
    assert floors.earned == 0, floors.message
