"""The candidate's page (reports/html.py) draws each complexity check: measured seconds per
call against n on log-log axes with the expected bound beside them, plus category bars.
Rendered in headless Chromium: no console error, and every point where its data says."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scorecards import make_scorecard

from mlgrader.complexity import check
from mlgrader.model.scorecard import TestResult
from mlgrader.reports.html import render_html


def _card() -> tuple[str, list[dict[str, object]]]:
    linear = check(sum, lambda n: list(range(n)), "O(n)", time_budget=0.5).to_dict()
    linear["label"] = "sum"
    quadratic = {  # an O(n^2) measured where O(n) was expected, four times per doubling
        "label": "stack rows",
        "expected": "O(n)",
        "measured": "O(n^2)",
        "verdict": "failed",
        "estimate": {"sizes": [256, 512, 1024, 2048], "times": [0.001, 0.004, 0.016, 0.064]},
    }
    tests = [
        TestResult(
            "tests/hidden/test_c.py::test_sum",
            "complexity",
            1,
            "hidden",
            "passed",
            1.0,
            complexity=[linear],
        ),
        TestResult(
            "tests/hidden/test_c.py::test_rows",
            "complexity",
            1,
            "hidden",
            "failed",
            0.0,
            message="expected O(n), measured O(n^2)",
            complexity=[quadratic],
        ),
        TestResult("tests/hidden/test_a.py::test_ok", "correctness", 1, "hidden", "passed", 1.0),
    ]
    return render_html(make_scorecard(tests)), [linear, quadratic]


def test_each_complexity_record_is_a_plot_with_its_bound() -> None:
    page, records = _card()
    assert page.count("<figure class='plot'") == 2
    assert page.count('class="bound"') == 2
    sizes = [len(r["estimate"]["sizes"]) for r in records]  # type: ignore[index]
    assert page.count('class="point"') == sum(sizes)
    assert "stack rows: expected O(n), measured O(n^2) (failed)" in page
    assert page.count("<div class='bar'") == 2  # complexity and correctness


@pytest.mark.full
def test_the_plots_render_in_chromium_with_points_where_the_data_says(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright
    from test_batch import CHROMIUM

    html, _ = _card()
    path = tmp_path / "card.html"
    path.write_text(html)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        plots = page.evaluate(
            """() => [...document.querySelectorAll('figure.plot')].map(f => ({
                 points: [...f.querySelectorAll('circle.point')].map(c => {
                   const b = c.getBoundingClientRect();
                   return {n: +c.dataset.n, t: +c.dataset.t,
                           x: b.x + b.width / 2, y: b.y + b.height / 2}; }),
                 bound: f.querySelector('polyline.bound').getBoundingClientRect().width,
                 width: f.querySelector('svg').getBoundingClientRect().width }))"""
        )
        page.screenshot(path=str(tmp_path / "card.png"), full_page=True)
        browser.close()
    assert errors == []
    assert len(plots) == 2
    for plot in plots:
        points = plot["points"]
        assert plot["bound"] > 0.5 * plot["width"], "the bound spans the measured sizes"
        # on log-log axes, x is affine in log n and y in log t (y grows downwards)
        for axis, key, sign in (("x", "n", 1), ("y", "t", -1)):
            logs = [math.log10(p[key]) for p in points]
            pix = [p[axis] for p in points]
            slope = (pix[-1] - pix[0]) / (logs[-1] - logs[0])
            assert slope * sign > 0, f"{axis} runs the wrong way for {key}"
            for value, at in zip(logs, pix, strict=True):
                assert abs(pix[0] + slope * (value - logs[0]) - at) < 1.0, (axis, points)
    assert (tmp_path / "card.png").stat().st_size > 10_000
