"""Grading the fixture challenge ``adder`` under an allowed-imports rule (challenge.toml
``[dependencies]``): shared by tests/test_allowed_imports.py and the attacks on the rule."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
REFUSED = "adder lets your code import numpy beyond Python's standard library and your own files"


def allowing(tmp_path: Path, imports: str = '["numpy"]') -> Path:
    """The fixture challenges, adder allowing ``imports``."""
    copy = tmp_path / "challenges"
    shutil.copytree(FIXTURES, copy)
    toml = copy / "adder" / "challenge.toml"
    toml.write_text(
        toml.read_text() + f'\n[dependencies]\nimports = {imports}\ninstall = "mlgrader[ml]"\n'
    )
    return copy


_CLI = (sys.executable, "-m", "mlgrader.cli")


def _where(challenges: Path, card: Path) -> tuple[str, ...]:
    return ("--challenges", str(challenges), "--json", str(card))


def grade_adder(
    challenges: Path, submission: Path, tmp_path: Path
) -> tuple[int, dict[str, Any], str]:
    card = tmp_path / "card.json"
    done = subprocess.run(
        [*_CLI, "grade", str(submission), "--challenge", "adder", *_where(challenges, card)],
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(card.read_text()) if card.is_file() else {}
    return done.returncode, data, done.stdout + done.stderr


def adder_submission(tmp_path: Path, head: str, *, helper: str | None = None) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    body = (
        '"""Add two numbers."""\n'
        + head
        + '\n\n\ndef add(a: int, b: int) -> int:\n    """Return a + b."""\n    return a + b\n'
    )
    (folder / "adder.py").write_text(body)
    if helper is not None:
        (folder / "helper.py").write_text(helper)
    return folder


def messages(card: dict[str, Any]) -> str:
    return "\n".join(str(t.get("message", "")) for t in card["tests"])
