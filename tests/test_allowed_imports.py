"""The allowed-imports rule (challenge.toml ``[dependencies]``): what a candidate sees.

A challenge that lists the libraries candidates may use refuses every other import
from the candidate's files with one clear message, lets the libraries import what
they need, reports imports written outside the list, and stops before grading when
the grader's Python lacks a listed library.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from imports_support import FIXTURES, REFUSED, adder_submission, allowing, grade_adder, messages

from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import load_challenge
from mlgrader.model.dependencies import load_dependencies
from mlgrader.sandbox.imports import written_imports


def test_an_import_outside_the_list_fails_with_the_rule_named(tmp_path: Path) -> None:
    """click is installed (mlgrader needs it) but not allowed: every test says why (the
    ways around an import statement are attacks: tests/adversarial/test_import_attacks.py)."""
    _, card, out = grade_adder(
        allowing(tmp_path), adder_submission(tmp_path, "import click"), tmp_path
    )
    assert card["score"] == 0, out
    assert REFUSED in messages(card) and "'click' is not one of them" in messages(card)


def test_the_standard_library_own_modules_and_allowed_libraries_import(tmp_path: Path) -> None:
    head = "import json\nimport numpy as np\nfrom helper import ONE\nimport helper"
    submission = adder_submission(tmp_path, head, helper="ONE = 1\n")
    code, card, out = grade_adder(allowing(tmp_path), submission, tmp_path)
    assert code == 0 and card["score"] == 100, out


def test_a_fallback_for_a_refused_import_is_the_candidates_choice(tmp_path: Path) -> None:
    """ModuleNotFoundError is what a missing package raises, so `try/except ImportError`
    fallbacks work as they would on a machine without it."""
    head = "try:\n    import click\nexcept ImportError:\n    click = None"
    code, card, out = grade_adder(allowing(tmp_path), adder_submission(tmp_path, head), tmp_path)
    assert code == 0 and card["score"] == 100, out
    found = [f for f in card["integrity"]["findings"] if f["kind"] == "disallowed-import"]
    assert [(f["file"], f["line"]) for f in found] == [("adder.py", 3)], card["integrity"]


@pytest.mark.parametrize(
    ("head", "score"),
    [("from sklearn.linear_model import LogisticRegression", 100), ("import scipy", 0)],
    ids=["sklearn", "scipy"],
)
def test_an_allowed_library_imports_what_it_needs(tmp_path: Path, head: str, score: int) -> None:
    """scikit-learn imports scipy, which the candidate may not import directly."""
    pytest.importorskip("sklearn")  # the dev extra installs it; this guards a bare install
    challenges = allowing(tmp_path, '["numpy", "sklearn"]')
    _, card, out = grade_adder(challenges, adder_submission(tmp_path, head), tmp_path)
    assert card["score"] == score, out
    if score == 0:
        assert "'scipy' is not one of them" in messages(card), out


def test_a_listed_library_missing_here_stops_before_grading(tmp_path: Path) -> None:
    challenges = allowing(tmp_path, '["numpy", "no_such_library_xyz"]')
    code, card, out = grade_adder(challenges, adder_submission(tmp_path, ""), tmp_path)
    assert code == 2 and not card, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "cannot import no_such_library_xyz" in lines[0], out
    assert "pip install 'mlgrader[ml]'" in lines[0]


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ("imports = []", "dependencies.imports: expected a non-empty list"),
        ('imports = ["scikit-learn"]', "top-level module names"),
        ('imports = ["numpy"]\nextra = 1', "unknown key 'extra'"),
        ('imports = ["numpy"]\ninstall = 3', "dependencies.install: expected a pip requirement"),
    ],
)
def test_a_malformed_dependencies_table_is_named(tmp_path: Path, table: str, fragment: str) -> None:
    folder = tmp_path / "c"
    shutil.copytree(FIXTURES / "adder", folder)
    toml = folder / "challenge.toml"
    toml.write_text(toml.read_text() + f"\n[dependencies]\n{table}\n")
    with pytest.raises(ChallengeError, match=fragment):
        load_challenge(folder)


def test_no_table_means_no_rule(tmp_path: Path) -> None:
    assert load_challenge(FIXTURES / "adder").dependencies is None
    assert load_dependencies(None, tmp_path) is None


def test_written_imports_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text("import os\nimport torch.nn\nfrom . import x\n")
    (tmp_path / "other.py").write_text("from pandas import DataFrame\nimport mine\nimport sys\n")
    (tmp_path / "late.py").write_text("import sys\n\nscipy = sys.modules['scipy']\n")
    found = written_imports(tmp_path, ["mine.py", "other.py", "late.py"], ["numpy"])
    assert [(f.file, f.line, f.kind) for f in found] == [
        ("mine.py", 2, "disallowed-import"),
        ("other.py", 1, "disallowed-import"),
        ("late.py", 3, "disallowed-import"),
    ]
    assert "imports torch.nn, outside the libraries this challenge allows (numpy)" in str(found[0])
