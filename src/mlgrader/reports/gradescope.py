"""Gradescope's results.json, for teams that grade there: hidden tests are after_published, without messages."""

from __future__ import annotations

import json
from typing import Any

from mlgrader.model.scorecard import HIDDEN_MESSAGE, Scorecard, max_points_by_test
from mlgrader.reports.escape import json_safe


def render_gradescope(card: Scorecard) -> str:
    """Gradescope's results.json: score, and per test name, score, max_score, status, visibility, output."""
    shares = max_points_by_test(card)
    tests: list[dict[str, Any]] = []
    for cat in card.categories:
        for test in (t for t in card.tests if t.category == cat.name):
            max_score = shares[test.id]
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
    return json.dumps(json_safe(result), indent=2) + "\n"
