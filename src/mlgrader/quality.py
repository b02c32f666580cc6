"""The public face of mlgrader's static code-quality checks (``submission.quality()``).

Challenge test authors call :func:`analyze_paths` (or :func:`analyze_source`) and assert
with the ``require_*`` helpers of :class:`QualityReport`. The code lives in the package
:mod:`mlgrader.authoring.quality`; this module keeps the names importable from here.
"""

from __future__ import annotations

from mlgrader.authoring.quality.entry import analyze_paths, analyze_source
from mlgrader.authoring.quality.report import (
    ClassMetrics,
    FileMetrics,
    FunctionMetrics,
    QualityReport,
)
from mlgrader.model.findings import Finding

__all__ = [
    "ClassMetrics",
    "FileMetrics",
    "Finding",
    "FunctionMetrics",
    "QualityReport",
    "analyze_paths",
    "analyze_source",
]
