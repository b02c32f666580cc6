"""A module handed in as a Jupyter notebook: its code cells, in order, become the module.

Notebooks are built here with nbformat the way Jupyter saves them (outputs, execution
counts, markdown, cell tags), then graded against the adder fixture challenge, whose
grading takes a second. Two real candidate notebooks of bundled challenges are graded
against the same code as a .py file in tests/test_notebook_submissions.py.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat
import pytest
from click.testing import CliRunner

from mlgrader.cli import main
from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.model.challenge import load_challenge
from mlgrader.model.notebooks import SKIP_TAG, NotebookError, cell_of_line, convert, stub_notebook

ROOT = Path(__file__).resolve().parents[1]
ADDER = Path(__file__).parent / "fixtures" / "challenges" / "adder"
REFERENCE = (ADDER / "reference" / "adder.py").read_text()


def code(source: str, *, tags: tuple[str, ...] = (), output: str | None = None) -> Any:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    if tags:
        cell.metadata["tags"] = list(tags)
    if output is not None:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    return cell


def write(folder: Path, name: str, cells: list[Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    return path


def candidate_cells() -> list[Any]:
    """The adder solution as a candidate's notebook: notes, the code, scratch work."""
    return [
        nbformat.v4.new_markdown_cell("# Adder\n\nMy solution, with some checks below."),
        code('"""Add two numbers."""'),
        code("import math\n%load_ext autoreload\n%autoreload 2"),
        code(
            "def add(a: int, b: int) -> int:\n" + '    """Return a + b."""\n' + "    return a + b"
        ),
        code("print(add(2, 3))\nassert add(-1, 1) == 0", tags=(SKIP_TAG,), output="5\n"),
        code("%%timeit\nadd(1, 2)", output="41.3 ns ± 0.2 ns per loop\n"),
        code("!pip list | grep numpy\nif True:\n    %time add(1, 2)\nSEEN = math.pi"),
        nbformat.v4.new_raw_cell("raw text, not code"),
    ]


def graded(folder: Path) -> Any:
    return grade(folder, load_challenge(ADDER), GradeOptions())


def outcomes(card: Any) -> dict[str, str]:
    return {t.id: t.outcome for t in card.tests}


def test_the_code_cells_become_the_module_in_order(tmp_path: Path) -> None:
    """Markdown, raw, tagged and %% cells are left out; magic and shell lines become
    `pass` at their indentation (so the rest still parses), each with a finding."""
    converted = convert(write(tmp_path, "adder", candidate_cells()), "adder.ipynb")
    tree = ast.parse(converted.source)
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert names == ["add"]
    assert "print(add(2, 3))" not in converted.source
    assert "timeit" not in converted.source
    assert "    pass  # IPython line left out" in converted.source
    namespace: dict[str, Any] = {}
    exec(compile(converted.source, "adder.py", "exec"), namespace)
    assert namespace["add"](2, 3) == 5
    assert namespace["SEEN"] == pytest.approx(3.14159, abs=1e-5)
    said = [f.detail for f in converted.findings]
    assert len(said) == 5, said
    assert any("cell 6: a cell magic (%%timeit)" in d for d in said), said
    assert any("cell 7: a shell line (!pip list | grep numpy)" in d for d in said), said
    assert any("cell 3: a line magic (%load_ext autoreload)" in d for d in said), said


def test_the_candidates_docstring_and_future_imports_stay_first(tmp_path: Path) -> None:
    """A first cell opening with a docstring and `from __future__` (as a .py would) still
    imports: the grader's own header is a comment, never a statement before them."""
    first = '"""My adder."""\nfrom __future__ import annotations\n'
    converted = convert(write(tmp_path, "adder", [code(first), *candidate_cells()[3:4]]), "x")
    namespace: dict[str, Any] = {}
    exec(compile(converted.source, "adder.py", "exec"), namespace)
    assert namespace["__doc__"] == "My adder."
    assert namespace["add"](1, 2) == 3


def test_a_line_of_the_module_points_back_to_its_cell(tmp_path: Path) -> None:
    converted = convert(write(tmp_path, "adder", candidate_cells()), "adder.ipynb")
    lines = converted.source.splitlines()
    where = lines.index("    return a + b") + 1
    assert cell_of_line(converted.source, where) == (4, 3)


def test_a_file_that_is_not_a_notebook_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "adder.ipynb"
    bad.write_text('{"cells": "not a list"')
    with pytest.raises(NotebookError, match=r"adder\.ipynb is not a notebook nbformat can read"):
        convert(bad, "adder.ipynb")


