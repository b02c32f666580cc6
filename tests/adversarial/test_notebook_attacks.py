"""A notebook hand-in whose IPython lines would run commands if the notebook were run.

The module is written from the code cells without running any of them, and shell lines
(`!cmd`), line magics (`%run`, `%env`) and cell magics (`%%bash`, `%%writefile`) are
left out: only Python code reaches the sandbox, where it runs like any module's.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.model.challenge import load_challenge

ADDER = Path(__file__).parents[1] / "fixtures" / "challenges" / "adder"


def test_shell_lines_and_cell_magics_in_a_notebook_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    cells = [
        nbformat.v4.new_code_cell(f"!touch {marker}-shell\n%env PWNED=1\n%run -i {marker}.py"),
        nbformat.v4.new_code_cell(f"%%bash\ntouch {marker}-bash"),
        nbformat.v4.new_code_cell(f"%%writefile {marker}-file\nanything"),
        nbformat.v4.new_code_cell((ADDER / "reference" / "adder.py").read_text()),
    ]
    submission = tmp_path / "submission"
    submission.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(submission / "adder.ipynb"))
    card = grade(submission, load_challenge(ADDER), GradeOptions())
    assert card.score == 100.0
    assert not list(tmp_path.glob("ran*")), "an IPython line ran"
    magics = [f.detail for f in card.integrity.findings if f.kind == "notebook-magic"]
    assert len(magics) == 5, magics
