"""A hiring round at a glance: the batch report in markdown and as one standalone HTML page.

Both show the same four things, built from the scorecards on disk: score
histograms (overall and per category), a table of submissions, each test's
pass rate, and the item analysis (itemanalysis.py) that flags tests which tell
no one apart. The HTML page draws its histograms as inline SVG and needs no
script, font or stylesheet from anywhere: it opens from a CI artifact or an
email attachment as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from mlgrader.batch.items import ItemStats
from mlgrader.batch.similarity import MIN_OWN_LINES, Match, RoundSimilarity
from mlgrader.model.challenge import Challenge
from mlgrader.model.scorecard import Scorecard
from mlgrader.reports.escape import html as escape
from mlgrader.reports.escape import markdown, markdown_code
from mlgrader.reports.views import import_failure, short

BINS = 10  # histogram bins of 10 points (or 10 %) each


def histogram(values: Sequence[float], bins: int = BINS, top: float = 100.0) -> list[int]:
    """Counts in ``bins`` equal bins over [0, top]; ``top`` itself falls in the last bin."""
    counts = [0] * bins
    for value in values:
        index = min(bins - 1, max(0, int(value / top * bins)))
        counts[index] += 1
    return counts


def _bin_labels(bins: int = BINS) -> list[str]:
    step = 100 // bins
    return [f"{i * step}-{(i + 1) * step}" for i in range(bins)]


def _category_fractions(cards: Sequence[Scorecard]) -> dict[str, list[float]]:
    """Per category, each graded submission's earned percentage."""
    out: dict[str, list[float]] = {}
    for card in cards:
        for cat in card.categories:
            out.setdefault(cat.name, []).append(100.0 * cat.earned)
    return out


def problem(card: Scorecard) -> str | None:
    """One line saying why a submission scored nothing it could have: the grading failed
    (``card.error``), or its code does not import, so every test that needs it failed."""
    if card.error:
        return card.error
    broken = import_failure(card)
    return broken[0].splitlines()[0] if broken else None


def _overview(cards: Sequence[Scorecard]) -> dict[str, str]:
    scores = sorted(c.score for c in cards)
    if not scores:
        return {"submissions": "0"}
    mid = len(scores) // 2
    median = scores[mid] if len(scores) % 2 else (scores[mid - 1] + scores[mid]) / 2
    passed = sum(c.passed for c in cards)
    return {
        "submissions": str(len(cards)),
        "passed": f"{passed} ({100 * passed / len(cards):.0f}%)",
        "median score": f"{median:.1f}",
        "mean score": f"{sum(scores) / len(scores):.1f}",
        "grading errors": str(sum(problem(c) is not None for c in cards)),
    }


# -- markdown --------------------------------------------------------------------------------


def render_markdown_report(
    challenge: Challenge,
    cards: dict[str, Scorecard],
    items: Sequence[ItemStats],
    similarity: RoundSimilarity | None = None,
) -> str:
    """The batch report as markdown (histograms as text bars)."""
    ordered = list(cards.values())
    lines = [f"# Batch report: {challenge.title}", ""]
    lines += [f"- {k}: {v}" for k, v in _overview(ordered).items()]
    lines += ["", "## Score histogram", ""]
    lines += _text_histogram([c.score for c in ordered])
    for name, values in _category_fractions(ordered).items():
        lines += ["", f"### {name} (% of the category earned)", ""]
        lines += _text_histogram(values)
    lines += [
        "",
        "## Submissions",
        "",
        "| Submission | Score | Passed | Error |",
        "|---|---:|---|---|",
    ]
    for name in sorted(cards, key=lambda n: (-cards[n].score, n)):
        card = cards[name]
        error = markdown(short(problem(card) or "", 160))
        passed = "yes" if card.passed else "no"
        link = f"[{markdown(name)}](scorecards/{quote(name)}.html)"
        lines.append(f"| {link} | {card.score:.1f} | {passed} | {error} |")
    if similarity is not None:
        lines += ["", "## Similar code", "", *_similarity_markdown(similarity)]
    lines += [
        "",
        "## Item analysis",
        "",
        "Pass rate: mean credit on the test. Discrimination: correlation between credit on",
        "the test and the total without it (0.3 or more is good; under 0.2 measures little).",
        "",
        "| Test | Category | Visibility | Pass rate | Discrimination | Flag |",
        "|---|---|---|---:|---:|---|",
    ]
    for item in items:
        disc = "-" if item.discrimination is None else f"{item.discrimination:+.2f}"
        lines.append(
            f"| {markdown_code(item.test_id)} | {item.category} | {item.visibility} | "
            f"{100 * item.pass_rate:.0f}% | {disc} | {item.flag} |"
        )
    return "\n".join(lines) + "\n"


