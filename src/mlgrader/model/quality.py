"""The scorecard's ``quality`` section: per-file metrics, bounded in size.

A submission decides how many files, functions, classes and findings its
modules have: one class of 37,000 methods made a 13 MB scorecard. The section
keeps every file's summary (what the markdown table shows, computed from all
of it) and lists at most a fixed number of files, and of functions, classes,
findings and names within each; ``omitted`` counts what is not listed.
"""

from __future__ import annotations

from typing import Any

from mlgrader.model.text import clip

#: Files listed in the section, and items listed per file (functions, classes, findings)
#: and names per class (methods, attributes, bases).
MAX_FILES = 100
MAX_ITEMS = 50
MAX_NAMES = 50
#: Characters kept of any one string (a qualified name, a finding's detail).
MAX_CHARS = 300


def file_summary(data: dict[str, Any]) -> dict[str, Any]:
    """Counts and extremes of one file's metrics (the markdown table's row)."""
    funcs, classes = data.get("functions", []), data.get("classes", [])
    documented = sum(f["has_docstring"] for f in funcs) + sum(c["has_docstring"] for c in classes)
    return {
        "functions": len(funcs),
        "classes": len(classes),
        "findings": len(data.get("findings", [])),
        "max_complexity": max((f["complexity"] for f in funcs), default=None),
        "max_length": max((f["length"] for f in funcs), default=None),
        "max_nesting": max((f["nesting"] for f in funcs), default=None),
        "max_lcom4": max((c["lcom4"] for c in classes), default=None),
        "documented": documented / (len(funcs) + len(classes)) if funcs or classes else None,
        "annotated": sum(f["annotated"] for f in funcs) / len(funcs) if funcs else None,
    }


def compact(quality: dict[str, Any]) -> dict[str, Any]:
    """``quality`` with every file summarised and the lists cut to the limits above."""
    files: dict[str, Any] = quality.get("files") or {}
    listed: dict[str, Any] = {}
    for name, data in list(files.items())[:MAX_FILES]:
        entry: dict[str, Any] = {"lines": data.get("lines", 0), "summary": file_summary(data)}
        omitted: dict[str, int] = {}
        for key in ("functions", "classes", "findings"):
            items = data.get(key, [])
            entry[key] = [_names_cut(item) for item in items[:MAX_ITEMS]]
            if len(items) > MAX_ITEMS:
                omitted[key] = len(items) - MAX_ITEMS
        if omitted:
            entry["omitted"] = omitted
        listed[name] = entry
    out: dict[str, Any] = {**quality, "files": listed}
    if len(files) > MAX_FILES:
        out["files_omitted"] = len(files) - MAX_FILES
    return out


def _names_cut(item: dict[str, Any]) -> dict[str, Any]:
    """One function, class or finding: its lists of names (methods, attributes, bases) cut
    to ``MAX_NAMES`` and each string to ``MAX_CHARS`` (a name can be 100,000 long)."""
    cut: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, str):
            cut[key] = clip(value, MAX_CHARS)
        elif isinstance(value, list):
            cut[key] = [clip(v, MAX_CHARS) if isinstance(v, str) else v for v in value[:MAX_NAMES]]
        else:
            cut[key] = value
    return cut
