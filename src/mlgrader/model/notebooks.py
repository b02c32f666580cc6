"""A challenge's module handed in as a Jupyter notebook: its code cells become the module.

ML candidates work in notebooks. A submission may hold ``name.ipynb`` instead of
``name.py`` for a module the challenge names; the clean room then writes ``name.py``
from the notebook's code cells, in order, and everything after that (the tests, the
quality checks, the similarity check) sees an ordinary module, so a notebook grades
exactly as the same code in a ``.py`` file would.

- Outputs, markdown and raw cells are ignored.
- A code cell tagged ``mlgrader-skip`` (cell tags, in Jupyter's property inspector) is
  left out: exploration, plots, timing runs.
- IPython syntax is not Python: a line magic (``%timeit``), a shell line (``!pip``) and
  a cell magic (a cell starting ``%%``) are left out, each with a finding naming the
  cell, so the module still imports.
- Each cell starts with a ``# %% cell N`` comment, so a line number in a message about
  the module points back to its cell (``cell_of_line``).

The notebook is read with nbformat, the format's reference library, which upgrades old
notebook versions and refuses a file that is not a notebook.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.model.findings import Finding

#: The cell tag that leaves a code cell out of the module.
SKIP_TAG = "mlgrader-skip"
#: The first line of every module made from a notebook: a comment, so that the
#: candidate's own docstring and ``from __future__`` imports still come first in Python's
#: eyes (a docstring of ours would push a ``from __future__`` line out of place).
NOTEBOOK_HEADER = "# Made by mlgrader from the code cells of "
_CELL_MARK = re.compile(r"^# %% cell (\d+)$")


class NotebookError(ValueError):
    """The file is not a notebook nbformat can read."""


@dataclass
class Converted:
    """The module's text and what was left out on the way."""

    source: str
    findings: list[Finding] = field(default_factory=list)


def _nbformat() -> Any:
    """nbformat, imported when a notebook is met (its functions carry no type hints)."""
    return importlib.import_module("nbformat")


def convert(path: Path, shown: str) -> Converted:
    """The module text of notebook ``path`` (``shown`` is its name in messages)."""
    nbformat = _nbformat()
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises JSON, schema and version errors alike
        raise NotebookError(f"{shown} is not a notebook nbformat can read: {exc}") from None
    converted = Converted("")
    parts = [f"{NOTEBOOK_HEADER}{shown}.\n"]
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if SKIP_TAG in tags:
            continue
        lines = _python_lines(str(cell.get("source", "")), number, shown, converted)
        parts.append(f"# %% cell {number}\n" + "".join(lines))
    converted.source = "\n".join(part if part.endswith("\n") else part + "\n" for part in parts)
    return converted


def _python_lines(text: str, number: int, shown: str, converted: Converted) -> list[str]:
    """The cell's lines, less IPython magics and shell lines (each reported once per kind)."""
    lines = text.splitlines(keepends=True)
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        converted.findings.append(
            Finding(
                "notebook-magic",
                f"{shown}, cell {number}: a cell magic ({first.split()[0]}) is IPython, not "
                "Python; the cell was left out",
            )
        )
        return []
    kept = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            kind = "a shell line" if stripped.startswith("!") else "a line magic"
            converted.findings.append(
                Finding(
                    "notebook-magic",
                    f"{shown}, cell {number}: {kind} ({stripped.strip()[:40]}) is IPython, "
                    "not Python; it was left out",
                )
            )
            kept.append(line[: len(line) - len(stripped)] + "pass  # IPython line left out\n")
            continue
        kept.append(line)
    return kept


def cell_of_line(source: str, line: int) -> tuple[int, int] | None:
    """The (cell, line within it) that line ``line`` of a converted module came from."""
    lines = source.splitlines()
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = _CELL_MARK.match(lines[index])
        if match:
            return int(match.group(1)), line - index - 1
    return None


def stub_notebook(source: str, module: str) -> str:
    """A stub module as a notebook (JSON text): the docstring as a markdown cell, the
    imports in one code cell, each top-level class or function in a cell of its own, and
    an exploration cell tagged SKIP_TAG that shows how to keep scratch work out."""
    nbformat = _nbformat()
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    cells = []
    body = list(tree.body)
    doc = ast.get_docstring(tree)
    if doc is not None and body:
        cells.append(nbformat.v4.new_markdown_cell(f"# `{module}`\n\n{doc}"))
        body = body[1:]
    pieces, start = [], body[0].lineno - 1 if body else len(lines)
    for node in body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            pieces += [
                "".join(lines[start : first - 1]),
                "".join(lines[first - 1 : node.end_lineno]),
            ]
            start = node.end_lineno or node.lineno
    pieces.append("".join(lines[start:]))
    cells += [nbformat.v4.new_code_cell(piece.strip()) for piece in pieces if piece.strip()]
    scratch = nbformat.v4.new_code_cell(
        f"# Scratch work: this cell is tagged {SKIP_TAG}, so the grader leaves it out of\n"
        f"# {module}.py. Tag every exploration cell the same way (View > Cell Toolbar > Tags).\n"
    )
    scratch.metadata["tags"] = [SKIP_TAG]
    cells.append(scratch)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return str(nbformat.writes(notebook))
