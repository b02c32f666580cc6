"""The clean room a submission is graded in: a fresh temporary copy, never the original.

Only regular files inside the submission are copied. Files that would change
how pytest or Python behave (conftest.py, pytest settings, sitecustomize,
modules that shadow the standard library, pytest, numpy or mlgrader) are
left out and reported. The challenge's support files are copied over the
submission (the grader's copy wins), then its tests beside it, so test ids
are relative to the challenge folder exactly as rubric.toml globs expect.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mlgrader.model.challenge import KIT_MARKER, KIT_PYTEST_INI, Challenge
from mlgrader.model.findings import Finding
from mlgrader.model.notebooks import SKIP_TAG, NotebookError, convert
from mlgrader.model.rubric import ChallengeRubric

#: Files that configure pytest or Python itself: never taken from a submission.
CONFIG_FILES = frozenset(
    {
        "conftest.py",
        "pytest.ini",
        "pyproject.toml",
        "setup.cfg",
        "tox.ini",
        "setup.py",
        "sitecustomize.py",
        "usercustomize.py",
    }
)
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        "node_modules",
        ".ipynb_checkpoints",
    }
)
PROTECTED_MODULES = frozenset({"pytest", "_pytest", "pluggy", "numpy", "mlgrader", "py"})
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
#: Files copied from a submission (the challenge's own modules always are): every step after
#: the copy (scan, quality, the scorecard's file list) is bounded by it.
MAX_FILES = 1000


@dataclass
class Workspace:
    """A prepared grading folder: ``root/submission``, ``root/tests``, challenge.toml, rubric."""

    root: Path
    files: list[dict[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    omitted: int = 0  # files beyond MAX_FILES, neither copied nor listed

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def tests(self) -> Path:
        return self.root / "tests"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def cleanup(self) -> None:
        """Remove the workspace, even files the candidate made read-only."""
        if self.root.is_dir() and not self.root.is_symlink():
            self.root.chmod(stat.S_IRWXU)  # candidate code can reach the root, too
        for dirpath, dirnames, _ in os.walk(self.root):
            for name in dirnames:
                path = Path(dirpath) / name
                if not path.is_symlink():
                    path.chmod(stat.S_IRWXU)
        shutil.rmtree(self.root, ignore_errors=True)


def prepare_workspace(
    challenge: Challenge, submission: Path, rubric: ChallengeRubric, *, public_only: bool
) -> Workspace:
    """Build the clean room for grading ``submission`` against ``challenge``."""
    ws = Workspace(Path(tempfile.mkdtemp(prefix="mlgrader-")))
    ws.submission.mkdir()
    ws.home.mkdir()
    (ws.root / "tmp").mkdir()
    _copy_submission(submission, ws, challenge.modules)
    _modules_from_notebooks(ws, challenge.modules)
    if challenge.support.is_dir() and not challenge.is_kit:
        for src in sorted(challenge.support.rglob("*")):
            if src.is_file() and not _skipped(src.relative_to(challenge.support)):
                dest = ws.submission / src.relative_to(challenge.support)
                if dest.exists() and dest.read_bytes() != src.read_bytes():
                    ws.findings.append(
                        Finding(
                            "support-replaced",
                            f"{dest.relative_to(ws.submission)}: the challenge's copy is used",
                        )
                    )
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                if dest.suffix == ".py":
                    _remove_shadows(dest, ws)
    _copy_tests(challenge, ws, public_only=public_only)
    if challenge.support.is_dir() and not challenge.is_kit:
        # The trusted copy the tests import (candidate code imports the one in submission/).
        shutil.copytree(
            challenge.support, ws.root / "support", ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copyfile(challenge.root / "challenge.toml", ws.root / "challenge.toml")
    (ws.root / "rubric.toml").write_text(rubric.to_toml(), encoding="utf-8")
    (ws.root / "pytest.ini").write_text("[pytest]\naddopts =\n", encoding="utf-8")
    return ws


def _remove_shadows(module: Path, ws: Workspace) -> None:
    """Remove what Python would import instead of a support module ``name.py``: a package
    ``name/__init__.py`` or an extension ``name.*.so`` beside it both take precedence. (A
    folder without ``__init__.py`` does not: ``name.py`` wins over a namespace package.)"""
    package = module.with_suffix("")
    shadows = [package] if (package / "__init__.py").exists() else []
    shadows += [p for p in module.parent.glob(f"{module.stem}.*") if p.suffix in (".so", ".pyd")]
    for shadow in shadows:
        ws.findings.append(
            Finding(
                "support-shadowed",
                f"{shadow.relative_to(ws.submission)}: would be imported instead of the "
                f"challenge's {module.name}; removed",
            )
        )
        if shadow.is_dir() and not shadow.is_symlink():
            shutil.rmtree(shadow)
        else:
            shadow.unlink()
    ws.files[:] = [f for f in ws.files if not any(_within(f["path"], s, ws) for s in shadows)]


def _within(path: str, shadow: Path, ws: Workspace) -> bool:
    rel = shadow.relative_to(ws.submission).as_posix()
    return path == rel or path.startswith(rel + "/")


def _skipped(rel: Path) -> bool:
    return any(part in SKIPPED_DIRS for part in rel.parts) or rel.suffix in (".pyc", ".pyo")


def _copy_submission(source: Path, ws: Workspace, modules: tuple[str, ...]) -> None:
    base = source.resolve()
    total = 0
    needed = {f"{m}.py" for m in modules} | set(modules)  # a module file, or a package folder
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in list(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                filenames.append(name)
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(base)
            if rel.as_posix() == KIT_MARKER or _kit_pytest_ini(path, rel):
                continue  # mlgrader's own marker and kit configuration: not candidate code
            reason = _refusal(path, rel, base)
            if reason is not None:
                ws.findings.append(Finding(reason[0], f"{rel.as_posix()}: {reason[1]}"))
                continue
            if len(ws.files) >= MAX_FILES and rel.parts[0] not in needed:
                ws.omitted += 1
                continue
            size = path.stat().st_size
            if size > MAX_FILE_BYTES or total + size > MAX_TOTAL_BYTES:
                ws.findings.append(
                    Finding("oversized-file", f"{rel.as_posix()}: too large, not copied")
                )
                continue
            total += size
            dest = ws.submission / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            dest.write_bytes(data)
            ws.files.append({"path": rel.as_posix(), "sha256": hashlib.sha256(data).hexdigest()})
    if ws.omitted:
        detail = (
            f"{ws.omitted} files beyond the first {MAX_FILES} were not copied, scanned or "
            "listed (the challenge's own modules always are)"
        )
        ws.findings.append(Finding("too-many-files", detail, "suspicious"))


def _modules_from_notebooks(ws: Workspace, modules: tuple[str, ...]) -> None:
    """Write ``name.py`` from ``name.ipynb`` for each module handed in as a notebook only
    (model/notebooks.py). A notebook that cannot be read becomes a module that raises
    why on import, so every test says so the way it would of a broken ``.py``."""
    for name in modules:
        module, notebook = ws.submission / f"{name}.py", ws.submission / f"{name}.ipynb"
        if not notebook.is_file() or notebook.is_symlink():
            continue
        if module.exists() or (ws.submission / name).is_dir():
            detail = f"{notebook.name}: {name} is also handed in as Python; that is graded"
            ws.findings.append(Finding("notebook-ignored", detail))
            continue
        try:
            converted = convert(notebook, notebook.name)
        except NotebookError as exc:
            module.write_text(f"raise ImportError({str(exc)!r})\n", encoding="utf-8")
            continue
        module.write_text(converted.source, encoding="utf-8")
        ws.findings.extend(converted.findings)
        ws.findings.append(
            Finding(
                "notebook",
                f"{notebook.name}: graded as {module.name}, made from its code cells "
                f"(cells tagged {SKIP_TAG} left out)",
            )
        )


def _kit_pytest_ini(path: Path, rel: Path) -> bool:
    """The pytest.ini ``mlgrader init`` wrote, unchanged (never used either way; only not
    reported as the candidate's)."""
    if rel.as_posix() != "pytest.ini" or path.is_symlink():
        return False
    try:
        return path.stat().st_size < 4096 and path.read_text(encoding="utf-8") == KIT_PYTEST_INI
    except (OSError, UnicodeDecodeError):
        return False


def _refusal(path: Path, rel: Path, base: Path) -> tuple[str, str] | None:
    """Why a submission file is not copied, as (finding kind, detail), or None to copy it."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return "refused-link", "a link that points outside the submission is not used"
    elif not path.is_file():
        return "refused-file", "not a regular file"
    if rel.suffix in (".pyc", ".pyo"):
        return "ignored-file", "compiled Python is not used"
    if rel.name in CONFIG_FILES or rel.name.endswith(".pth"):
        return "ignored-file", "configures pytest or Python, so it is never used when grading"
    top = rel.parts[0]
    module = top[:-3] if len(rel.parts) == 1 and top.endswith(".py") else top
    if (
        len(rel.parts) > 1
        and not (base / top / "__init__.py").exists()
        and module not in PROTECTED_MODULES
    ):
        return None
    if module in PROTECTED_MODULES or module in sys.stdlib_module_names:
        return "shadowing-file", f"would shadow the module {module!r}, so it is never used"
    return None


def _copy_tests(challenge: Challenge, ws: Workspace, *, public_only: bool) -> None:
    source = challenge.root / "tests"
    ws.tests.mkdir()
    if challenge.is_kit and challenge.kit_tests is not None:
        _copy_kit_tests(challenge, ws)
        return
    for entry in sorted(source.iterdir()) if source.is_dir() else []:
        if entry.name == "hidden" and public_only:
            continue
        if entry.is_dir() and entry.name not in SKIPPED_DIRS:
            shutil.copytree(
                entry, ws.tests / entry.name, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif entry.is_file() and entry.suffix == ".py":
            shutil.copyfile(entry, ws.tests / entry.name)


def _copy_kit_tests(kit: Challenge, ws: Workspace) -> None:
    """Only the test files the kit shipped with (its marker lists them): the candidate's
    own tests, beside them or in tests/public, are not the challenge's."""
    for name in kit.kit_tests or ():
        rel = Path(name)
        source = kit.root / rel
        if rel.is_absolute() or ".." in rel.parts or rel.parts[:1] != ("tests",):
            continue  # a marker edited to point elsewhere: never copied
        if source.is_file() and not source.is_symlink():
            target = ws.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
