"""Human renderings of a Scorecard: plain text for terminals, markdown for CI summaries and PRs.

Both are pure functions of the Scorecard; what a candidate may see has already
been decided by ``Scorecard.for_audience`` before rendering.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mlgrader.scorecard import Scorecard, TestResult

MARK = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "timeout": "TIMEOUT",
    "crashed": "CRASH",
    "skipped": "SKIP",
}
EMOJI = {
    "passed": "✅",
    "failed": "❌",
    "error": "💥",
    "timeout": "⏱️",
    "crashed": "💥",
    "skipped": "⏭️",
}


def render_json(card: Scorecard) -> str:
    """The scorecard as JSON (schema_version 1)."""
    return json.dumps(card.to_dict(), indent=2, sort_keys=False) + "\n"


def verdict(card: Scorecard) -> str:
    """PASS or FAIL against the pass mark (ERROR when grading itself failed)."""
    if card.error:
        return "ERROR"
    return "PASS" if card.passed else "FAIL"


def render_text(card: Scorecard) -> str:
    """A terminal scorecard: score, category table, tests by category, complexity, integrity."""
    mode = "public tests only" if card.mode == "public" else "public and hidden tests"
    lines = [
        f"mlgrader {card.mlgrader_version} | {card.challenge['name']}: {card.challenge['title']}",
        f"submission: {card.submission['path']} ({mode}, {card.audience} view)",
        "",
        f"SCORE {card.score:.1f} / 100  {verdict(card)}  (pass mark {card.pass_mark:g})",
    ]
    if card.error:
        lines.append(f"grading error: {card.error}")
    lines += ["", f"{'category':<14}{'points':>16}{'earned':>9}{'tests':>7}"]
    for cat in card.categories:
        points = f"{cat.points:.1f} / {cat.max_points:.1f}"
        lines.append(f"{cat.name:<14}{points:>16}{cat.earned:>9.0%}{cat.tests:>7}")
    for name, tests in _by_category(card):
        lines += ["", f"{name}:"]
        for test in tests:
            line = f"  {MARK[test.outcome]:<8}{test.id}"
            if test.earned not in (0.0, 1.0):
                line += f"  [{test.earned:.0%} credit]"
            lines.append(line)
            if (test.message and test.outcome != "passed") or test.earned not in (0.0, 1.0):
                lines += [f"          {m}" for m in _short(test.message).splitlines()[:3]]
    checks = list(_complexity_rows(card.tests))
    if checks:
        lines += ["", "complexity:"]
        for test_id, label, expected, measured, result in checks:
            lines.append(
                f"  {test_id} [{label}]: expected {expected}, measured {measured} ({result})"
            )
    lines += ["", f"integrity: {card.integrity.status}"]
    lines += [f"  - {f.kind}: {f.detail}" for f in card.integrity.findings]
    lines.append(f"graded in {card.duration_s:.1f} s")
    return "\n".join(lines) + "\n"


def render_markdown(card: Scorecard) -> str:
    """GitHub-flavoured markdown fit for a CI step summary or a PR comment."""
    icon = "✅" if card.passed else "❌"
    mode = "public tests only" if card.mode == "public" else "public and hidden tests"
    out = [
        f"## {icon} {card.challenge['title']}: {card.score:.1f} / 100 ({verdict(card)})",
        "",
        f"Challenge `{card.challenge['name']}` · {mode} · pass mark {card.pass_mark:g} · "
        f"mlgrader {card.mlgrader_version}",
        "",
    ]
    if card.error:
        out += [f"> **Grading error:** {_md(card.error)}", ""]
    out += ["| Category | Weight | Earned | Points | Tests |", "|---|---:|---:|---:|---:|"]
    for cat in card.categories:
        out.append(
            f"| {cat.name} | {cat.weight:g} | {cat.earned:.0%} | "
            f"{cat.points:.1f} / {cat.max_points:.1f} | {cat.tests} |"
        )
    out += [f"| **total** | | | **{card.score:.1f} / 100** | {len(card.tests)} |", ""]
    out += ["### Tests", ""]
    for name, tests in _by_category(card):
        passed = sum(t.outcome == "passed" for t in tests)
        out += [
            f"<details><summary><b>{name}</b>: {passed} of {len(tests)} passed</summary>",
            "",
            "| | Test | Visibility | Outcome | Message |",
            "|---|---|---|---|---|",
        ]
        for test in tests:
            message = _md(_short(test.message)) if test.message else ""
            out.append(
                f"| {EMOJI[test.outcome]} | `{test.id}` | {test.visibility} | {test.outcome} | {message} |"
            )
        out += ["", "</details>", ""]
    checks = list(_complexity_rows(card.tests))
    if checks:
        out += ["### Complexity", "", "| Test | Operation | Expected | Measured | Verdict |"]
        out.append("|---|---|---|---|---|")
        for test_id, label, expected, measured, result in checks:
            out.append(f"| `{test_id}` | {label} | {expected} | {measured} | {result} |")
        out.append("")
    out += _quality_markdown(card.quality)
    out += ["### Integrity", "", f"Status: **{card.integrity.status}**", ""]
    out += [f"- `{f.kind}`: {_md(f.detail)}" for f in card.integrity.findings]
    return "\n".join(out).rstrip() + "\n"


_QUALITY_FINDINGS_SHOWN = 20


def _quality_markdown(quality: dict[str, Any]) -> list[str]:
    """The code-quality section: one row per file, then the findings with file and line."""
    files: dict[str, Any] = quality.get("files") or {}
    if not files:
        return []
    out = [
        "### Code quality",
        "",
        "| File | Lines | Functions | Max complexity | Max length | Max nesting "
        "| Docstrings | Type hints | Classes (max LCOM4) | Findings |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    findings: list[dict[str, Any]] = []
    for name, data in files.items():
        funcs, classes = data.get("functions", []), data.get("classes", [])
        findings += data.get("findings", [])

        def most(key: str, items: list[dict[str, Any]] = funcs) -> str:
            return str(max((f[key] for f in items), default="-"))

        documented = sum(f["has_docstring"] for f in funcs) + sum(
            c["has_docstring"] for c in classes
        )
        hints = sum(f["annotated"] for f in funcs) / len(funcs) if funcs else 0.0
        parts = len(funcs) + len(classes)
        out.append(
            f"| `{name}` | {data.get('lines', 0)} | {len(funcs)} | {most('complexity')} "
            f"| {most('length')} | {most('nesting')} "
            f"| {f'{documented / parts:.0%}' if parts else '-'} "
            f"| {f'{hints:.0%}' if funcs else '-'} "
            f"| {len(classes)} ({most('lcom4', classes)}) | {len(data.get('findings', []))} |"
        )
    out.append("")
    for finding in findings[:_QUALITY_FINDINGS_SHOWN]:
        rule = f" ({finding['rule']})" if finding.get("rule") else ""  # older scorecards: none
        out.append(
            f"- `{finding['file']}:{finding['line']}` {finding['kind']}: "
            f"{_md(finding['detail'])}{rule}"
        )
    if len(findings) > _QUALITY_FINDINGS_SHOWN:
        out.append(f"- ... and {len(findings) - _QUALITY_FINDINGS_SHOWN} more")
    return [*out, ""] if findings else out


def _by_category(card: Scorecard) -> list[tuple[str, list[TestResult]]]:
    """Tests grouped by category, in the rubric's category order."""
    groups: dict[str, list[TestResult]] = {c.name: [] for c in card.categories}
    for test in card.tests:
        groups.setdefault(test.category, []).append(test)
    return [(name, tests) for name, tests in groups.items() if tests]


def _complexity_rows(tests: Iterable[TestResult]) -> Iterable[tuple[str, str, str, str, str]]:
    for test in tests:
        for record in test.complexity or []:
            yield (
                test.id,
                str(record.get("label", "")),
                str(record.get("expected", "?")),
                str(record.get("measured", "?")),
                str(record.get("verdict", "?")),
            )


def _short(text: str, limit: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _md(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
