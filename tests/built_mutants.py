"""Fixture mutants built into submission folders (a mutant is a patch against reference/)."""

from __future__ import annotations

from pathlib import Path

from mlgrader.model.mutants import build_mutant

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"


def built_mutant(dest: Path, flaw: str, challenge: str = "adder") -> Path:
    """``challenge``'s mutant ``flaw`` built into ``dest/<flaw>`` (``dest`` a temporary folder)."""
    root = FIXTURES / challenge
    return build_mutant(root / "reference", root / "mutants" / flaw, dest / flaw)
