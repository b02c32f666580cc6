"""Tests for mlgrader.model.rubric: loading rubric.toml, overrides, classification and errors."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest

from mlgrader.errors import MlgraderError, RubricError
from mlgrader.model.rubric import (
    Category,
    ChallengeRubric,
    TestRule,
    default_rubric,
    load_rubric,
    parse_rubric,
)

VALID = """
[rubric]
pass_mark = 65

[categories.correctness]
weight = 50
description = "does the right thing"
[categories.complexity]
weight = 20
[categories.oop]
weight = 15
[categories.concurrency]
weight = 15

[challenges.lru-cache.categories]
complexity = 30
oop = 5

[[challenges.lru-cache.tests]]
match = "tests/hidden/test_threads.py::*"
category = "concurrency"
weight = 2

[[challenges.lru-cache.tests]]
match = "tests/hidden/test_*.py::*"
category = "complexity"
weight = 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert str(path) in message, "every rubric error names the file"
    return message


@pytest.fixture
def lru(tmp_path: Path) -> ChallengeRubric:
    return load_rubric(write(tmp_path, VALID)).for_challenge("lru-cache")


# -- loading ---------------------------------------------------------------------------------


def test_valid_rubric_loads_pass_mark_weights_and_descriptions(tmp_path: Path) -> None:
    """A valid rubric.toml yields its pass mark, weights and descriptions."""
    path = write(tmp_path, VALID)
    rubric = load_rubric(path)
    assert rubric.source == str(path)
    assert rubric.pass_mark == 65
    assert {n: c.weight for n, c in rubric.categories.items()} == {
        "correctness": 50,
        "complexity": 20,
        "oop": 15,
        "concurrency": 15,
    }
    assert rubric.categories["correctness"].description == "does the right thing"
    # A category without a description gets the built-in one, not an empty string.
    assert "big-O" in rubric.categories["complexity"].description


def test_challenge_override_changes_only_that_challenge(tmp_path: Path) -> None:
    """Per-challenge category overrides apply to that challenge alone."""
    rubric = load_rubric(write(tmp_path, VALID))
    lru = rubric.for_challenge("lru-cache")
    other = rubric.for_challenge("elevator")
    assert lru.categories["complexity"].weight == 30
    assert lru.categories["oop"].weight == 5
    assert lru.categories["correctness"].weight == 50
    assert lru.categories["correctness"].description == "does the right thing"
    assert other.categories["complexity"].weight == 20
    assert other.categories["oop"].weight == 15
    assert other.rules == ()
    assert len(lru.rules) == 2
    assert lru.pass_mark == 65


def test_challenge_descriptions_replace_the_generic_text_for_that_challenge(
    tmp_path: Path,
) -> None:
    """``[challenges.NAME.descriptions]`` says what a category checks in that challenge;
    the weight stays, and other challenges keep the generic text."""
    text = VALID + '\n[challenges.lru-cache.descriptions]\noop = "small private LRUCache"\n'
    rubric = load_rubric(write(tmp_path, text))
    lru = rubric.for_challenge("lru-cache")
    assert lru.categories["oop"] == Category("oop", 5, "small private LRUCache")
    assert rubric.for_challenge("elevator").categories["oop"].description == (
        rubric.categories["oop"].description
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('tidiness = "x"', "challenges.adder.descriptions.tidiness: expected a category"),
        ("oop = 3", "challenges.adder.descriptions.oop: expected a sentence"),
        ('oop = " "', "challenges.adder.descriptions.oop: expected a sentence"),
    ],
)
def test_a_bad_challenge_description_names_the_key(
    tmp_path: Path, body: str, fragment: str
) -> None:
    message = load_error(tmp_path, VALID + f"\n[challenges.adder.descriptions]\n{body}\n")
    assert fragment in message


def test_missing_rubric_table_defaults_pass_mark_to_70(tmp_path: Path) -> None:
    """Without [rubric] the pass mark is 70 and without [categories] the default weights apply."""
    rubric = load_rubric(write(tmp_path, "\n"))
    assert rubric.pass_mark == 70
    assert {n: c.weight for n, c in rubric.categories.items()} == {
        "correctness": 50,
        "complexity": 20,
        "oop": 15,
        "concurrency": 15,
    }


