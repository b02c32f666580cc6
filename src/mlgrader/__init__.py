"""mlgrader: grade take-home coding challenges by rubric category.

The public API: ``grade()`` a submission against a ``Challenge`` and get a
``Scorecard``; make candidate kits; validate challenges. Test authors use the
pytest plugin's marker and fixtures, ``mlgrader.complexity`` and
``mlgrader.testing``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from mlgrader.challenge import Challenge, find_challenge, list_challenges, load_challenge
from mlgrader.errors import (
    ChallengeError,
    GradingError,
    MlgraderError,
    RubricError,
    SubmissionError,
    UserInputError,
)
from mlgrader.grading import GradeOptions, grade
from mlgrader.kit import make_kit
from mlgrader.rubric import load_rubric
from mlgrader.scorecard import Scorecard, TestResult
from mlgrader.validate import ValidationReport, validate_challenge

__all__ = [
    "Challenge",
    "ChallengeError",
    "GradeOptions",
    "GradingError",
    "MlgraderError",
    "RubricError",
    "Scorecard",
    "SubmissionError",
    "TestResult",
    "UserInputError",
    "ValidationReport",
    "__version__",
    "find_challenge",
    "grade",
    "list_challenges",
    "load_challenge",
    "load_rubric",
    "make_kit",
    "validate_challenge",
]
