"""Finding challenges: `list` survives a broken one, unknown names get a suggestion, a missing
key is called missing, and nothing in the repository points at files outside it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from mlgrader.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "challenges"


def _challenges(tmp_path: Path) -> Path:
    root = tmp_path / "challenges"
    shutil.copytree(FIXTURES / "adder", root / "adder")
    shutil.copytree(FIXTURES / "adder", root / "broken")
    (root / "broken" / "challenge.toml").write_text('[challenge]\nname = "broken"\ntitle = [\n')
    return root


def test_list_shows_every_valid_challenge_and_one_line_per_broken_one(tmp_path: Path) -> None:
    """One malformed challenge.toml no longer hides the others: exit 0, the valid ones as
    before, and one line naming the broken folder and its error."""
    result = CliRunner().invoke(main, ["list", "--challenges", str(_challenges(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("adder ") and "Add two numbers" in lines[0]
    assert lines[1].startswith("broken ") and "BROKEN" in lines[1]
    assert "not valid TOML" in lines[1]


def test_an_unknown_challenge_gets_a_did_you_mean(tmp_path: Path) -> None:
    """`--challenge lru_cache` when the challenge is lru-cache: the one-line error says which."""
    args = ["init", "lru_cache", str(tmp_path / "kit"), "--challenges", str(ROOT / "challenges")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "unknown challenge 'lru_cache'" in result.output
    assert "did you mean 'lru-cache'?" in result.output
    far = CliRunner().invoke(main, [*args[:1], "zzz", *args[2:]])
    assert far.exit_code == 2 and "did you mean" not in far.output


def test_a_missing_key_in_challenge_toml_is_called_missing(tmp_path: Path) -> None:
    """Not "expected list, got None": the key is named as missing, with what to add."""
    root = tmp_path / "challenges"
    shutil.copytree(FIXTURES / "adder", root / "adder")
    toml = root / "adder" / "challenge.toml"
    toml.write_text(
        "\n".join(line for line in toml.read_text().splitlines() if "modules" not in line)
    )
    result = CliRunner().invoke(main, ["list", "--challenges", str(root)])
    assert "challenge.modules is missing; add it (list)" in result.output
    assert "got None" not in result.output


def test_nothing_in_the_repository_points_at_files_outside_it() -> None:
    """A newcomer has only the repository: no comment or doc may send them to ../shared or to
    a design document that is not in it."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in tracked:
        if not name.endswith((".py", ".md", ".toml", ".yml", ".yaml", ".sh", ".cfg", ".txt")):
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for word in ("../shared", "DESIGN.md"):
            if word in text and name != "tests/test_listing.py":
                offenders.append(f"{name}: {word}")
    assert not offenders