def test_default_rubric_weights() -> None:
    """The built-in rubric weighs correctness 50, complexity 20, oop 15, concurrency 15."""
    rubric = default_rubric()
    assert {n: c.weight for n, c in rubric.categories.items()} == {
        "correctness": 50,
        "complexity": 20,
        "oop": 15,
        "concurrency": 15,
    }
    assert rubric.pass_mark == 70
    assert all(c.description for c in rubric.categories.values())


# -- classify --------------------------------------------------------------------------------


def test_marker_beats_rule(lru: ChallengeRubric) -> None:
    """A rubric marker decides the category and weight even when a rule matches."""
    nodeid = "tests/hidden/test_threads.py::test_race"
    assert lru.classify(nodeid, ("oop", 4)) == ("oop", 4.0)


def test_first_matching_rule_wins(lru: ChallengeRubric) -> None:
    """Without a marker the first matching rule applies, in file order."""
    assert lru.classify("tests/hidden/test_threads.py::test_race", None) == ("concurrency", 2.0)
    assert lru.classify("tests/hidden/test_speed.py::test_get", None) == ("complexity", 3.0)


def test_no_marker_no_rule_is_correctness_weight_one(lru: ChallengeRubric) -> None:
    """A test no marker or rule covers counts as correctness with weight 1."""
    assert lru.classify("tests/public/test_basic.py::test_put", None) == ("correctness", 1.0)


def test_rule_glob_is_case_sensitive(lru: ChallengeRubric) -> None:
    """Rule globs match node ids case-sensitively."""
    assert lru.classify("tests/hidden/TEST_THREADS.py::t", None) == ("correctness", 1.0)


def test_marker_without_weight_takes_weight_of_rule_for_same_category(
    lru: ChallengeRubric,
) -> None:
    """A marker without weight borrows the matching rule's weight when the categories agree."""
    nodeid = "tests/hidden/test_threads.py::test_race"
    assert lru.classify(nodeid, ("concurrency", None)) == ("concurrency", 2.0)


def test_marker_without_weight_ignores_rule_of_other_category(lru: ChallengeRubric) -> None:
    """A marker without weight gets 1 when the matching rule names another category."""
    nodeid = "tests/hidden/test_threads.py::test_race"
    assert lru.classify(nodeid, ("correctness", None)) == ("correctness", 1.0)


def test_marker_without_weight_and_no_rule_is_weight_one(lru: ChallengeRubric) -> None:
    """A marker without weight and no matching rule weighs 1."""
    assert lru.classify("tests/public/test_x.py::t", ("oop", None)) == ("oop", 1.0)


def test_unknown_marker_category_names_the_test(lru: ChallengeRubric) -> None:
    """A marker naming an undefined category raises RubricError naming the test and the choices."""
    nodeid = "tests/public/test_x.py::test_speed"
    with pytest.raises(RubricError) as info:
        lru.classify(nodeid, ("speed", 2))
    message = str(info.value)
    assert nodeid in message
    assert "'speed'" in message
    assert "correctness" in message and "concurrency" in message


# -- errors ----------------------------------------------------------------------------------


def test_rubric_error_is_value_error_and_mlgrader_error() -> None:
    """RubricError can be caught as ValueError or as MlgraderError."""
    assert issubclass(RubricError, ValueError)
    assert issubclass(RubricError, MlgraderError)


def test_bad_weight_type_names_key_and_expectation(tmp_path: Path) -> None:
    """A string weight names the key and says a number was expected."""
    message = load_error(tmp_path, '[categories.correctness]\nweight = "heavy"\n')
    assert "categories.correctness.weight" in message
    assert "expected a number >= 0" in message
    assert "'heavy'" in message


def test_boolean_weight_is_rejected(tmp_path: Path) -> None:
    """A boolean weight is not accepted as the number 1."""
    message = load_error(tmp_path, "[categories.correctness]\nweight = true\n")
    assert "categories.correctness.weight" in message
    assert "expected a number" in message


def test_negative_weight_is_rejected(tmp_path: Path) -> None:
    """A negative weight names the key and the lower bound."""
    message = load_error(tmp_path, "[categories.oop]\nweight = -5\n")
    assert "categories.oop.weight" in message
    assert ">= 0" in message
    assert "-5" in message


def test_missing_weight_is_rejected(tmp_path: Path) -> None:
    """A category without weight names the missing key."""
    message = load_error(tmp_path, '[categories.oop]\ndescription = "tidy"\n')
    assert "categories.oop.weight" in message
    assert "missing" in message


