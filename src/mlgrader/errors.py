"""One error hierarchy, so callers can catch everything mlgrader raises on purpose.

Each error also derives from the builtin it refines (as attrs does), so code that
already handles ``ValueError`` or ``FileNotFoundError`` keeps working.
"""

from __future__ import annotations


class MlgraderError(Exception):
    """Base of every error mlgrader raises deliberately.

    ``details`` are lines shown under the one-line message, each on its own: what
    another tool reported, as it reported it (pytest's collection error, say).
    """

    def __init__(self, *args: object, details: tuple[str, ...] = ()) -> None:
        super().__init__(*args)
        self.details = details


class UserInputError(MlgraderError, ValueError):
    """Bad input from the person running mlgrader: the message names the thing and the fix."""


class RubricError(UserInputError):
    """rubric.toml is malformed: the message names the file, the key and what was expected."""


class ChallengeError(UserInputError):
    """A challenge folder or its challenge.toml is missing or malformed."""


class SubmissionError(UserInputError):
    """A submission directory is missing or lacks a module the challenge needs."""


class GradingError(MlgraderError, RuntimeError):
    """Grading could not complete for a reason inside mlgrader, not the submission."""
