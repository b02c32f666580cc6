"""Pictures for a candidate's page: each complexity check's measured times against n on
log-log axes, with the bound drawn beside them, and a bar per category.

A reviewer sees at a glance what the complexity table says in words: points that rise
with the drawn bound kept it, points that rise faster did not. The bound's curve goes
through the points' geometric centre (its constant is unknown; its shape is the claim).
Plain inline SVG, no script: the page still opens from an email. Each point carries its
data (``data-n``, ``data-t``) so a browser test can check it sits where the data says.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mlgrader.reports.escape import html as escape

#: The shape of each class a check can expect (log base 2: only the shape is drawn).
SHAPES: dict[str, Callable[[float], float]] = {
    "O(1)": lambda n: 1.0,
    "O(log n)": lambda n: math.log2(max(n, 2.0)),
    "O(n)": lambda n: n,
    "O(n log n)": lambda n: n * math.log2(max(n, 2.0)),
    "O(n^2)": lambda n: n * n,
    "O(n^3)": lambda n: n**3,
}

_W, _H = 360, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 58, 12, 12, 36


def complexity_plot(record: Mapping[str, Any], ident: str) -> str:
    """An SVG figure for one complexity record, or "" when it holds no timed sizes."""
    estimate = record.get("estimate") or {}
    pairs = [
        (float(n), float(t))
        for n, t in zip(estimate.get("sizes") or [], estimate.get("times") or [], strict=False)
        if n > 0 and t > 0
    ]
    if len(pairs) < 2:
        return ""
    expected = str(record.get("expected", ""))
    lx = [math.log10(n) for n, _ in pairs]
    ly = [math.log10(t) for _, t in pairs]
    bound = _bound_curve(expected, pairs)
    ys = ly + [y for _, y in bound]
    x0, x1 = _padded(min(lx), max(lx))
    y0, y1 = _padded(min(ys), max(ys))

    def px(x: float) -> float:
        return _LEFT + (x - x0) / (x1 - x0) * (_W - _LEFT - _RIGHT)

    def py(y: float) -> float:
        return _H - _BOTTOM - (y - y0) / (y1 - y0) * (_H - _TOP - _BOTTOM)

    parts = [_axes(x0, x1, y0, y1, px, py)]
    if bound:
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in bound)
        parts.append(
            f'<polyline class="bound" points="{line}" fill="none" stroke="#9aa3b5" '
            f'stroke-dasharray="5 4" stroke-width="1.5"/>'
        )
    for (n, t), x, y in zip(pairs, lx, ly, strict=True):
        parts.append(
            f'<circle class="point" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="#3867d6" '
            f'data-n="{n:g}" data-t="{t:.6g}"><title>n={n:g}: {t:.3g} s</title></circle>'
        )
    label = str(record.get("label") or "")
    title = f"{label}: " if label else ""
    title += (
        f"expected {expected}, measured {record.get('measured', '?')} ({record.get('verdict')})"
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="{_W}" '
        f'height="{_H}" role="img" aria-label="{escape(title)}">{"".join(parts)}</svg>'
    )
    legend = "<span class='key'>&#9679; measured seconds per call</span>"
    if bound:
        legend += f" <span class='key'>- - {escape(expected)}, through the points</span>"
    return (
        f"<figure class='plot' id='{escape(ident)}'><figcaption>{escape(title)}</figcaption>"
        f"{svg}<div>{legend}</div></figure>"
    )


def _bound_curve(expected: str, pairs: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    shape = SHAPES.get(expected)
    if shape is None:
        return []
    lo, hi = pairs[0][0], pairs[-1][0]
    logc = sum(math.log10(t) - math.log10(shape(n)) for n, t in pairs) / len(pairs)
    steps = 24
    ns = [lo * (hi / lo) ** (i / steps) for i in range(steps + 1)]
    return [(math.log10(n), logc + math.log10(shape(n))) for n in ns]


def _padded(lo: float, hi: float) -> tuple[float, float]:
    span = max(hi - lo, 0.5)
    return lo - 0.08 * span, hi + 0.08 * span


def _axes(
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    px: Callable[[float], float],
    py: Callable[[float], float],
) -> str:
    out = [
        f'<line x1="{_LEFT}" y1="{_H - _BOTTOM}" x2="{_W - _RIGHT}" y2="{_H - _BOTTOM}" '
        'stroke="#5b6475"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_H - _BOTTOM}" stroke="#5b6475"/>',
    ]
    for e in range(math.ceil(x0), math.floor(x1) + 1):
        out.append(
            f'<text x="{px(e):.1f}" y="{_H - _BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{_power(e)}</text>'
        )
    for e in range(math.ceil(y0), math.floor(y1) + 1):
        out.append(
            f'<text x="{_LEFT - 6}" y="{py(e) + 3:.1f}" font-size="10" '
            f'text-anchor="end">{_power(e)} s</text>'
        )
    out.append(
        f'<text x="{(_LEFT + _W - _RIGHT) / 2:.0f}" y="{_H - 6}" font-size="10" '
        'text-anchor="middle">n (log scale)</text>'
    )
    return "".join(out)


def _power(e: int) -> str:
    return f"1e{e}" if abs(e) > 3 else f"{10.0**e:g}"


def category_bar(earned: float) -> str:
    """A bar for a category's earned share (0..1)."""
    width = max(0.0, min(1.0, earned)) * 100
    return (
        "<div class='bar' role='img' "
        f"aria-label='{width:.0f}% earned'><div style='width:{width:.0f}%'></div></div>"
    )
