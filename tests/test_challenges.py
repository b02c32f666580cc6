"""The bundled challenges prove themselves: `mlgrader validate` on each, plus the README example."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlgrader.model.mutants import parse_patch
from mlgrader.model.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[1]
CHALLENGES = sorted(
    p.name for p in (ROOT / "challenges").iterdir() if (p / "challenge.toml").is_file()
)
MLGRADER = [sys.executable, "-m", "mlgrader.cli"]
SCHEMA = json.loads(
    (resources.files("mlgrader") / "schema" / "scorecard.schema.json").read_text(encoding="utf-8")
)


def mlgrader(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MLGRADER_CHALLENGES=str(ROOT / "challenges"))
    return subprocess.run(
        [*MLGRADER, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.timeout(2400)
@pytest.mark.parametrize("name", CHALLENGES)
def test_validate(name: str, validation: subprocess.CompletedProcess[str]) -> None:
    """Reference earns 100, the stub earns no correctness, every mutant loses its
    category, every independent solution lands in its band, the README states every
    rule a hidden test grades (requirements.toml)."""
    lines = [line for line in validation.stdout.splitlines() if f" {name}: " in line]
    failed = [line for line in lines if line.startswith("FAIL")]
    assert lines and not failed, "\n".join(failed) or validation.stdout + validation.stderr[-3000:]
    assert f"ok   {name}: reference: scored 100" in lines
    assert any(line.startswith(f"ok   {name}: requirements: ") for line in lines), (
        f"{name}: README.md and requirements.toml do not state every graded rule"
    )
    assert any(line.startswith(f"ok   {name}: solution ") for line in lines), (
        f"{name} has no independent solution in its band"
    )


@pytest.mark.timeout(2400)
def test_validate_checks_every_challenge(validation: subprocess.CompletedProcess[str]) -> None:
    """The run as a whole: exit 0 and its closing line (a crash would lose every line)."""
    assert validation.returncode == 0, validation.stdout[-3000:] + validation.stderr[-3000:]
    assert validation.stdout.rstrip().endswith("all challenges valid")


#: CI's share of `validate --mutate` (issue 17): the first faults of a challenge's recorded
#: sample, where a grading takes seconds. A full run grades 30 faults per challenge, too
#: long for every push.
MUTATION_SAMPLE = ("estimators",)
MUTATION_SAMPLE_SIZE = 6


def test_a_sample_of_the_recorded_seeded_faults_is_still_killed() -> None:
    """A smaller sample is the start of the recorded one (faults.sample takes operators in
    turn in a fixed order), so each fault graded here was killed or judged when mutation.toml
    was written: a hidden test weakened since then lets one survive, and this fails."""
    result = mlgrader(
        "validate",
        *MUTATION_SAMPLE,
        "--mutate",
        "--sample",
        str(MUTATION_SAMPLE_SIZE),
        "--jobs",
        "2",
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for name in MUTATION_SAMPLE:
        line = next(
            x for x in result.stdout.splitlines() if x.startswith(f"ok   {name}: mutation: ")
        )
        assert f": mutation: {MUTATION_SAMPLE_SIZE} of " in line and " 0 survived;" in line, line
    assert result.stdout.rstrip().endswith("every kill rate met")


@pytest.mark.timeout(2400)
def test_every_stub_scores_at_most_10(validation: subprocess.CompletedProcess[str]) -> None:
    """Handing in a kit untouched earns at most 10 points in every challenge, graded without
    error (validate grades each stub already: a second grading cost the tier 22 s)."""
    stubs = {
        line.split(":")[0].split()[-1]: line
        for line in validation.stdout.splitlines()
        if line.split(":")[1:2] == [" stub"]
    }
    assert sorted(stubs) == CHALLENGES, validation.stdout[-3000:]
    for line in stubs.values():
        score = float(line.split(": stub: scored ")[1].split()[0])
        assert line.startswith("ok ") and score <= 10, line


def test_readme_example_submission(tmp_path: Path) -> None:
    """The README's bundled example loses OOP points only, and says why in the scorecard."""
    out = tmp_path / "card.json"
    result = mlgrader(
        "grade", "examples/submissions/lru-cache", "--challenge", "lru-cache", "--json", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "SCORE" in result.stdout and "FAIL    tests/hidden/test_oop.py" in result.stdout
    assert result.stdout.index("correctness:") < result.stdout.index("complexity:")
    card = json.loads(out.read_text())
    jsonschema.validate(card, SCHEMA)
    assert {c["name"] for c in card["categories"] if c["earned"] < 1} == {"oop"}
    checks = [c for t in card["tests"] for c in t.get("complexity", [])]
    assert checks and all(c["expected"] == "O(1)" and c["verdict"] != "failed" for c in checks)


def _kit_and_check(tmp_path: Path, name: str) -> tuple[set[str], dict[str, Any]]:
    """Make `name`'s kit with `init`, run `check` inside it; return its files and the card."""
    kit = tmp_path / "kit"
    assert mlgrader("init", name, str(kit)).returncode == 0
    names = {p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()}
    result = subprocess.run(
        [*MLGRADER, "check", ".", "--format", "json"],
        cwd=kit,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "MLGRADER_CHALLENGES"},
    )
    assert result.returncode == 0, result.stderr
    return names, json.loads(result.stdout)


