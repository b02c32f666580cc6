"""Attacks on evidence that support code records (issue 14): each against its twin.

The pipeline-parallel device's span log used to be written by ``device.compute``
inside the candidate's own processes, so candidate code could write spans that
look parallel. The device is now served by the test's process, which sleeps,
times and records each call itself (``boundary/services.py``). The attack is a
pipeline whose stages never overlap, plus made-up device calls and a forged span
log; its twin is the same pipeline without the trick. The attack must earn no
more than its twin, in total and in concurrency.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mlgrader import GradeOptions, find_challenge, grade
from mlgrader.model.mutants import build_mutant
from mlgrader.model.scorecard import Scorecard

ROOT = Path(__file__).resolve().parents[2]
ATTACK = Path(__file__).parent / "attacks" / "evidence" / "forged_spans" / "trick.py"


def _build(tmp_path: Path, name: str, trick: bool) -> Path:
    challenge = find_challenge(ROOT / "challenges", "pipeline-parallel")
    folder = build_mutant(
        challenge.reference,
        challenge.root / "mutants" / "one-micro-batch-at-a-time",
        tmp_path / name,
        "pipeline-parallel/one-micro-batch-at-a-time",
    )
    code = ATTACK.read_text(encoding="utf-8")
    if not trick:
        code = code.replace("TRICK = True", "TRICK = False")
    with (folder / "pipeline.py").open("a", encoding="utf-8") as pipeline:
        pipeline.write("\n\n" + code)
    return folder


def _points(card: Scorecard, category: str) -> float:
    return next(c.points for c in card.categories if c.name == category)


def test_made_up_device_calls_and_a_forged_span_log_earn_no_concurrency(tmp_path: Path) -> None:
    challenge = find_challenge(ROOT / "challenges", "pipeline-parallel")
    attack = grade(_build(tmp_path, "attack", trick=True), challenge, GradeOptions())
    twin = grade(_build(tmp_path, "twin", trick=False), challenge, GradeOptions())
    shutil.rmtree(tmp_path / "attack", ignore_errors=True)
    summary = f"attack {attack.score} (concurrency {_points(attack, 'concurrency')}), " + (
        f"twin {twin.score} (concurrency {_points(twin, 'concurrency')})"
    )
    assert attack.error is None and twin.error is None, summary
    assert _points(attack, "concurrency") <= _points(twin, "concurrency"), summary
    assert attack.score <= twin.score, summary
    overlap = [t for t in attack.tests if "test_stages_overlap_in_time" in t.id]
    assert overlap and all(t.outcome != "passed" for t in overlap), summary
