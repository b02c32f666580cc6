"""The scorecard as JSON (schema_version 1, described by the shipped schema/scorecard.schema.json)."""

from __future__ import annotations

import json

from mlgrader.model.scorecard import Scorecard
from mlgrader.reports.escape import json_safe


def render_json(card: Scorecard) -> str:
    """The scorecard as JSON (schema_version 1)."""
    return json.dumps(json_safe(card.to_dict()), indent=2, sort_keys=False) + "\n"
