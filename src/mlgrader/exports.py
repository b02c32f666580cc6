"""Machine renderings of a Scorecard for other systems: JUnit XML and Gradescope results.json.

JUnit feeds CI dashboards (one testsuite per rubric category); Gradescope's
results.json lets teams that grade there import the score. Both are views of
the same Scorecard, so they agree with the JSON and markdown by construction.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from mlgrader.scorecard import HIDDEN_MESSAGE, Scorecard

#: Characters XML 1.0 forbids even when escaped (NUL, terminal escapes, ...): candidate output has them.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def render_junit(card: Scorecard) -> str:
    """JUnit XML: a testsuite per category, a testcase per test."""
    suites = ET.Element(
        "testsuites",
        name=f"mlgrader {card.challenge['name']}",
        tests=str(len(card.tests)),
        failures=str(sum(t.outcome == "failed" for t in card.tests)),
        errors=str(sum(t.outcome in ("error", "timeout", "crashed") for t in card.tests)),
        time=f"{card.duration_s:.3f}",
    )
    for cat in card.categories:
        tests = [t for t in card.tests if t.category == cat.name]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=cat.name,
            tests=str(len(tests)),
            failures=str(sum(t.outcome == "failed" for t in tests)),
            errors=str(sum(t.outcome in ("error", "timeout", "crashed") for t in tests)),
            skipped=str(sum(t.outcome == "skipped" for t in tests)),
            time=f"{sum(t.duration_s for t in tests):.3f}",
        )
        for test in tests:
            path, _, name = test.id.partition("::")
            case = ET.SubElement(
                suite,
                "testcase",
                classname=path.removesuffix(".py").replace("/", "."),
                name=name or path,
                time=f"{test.duration_s:.3f}",
            )
            ET.SubElement(
                ET.SubElement(case, "properties"),
                "property",
                name="visibility",
                value=test.visibility,
            )
            message = _xml_text(test.message)
            if test.outcome == "failed":
                ET.SubElement(case, "failure", message=message[:500]).text = _xml_text(
                    test.longrepr or test.message
                )
            elif test.outcome in ("error", "timeout", "crashed"):
                ET.SubElement(
                    case, "error", message=message[:500], type=test.outcome
                ).text = _xml_text(test.longrepr or test.message)
            elif test.outcome == "skipped":
                ET.SubElement(case, "skipped", message=message[:500])
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def render_gradescope(card: Scorecard) -> str:
    """Gradescope's results.json: score, and per test name, score, max_score, status, visibility, output."""
    tests: list[dict[str, Any]] = []
    for cat in card.categories:
        mine = [t for t in card.tests if t.category == cat.name]
        weight_sum = sum(t.weight for t in mine) or 1.0
        for test in mine:
            max_score = cat.max_points * test.weight / weight_sum
            tests.append(
                {
                    "name": test.id,
                    "score": round(max_score * test.earned, 4),
                    "max_score": round(max_score, 4),
                    "status": "passed" if test.outcome == "passed" else "failed",
                    "visibility": "visible" if test.visibility == "public" else "after_published",
                    # Gradescope shows results to students: hidden tests never carry messages
                    "output": test.message if test.visibility == "public" else HIDDEN_MESSAGE,
                    "tags": [cat.name],
                }
            )
    result = {
        "score": card.score,
        "output": f"{card.challenge['title']}: {card.score:.1f} / 100",
        "visibility": "visible",
        "tests": tests,
    }
    return json.dumps(result, indent=2) + "\n"