@pytest.mark.parametrize("name", CHALLENGES)
def test_kit_is_enough_to_start(tmp_path: Path, name: str) -> None:
    """Every challenge's kit: no secrets, the stub imports, and the public tests run and
    fail on the stub itself (its NotImplementedError, or, in a debugging challenge whose
    stub is the broken code, its bugs), never on an import error or a crash."""
    names, card = _kit_and_check(tmp_path, name)
    assert {"README.md", "RUBRIC.md"} <= names
    assert not any(part in n for n in names for part in ("hidden", "reference", "mutants"))
    assert card["integrity"] == {"status": "ok", "findings": []}, "the kit's own files flagged"
    tests = card["tests"]
    assert tests and {t["visibility"] for t in tests} == {"public"}
    assert all(t["outcome"] == "failed" for t in tests), [(t["id"], t["outcome"]) for t in tests]
    messages = [t["message"] for t in tests]
    assert all(messages) and not any("ImportError" in m or "ModuleNotFound" in m for m in messages)
    stub = ROOT / "challenges" / name / "stub"
    if any("NotImplementedError" in p.read_text() for p in stub.rglob("*.py")):
        assert any("NotImplementedError" in m for m in messages), messages


def test_lru_cache_kit_checks_public_tests_only(tmp_path: Path) -> None:
    """A kit from `init` has no secrets, and `check` in it runs only the public tests."""
    names, card = _kit_and_check(tmp_path, "lru-cache")
    assert {"lru_cache.py", "kv_service.py", "README.md", "RUBRIC.md"} <= names
    assert card["mode"] == "public" and card["score"] == 0
    assert {t["visibility"] for t in card["tests"]} == {"public"}


def test_kit_rubric_lists_only_graded_categories(tmp_path: Path) -> None:
    """A category a challenge sets to weight 0 is not in its kit's RUBRIC.md: estimators is
    graded on correctness and OOP only, 80 and 20 points."""
    assert mlgrader("init", "estimators", str(tmp_path / "kit")).returncode == 0
    rows = [
        line.split("|")[1:3]
        for line in (tmp_path / "kit" / "RUBRIC.md").read_text().splitlines()
        if line.startswith("| ") and not line.startswith("| Category")
    ]
    assert [(c.strip(), p.strip()) for c, p in rows] == [("correctness", "80"), ("oop", "20")]


def test_every_kit_rubric_says_what_its_own_challenge_checks(tmp_path: Path) -> None:
    """RUBRIC.md in each kit shows the challenge's own description of every category it
    grades (never the generic default, never another challenge's text), with points out
    of 100 (``validate`` checks the reference's scorecard gives the same)."""
    rubric = load_rubric(ROOT / "rubric.toml")
    generic = {c.description for c in rubric.categories.values()}
    seen: dict[str, str] = {}
    for name in CHALLENGES:
        kit = tmp_path / name
        assert mlgrader("init", name, str(kit)).returncode == 0
        rows = [
            [cell.strip() for cell in line.split("|")[1:4]]
            for line in (kit / "RUBRIC.md").read_text().splitlines()
            if line.startswith("| ") and not line.startswith("| Category")
        ]
        assert rows and sum(float(points) for _, points, _ in rows) == pytest.approx(100)
        for category, _, text in rows:
            assert text not in generic, f"{name}: {category} has the generic description"
            assert text not in seen, f"{name} and {seen.get(text)} share: {text}"
            seen[text] = name


def test_debug_swarm_stub_has_every_planted_bug() -> None:
    """debug-swarm's stub is the reference with every bug put back, and each mutant one of
    them: every line a mutant's patch adds stands in the stub's copy of that file. The
    other mutants are wrong fixes a candidate might hand in (`wrong-fix-*`), which the
    stub does not hold."""
    root = ROOT / "challenges" / "debug-swarm"
    every = sorted((root / "mutants").iterdir())
    mutants = [m for m in every if not m.name.startswith("wrong-fix-")]
    assert len(mutants) == 6 and len(every) > len(mutants)
    for mutant in mutants:
        for patch in parse_patch((mutant / "mutant.patch").read_text(), mutant.name):
            stub = (root / "stub" / patch.path).read_text().splitlines()
            added = [text for hunk in patch.hunks for tag, (text, _) in hunk.lines if tag == "+"]
            assert added and all(line in stub for line in added), (mutant.name, patch.path)
