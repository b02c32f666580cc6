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
from mlgrader.authoring.quality.lint import RuffFailed, ruff_check, ruff_findings
from mlgrader.authoring.quality.report import FileMetrics, QualityReport
from mlgrader.model.findings import Finding

__all__ = ["analyze_paths", "analyze_source"]

#: Larger files are not analysed (a ``not-analysed`` finding says so, and every
#: ``require_*`` helper fails). Candidate modules are a few hundred lines; a megabyte of
#: Python is generated or hostile, and parsing, walking and linting it would cost the
#: grader, and each test process that asks, seconds and hundreds of megabytes.
MAX_SOURCE_BYTES = 1_000_000


def analyze_source(source: str, filename: str = "<string>") -> QualityReport:
    """Analyse one source string; ``filename`` is the key used in the report."""
    fm = _analyze_file(source, filename, cwd=None)
    return QualityReport(files={filename: fm}, findings=list(fm.findings))


def analyze_paths(paths: Iterable[Path], root: Path) -> QualityReport:
    """Analyse ``.py`` files (directories are searched recursively), keyed relative to ``root``."""
    report = QualityReport()
    for path in _expand(paths):
        name = Path(os.path.relpath(path, root)).as_posix()
        fm = _read_and_analyze(path, name, root)
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


def _read_and_analyze(path: Path, name: str, root: Path) -> FileMetrics:
    if path.suffix != ".py":  # Python imports compiled code here: there is no source to read
        detail = "not analysed: Python imports this compiled file, which has no source to check"
        finding = Finding("not-analysed", detail, file=name, line=1, rule="mlgrader")
        return _only(FileMetrics(path=name, lines=0), finding)
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            return _only(FileMetrics(path=name, lines=0), _too_big(name, size))
        with tokenize.open(path) as fh:
            source = fh.read()
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        # LookupError: a codec cookie naming a codec that is not a text encoding (rot13)
        detail = f"cannot read file: {' '.join(str(exc).split())[:200]}"
        return _only(
            FileMetrics(path=name, lines=0),
            Finding("syntax-error", detail, file=name, line=1, rule="python"),
        )
    return _analyze_file(source, name, cwd=root)


def _analyze_file(source: str, name: str, cwd: Path | None) -> FileMetrics:
    """Parse (never import) one file, measure it (analysis.py), then lint it (lint.py)."""
    fm = FileMetrics(path=name, lines=len(source.splitlines()))
    size = len(source.encode("utf-8", "replace"))
    if size > MAX_SOURCE_BYTES:
        return _only(fm, _too_big(name, size))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=name)
        analyzer = Analyzer(fm)
        analyzer.run(tree)
    except SyntaxError as exc:
        detail = f"syntax error: {exc.msg}"
        return _only(
            fm, Finding("syntax-error", detail, file=name, line=exc.lineno or 1, rule="python")
        )
    except ValueError as exc:  # e.g. a null byte, before Python 3.12 made it a SyntaxError
        return _only(
            fm, Finding("syntax-error", f"syntax error: {exc}", file=name, line=1, rule="python")
        )
    except (RecursionError, MemoryError) as exc:
        detail = f"cannot analyse: {exc!r}"
        return _only(fm, Finding("not-analysed", detail, file=name, line=1, rule="mlgrader"))
    try:
        diagnostics = ruff_check(source, name, cwd)
    except RuffFailed as exc:
        detail = f"ruff could not check this file: {exc}"
        fm.findings.append(Finding("not-analysed", detail, file=name, line=1, rule="ruff"))
    else:
        fm.findings += ruff_findings(diagnostics, name, analyzer.defs, analyzer.overrides)
    fm.findings.sort(key=lambda f: (f.line, f.kind))
    return fm


def _too_big(name: str, size: int) -> Finding:
    detail = f"not analysed: {size:,} bytes, more than the {MAX_SOURCE_BYTES:,} analysed"
    return Finding("not-analysed", detail, file=name, line=1, rule="mlgrader")


def _only(fm: FileMetrics, finding: Finding) -> FileMetrics:
    """``fm`` holding just ``finding``: nothing else about the file could be checked."""
    fm.functions.clear()
    fm.classes.clear()
    fm.findings[:] = [finding]
    return fm
