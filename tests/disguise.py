"""A copy disguised as a candidate would disguise it: every function's local names and
arguments and every private attribute renamed, docstrings and comments gone, the code
reformatted (``ast.unparse``), a header comment added. What the similarity check
(mlgrader.batch.similarity) must still see through."""

from __future__ import annotations

import ast
import builtins
import shutil
from pathlib import Path


class _Renamer(ast.NodeTransformer):
    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def _new(self, name: str) -> str:
        if name in ("self", "cls") or hasattr(builtins, name):
            return name
        return self.names.setdefault(name, f"{name[::-1]}_{len(self.names)}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        args = node.args
        local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        local |= {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        for sub in ast.walk(node):
            if isinstance(sub, ast.arg) and sub.arg in local:
                sub.arg = self._new(sub.arg)
            elif isinstance(sub, ast.Name) and sub.id in local:
                sub.id = self._new(sub.id)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.Attribute:
        self.generic_visit(node)
        if node.attr.startswith("_") and not node.attr.startswith("__"):
            node.attr = "_" + self._new(node.attr.lstrip("_"))
        return node


def _drop_docstrings(tree: ast.Module) -> None:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]


def disguise_source(text: str) -> str:
    """``text`` with its local names renamed and its layout redone."""
    tree = ast.parse(text)
    _drop_docstrings(tree)
    tree = _Renamer().visit(tree)
    return "# my own solution\n" + ast.unparse(tree) + "\n"


def disguise(source: Path, target: Path) -> None:
    """Copy the folder ``source`` to ``target`` with every Python file disguised."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("expect.toml", "*.md"))
    for path in target.rglob("*.py"):
        path.write_text(disguise_source(path.read_text(encoding="utf-8")), encoding="utf-8")
