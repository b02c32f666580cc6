"""An adder challenge whose candidates' own tests are graded (``[testing]``), for the tests
of the testing category and the attacks on it."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlgrader.model.challenge import Challenge, load_challenge

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"


def adder_with_testing(tmp_path: Path, table: str | None = None) -> Challenge:
    """The adder fixture with ``[testing]`` (chaffs: off-by-one) and a testing weight."""
    root = tmp_path / "challenges"
    shutil.copytree(FIXTURES, root)
    toml = root / "adder" / "challenge.toml"
    table = table or '[testing]\nchaffs = ["off-by-one"]\npass_weight = 2\n'
    toml.write_text(toml.read_text() + "\n" + table)
    rubric = root / "rubric.toml"
    rubric.write_text(
        rubric.read_text() + '\n[categories.testing]\nweight = 20\ndescription = "your own tests"\n'
    )
    return load_challenge(root / "adder")


def make_submission(tmp_path: Path, challenge: Challenge, tests: dict[str, str]) -> Path:
    folder = tmp_path / "submission"
    shutil.copytree(challenge.reference, folder)
    for name, text in tests.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder
