"""The terminal scorecard: score, category table, tests by category, complexity, integrity.

A pure function of the Scorecard; what a candidate may see has already been
decided by ``Scorecard.for_audience`` before rendering. Every string a
submission controls goes through ``escape.text``: one line stays one line, and
no control character reaches the terminal.
"""

from __future__ import annotations

from mlgrader.model.scorecard import Scorecard
from mlgrader.reports.escape import text, text_lines
from mlgrader.reports.views import MARK, by_category, complexity_rows, short, verdict


def render_text(card: Scorecard) -> str:
    """A terminal scorecard: score, category table, tests by category, complexity, integrity."""
    mode = "public tests only" if card.mode == "public" else "public and hidden tests"
    lines = [
        f"mlgrader {card.mlgrader_version} | {card.challenge['name']}: {card.challenge['title']}",
        f"submission: {text(card.submission['path'])} ({mode}, {card.audience} view)",
        "",
        f"SCORE {card.score:.1f} / 100  {verdict(card)}  (pass mark {card.pass_mark:g})",
    ]
    if card.error:
        lines.append(f"grading error: {text(card.error)}")
    lines += ["", f"{'category':<14}{'points':>16}{'earned':>9}{'tests':>7}"]
    for cat in card.categories:
        points = f"{cat.points:.1f} / {cat.max_points:.1f}"
        lines.append(f"{cat.name:<14}{points:>16}{cat.earned:>9.0%}{cat.tests:>7}")
    for name, tests in by_category(card):
        lines += ["", f"{name}:"]
        for test in tests:
            line = f"  {MARK[test.outcome]:<8}{text(test.id)}"
            if test.earned not in (0.0, 1.0):
                line += f"  [{test.earned:.0%} credit]"
            lines.append(line)
            if (test.message and test.outcome != "passed") or test.earned not in (0.0, 1.0):
                lines += [f"          {m}" for m in text_lines(short(test.message))[:3]]
    checks = list(complexity_rows(card.tests))
    if checks:
        lines += ["", "complexity:"]
        for test_id, label, expected, measured, result in checks:
            row = f"{test_id} [{label}]: expected {expected}, measured {measured} ({result})"
            lines.append(f"  {text(row)}")
    lines += ["", f"integrity: {card.integrity.status}"]
    lines += [f"  - {text(f.kind)}: {text(f)}" for f in card.integrity.findings]
    lines.append(f"graded in {card.duration_s:.1f} s")
    return "\n".join(lines) + "\n"
