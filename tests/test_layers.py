"""The package's layers: which may import which, how big a module may grow, what the plugin loads.

The rules are written for the boundary the next step draws (candidate code in a
process of its own): the model and the reports know nothing of processes; the
test-author API never reaches into the grader; the sandbox never reaches up into
the grader, the catalogue or batch; nothing below the CLI imports the CLI.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "mlgrader"
MAX_LINES = 450

#: layer -> the layers it may import (itself always included)
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "model": {"base"},
    "boundary": {"base"},
    "authoring": {"base", "model", "boundary"},
    "sandbox": {"base", "model", "authoring", "boundary"},
    "engine": {"base", "model", "authoring", "sandbox", "boundary"},
    "reports": {"base", "model"},
    "catalogue": {"base", "model", "sandbox", "engine", "reports"},
    "batch": {"base", "model", "sandbox", "engine", "reports", "catalogue"},
    "plugin": {"base", "model", "authoring", "engine", "boundary"},
    "cli": {"base", "model", "engine", "reports", "catalogue", "batch"},
}


def layer_of(module: str) -> str:
    """The layer a module belongs to, from its dotted name."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # the package __init__: lazy re-exports and __version__ only
    if parts[1] in ("errors", "files"):
        return "base"
    if parts[1] in ("complexity", "quality", "testing"):
        return "authoring"  # the public facades of the test-author API
    return parts[1]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        found[".".join(parts)] = path
    return found


def imports(path: Path) -> list[tuple[int, str]]:
    """Every mlgrader module ``path`` imports, at any depth, except under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(node)
        for stmt in ast.walk(tree)
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
        for child in stmt.body
        for node in ast.walk(child)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("mlgrader")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mlgrader":
                found += [(node.lineno, f"mlgrader.{a.name}") for a in node.names]
            elif node.module.startswith("mlgrader."):
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name != "mlgrader.__version__"]


def test_every_module_is_in_a_known_layer() -> None:
    """A new top-level module or subpackage must be given a layer here first."""
    unknown = sorted(m for m in modules() if layer_of(m) not in ALLOWED)
    assert unknown == []


def test_imports_follow_the_layers() -> None:
    """Each import goes to the module's own layer or one it is allowed to use."""
    wrong = []
    for module, path in modules().items():
        mine = layer_of(module)
        for line, target in imports(path):
            theirs = layer_of(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{path.relative_to(SRC)}:{line}: {mine} imports {target} ({theirs})")
    assert wrong == []


def test_the_layer_check_sees_a_wrong_import(tmp_path: Path) -> None:
    """The rule is not vacuous: a report that imports the engine is found, lazily or not."""
    source = tmp_path / "bad.py"
    source.write_text("def f():\n    from mlgrader.engine.grade import grade\n    return grade\n")
    ((line, target),) = imports(source)
    assert (line, layer_of(target)) == (2, "engine")
    assert "engine" not in ALLOWED["reports"]


def test_no_module_is_too_long() -> None:
    """A module that grows past the limit holds two ideas: split it."""
    long = {
        m: n for m, p in modules().items() if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_module_opens_with_a_docstring() -> None:
    """Each module says what it is for."""
    missing = [m for m, p in modules().items() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert missing == []


@pytest.mark.parametrize("module", ["mlgrader.plugin", "mlgrader"])
def test_importing_the_plugin_loads_almost_nothing(module: str) -> None:
    """pytest loads the plugin for every run on the machine: it must stay light until enabled."""
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m == 'mlgrader' or "
        "m.startswith(('mlgrader.', 'asyncio', 'ssl', 'multiprocessing', 'ctypes')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    heavy = [m for m in loaded if not m.startswith("mlgrader")]
    assert heavy == [] and len(loaded) <= 6, loaded


def test_the_package_exports_lazily() -> None:
    """``mlgrader.grade`` and friends still resolve, and only when asked for."""
    code = (
        "import sys, mlgrader; before = 'mlgrader.engine.grade' in sys.modules; "
        "from mlgrader import grade, Scorecard; "
        "print(before, grade.__module__, Scorecard.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "mlgrader.engine.grade", "mlgrader.model.scorecard"]
