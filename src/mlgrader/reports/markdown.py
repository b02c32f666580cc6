"""The markdown scorecard (GitHub-flavoured): fit for a CI job summary or a pull-request comment.

A pure function of the Scorecard. Everything a submission controls goes through
``escape.markdown`` or ``escape.markdown_code``, since a job summary renders it:
no raw HTML, no broken table, no heading of its own.
"""

from __future__ import annotations

from typing import Any

from mlgrader.model.quality import file_summary
from mlgrader.model.scorecard import Scorecard
from mlgrader.reports.escape import markdown, markdown_code
from mlgrader.reports.views import (
    FOLLOWUPS_HEADING,
    PUBLIC_NOTICE,
    by_category,
    complexity_rows,
    followup_lines,
    quality_findings,
    short,
    verdict,
)

EMOJI = {
    "passed": "✅",
    "failed": "❌",
    "error": "💥",
    "timeout": "⏱️",
    "crashed": "💥",
    "skipped": "⏭️",
}


def render_markdown(card: Scorecard) -> str:
    """GitHub-flavoured markdown fit for a CI step summary or a PR comment."""
    icon = "✅" if card.passed else "❌"
    mode = "public tests only" if card.mode == "public" else "public and hidden tests"
    if card.mode == "public":  # a score of the public tests alone reads as a grade
        passed = sum(t.outcome == "passed" for t in card.tests)
        heading = f"{card.challenge['title']}: public tests, {passed} of {len(card.tests)} passed"
        out = [f"## {heading}", "", f"> {PUBLIC_NOTICE}", ""]
    else:
        out = [
            f"## {icon} {card.challenge['title']}: {card.score:.1f} / 100 ({verdict(card)})",
            "",
        ]
    out += [
        f"Challenge `{card.challenge['name']}` · {mode} · "
        + ("" if card.mode == "public" else f"pass mark {card.pass_mark:g} · ")
        + f"mlgrader {card.mlgrader_version}",
        "",
    ]
    if card.error:
        out += [f"> **Grading error:** {markdown(card.error)}", ""]
    if card.mode != "public":
        out += _category_table(card)
    out += ["### Tests", ""]
    for name, tests in by_category(card):
        passed = sum(t.outcome == "passed" for t in tests)
        out += [
            f"<details><summary><b>{name}</b>: {passed} of {len(tests)} passed</summary>",
            "",
            "| | Test | Visibility | Outcome | Message |",
            "|---|---|---|---|---|",
        ]
        for test in tests:
            message = markdown(short(test.message)) if test.message else ""
            out.append(
                f"| {EMOJI[test.outcome]} | {markdown_code(test.id)} | {test.visibility} "
                f"| {test.outcome} | {message} |"
            )
        out += ["", "</details>", ""]
    checks = list(complexity_rows(card.tests))
    if checks:
        out += ["### Complexity", "", "| Test | Operation | Expected | Measured | Verdict |"]
        out.append("|---|---|---|---|---|")
        for test_id, label, expected, measured, result in checks:
            cells = [markdown(c) for c in (label, expected, measured, result)]
            out.append(f"| {markdown_code(test_id)} | {' | '.join(cells)} |")
        out.append("")
    out += _quality_markdown(card.quality)
    out += ["### Integrity", "", f"Status: **{card.integrity.status}**", ""]
    out += [f"- {markdown_code(f.kind)}: {markdown(f)}" for f in card.integrity.findings]
    followups = followup_lines(card)
    if followups:
        out += ["", f"### {FOLLOWUPS_HEADING}", "", *(f"- {markdown(f)}" for f in followups)]
    return "\n".join(out).rstrip() + "\n"


def _category_table(card: Scorecard) -> list[str]:
    out = ["| Category | Weight | Earned | Points | Tests |", "|---|---:|---:|---:|---:|"]
    for cat in card.categories:
        out.append(
            f"| {cat.name} | {cat.weight:g} | {cat.earned:.0%} | "
            f"{cat.points:.1f} / {cat.max_points:.1f} | {cat.tests} |"
        )
    return [*out, f"| **total** | | | **{card.score:.1f} / 100** | {len(card.tests)} |", ""]


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
    findings = quality_findings(quality)
    for name, data in files.items():
        summary = data.get("summary") or file_summary(data)  # older scorecards: none

        most = [_shown(summary.get(k)) for k in ("max_complexity", "max_length", "max_nesting")]
        shares = [_shown(summary.get(k), percent=True) for k in ("documented", "annotated")]
        out.append(
            f"| {markdown_code(name)} | {data.get('lines', 0)} | {summary['functions']} "
            f"| {' | '.join(most)} | {' | '.join(shares)} "
            f"| {summary['classes']} ({_shown(summary.get('max_lcom4'))}) | {summary['findings']} |"
        )
    if quality.get("files_omitted"):
        out.append(f"| ... and {quality['files_omitted']} more files | | | | | | | | | |")
    out.append("")
    for finding in findings[:_QUALITY_FINDINGS_SHOWN]:
        rule = f" ({markdown(finding['rule'])})" if finding.get("rule") else ""  # older: none
        out.append(
            f"- {markdown_code(str(finding['file']) + ':' + str(finding['line']))} "
            f"{markdown(finding['kind'])}: {markdown(finding['detail'])}{rule}"
        )
    if len(findings) > _QUALITY_FINDINGS_SHOWN:
        out.append(f"- ... and {len(findings) - _QUALITY_FINDINGS_SHOWN} more")
    return [*out, ""] if findings else out


def _shown(value: float | None, percent: bool = False) -> str:
    return "-" if value is None else f"{value:.0%}" if percent else str(value)
