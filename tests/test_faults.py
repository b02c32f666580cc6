"""Seeded faults for ``validate --mutate``: one-line source edits, the standard operators."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgrader.catalogue.faults import faults_in, sample
from mlgrader.catalogue.mutation import MutationReport, load_plan, record_check
from mlgrader.errors import ChallengeError
from mlgrader.model.challenge import Challenge

SOURCE = '''"""A module."""

import threading

LOCK = threading.Lock()


def f(a, b, items):
    """Doc."""
    total = 0
    with LOCK:
        total += a * b
    if a < b and b in items:
        items.append(a)
        raise ValueError("no")
    return total == 3
'''


def _faults(tmp_path: Path) -> list[tuple[str, int, str, str]]:
    (tmp_path / "m.py").write_text(SOURCE)
    return [(f.operator, f.line, f.before, f.after) for f in faults_in(tmp_path, ["m.py"])]


def test_each_operator_edits_one_line_in_place(tmp_path: Path) -> None:
    """Every fault changes one line's text and nothing else; docstrings, assignments and
    imports are left alone."""
    assert _faults(tmp_path) == [
        ("const", 10, "total = 0", "total = 1"),
        ("unlock", 11, "with LOCK:", "if True:"),
        ("delete", 12, "total += a * b", "pass"),
        ("arith", 12, "total += a * b", "total -= a * b"),
        ("arith", 12, "total += a * b", "total += a / b"),
        ("compare", 13, "if a < b and b in items:", "if a <= b and b in items:"),
        ("bool", 13, "if a < b and b in items:", "if a < b or b in items:"),
        ("compare", 13, "if a < b and b in items:", "if a < b and b not in items:"),
        ("delete", 14, "items.append(a)", "pass"),
        ("delete", 15, 'raise ValueError("no")', "pass"),
        ("return", 16, "return total == 3", "return None"),
        ("compare", 16, "return total == 3", "return total != 3"),
        ("const", 16, "return total == 3", "return total == 4"),
    ]


def test_a_fault_compiles_keeps_the_line_count_and_diffs_one_line(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    for fault in faults_in(tmp_path, ["m.py"]):
        compile(fault.source, "m.py", "exec")
        assert len(fault.source.splitlines()) == len(SOURCE.splitlines())
        diff = fault.diff(SOURCE).splitlines()
        assert [line for line in diff if line.startswith(("-", "+"))][2:] == [
            f"-{SOURCE.splitlines()[fault.line - 1]}",
            f"+{fault.source.splitlines()[fault.line - 1]}",
        ]


def test_ids_name_the_line_by_its_text_so_they_survive_edits_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    before = {f.id for f in faults_in(tmp_path, ["m.py"])}
    (tmp_path / "m.py").write_text("# a comment that moves every line\n\n" + SOURCE)
    assert {f.id for f in faults_in(tmp_path, ["m.py"])} == before
    assert "m.py:compare:b15ac0c0:1" in before  # the second comparison on line 13


def test_a_sample_is_seeded_and_gives_every_operator_a_turn(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    faults = faults_in(tmp_path, ["m.py"])
    first = sample(faults, 6, seed=1)
    assert first == sample(faults, 6, seed=1)
    assert {f.operator for f in first} == {"arith", "bool", "compare", "const", "delete", "return"}
    assert sample(faults, 100, seed=1) == faults


def test_judged_survivors_leave_the_kill_rate_and_unjudged_ones_fail(tmp_path: Path) -> None:
    """mutation.toml's judgements (equivalent, out-of-spec, each with a reason) take a
    survivor out of the kill rate; a survivor nobody judged fails the challenge."""
    (tmp_path / "m.py").write_text(SOURCE)
    faults = faults_in(tmp_path, ["m.py"])
    (tmp_path / "mutation.toml").write_text(
        "[sample]\nsize = 12\nseed = 4\n\n"
        f'[[judged]]\nid = "{faults[0].id}"\nverdict = "equivalent"\nreason = "same"\n\n'
        f'[[judged]]\nid = "{faults[1].id}"\nverdict = "out-of-spec"\nreason = "unsaid"\n'
    )
    challenge = Challenge("m", "", "", tmp_path, ("m",), 5)
    plan = load_plan(challenge)
    assert (plan.size, plan.seed) == (12, 4)
    report = MutationReport("m", len(faults), plan, killed=faults[3:13], survived=faults[:3])
    assert [f.id for f in report.unjudged] == [faults[2].id]
    assert report.kill_rate == 10 / 11 and not report.ok
    assert report.summary() == (
        "13 of 13 faults (seed 4): 10 killed, 1 equivalent, 1 out of spec, 1 survived; "
        "kill rate 91% (target 90%)"
    )
    report.survived = faults[:2]
    assert report.ok


def test_a_fault_graded_only_on_a_scale_leaves_the_kill_rate_and_is_counted(
    tmp_path: Path,
) -> None:
    """`scaled`: a fault that only changes how well a policy does on a measure graded on a
    scale (partial credit against a baseline) is out of the kill rate, and said so."""
    (tmp_path / "m.py").write_text(SOURCE)
    faults = faults_in(tmp_path, ["m.py"])
    (tmp_path / "mutation.toml").write_text(
        f'[[judged]]\nid = "{faults[0].id}"\nverdict = "scaled"\nreason = "a tuning constant"\n'
    )
    plan = load_plan(Challenge("m", "", "", tmp_path, ("m",), 5))
    report = MutationReport("m", len(faults), plan, killed=faults[1:10], survived=faults[:1])
    assert report.ok and report.kill_rate == 1.0
    assert report.summary() == (
        "10 of 13 faults (seed 0): 9 killed, 0 equivalent, 0 out of spec, 1 graded on a "
        "scale, 0 survived; kill rate 100% (target 90%)"
    )


def test_a_judgement_without_a_reason_names_the_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "mutation.toml").write_text('[[judged]]\nid = "m.py:x"\nverdict = "equivalent"\n')
    challenge = Challenge("m", "", "", tmp_path, ("m",), 5)
    with pytest.raises(ChallengeError, match=r"mutation\.toml: judged\[0\]: expected id, verdict"):
        load_plan(challenge)


def test_a_judgement_of_a_fault_no_longer_sampled_is_stale(tmp_path: Path) -> None:
    """Plain validate checks mutation.toml against the reference: a judged fault that the
    recorded sample no longer holds (the reference changed) fails, saying what to rerun."""
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "m.py").write_text(SOURCE)
    challenge = Challenge("m", "", "", tmp_path, ("m",), 5)
    chosen = sample(faults_in(challenge.reference, ["m.py"]), 4, 1)
    record = "[sample]\nsize = 4\nseed = 1\n\n"
    judged = f'[[judged]]\nid = "{chosen[0].id}"\nverdict = "equivalent"\nreason = "same"\n'
    (tmp_path / "mutation.toml").write_text(record + judged)
    check = record_check(challenge)
    assert check is not None and check.ok, check
    assert check.detail == "1 judged survivors of 4 seeded faults (seed 1) still in the sample"
    (tmp_path / "reference" / "m.py").write_text(SOURCE.replace("a * b", "a * b * 1"))
    (tmp_path / "mutation.toml").write_text(record + judged.replace(chosen[0].id, "m.py:arith:0:0"))
    check = record_check(challenge)
    assert check is not None and not check.ok
    assert check.detail == (
        "mutation.toml judges 1 fault(s) no longer in its sample (m.py:arith:0:0): the reference "
        "changed; rerun `mlgrader validate m --mutate` and judge its survivors again"
    )
    (tmp_path / "mutation.toml").unlink()
    assert record_check(challenge) is None
