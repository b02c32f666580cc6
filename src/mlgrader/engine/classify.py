"""Which rubric category and weight a collected test counts toward, and whether it is hidden.

The marker wins, then the first matching ``[[challenges.<name>.tests]]`` rule of
rubric.toml, then correctness with weight 1 (``ChallengeRubric.classify``). Ids are
relative to the challenge folder (``tests/hidden/test_x.py::test_y``), so they are
the same in the grader's workspace, a kit and the challenge repository.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from mlgrader.engine.protocol import PlannedTest
from mlgrader.errors import MlgraderError
from mlgrader.model.challenge import Challenge, load_challenge
from mlgrader.model.rubric import ChallengeRubric, default_rubric, load_rubric


def challenge_root(path: Path) -> Path | None:
    """The nearest folder above ``path`` with a challenge.toml."""
    for parent in path.parents:
        if (parent / "challenge.toml").is_file():
            return parent
    return None


def load_rules(
    root: Path | None, rubric_path: Path | None
) -> tuple[ChallengeRubric, Challenge | None]:
    """The rubric that classifies tests under ``root``: ``--mlgrader-rubric``, else the challenge's."""
    try:
        challenge = load_challenge(root) if root else None
        if rubric_path:
            base = load_rubric(rubric_path)
        elif challenge:
            base = challenge.rubric()
        else:
            base = default_rubric()
    except MlgraderError as exc:
        raise pytest.UsageError(str(exc)) from None
    return base.for_challenge(challenge.name if challenge else "unknown"), challenge


def classify(item: pytest.Item, root: Path | None, rubric: ChallengeRubric) -> PlannedTest:
    """How ``item`` counts; a bad marker or category is a usage error naming the test."""
    rel = Path(item.path).relative_to(root).as_posix() if root else item.nodeid.split("::")[0]
    test_id = rel + item.nodeid[len(item.nodeid.split("::")[0]) :]
    marker = item.get_closest_marker("rubric")
    spec = marker_spec(marker, item.nodeid) if marker else None
    try:
        category, weight = rubric.classify(test_id, spec)
    except MlgraderError as exc:
        raise pytest.UsageError(str(exc)) from None
    hidden = "/hidden/" in f"/{rel}"
    return PlannedTest(test_id, category, weight, "hidden" if hidden else "public", _doc(item))


#: Characters of a test's docstring a scorecard keeps.
MAX_DOC = 600


def _doc(item: pytest.Item) -> str | None:
    """The test function's docstring, cleaned: the rule it checks, in the author's words
    (a failing public test shows it to the candidate)."""
    doc = getattr(getattr(item, "obj", None), "__doc__", None)
    if not isinstance(doc, str) or not doc.strip():
        return None
    cleaned = inspect.cleandoc(doc)
    return cleaned if len(cleaned) <= MAX_DOC else cleaned[: MAX_DOC - 3] + "..."


def marker_spec(marker: pytest.Mark, nodeid: str) -> tuple[str, float | None]:
    """``(category, weight)`` from ``@pytest.mark.rubric(category, weight=...)``."""
    args, kwargs = marker.args, marker.kwargs
    category = args[0] if args else kwargs.get("category")
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    if not isinstance(category, str):
        raise pytest.UsageError(
            f"{nodeid}: rubric marker: expected a category name, got {category!r}"
        )
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0
    ):
        raise pytest.UsageError(
            f"{nodeid}: rubric marker: weight must be a number >= 0, got {weight!r}"
        )
    return category, None if weight is None else float(weight)
