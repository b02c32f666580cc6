"""Mistakes in a challenge's own tests, found by reading them before anything runs.

A challenge author's slip should cost the author one clear line (exit 2) at once,
not a grading run that ends in "internal error". Two slips are common enough to
look for in the source of every test file (parsed, never imported):

- a test module that imports the candidate's module at collection (``import
  lru_cache`` at the top): the test process never imports candidate code, so the
  import fails for every submission; the fix is ``submission.module("lru_cache")``
  inside the test;
- a ``rubric`` marker naming a category the rubric does not define (a typo).

Whatever only shows when pytest collects (a syntax error, a marker built at run
time) comes back from the run as pytest reported it (``grade._results``).

One slip is the grader's environment's, not the author's: a library the challenge lets
candidates import (``[dependencies]``) that this Python lacks would fail every test of
every submission, so :func:`check_dependencies` names it and the fix first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlgrader.errors import ChallengeError, UserInputError
from mlgrader.model.challenge import Challenge
from mlgrader.model.dependencies import missing_imports
from mlgrader.model.followups import load_prompts
from mlgrader.model.rubric import ChallengeRubric


def check_dependencies(challenge: Challenge) -> None:
    """Raise UserInputError if a module the challenge allows is not installed here."""
    missing = missing_imports(challenge.dependencies)
    if missing and challenge.dependencies is not None:
        install = challenge.dependencies.install or " ".join(missing)
        raise UserInputError(
            f"{challenge.name} lets candidates import {challenge.dependencies.describe()}, "
            f"but this Python cannot import {', '.join(missing)}; install them with "
            f"`pip install '{install}'` and grade again"
        )


def check_challenge_tests(challenge: Challenge, rubric: ChallengeRubric) -> None:
    """Raise ChallengeError naming the first slip in the challenge's test files.

    A kit is skipped: its tests are a validated challenge's public ones, and files a
    candidate adds there are the candidate's, not an author's slip.
    """
    tests = challenge.root / "tests"
    if challenge.is_kit:
        return
    load_prompts(challenge.followups)  # a slip in followups.toml, named at once
    for path in sorted(tests.rglob("*.py")) if tests.is_dir() else []:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError):
            continue  # pytest reports it, with its own context, when it collects
        where = path.relative_to(challenge.root).as_posix()
        for line, module in _top_level_imports(tree):
            if module.split(".")[0] in challenge.modules:
                name = module.split(".")[0]
                raise ChallengeError(
                    f"challenge {challenge.name}: {where}:{line} imports the candidate's module "
                    f"{name!r} when the tests are collected; import it inside each test with "
                    f'submission.module("{name}")'
                )
        for line, category in _rubric_categories(tree):
            if category not in rubric.categories:
                known = ", ".join(sorted(rubric.categories))
                raise ChallengeError(
                    f"challenge {challenge.name}: {where}:{line}: rubric marker names unknown "
                    f"category {category!r}; use one of {known}"
                )


def _top_level_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Modules imported when the file is imported: statements outside functions and classes
    (inside ``if`` and ``try`` blocks too)."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    pending.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])


def _rubric_categories(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The literal category of every ``mark.rubric(...)`` call in the file."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        named_mark = (isinstance(owner, ast.Attribute) and owner.attr == "mark") or (
            isinstance(owner, ast.Name) and owner.id == "mark"
        )
        if node.func.attr != "rubric" or not named_mark:
            continue
        given = node.args[0] if node.args else None
        given = next((k.value for k in node.keywords if k.arg == "category"), given)
        if isinstance(given, ast.Constant) and isinstance(given.value, str):
            yield node.lineno, given.value
