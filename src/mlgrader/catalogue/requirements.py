"""requirements.toml: the rules a challenge's README states, each with the hidden tests that
grade it.

A candidate is graded on hidden tests they never see, so the statement is their only
guide: every rule a hidden test grades must be stated, and every rule stated must be
graded. The table makes that a checked fact rather than the author's hope. Each rule
quotes the README (``says``, whitespace aside, word for word) and names the hidden
tests that grade it (``tests``, patterns as in expect.toml's ``fail``; a pattern also
matches the test's parametrized ids). ``validate`` holds the table to the README and
to the reference's scorecard (`requirements_check`): a quote the README does not
contain, a pattern no hidden test matches, and a hidden test no rule names all fail.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from mlgrader.catalogue.checks import Check
from mlgrader.errors import ChallengeError
from mlgrader.model.scorecard import Scorecard

FILENAME = "requirements.toml"


@dataclass(frozen=True)
class Rule:
    """One stated rule: the README's words and the hidden tests that grade it."""

    says: str
    tests: tuple[str, ...]


def load_requirements(root: Path) -> list[Rule] | None:
    """The challenge's rules, or None when it has no requirements.toml; a malformed file
    raises ChallengeError naming the rule and the fix (before anything is graded)."""
    path = root / FILENAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    entries = data.get("rule")
    if not isinstance(entries, list) or not entries:
        raise ChallengeError(
            f"{path}: expected one [[rule]] table per stated rule, with `says` and `tests`"
        )
    rules = []
    for number, entry in enumerate(entries, 1):
        entry = entry if isinstance(entry, dict) else {}  # `rule = [...]`: the errors below
        says, tests = entry.get("says"), entry.get("tests")
        if not isinstance(says, str) or not says.strip():
            raise ChallengeError(
                f"{path}: rule {number}: `says` must quote the README's words for the rule"
            )
        if (
            not isinstance(tests, list)
            or not tests
            or not all(isinstance(t, str) and t for t in tests)
        ):
            raise ChallengeError(
                f"{path}: rule {number} ({_short(says)}): `tests` must list the hidden tests "
                'that grade it, e.g. ["tests/hidden/test_correctness.py::test_name"]'
            )
        rules.append(Rule(says, tuple(tests)))
    return rules


def requirements_check(rules: list[Rule] | None, readme: str, reference: Scorecard) -> Check:
    """Every rule is in the README and graded by a hidden test; every hidden test of the
    reference's scorecard grades a stated rule."""
    if rules is None:
        return Check(
            "requirements",
            True,
            f"no {FILENAME}: list each rule README.md states with the hidden tests that "
            "grade it, so that nothing graded goes unstated (docs/writing-challenges.md)",
            warning=True,
        )
    text = _words(readme)
    hidden = [t.id for t in reference.tests if t.visibility == "hidden"]
    problems = []
    claimed: set[str] = set()
    for number, rule in enumerate(rules, 1):
        if _words(rule.says) not in text:
            problems.append(f"rule {number} ({_short(rule.says)}) is not in README.md")
        for pattern in rule.tests:
            matched = {i for i in hidden if _matches(i, pattern)}
            if not matched:
                problems.append(f"rule {number}: no hidden test matches {pattern}")
            claimed |= matched
    unstated = [i for i in hidden if i not in claimed]
    if unstated:
        shown = ", ".join(unstated[:5]) + (f" and {len(unstated) - 5} more" if unstated[5:] else "")
        problems.append(f"graded but no rule names them: {shown}")
    if problems:
        return Check("requirements", False, "; ".join(problems))
    return Check(
        "requirements", True, f"{len(rules)} stated rules grade all {len(hidden)} hidden tests"
    )


def _matches(test_id: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(test_id, pattern) or fnmatch.fnmatchcase(test_id, pattern + "[[]*")


def _words(text: str) -> str:
    """Whitespace-insensitive text: a quote may wrap where the README's lines do not."""
    return " ".join(re.split(r"\s+", text.strip()))


def _short(says: str) -> str:
    words = _words(says)
    return repr(words if len(words) <= 50 else words[:47] + "...")