def test_pass_mark_above_100_is_rejected(tmp_path: Path) -> None:
    """pass_mark above 100 names rubric.pass_mark and the allowed range."""
    message = load_error(tmp_path, "[rubric]\npass_mark = 120\n")
    assert "rubric.pass_mark" in message
    assert "<= 100" in message
    assert "120" in message


def test_unknown_top_level_key_is_rejected(tmp_path: Path) -> None:
    """A misspelled top-level table is named, with the keys that are allowed."""
    message = load_error(tmp_path, "[categorys.correctness]\nweight = 50\n")
    assert "categorys" in message
    assert "unknown key" in message
    assert "categories" in message and "challenges" in message and "rubric" in message


def test_unknown_key_in_category_is_rejected(tmp_path: Path) -> None:
    """A misspelled key inside a category is named with its full path."""
    message = load_error(tmp_path, "[categories.oop]\nweigth = 5\n")
    assert "categories.oop.weigth" in message
    assert "unknown key" in message


def test_override_of_undefined_category_is_rejected(tmp_path: Path) -> None:
    """A per-challenge override of an undefined category names the key and the known categories."""
    message = load_error(
        tmp_path,
        """
        [categories.correctness]
        weight = 60
        [categories.oop]
        weight = 40
        [challenges.lru-cache.categories]
        speed = 10
        """,
    )
    assert "challenges.lru-cache.categories.speed" in message
    assert "correctness" in message and "oop" in message


def test_negative_override_is_rejected(tmp_path: Path) -> None:
    """A negative per-challenge override weight is rejected with its key."""
    message = load_error(tmp_path, "[challenges.lru-cache.categories]\noop = -1\n")
    assert "challenges.lru-cache.categories.oop" in message
    assert ">= 0" in message


def test_rule_without_match_is_rejected(tmp_path: Path) -> None:
    """A test rule without match names the entry and asks for a node-id glob."""
    message = load_error(
        tmp_path,
        """
        [[challenges.lru-cache.tests]]
        category = "concurrency"
        """,
    )
    assert "challenges.lru-cache.tests[0].match" in message
    assert "glob" in message


def test_rule_with_unknown_category_is_rejected(tmp_path: Path) -> None:
    """A rule naming an undefined category is rejected when loading, not when grading."""
    message = load_error(
        tmp_path,
        """
        [[challenges.lru-cache.tests]]
        match = "tests/*"
        category = "concurrency"
        [[challenges.lru-cache.tests]]
        match = "tests/*"
        category = "style"
        """,
    )
    assert "challenges.lru-cache.tests[1].category" in message
    assert "'style'" in message


def test_rules_written_as_single_table_are_rejected(tmp_path: Path) -> None:
    """[challenges.X.tests] written as a table instead of [[...]] says an array was expected."""
    message = load_error(tmp_path, '[challenges.lru-cache.tests]\nmatch = "x"\n')
    assert "challenges.lru-cache.tests" in message
    assert "[[...]]" in message


def test_malformed_toml_is_rejected(tmp_path: Path) -> None:
    """Broken TOML syntax raises RubricError naming the file, not a TOMLDecodeError."""
    message = load_error(tmp_path, "[rubric\npass_mark = 70\n")
    assert "not valid TOML" in message


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    """A missing rubric.toml raises RubricError naming the path."""
    path = tmp_path / "nope" / "rubric.toml"
    with pytest.raises(RubricError, match="cannot read rubric") as info:
        load_rubric(path)
    assert str(path) in str(info.value)


# -- to_toml ---------------------------------------------------------------------------------


def test_to_toml_round_trips_through_parse_rubric(lru: ChallengeRubric) -> None:
    """to_toml() parses back to an equal ChallengeRubric, overrides and rules included."""
    text = lru.to_toml()
    again = parse_rubric(tomllib.loads(text), "<kit>").for_challenge("lru-cache")
    assert again == lru
    assert again.categories["complexity"].weight == 30


def test_to_toml_round_trips_through_load_rubric(tmp_path: Path) -> None:
    """A kit's rubric.toml written by to_toml() loads back to the same rubric."""
    original = ChallengeRubric(
        challenge="elevator",
        pass_mark=72.5,
        categories={
            "correctness": Category("correctness", 60, 'says "hi"\\ and\nmore'),
            "oop": Category("oop", 40.5, ""),
        },
        rules=(TestRule("tests/hidden/test_policy.py::*", "oop", 0.5),),
    )
    path = tmp_path / "kit-rubric.toml"
    path.write_text(original.to_toml(), encoding="utf-8")
    assert load_rubric(path).for_challenge("elevator") == original
