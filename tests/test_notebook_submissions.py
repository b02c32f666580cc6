"""Two real candidate notebooks, graded as the same code handed in as a .py file.

A helper wrote each from the kit alone, the way a candidate working in Jupyter would:
markdown notes, the solution split over cells, exploration cells tagged mlgrader-skip,
saved outputs, and IPython lines (`!pip list`, `%timeit`) left in untagged cells. Beside
each notebook is the .py a candidate would hand in instead (the untagged code cells with
the IPython lines removed), with the same tests of their own. Both are graded in full,
hidden tests and their own tests included, and must come out the same, test by test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.model.challenge import load_challenge

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"

pytestmark = pytest.mark.full


def hand_in(tmp_path: Path, challenge: str, kind: str) -> Path:
    """The submission: the module as ``kind`` (notebook or py) and the candidate's tests."""
    folder = tmp_path / kind
    shutil.copytree(NOTEBOOKS / challenge / kind, folder)
    shutil.copytree(NOTEBOOKS / challenge / "tests", folder / "tests")
    return folder


@pytest.mark.parametrize(("challenge", "magics"), [("estimators", 2), ("eval-harness", 1)])
def test_a_candidates_notebook_grades_exactly_as_the_same_code_in_a_py_file(
    challenge: str, magics: int, tmp_path: Path
) -> None:
    loaded = load_challenge(ROOT / "challenges" / challenge)
    notebook = grade(hand_in(tmp_path, challenge, "notebook"), loaded, GradeOptions())
    as_py = grade(hand_in(tmp_path, challenge, "py"), loaded, GradeOptions())
    assert {t.id: t.outcome for t in notebook.tests} == {t.id: t.outcome for t in as_py.tests}
    assert notebook.score == as_py.score
    assert notebook.score >= 50.0, [(t.id, t.message) for t in notebook.tests if t.earned < 1]
    kinds = [f.kind for f in notebook.integrity.findings]
    assert kinds.count("notebook-magic") == magics, notebook.integrity.findings
    assert "notebook" in kinds
