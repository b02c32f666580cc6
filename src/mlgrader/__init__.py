"""mlgrader: grade take-home coding challenges by rubric category.

The public API: ``grade()`` a submission against a ``Challenge`` and get a
``Scorecard``; make candidate kits; validate challenges. Test authors use the
pytest plugin's marker and fixtures, ``mlgrader.complexity``,
``mlgrader.quality`` and ``mlgrader.testing``.

Names are imported on first use (a module ``__getattr__``): the pytest plugin is
loaded by every pytest run on the machine, and importing ``mlgrader`` for it must
not pull in the grader, the reports and the batch machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "Challenge": "mlgrader.model.challenge",
    "load_challenge": "mlgrader.model.challenge",
    "find_challenge": "mlgrader.catalogue.listing",
    "list_challenges": "mlgrader.catalogue.listing",
    "ChallengeError": "mlgrader.errors",
    "GradingError": "mlgrader.errors",
    "MlgraderError": "mlgrader.errors",
    "RubricError": "mlgrader.errors",
    "SubmissionError": "mlgrader.errors",
    "UserInputError": "mlgrader.errors",
    "GradeOptions": "mlgrader.engine.grade",
    "grade": "mlgrader.engine.grade",
    "make_kit": "mlgrader.catalogue.kit",
    "load_rubric": "mlgrader.model.rubric",
    "Scorecard": "mlgrader.model.scorecard",
    "TestResult": "mlgrader.model.scorecard",
    "ValidationReport": "mlgrader.catalogue.validate",
    "validate_challenge": "mlgrader.catalogue.validate",
    "validate_challenges": "mlgrader.catalogue.validate",
}

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
    "validate_challenges",
]

if TYPE_CHECKING:
    from mlgrader.catalogue.kit import make_kit
    from mlgrader.catalogue.listing import find_challenge, list_challenges
    from mlgrader.catalogue.validate import (
        ValidationReport,
        validate_challenge,
        validate_challenges,
    )
    from mlgrader.engine.grade import GradeOptions, grade
    from mlgrader.errors import (
        ChallengeError,
        GradingError,
        MlgraderError,
        RubricError,
        SubmissionError,
        UserInputError,
    )
    from mlgrader.model.challenge import Challenge, load_challenge
    from mlgrader.model.rubric import load_rubric
    from mlgrader.model.scorecard import Scorecard, TestResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mlgrader' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
