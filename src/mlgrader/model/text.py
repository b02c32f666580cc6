"""Text cut to a length, saying how much was cut: the one way every limit on a submission's
strings (messages, names, finding details, metrics) is applied."""

from __future__ import annotations


def clip(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its start and how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + f" ... [{len(text) - limit} more characters cut]"
