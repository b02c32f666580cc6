"""The GitHub Action (action.yml) and the example workflow pass actionlint, shell included.

actionlint checks workflow files; a composite action's metadata is checked where a
workflow uses it as a local action (``uses: ./``), and its steps are checked by
lifting them into a reusable workflow whose ``inputs`` mirror the action's. With
shellcheck on the PATH, actionlint also checks every ``run:`` script.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    assert exe, "actionlint is not installed: pip install -e '.[dev]'"
    assert shutil.which("shellcheck", path=str(BIN)) or shutil.which("shellcheck")
    env = {"PATH": f"{BIN}:/usr/bin:/bin"}
    return subprocess.run(
        [exe, "-verbose", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def lint_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Rule "shellcheck" was disabled' not in result.stdout + result.stderr


def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return data


def repo_with(tmp_path: Path, workflow: dict[str, Any]) -> Path:
    """A scratch repository holding action.yml and one workflow."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # actionlint's project root
    shutil.copy(ROOT / "action.yml", tmp_path / "action.yml")
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False))
    return path


def test_example_workflow_passes_actionlint() -> None:
    """examples/workflows/grade.yml, as a candidate's repository would hold it."""
    lint_ok(actionlint(ROOT / "examples" / "workflows" / "grade.yml"))


def test_action_steps_pass_actionlint(tmp_path: Path) -> None:
    """Every step of the composite action, expressions and shell scripts, lints clean."""
    spec = action()
    assert spec["runs"]["using"] == "composite"
    inputs = {
        name: {"type": "string", "required": False, "default": str(meta.get("default", ""))}
        for name, meta in spec["inputs"].items()
    }
    workflow = {
        "name": "lifted",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"grade": {"runs-on": "ubuntu-latest", "steps": spec["runs"]["steps"]}},
    }
    lint_ok(actionlint(repo_with(tmp_path, workflow), cwd=tmp_path))


def local_use(tmp_path: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    workflow = {
        "name": "use",
        "on": "push",
        "jobs": {
            "grade": {
                "runs-on": "ubuntu-latest",
                "steps": [{"uses": "actions/checkout@v5"}, {"uses": "./", "with": inputs}],
            }
        },
    }
    return actionlint(repo_with(tmp_path, workflow), cwd=tmp_path)


def test_action_metadata_is_read_by_actionlint(tmp_path: Path) -> None:
    """Used as a local action with the documented inputs it lints clean."""
    lint_ok(local_use(tmp_path, {"challenge": "lru-cache", "challenges-path": "/srv/challenges"}))


@pytest.mark.parametrize(
    ("inputs", "complaint"),
    [
        ({"challenges-path": "/srv/c"}, 'missing input "challenge"'),
        ({"challenge": "x", "min_score": "70"}, 'input "min_score" is not defined'),
    ],
)
def test_actionlint_catches_misuse_of_the_action(
    tmp_path: Path, inputs: dict[str, str], complaint: str
) -> None:
    """The lint has teeth: a missing required input or a misspelled one is reported."""
    result = local_use(tmp_path, inputs)
    assert result.returncode == 1 and complaint in result.stdout, result.stdout