def pair_line(match: Match) -> str:
    """One pair in one line: both names, the similarity, each side's share and lines."""
    return (
        f"{match.a} and {match.b}: {match.similarity:.0%} similar ({match.a} {match.a_share:.0%}, "
        f"{match.b} {match.b_share:.0%} of their own code; {match.a_lines} and "
        f"{match.b_lines} lines matched)"
    )


def _similarity_markdown(similarity: RoundSimilarity) -> list[str]:
    flagged = similarity.flagged()
    lines = [
        f"Pairs sharing {similarity.threshold:.0%} or more of one side's own code (the kit's "
        "code left out; names, strings and layout ignored). Similar code is a reason to "
        "look, not proof of copying: read the matched regions in report.html.",
        "",
    ]
    if not flagged:
        closest = similarity.matches[0] if similarity.matches else None
        lines.append(
            "- none" + (f"; the closest: {markdown(pair_line(closest))}" if closest else "")
        )
    lines += [f"- {markdown(pair_line(m))}" for m in flagged]
    if similarity.too_small:
        names = ", ".join(similarity.too_small)
        lines += [
            "",
            markdown(f"Not compared (under {MIN_OWN_LINES} lines of their own code): {names}"),
        ]
    return lines


def _text_histogram(values: Sequence[float]) -> list[str]:
    counts = histogram(values)
    widest = max(counts) or 1
    return (
        ["```"]
        + [
            f"{label:>7} | {'#' * round(30 * n / widest):<30} {n}"
            for label, n in zip(_bin_labels(), counts, strict=True)
        ]
        + ["```"]
    )


# -- HTML ------------------------------------------------------------------------------------

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1d2433;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d8dde6; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; table-layout: fixed; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eceff4;
         overflow-wrap: anywhere; }
