"""The terminal scorecard: score, category table, failures by category, complexity, quality,
integrity.

Written for the reviewer who reads it top to bottom: within each category the failures
come first with their messages, and the passes fold into one count (``verbose`` lists
them). A submission that does not import gets one block with the error, not the same
traceback once per test. Nothing is cut without saying how much.

A pure function of the Scorecard; what a candidate may see has already been decided by
``Scorecard.for_audience`` before rendering. Every string a submission controls goes
through ``escape.text``: one line stays one line, and no control character reaches the
terminal.
"""

from __future__ import annotations

from mlgrader.model.scorecard import Scorecard, TestResult
from mlgrader.reports.escape import text, text_lines
from mlgrader.reports.views import (
    FOLLOWUPS_HEADING,
    MARK,
    PUBLIC_NOTICE,
    by_category,
    complexity_rows,
    followup_lines,
    import_failure,
    quality_findings,
    short,
    verdict,
)

#: Lines of a failing test's docstring (the rule it checks) shown.
DOC_LINES = 4
#: Lines of one test's message shown (its first 600 characters).
MESSAGE_LINES = 8
#: Lines of the import failure shown once for the whole submission.
IMPORT_LINES = 20
#: Code-quality findings listed.
FINDINGS_SHOWN = 20
INDENT = " " * 10


def render_text(card: Scorecard, verbose: bool = False) -> str:
    """A terminal scorecard; ``verbose`` also lists every passed test."""
    public = card.mode == "public"
    mode = "public tests only" if public else "public and hidden tests"
    lines = [PUBLIC_NOTICE] if public else []
    lines += [
        f"mlgrader {card.mlgrader_version} | {card.challenge['name']}: {card.challenge['title']}",
        f"submission: {text(card.submission['path'])} ({mode}, {card.audience} view)",
        "",
    ]
    if public:  # a score of the public tests alone reads as a grade: show counts instead
        passed = sum(t.outcome == "passed" for t in card.tests)
        lines.append(f"public tests: {passed} of {len(card.tests)} passed")
    else:
        lines.append(
            f"SCORE {card.score:.1f} / 100  {verdict(card)}  (pass mark {card.pass_mark:g})"
        )
    if card.error:
        lines.append(f"grading error: {text(card.error)}")
    if not public:
        lines += ["", f"{'category':<14}{'points':>16}{'earned':>9}{'tests':>7}"]
        for cat in card.categories:
            points = f"{cat.points:.1f} / {cat.max_points:.1f}"
            lines.append(f"{cat.name:<14}{points:>16}{cat.earned:>9.0%}{cat.tests:>7}")
    broken = import_failure(card)
    if broken:
        message, count = broken
        lines += ["", f"the submission does not import ({_count(count, 'test')} failed on this):"]
        lines += _cut([f"  {m}" for m in text_lines(message)], IMPORT_LINES, "  ")
    for name, tests in by_category(card):
        lines += ["", *_category(name, tests, broken[0] if broken else None, verbose)]
    lines += _complexity(card)
    lines += _quality(card)
    lines += ["", f"integrity: {card.integrity.status}"]
    lines += [f"  - {text(f.kind)}: {text(f)}" for f in card.integrity.findings]
    lines.append(f"graded in {card.duration_s:.1f} s")
    followups = followup_lines(card)
    if followups:
        lines += ["", f"{FOLLOWUPS_HEADING}:", *(f"  - {text(f)}" for f in followups)]
    return "\n".join(lines) + "\n"


def _category(name: str, tests: list[TestResult], broken: str | None, verbose: bool) -> list[str]:
    """One category: its failures (and partial credit) with messages, then its passes."""
    failing = [t for t in tests if t.outcome != "passed" or t.earned not in (0.0, 1.0)]
    passing = [t for t in tests if t not in failing]
    lines = [f"{name}: {len(tests) - len(failing)} of {len(tests)} passed"]
    for test in failing:
        line = f"  {MARK[test.outcome]:<8}{text(test.id)}"
        if test.earned not in (0.0, 1.0):
            line += f"  [{test.earned:.0%} credit]"
        lines.append(line)
        if test.doc:
            doc = [
                f"{INDENT}checks: {m}" if i == 0 else f"{INDENT}        {m}"
                for i, m in enumerate(text_lines(test.doc))
            ]
            lines += _cut(doc, DOC_LINES, INDENT)
        if broken is not None and test.message.endswith(broken):
            lines.append(f"{INDENT}the submission does not import: see above")
        elif test.message:
            shown = [f"{INDENT}{m}" for m in text_lines(short(test.message, 600))]
            lines += _cut(shown, MESSAGE_LINES, INDENT)
    if verbose:
        lines += [f"  {MARK[t.outcome]:<8}{text(t.id)}" for t in passing]
    elif passing:
        lines.append(f"  PASS    {_count(len(passing), 'test')} (--verbose lists them)")
    return lines


def _cut(lines: list[str], most: int, indent: str) -> list[str]:
    """``lines`` up to ``most``, then a line saying how many were left out."""
    if len(lines) <= most:
        return lines
    left = len(lines) - most
    return [*lines[:most], f"{indent}... {left} more lines (the JSON scorecard has them all)"]


def _complexity(card: Scorecard) -> list[str]:
    checks = list(complexity_rows(card.tests))
    if not checks:
        return []
    lines = ["", "complexity bounds (expected against measured):"]
    for test_id, label, expected, measured, result in checks:
        row = f"{test_id} [{label}]: expected {expected}, measured {measured} ({result})"
        lines.append(f"  {text(row)}")
    return lines


def _quality(card: Scorecard) -> list[str]:
    findings = quality_findings(card.quality)
    if not findings:
        return []
    lines = ["", f"code quality: {_count(len(findings), 'finding')}"]
    for finding in findings[:FINDINGS_SHOWN]:
        rule = f" ({text(finding['rule'])})" if finding.get("rule") else ""
        where = f"{finding['file']}:{finding['line']}"
        lines.append(f"  - {text(where)} {text(finding['kind'])}: {text(finding['detail'])}{rule}")
    if len(findings) > FINDINGS_SHOWN:
        lines.append(f"  - ... and {len(findings) - FINDINGS_SHOWN} more")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
