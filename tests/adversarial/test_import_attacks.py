"""Attacks on the allowed-imports rule (sandbox/imports.py): a candidate who has read our
source reaches for a library the challenge does not allow without an import statement.

Each submission gets click (installed with mlgrader, not allowed by the fixture
challenge) another way; each must be refused like a plain ``import click``, and the
static scan must name the tool it used (docs/security.md, "Allowed imports").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from imports_support import REFUSED, adder_submission, allowing, grade_adder, messages


@pytest.mark.parametrize(
    ("head", "tool"),
    [
        ("import importlib\nimportlib.import_module('click')", "importlib"),
        ("__import__('click')", None),
        ("import builtins\nbuiltins.__import__('click')", "builtins"),
        ("exec('import click')", "exec"),
        ("exec(compile('import click', 'elsewhere.py', 'exec'))", "exec"),
    ],
    ids=["import_module", "dunder-import", "builtins-import", "exec", "exec-elsewhere"],
)
def test_an_import_without_an_import_statement_is_refused(
    tmp_path: Path, head: str, tool: str | None
) -> None:
    _, card, out = grade_adder(allowing(tmp_path), adder_submission(tmp_path, head), tmp_path)
    assert card["score"] == 0, out
    assert REFUSED in messages(card) and "'click' is not one of them" in messages(card), out
    if tool is not None:
        kinds = " ".join(f["detail"] for f in card["integrity"]["findings"])
        assert tool in kinds, card["integrity"]


def test_an_import_from_a_helper_module_is_refused(tmp_path: Path) -> None:
    """The rule covers every file of the submission, not just the graded module."""
    folder = adder_submission(tmp_path, "import helper", helper="import click\n")
    _, card, out = grade_adder(allowing(tmp_path), folder, tmp_path)
    assert card["score"] == 0 and "'click' is not one of them" in messages(card), out
    found = [(f["file"], f["line"]) for f in card["integrity"]["findings"]]
    assert ("helper.py", 1) in found, card["integrity"]
