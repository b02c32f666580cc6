"""The bundled challenges prove themselves: `mlgrader validate` on each, plus the README example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHALLENGES = sorted(
    p.name for p in (ROOT / "challenges").iterdir() if (p / "challenge.toml").is_file()
)
MLGRADER = [sys.executable, "-m", "mlgrader.cli"]


def mlgrader(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MLGRADER_CHALLENGES=str(ROOT / "challenges"))
    return subprocess.run(
        [*MLGRADER, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", CHALLENGES)
def test_validate(name: str) -> None:
    """Reference earns 100 twice, the stub earns no correctness, every mutant loses its category."""
    result = mlgrader("validate", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok   {name}: reference: scored 100" in result.stdout
    assert "all challenges valid" in result.stdout


def test_lru_cache_stub_scores_at_most_10() -> None:
    """The lru-cache stub earns at most 10 points and grading it still exits 0."""
    result = mlgrader(
        "grade", "challenges/lru-cache/stub", "--challenge", "lru-cache", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert card["score"] <= 10
    assert {c["name"] for c in card["categories"]} == {
        "correctness",
        "complexity",
        "oop",
        "concurrency",
    }


def test_readme_example_submission(tmp_path: Path) -> None:
    """The README's bundled example loses OOP points only, and says why in the scorecard."""
    out = tmp_path / "card.json"
    result = mlgrader(
        "grade", "examples/submissions/lru-cache", "--challenge", "lru-cache", "--json", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "SCORE" in result.stdout and "FAIL    tests/hidden/test_oop.py" in result.stdout
    card = json.loads(out.read_text())
    assert {c["name"] for c in card["categories"] if c["earned"] < 1} == {"oop"}