#items th:nth-child(1) { width: 34%; } #items th:nth-child(5) { width: 170px; }
#submissions th:nth-child(1) { width: 18%; } #submissions th:nth-child(4) { width: 30%; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 1rem; }
figure { margin: 0; padding: .6rem; border: 1px solid #d8dde6; border-radius: 6px; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.bar { background: #e7ecf5; height: .8rem; width: 160px; border-radius: 3px; }
.bar > div { background: #3867d6; height: 100%; border-radius: 3px; }
.flag { color: #b3261e; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { color: #5b6475; }
code { font-size: 12px; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: .6rem; }
.side pre { background: #f5f7fa; padding: .4rem; font-size: 11px; white-space: pre-wrap;
            overflow-wrap: anywhere; margin: .2rem 0; }
"""


def render_html_report(
    challenge: Challenge,
    cards: dict[str, Scorecard],
    items: Sequence[ItemStats],
    similarity: RoundSimilarity | None = None,
) -> str:
    """The batch report as a standalone HTML page with SVG histograms."""
    ordered = list(cards.values())
    figures = [_svg_figure("hist-overall", "Total score", [c.score for c in ordered])]
    figures += [
        _svg_figure(f"hist-{name}", f"{name} (% earned)", values)
        for name, values in _category_fractions(ordered).items()
    ]
    overview = "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in _overview(ordered).items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>mlgrader batch: {escape(challenge.name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Batch report: {escape(challenge.title)}</h1>",
        f"<dl id='overview'>{overview}</dl>",
        "<h2>Score histograms</h2>",
        f"<div class='grid' id='histograms'>{''.join(figures)}</div>",
        "<h2>Submissions</h2>",
        _submissions_table(cards),
        *(_similarity_html(similarity) if similarity is not None else []),
        "<h2>Per-test pass rates and item analysis</h2>",
        "<p>Pass rate: mean credit on the test. Discrimination: correlation between credit "
        "on the test and the total without it; 0.3 or more is good, under 0.2 measures "
        "little, negative means passing goes with lower totals.</p>",
        _items_table(items),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _svg_figure(ident: str, title: str, values: Sequence[float]) -> str:
    counts = histogram(values)
    widest = max(counts) or 1
    width, height, pad, base = 320, 170, 24, 140
    bar_w = (width - 2 * pad) / BINS
    bars = []
    for i, (label, n) in enumerate(zip(_bin_labels(), counts, strict=True)):
        h = (base - 20) * n / widest
        x = pad + i * bar_w
        bars.append(
            f'<rect class="hist" x="{x + 1:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" fill="#3867d6"><title>{label}: {n}</title></rect>'
        )
        if n:
            bars.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{base - h - 3:.1f}" font-size="10" '
                f'text-anchor="middle">{n}</text>'
            )
    ticks = "".join(
        f'<text x="{pad + i * bar_w:.1f}" y="{base + 14}" font-size="9" '
        f'text-anchor="middle">{i * 100 // BINS}</text>'
        for i in range(BINS + 1)
    )
    axis = f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#5b6475"/>'
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)} histogram">'
        f"{axis}{''.join(bars)}{ticks}</svg>"
    )
    return f'<figure id="{escape(ident)}"><figcaption>{escape(title)}</figcaption>{svg}</figure>'


def _bar(fraction: float) -> str:
    return f"<div class='bar'><div style='width:{100 * fraction:.0f}%'></div></div>"


def _submissions_table(cards: dict[str, Scorecard]) -> str:
    rows = []
    for name in sorted(cards, key=lambda n: (-cards[n].score, n)):
        card = cards[name]
        cats = ", ".join(f"{c.name} {100 * c.earned:.0f}%" for c in card.categories)
        page = f"scorecards/{quote(name)}.html"
        rows.append(
            f"<tr><td><a href='{escape(page)}'>{escape(name)}</a></td>"
            f"<td class='num'>{card.score:.1f}</td>"
            f"<td>{'pass' if card.passed else 'fail'}</td><td>{escape(cats)}</td>"
            f"<td class='flag'>{escape(short(problem(card) or '', 300))}</td></tr>"
        )
    head = "<tr><th>Submission</th><th>Score</th><th></th><th>Categories</th><th>Error</th></tr>"
    return f"<table id='submissions'>{head}{''.join(rows)}</table>"


def pair_anchor(match: Match) -> str:
    """The id of a pair's section in report.html."""
    return "pair-" + quote(f"{match.a}--{match.b}", safe="")


def _similarity_html(similarity: RoundSimilarity) -> list[str]:
    out = ["<h2>Similar code</h2>", "<div id='similarity'>"]
    out += [f"<p>{escape(line)}</p>" for line in _similarity_markdown(similarity)[:1]]
    if similarity.too_small:
        names = ", ".join(similarity.too_small)
        out.append(
            f"<p class='none'>Not compared (under {MIN_OWN_LINES} lines of their own code): "
            f"{escape(names)}</p>"
        )
    flagged = similarity.flagged()
    if not flagged:
        closest = similarity.matches[0] if similarity.matches else None
        text = f"none; the closest: {pair_line(closest)}" if closest else "none"
        out.append(f"<p class='none'>{escape(text)}</p>")
    for match in flagged:
        out.append(f"<details open class='pair' id='{pair_anchor(match)}'>")
        out.append(f"<summary class='flag'>{escape(pair_line(match))}</summary>")
        for left, right in match.regions:
            out.append("<div class='side'>")
            for name, region in ((match.a, left), (match.b, right)):
                code = "\n".join(f"{n:4d}  {text}" for n, text in similarity.lines(name, region))
                out.append(
                    f"<div><code>{escape(name)}/{escape(str(region))}</code>"
                    f"<pre>{escape(code)}</pre></div>"
                )
            out.append("</div>")
        out.append("</details>")
    return [*out, "</div>"]


def _items_table(items: Sequence[ItemStats]) -> str:
    rows = []
    for item in items:
        disc = "&ndash;" if item.discrimination is None else f"{item.discrimination:+.2f}"
        rows.append(
            f"<tr><td><code>{escape(item.test_id)}</code></td><td>{escape(item.category)}</td>"
            f"<td>{escape(item.visibility)}</td><td class='num'>{100 * item.pass_rate:.0f}%</td>"
            f"<td>{_bar(item.pass_rate)}</td><td class='num'>{disc}</td>"
            f"<td class='flag'>{escape(item.flag)}</td></tr>"
        )
    head = (
        "<tr><th>Test</th><th>Category</th><th>Visibility</th><th>Pass rate</th><th></th>"
        "<th>Discrimination</th><th>Flag</th></tr>"
    )
    return f"<table id='items'>{head}{''.join(rows)}</table>"