@pytest.mark.full  # grades: about 2-4 s each
def test_a_notebook_submission_grades_as_the_same_code_in_a_py_file(tmp_path: Path) -> None:
    """The same tests pass and fail, the same score; the scorecard says the module came
    from a notebook and which IPython lines were left out."""
    notebook = tmp_path / "notebook"
    write(notebook, "adder", candidate_cells())
    as_py = tmp_path / "py"
    as_py.mkdir()
    (as_py / "adder.py").write_text(REFERENCE)
    from_nb, from_py = graded(notebook), graded(as_py)
    assert from_nb.score == from_py.score == 100.0
    assert outcomes(from_nb) == outcomes(from_py)
    kinds = [f.kind for f in from_nb.integrity.findings]
    assert kinds.count("notebook-magic") == 5 and "notebook" in kinds, kinds
    assert from_nb.integrity.status == "ok"


@pytest.mark.full  # grades: about 2-4 s each
def test_a_cell_that_raises_fails_the_import_and_the_error_names_the_cell(
    tmp_path: Path,
) -> None:
    cells = candidate_cells()
    cells.insert(4, code("total = 0\nfor x in range(3):\n    total += 1 / (x - 1)"))
    write(tmp_path, "adder", cells)
    card = graded(tmp_path)
    assert card.score == 0.0
    message = next(t.message for t in card.tests if t.outcome != "passed")
    assert "adder does not import: ZeroDivisionError: division by zero" in message
    assert 'adder.ipynb", cell 5, line 3' in message, message


@pytest.mark.full  # grades: about 2-4 s each
def test_a_notebook_beside_the_module_is_ignored_with_a_finding(tmp_path: Path) -> None:
    write(tmp_path, "adder", [code("def add(a, b):\n    return a - b")])
    (tmp_path / "adder.py").write_text(REFERENCE)
    card = graded(tmp_path)
    assert card.score == 100.0
    ignored = [f for f in card.integrity.findings if f.kind == "notebook-ignored"]
    assert ignored and "adder.ipynb" in ignored[0].detail


@pytest.mark.full  # grades: about 2-4 s each
def test_a_broken_notebook_fails_every_test_saying_why(tmp_path: Path) -> None:
    (tmp_path / "adder.ipynb").write_text("this is not JSON")
    card = graded(tmp_path)
    assert card.score == 0.0
    assert all("adder.ipynb is not a notebook" in (t.message or "") for t in card.tests), [
        t.message for t in card.tests
    ]


@pytest.mark.full  # grades: about 2-4 s each
def test_init_notebook_hands_out_the_stub_as_a_notebook_of_the_same_code(
    tmp_path: Path,
) -> None:
    """`init --notebook` on an ML challenge: the kit has estimators.ipynb, not .py; its
    code cells are the stub's code; the kit README says how notebooks are graded; and
    `check` runs the public tests on it."""
    kit = tmp_path / "kit"
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["init", "estimators", str(kit), "--notebook", "--challenges", str(ROOT / "challenges")],
    )
    assert made.exit_code == 0, made.output
    assert not (kit / "estimators.py").exists()
    stub = (ROOT / "challenges" / "estimators" / "stub" / "estimators.py").read_text()
    converted = convert(kit / "estimators.ipynb", "estimators.ipynb")
    expected, got = ast.parse(stub), ast.parse(converted.source)
    expected.body = expected.body[1:]  # the stub's docstring is the notebook's first cell
    assert ast.dump(got) == ast.dump(expected)
    assert f"a code cell tagged `{SKIP_TAG}` is left out" in (kit / "README.md").read_text()
    checked = runner.invoke(main, ["check", str(kit)])
    assert "public tests: 0 of 3 passed" in checked.output, checked.output


def test_init_notebook_is_refused_where_the_challenge_has_none(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "init",
            "lru-cache",
            str(tmp_path / "k"),
            "--notebook",
            "--challenges",
            str(ROOT / "challenges"),
        ],
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "mlgrader: error: lru-cache has no notebook kit (its challenge.toml does not say "
        "notebook = true); leave out --notebook"
    ]
    assert not (tmp_path / "k").exists()


def test_a_stub_notebook_keeps_every_definition_in_a_cell_of_its_own() -> None:
    text = stub_notebook(REFERENCE + "\n\nclass Extra:\n    pass\n", "adder")
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    kinds = [c.cell_type for c in notebook.cells]
    assert kinds == ["markdown", "code", "code", "code"]
    assert notebook.cells[1].source.startswith("def add")
    assert notebook.cells[2].source == "class Extra:\n    pass"
    assert notebook.cells[3].metadata["tags"] == [SKIP_TAG]


@pytest.mark.parametrize("name", ["numpy-nn", "ml-from-scratch", "eval-harness", "optimizers"])
def test_every_notebook_challenge_stub_round_trips(name: str, tmp_path: Path) -> None:
    challenge = load_challenge(ROOT / "challenges" / name)
    assert challenge.notebook
    for module in challenge.modules:
        source = (challenge.stub / f"{module}.py").read_text()
        path = tmp_path / f"{module}.ipynb"
        path.write_text(stub_notebook(source, module))
        converted = convert(path, path.name)
        expected, got = ast.parse(source), ast.parse(converted.source)
        expected.body = expected.body[1:]  # the docstring went to a markdown cell
        assert ast.dump(got) == ast.dump(expected)
