"""The entry points: which files to analyse, and one report from them.

Why a module of its own: this is where candidate files are read (never imported or
executed) and where a file that cannot be analysed becomes a finding instead of an
exception, so a broken or hostile file costs the candidate the quality checks and
never the grader its run.
"""

from __future__ import annotations

import ast
import os
import tokenize
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

from mlgrader.authoring.quality.analysis import Analyzer
from mlgrader.authoring.quality.report import FileMetrics, Finding, QualityReport

__all__ = ["analyze_paths", "analyze_source"]


def analyze_source(source: str, filename: str = "<string>") -> QualityReport:
    """Analyse one source string; ``filename`` is the key used in the report."""
    fm = _analyze_file(source, filename)
    return QualityReport(files={filename: fm}, findings=list(fm.findings))


def analyze_paths(paths: Iterable[Path], root: Path) -> QualityReport:
    """Analyse ``.py`` files (directories are searched recursively), keyed relative to ``root``."""
    report = QualityReport()
    for path in _expand(paths):
        name = Path(os.path.relpath(path, root)).as_posix()
        try:
            with tokenize.open(path) as fh:
                source = fh.read()
        except (OSError, SyntaxError, UnicodeDecodeError) as exc:
            fm = FileMetrics(path=name, lines=0)
            fm.findings.append(Finding(name, 1, "syntax-error", f"cannot read file: {exc}"))
        else:
            fm = _analyze_file(source, name)
        report.files[name] = fm
        report.findings.extend(fm.findings)
    return report


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        candidates = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _analyze_file(source: str, name: str) -> FileMetrics:
    fm = FileMetrics(path=name, lines=len(source.splitlines()))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=name)
        Analyzer(fm).run(tree)
    except SyntaxError as exc:
        detail = f"syntax error: {exc.msg}"
        fm.findings[:] = [Finding(name, exc.lineno or 1, "syntax-error", detail)]
        fm.functions.clear()
        fm.classes.clear()
    except (ValueError, RecursionError, MemoryError) as exc:
        fm.findings[:] = [Finding(name, 1, "syntax-error", f"cannot analyse: {exc!r}")]
        fm.functions.clear()
        fm.classes.clear()
    fm.findings.sort(key=lambda f: (f.line, f.kind))
    return fm
