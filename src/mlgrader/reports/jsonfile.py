"""The scorecard as JSON (schema_version 1, described by the shipped schema/scorecard.schema.json)."""

from __future__ import annotations

import json

from mlgrader.model.scorecard import Scorecard


def render_json(card: Scorecard) -> str:
    """The scorecard as JSON (schema_version 1)."""
    return json.dumps(card.to_dict(), indent=2, sort_keys=False) + "\n"
