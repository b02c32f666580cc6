"""One scorecard as a standalone HTML page: what a batch links for each candidate, and what
``mlgrader show --format html`` prints.

The same content as the text and markdown scorecards (views.py decides what each shows the
same way): the score, the categories, each category's failures with the rule the test checks
and its message, then its passes; the complexity bounds; the code-quality findings; the
integrity findings. No script, font or stylesheet from anywhere, so it opens from a CI
artifact or an email as it is. Everything a submission controls goes through
``escape.html``.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlgrader.model.scorecard import PUBLIC_NOTICE, Scorecard, TestResult
from mlgrader.reports.escape import html as escape
from mlgrader.reports.plots import category_bar, complexity_plot
from mlgrader.reports.views import (
    FOLLOWUPS_HEADING,
    MARK,
    by_category,
    complexity_rows,
    followup_lines,
    import_failure,
    quality_findings,
    short,
    verdict,
)

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1d2433; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d8dde6; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; table-layout: fixed; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eceff4;
         overflow-wrap: anywhere; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f7fa; padding: .5rem;
      margin: .3rem 0; font-size: 12px; }
.PASS { color: #1e7d32; } .FAIL, .ERROR, .CRASH, .TIMEOUT { color: #b3261e; }
.notice { background: #fff4d6; padding: .5rem .8rem; border-radius: 4px; }
.doc { color: #5b6475; margin: .2rem 0; }
.bar { background: #e7ecf5; height: .8rem; width: 140px; border-radius: 3px; }
.bar > div { background: #3867d6; height: 100%; border-radius: 3px; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(370px, 1fr)); gap: 1rem; }
.plot { margin: 0; padding: .5rem; border: 1px solid #d8dde6; border-radius: 6px; }
.plot figcaption { font-size: 12px; margin-bottom: .3rem; }
.key { color: #5b6475; font-size: 11px; }
"""


def render_html(card: Scorecard, similar: Sequence[tuple[str, str]] | None = None) -> str:
    """A standalone HTML page for one scorecard; ``similar`` (from a batch) lists the
    submission's closest matches in its round, each a line and a link to the pair."""
    title = f"{card.challenge['title']}: {card.submission['path']}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(card.challenge['title'])}</h1>",
        f"<p>submission <code>{escape(card.submission['path'])}</code> · "
        f"{card.audience} view · mlgrader {escape(card.mlgrader_version)}</p>",
        *_headline(card),
        *_tests(card),
        *_complexity(card),
        *_quality(card),
        *(_similar(similar) if similar is not None else []),
        "<h2>Integrity</h2>",
        f"<p>status: <b>{escape(card.integrity.status)}</b></p>",
        "<ul>",
        *(f"<li>{escape(f.kind)}: {escape(str(f))}</li>" for f in card.integrity.findings),
        "</ul>",
        f"<p>graded in {card.duration_s:.1f} s</p>",
        *_followups(card),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _headline(card: Scorecard) -> list[str]:
    if card.mode == "public":
        passed = sum(t.outcome == "passed" for t in card.tests)
        head = [f"<p class='notice'>{escape(PUBLIC_NOTICE)}</p>"]
        head.append(f"<p id='score'>public tests: {passed} of {len(card.tests)} passed</p>")
    else:
        head = [
            f"<p id='score'><b>{card.score:.1f} / 100</b> {verdict(card)} "
            f"(pass mark {card.pass_mark:g})</p>",
            "<table id='categories'><tr><th>Category</th><th>Weight</th><th>Earned</th>"
            "<th></th><th>Points</th><th>Tests</th></tr>",
            *(
                f"<tr><td>{escape(c.name)}</td><td class='num'>{c.weight:g}</td>"
                f"<td class='num'>{c.earned:.0%}</td><td>{category_bar(c.earned)}</td>"
                f"<td class='num'>{c.points:.1f} / {c.max_points:.1f}</td>"
                f"<td class='num'>{c.tests}</td></tr>"
                for c in card.categories
            ),
            "</table>",
        ]
    if card.error:
        head.append(f"<p class='FAIL'>grading error: {escape(card.error)}</p>")
    broken = import_failure(card)
    if broken:
        head.append(f"<h2>The submission does not import ({broken[1]} tests failed on this)</h2>")
        head.append(f"<pre>{escape(broken[0])}</pre>")
    return head


