"""Questions for the interview that follows, chosen from what a submission did.

A challenge's ``followups.toml`` lists prompts, each with an id, a kind and what it is
about::

    [[prompt]]
    id = "o1-eviction"
    kind = "wrong"                      # wrong | strength | design
    tests = ["tests/hidden/test_complexity.py::test_get_*"]   # or: category = "complexity"
    text = "get is O(n): ask how they would make eviction O(1)."

* ``wrong``: chosen when any test it names (fnmatch patterns on test ids), or any test of
  its category, lost credit: what the submission got wrong, to discuss.
* ``strength``: chosen when every test it names (or its whole category) earned full
  credit: something done well that is worth probing.
* ``design``: a change to propose whatever the submission did; the first one is chosen.

A grader-audience scorecard ends with the chosen prompts (at most ``MAX_WRONG`` wrong, then
``MAX_STRENGTH`` strengths, then one design change), in the file's order. The candidate
audience never sees them: they are the interviewer's questions.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlgrader.errors import ChallengeError

FILENAME = "followups.toml"
KINDS = ("wrong", "strength", "design")
MAX_WRONG = 5
MAX_STRENGTH = 2
_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


@dataclass(frozen=True)
class Prompt:
    """One follow-up question and the results it is about."""

    id: str
    kind: str
    text: str
    tests: tuple[str, ...] = ()
    category: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "text": self.text}


def load_prompts(path: Path) -> list[Prompt]:
    """The prompts in ``path`` (none if it does not exist); an author's slip in it is a
    ChallengeError naming the prompt and the fix, raised before any grading."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    entries = data.get("prompt", [])
    if not isinstance(entries, list):
        raise ChallengeError(f"{path}: expected [[prompt]] tables")
    prompts = [_prompt(path, i, entry) for i, entry in enumerate(entries)]
    seen: set[str] = set()
    for prompt in prompts:
        if prompt.id in seen:
            raise ChallengeError(f"{path}: prompt id {prompt.id!r} is used twice; ids are unique")
        seen.add(prompt.id)
    return prompts


def _prompt(path: Path, index: int, entry: Any) -> Prompt:
    where = f"{path}: prompt {index + 1}"
    if not isinstance(entry, dict):
        raise ChallengeError(f"{where}: expected a table")
    pid, kind, text = entry.get("id"), entry.get("kind"), entry.get("text")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise ChallengeError(f"{where}: id {pid!r}: use lowercase letters, digits and dashes")
    if kind not in KINDS:
        raise ChallengeError(f"{where} ({pid}): kind {kind!r}: expected one of {', '.join(KINDS)}")
    if not isinstance(text, str) or not text.strip():
        raise ChallengeError(f"{where} ({pid}): text is missing; say what to ask")
    tests = entry.get("tests", [])
    if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        raise ChallengeError(f"{where} ({pid}): tests: expected a list of test id patterns")
    category = entry.get("category")
    if category is not None and not isinstance(category, str):
        raise ChallengeError(f"{where} ({pid}): category: expected a category name")
    if kind != "design" and not tests and category is None:
        raise ChallengeError(
            f"{where} ({pid}): a {kind} prompt names the tests or the category it is about"
        )
    return Prompt(pid, kind, " ".join(text.split()), tuple(tests), category)


def _about(prompt: Prompt, tests: Sequence[Any]) -> list[Any]:
    return [
        t
        for t in tests
        if (prompt.category is not None and t.category == prompt.category)
        or any(fnmatch.fnmatchcase(t.id, pattern) for pattern in prompt.tests)
    ]


def choose(prompts: Iterable[Prompt], tests: Sequence[Any]) -> list[dict[str, str]]:
    """The prompts for a submission whose results are ``tests`` (scorecard TestResults: an
    ``id``, a ``category`` and the credit ``earned``), as scorecard entries."""
    wrong, strong, design = [], [], []
    for prompt in prompts:
        if prompt.kind == "design":
            design.append(prompt)
            continue
        about = _about(prompt, tests)
        if not about:
            continue
        lost = any(t.earned < 1.0 for t in about)
        if prompt.kind == "wrong" and lost:
            wrong.append(prompt)
        elif prompt.kind == "strength" and not lost:
            strong.append(prompt)
    chosen = wrong[:MAX_WRONG] + strong[:MAX_STRENGTH] + design[:1]
    return [p.to_dict() for p in chosen]
