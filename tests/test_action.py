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
from built_mutants import built_mutant

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


def step(name: str) -> dict[str, Any]:
    [found] = [s for s in action()["runs"]["steps"] if s.get("name") == name]
    return found


def run_step(name: str, tmp_path: Path, **env: str) -> tuple[int, dict[str, str], str, str]:
    """Run one of the action's bash steps as the runner would; return exit code, outputs,
    job summary and log."""
    runner = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "RUNNER_TEMP": str(tmp_path / "runner"),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    (tmp_path / "runner").mkdir(exist_ok=True)
    for key in ("output", "summary"):
        (tmp_path / key).write_text("")
    result = subprocess.run(
        ["bash", "-e", "-c", step(name)["run"]],
        env={**runner, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = (tmp_path / "output").read_text().splitlines()
    outputs = dict(line.split("=", 1) for line in lines)
    summary = (tmp_path / "summary").read_text()
    return result.returncode, outputs, summary, result.stdout + result.stderr


@pytest.mark.parametrize(("folder", "passed"), [("reference", "true"), ("off-by-one", "false")])
def test_grade_step_writes_summary_outputs_and_files(
    tmp_path: Path, folder: str, passed: str
) -> None:
    """The Grade step grades from a private path, writes the markdown scorecard to the job
    summary, the score and pass flag to the outputs, and scorecard.json, scorecard.md and
    junit.xml for the upload; only the final step fails the job below min-score."""
    fixtures = ROOT / "tests" / "fixtures" / "challenges"
    if folder == "reference":
        submission = fixtures / "adder" / "reference"
    else:  # a mutant, built from its patch
        submission = built_mutant(tmp_path / "built", folder)
    code, outputs, summary, _ = run_step(
        "Grade",
        tmp_path,
        CHALLENGE="adder",
        SUBMISSION=str(submission),
        CHALLENGES_PATH=str(fixtures),
        CHALLENGES_REPOSITORY="",
        CHALLENGES_SUBDIR="challenges",
        MIN_SCORE="100",
        AUDIENCE="candidate",
    )
    assert code == 0
    assert outputs["passed"] == passed
    assert (outputs["score"] == "100.0") == (passed == "true")
    assert summary.startswith("#") and "adder" in summary
    out = Path(outputs["out"])
    assert {p.name for p in out.iterdir()} == {"scorecard.json", "scorecard.md", "junit.xml"}
    fail = subprocess.run(
        ["bash", "-e", "-c", step("Fail below min-score")["run"]],
        env={"PATH": "/usr/bin:/bin", "SCORE": outputs["score"], "MIN_SCORE": "100"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert fail.returncode == 1 and "below min-score 100" in fail.stdout


def test_grade_step_without_hidden_tests_says_where_to_put_them(tmp_path: Path) -> None:
    """No private location configured: an error naming both inputs, exit 2, nothing graded."""
    code, outputs, _, _ = run_step(
        "Grade",
        tmp_path,
        CHALLENGE="adder",
        SUBMISSION=".",
        CHALLENGES_PATH="",
        CHALLENGES_REPOSITORY="",
        CHALLENGES_SUBDIR="challenges",
        MIN_SCORE="70",
        AUDIENCE="candidate",
    )
    assert code == 2 and outputs == {}


@pytest.mark.parametrize("audience", ["candidate", "grader"])
def test_a_hidden_tests_message_never_reaches_the_candidates_job(
    tmp_path: Path, audience: str
) -> None:
    """By default (candidate) the job summary, the log and every uploaded file show a
    failing hidden test's name and outcome, never its message; `audience: grader`, for a
    workflow in a private repository, shows it."""
    fixtures = ROOT / "tests" / "fixtures" / "challenges"
    mutant = built_mutant(tmp_path / "built", "off-by-one")
    from mlgrader.catalogue.listing import find_challenge
    from mlgrader.engine.grade import grade

    card = grade(mutant, find_challenge(fixtures, "adder"))
    secrets = [
        t.message.splitlines()[0] for t in card.tests if t.visibility == "hidden" and t.message
    ]
    assert secrets  # the mutant fails a hidden test with a message to leak
    default = step("Grade")["env"]["AUDIENCE"]
    assert (
        default == "${{ inputs.audience }}"
        and action()["inputs"]["audience"]["default"] == "candidate"
    )
    code, outputs, summary, log = run_step(
        "Grade",
        tmp_path,
        CHALLENGE="adder",
        SUBMISSION=str(mutant),
        CHALLENGES_PATH=str(fixtures),
        CHALLENGES_REPOSITORY="",
        CHALLENGES_SUBDIR="challenges",
        MIN_SCORE="100",
        AUDIENCE=audience,
    )
    assert code == 0 and outputs["passed"] == "false"
    seen = summary + log + "".join(p.read_text() for p in Path(outputs["out"]).iterdir())
    assert "test_hidden.py" in summary  # the name and outcome are there either way
    leaked = [s for s in secrets if s in seen]
    assert (leaked == []) == (audience == "candidate"), leaked
