"""The allowed-imports rule at run time, in every candidate process (model/dependencies.py).

The fork server installs the guard once it has preloaded numpy and the support
modules, so every candidate process starts with it and no grader code is judged by
it. It replaces ``builtins.__import__`` and ``importlib.import_module`` with
wrappers that look at the code asking: an import from one of the submission's
files (or from code run in such a module's globals) of a top-level module that is
neither the standard library, nor the submission's own, nor one the challenge
allows, raises ModuleNotFoundError with a message that says what is allowed. The
libraries' own imports (scikit-learn importing scipy) are not the candidate's and
pass.

It guards against a candidate who reaches for a library the others may not use,
not against one set on hiding it: code in the candidate's process can undo
anything done there. The static scan (sandbox/scan.py) reports an import of a
module outside the list and the tools that would undo the guard (``builtins``,
``importlib``, ``exec``) to the hiring team, and docs/security.md says what stays
open.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from mlgrader.model.findings import Finding


def local_modules(submission: Path) -> frozenset[str]:
    """The top-level modules a submission provides: its .py files and notebooks, and its
    folders (packages, namespace ones included)."""
    names = set()
    for entry in submission.iterdir():
        if entry.suffix in (".py", ".ipynb") and entry.is_file():
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return frozenset(names)


class ImportGuard:
    """Judges one import: allowed, or refused with a message naming the rule."""

    def __init__(
        self,
        submission: Path,
        allowed: Iterable[str],
        challenge: str,
        support: Iterable[str] = (),
    ) -> None:
        self.root = os.path.realpath(submission) + os.sep
        self.declared = tuple(allowed)
        # the challenge's support modules count as the submission's own (the grader's copy)
        self.local = local_modules(submission) | frozenset(support)
        self.allowed = frozenset(self.declared) | sys.stdlib_module_names | self.local
        self.challenge = challenge
        self._inside: dict[str, bool] = {}  # filename -> in the submission (realpath is slow)

    def from_candidate(self, frame: FrameType | None) -> bool:
        """Whether ``frame`` runs the candidate's code: a function of one of the
        submission's files, or code executed in the globals of one of its modules."""
        if frame is None:
            return False
        filename = frame.f_code.co_filename
        inside = self._inside.get(filename)
        if inside is None:  # a relative name is not a file's (Cython's frames: "pkg/mod.pyx")
            inside = os.path.isabs(filename) and os.path.realpath(filename).startswith(self.root)
            self._inside[filename] = inside
        if inside:
            return True
        name = frame.f_globals.get("__name__")
        return isinstance(name, str) and name.partition(".")[0] in self.local

    def check(self, name: str, frame: FrameType | None) -> None:
        """Raise ModuleNotFoundError if candidate code in ``frame`` may not import ``name``."""
        top = name.partition(".")[0]
        if top in self.allowed or not self.from_candidate(frame):
            return
        allowed = " and ".join(self.declared) if self.declared else "nothing"
        raise ModuleNotFoundError(
            f"{self.challenge} lets your code import {allowed} beyond Python's standard "
            f"library and your own files; {top!r} is not one of them, so remove that import",
            name=name,
        )


def install(guard: ImportGuard) -> None:
    """Put ``guard`` in front of every import this process makes from now on."""
    original_import = builtins.__import__
    original_import_module = importlib.import_module

    def guarded_import(
        name: str,
        globals: dict[str, Any] | None = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        if level == 0:  # a relative import stays inside the importer's own package
            guard.check(name, sys._getframe(1))
        return original_import(name, globals, locals, fromlist, level)

    def guarded_import_module(name: str, package: str | None = None) -> Any:
        if not name.startswith("."):
            guard.check(name, sys._getframe(1))
        return original_import_module(name, package)

    builtins.__import__ = guarded_import  # type: ignore[assignment]
    importlib.import_module = _named_like(guarded_import_module, original_import_module)


def _named_like(wrapper: Callable[..., Any], original: Callable[..., Any]) -> Callable[..., Any]:
    wrapper.__name__ = original.__name__
    wrapper.__qualname__ = original.__qualname__
    wrapper.__doc__ = original.__doc__
    return wrapper


def written_imports(root: Path, files: Iterable[str], allowed: Iterable[str]) -> list[Finding]:
    """The static side of the rule, for the hiring team: each import statement in the
    submission's .py files of a top-level module outside the standard library, the
    submission's own and ``allowed`` (a guard undone at run time leaves these in sight;
    an import inside ``try``, with a fallback, is reported too)."""
    ok = frozenset(allowed) | sys.stdlib_module_names | local_modules(root)
    findings = []
    for name in (n for n in files if n.endswith(".py")):
        try:
            tree = ast.parse((root / name).read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue  # the integrity scan reports what it cannot read
        for node in ast.walk(tree):
            findings += _outside(node, ok, name, ", ".join(allowed))
    return findings


def _outside(node: ast.AST, ok: frozenset[str], name: str, allowed: str) -> list[Finding]:
    """Findings for one node: an import of a module outside ``ok``, or ``sys.modules``
    (a module some library loaded, reached without importing it)."""
    if isinstance(node, ast.Attribute) and node.attr == "modules":
        if isinstance(node.value, ast.Name) and node.value.id == "sys":
            why = "reads sys.modules: reaches loaded modules without importing them"
            return [Finding("disallowed-import", why, "suspicious", name, node.lineno)]
        return []
    if isinstance(node, ast.Import):
        modules = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
        modules = [node.module]
    else:
        return []
    why = "imports {}, outside the libraries this challenge allows ({}); grading refuses it"
    return [
        Finding("disallowed-import", why.format(m, allowed), "suspicious", name, node.lineno)
        for m in modules
        if m.partition(".")[0] not in ok
    ]