def _tests(card: Scorecard) -> list[str]:
    broken = import_failure(card)
    out = []
    for name, tests in by_category(card):
        failing = [t for t in tests if t.outcome != "passed" or t.earned not in (0.0, 1.0)]
        passed = len(tests) - len(failing)
        out.append(f"<h2>{escape(name)}: {passed} of {len(tests)} passed</h2>")
        out.append("<table><tr><th style='width:6em'></th><th>Test</th></tr>")
        for test in [*failing, *(t for t in tests if t not in failing)]:
            out.append(_test_row(test, broken[0] if broken else None))
        out.append("</table>")
    return out


def _test_row(test: TestResult, broken: str | None) -> str:
    mark = MARK[test.outcome]
    cell = f"<code>{escape(test.id)}</code>"
    if test.earned not in (0.0, 1.0):
        cell += f" [{test.earned:.0%} credit]"
    if mark != "PASS" or test.earned not in (0.0, 1.0):
        if test.doc:
            cell += f"<p class='doc'>checks: {escape(test.doc)}</p>"
        if broken is not None and test.message.endswith(broken):
            cell += "<p>the submission does not import: see above</p>"
        elif test.message:
            cell += f"<pre>{escape(short(test.message, 4000))}</pre>"
    return f"<tr><td class='{mark}'>{mark}</td><td>{cell}</td></tr>"


def _complexity(card: Scorecard) -> list[str]:
    rows = list(complexity_rows(card.tests))
    if not rows:
        return []
    out = [
        "<h2>Complexity bounds</h2>",
        "<table><tr><th>Test</th><th>Operation</th><th>Expected</th><th>Measured</th>"
        "<th>Verdict</th></tr>",
    ]
    for test_id, label, expected, measured, result in rows:
        cells = "".join(f"<td>{escape(c)}</td>" for c in (label, expected, measured, result))
        out.append(f"<tr><td><code>{escape(test_id)}</code></td>{cells}</tr>")
    out.append("</table>")
    plots = [
        complexity_plot(record, f"plot-{i}")
        for i, record in enumerate(r for t in card.tests for r in t.complexity or [])
    ]
    if any(plots):
        out.append(f"<div class='plots'>{''.join(plots)}</div>")
    return out


def _followups(card: Scorecard) -> list[str]:
    lines = followup_lines(card)
    if not lines:
        return []
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return [f"<h2>{escape(FOLLOWUPS_HEADING)}</h2>", f"<ul id='followups'>{items}</ul>"]


def _similar(similar: Sequence[tuple[str, str]]) -> list[str]:
    out = ["<h2>Similar code in this round</h2>", "<ul id='similar'>"]
    out += [f"<li><a href='{escape(link)}'>{escape(line)}</a></li>" for line, link in similar]
    if not similar:
        out.append("<li>no other submission shares 10 lines or more of its own code</li>")
    return [*out, "</ul>"]


def _quality(card: Scorecard) -> list[str]:
    findings = quality_findings(card.quality)
    if not findings:
        return []
    out = [f"<h2>Code quality: {len(findings)} findings</h2>", "<ul>"]
    for finding in findings:
        where = f"{finding['file']}:{finding['line']}"
        rule = f" ({escape(finding['rule'])})" if finding.get("rule") else ""
        out.append(
            f"<li><code>{escape(where)}</code> {escape(finding['kind'])}: "
            f"{escape(finding['detail'])}{rule}</li>"
        )
    return [*out, "</ul>"]
