"""The testing category: a candidate's own tests, run against the reference and planted flaws."""

from __future__ import annotations

from pathlib import Path

import pytest
from owntests_support import adder_with_testing, make_submission

from mlgrader.engine.grade import GradeOptions, grade
from mlgrader.engine.owntests import PASS_ID, grade_own_tests, own_test_files
from mlgrader.errors import ChallengeError

#: Catches off-by-one (wrong only above 100) and passes on the reference.
GOOD = "from adder import add\n\n\ndef test_small():\n    assert add(1, 2) == 3\n\n\ndef test_large():\n    assert add(1000, 1) == 1001\n"
#: Passes on the reference, misses off-by-one.
WEAK = "from adder import add\n\n\ndef test_small():\n    assert add(1, 2) == 3\n"
#: Wrong about a correct adder.
WRONG = "from adder import add\n\n\ndef test_wrong():\n    assert add(2, 2) == 5\n"


def outcomes(results: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {r.id: r.outcome for r in results}


def test_tests_that_pass_on_the_reference_and_catch_the_flaw_earn_everything(
    tmp_path: Path,
) -> None:
    challenge = adder_with_testing(tmp_path)
    card = grade(make_submission(tmp_path, challenge, {"tests/test_adder.py": GOOD}), challenge)
    testing = card.category("testing")
    assert testing is not None and testing.earned == 1.0
    assert outcomes([t for t in card.tests if t.category == "testing"]) == {
        PASS_ID: "passed",
        "own tests::catch planted flaw 1": "passed",
    }
    caught = next(t for t in card.tests if t.id == "own tests::catch planted flaw 1")
    assert caught.message.startswith("planted flaw 'off-by-one': caught by tests/test_adder.py")


def test_no_tests_earn_none_of_the_category(tmp_path: Path) -> None:
    challenge = adder_with_testing(tmp_path)
    card = grade(make_submission(tmp_path, challenge, {}), challenge)
    testing = card.category("testing")
    assert testing is not None and testing.earned == 0.0
    first = next(t for t in card.tests if t.id == PASS_ID)
    assert first.message == "no tests found: put them in tests/test_*.py"


def test_a_test_that_fails_on_the_reference_costs_the_pass_weight_and_catches_nothing(
    tmp_path: Path,
) -> None:
    """pass_weight 2 against one chaff: the wrong test costs 2 of 3 parts; the good tests
    beside it still catch the flaw, the wrong one is not counted as catching it."""
    challenge = adder_with_testing(tmp_path)
    results = grade_own_tests(
        challenge,
        make_submission(tmp_path, challenge, {"test_good.py": GOOD, "test_wrong.py": WRONG}),
    )
    assert outcomes(results) == {PASS_ID: "failed", "own tests::catch planted flaw 1": "passed"}
    assert results[0].message.startswith(
        "1 test(s) failed on a correct implementation: test_wrong.py::test_wrong ("
    )
    alone = grade_own_tests(
        challenge, make_submission(tmp_path / "b", challenge, {"test_x.py": WRONG})
    )
    assert outcomes(alone) == {PASS_ID: "failed", "own tests::catch planted flaw 1": "failed"}


def test_a_weak_suite_earns_the_pass_but_not_the_flaw(tmp_path: Path) -> None:
    challenge = adder_with_testing(tmp_path)
    card = grade(make_submission(tmp_path, challenge, {"tests/test_adder.py": WEAK}), challenge)
    testing = card.category("testing")
    assert testing is not None and testing.earned == pytest.approx(2 / 3)


def test_the_candidate_sees_ids_and_outcomes_but_never_the_flaws(tmp_path: Path) -> None:
    challenge = adder_with_testing(tmp_path)
    folder = make_submission(tmp_path, challenge, {"tests/test_adder.py": WEAK})
    card = grade(folder, challenge, GradeOptions(audience="candidate"))
    mine = [t for t in card.tests if t.category == "testing"]
    assert [t.id for t in mine] == [PASS_ID, "own tests::catch planted flaw 1"]
    assert all("off-by-one" not in t.message for t in mine)


def test_only_the_candidates_own_test_files_count(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    for name in ("test_a.py", "tests/test_b.py", "tests/unit/test_c.py", "tests/public/test_p.py"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("")
    (folder / "helper.py").write_text("")
    assert own_test_files(folder) == ["test_a.py", "tests/test_b.py", "tests/unit/test_c.py"]


def test_public_mode_does_not_run_them(tmp_path: Path) -> None:
    challenge = adder_with_testing(tmp_path)
    folder = make_submission(tmp_path, challenge, {"tests/test_adder.py": GOOD})
    card = grade(folder, challenge, GradeOptions(public_only=True))
    assert card.category("testing") is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[testing]\nchaffs = []\n", "testing.chaffs: expected a non-empty list of mutant names"),
        ('[testing]\nchaffs = ["off-by-one"]\npass_weight = 0\n', "testing.pass_weight: expected a positive number"),
        ('[testing]\nchaffs = ["off-by-one"]\nchaff = 1\n', "[testing]: unknown key 'chaff'"),
    ],
)  # fmt: skip
def test_a_bad_testing_table_names_the_key(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ChallengeError, match=r"challenge\.toml: " + _escaped(message)):
        adder_with_testing(tmp_path, table)


def test_a_chaff_that_is_no_mutant_stops_grading_before_it_starts(tmp_path: Path) -> None:
    challenge = adder_with_testing(tmp_path, '[testing]\nchaffs = ["of-by-one"]\n')
    with pytest.raises(ChallengeError, match=r"testing\.chaffs: no mutant 'of-by-one' in "):
        grade(make_submission(tmp_path, challenge, {}), challenge)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)


def test_the_kit_says_how_own_tests_are_graded_and_keeps_the_flaws_secret(tmp_path: Path) -> None:
    from mlgrader.catalogue.kit import make_kit

    challenge = adder_with_testing(tmp_path)
    kit = make_kit(challenge, tmp_path / "kit")
    readme = " ".join((kit / "README.md").read_text().split())
    assert "## Your own tests are graded" in readme
    assert "each of 1 implementations with a planted flaw" in readme
    assert "worth as much as 2 planted flaws" in readme
    toml = (kit / "challenge.toml").read_text()
    assert "[testing]" not in toml and "off-by-one" not in toml
    assert "| testing | 16.7 |" in (kit / "RUBRIC.md").read_text()
