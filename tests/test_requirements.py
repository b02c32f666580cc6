"""requirements.toml: every rule the README states is graded, every hidden test is stated."""

from __future__ import annotations

from pathlib import Path

import pytest
from scorecards import make_scorecard

from mlgrader.catalogue.requirements import Rule, load_requirements, requirements_check
from mlgrader.errors import ChallengeError
from mlgrader.model.scorecard import Scorecard, TestResult

README = """# A cache

| Member | Behaviour |
| --- | --- |
| `Cache(capacity)` | Raises `ValueError` if it is
smaller than 1. |

- **Speed:** `get` runs in O(1) time.
"""


def reference(*ids: str, public: tuple[str, ...] = ()) -> Scorecard:
    tests = [TestResult(i, "correctness", 1, "hidden", "passed", 1.0) for i in ids]
    tests += [TestResult(i, "correctness", 1, "public", "passed", 1.0) for i in public]
    return make_scorecard(tests)


HIDDEN = (
    "tests/hidden/test_c.py::test_capacity_below_one",
    "tests/hidden/test_x.py::test_get[100]",
    "tests/hidden/test_x.py::test_get[1000]",
)
RULES = [
    Rule("Raises `ValueError` if it is smaller than 1.", ("tests/hidden/test_c.py::test_cap*",)),
    Rule("`get` runs in O(1) time.", ("tests/hidden/test_x.py::test_get",)),
]


def test_rules_quoting_the_readme_and_naming_every_hidden_test_pass() -> None:
    """A quote may wrap where the README's lines do not; a test's name covers its
    parametrized ids; public tests need no rule (the candidate reads them)."""
    check = requirements_check(RULES, README, reference(*HIDDEN, public=("tests/public/t::a",)))
    assert check.ok and not check.warning
    assert check.detail == "2 stated rules grade all 3 hidden tests"


def test_a_hidden_test_no_rule_names_is_graded_but_unstated() -> None:
    extra = "tests/hidden/test_c.py::test_keys_are_sorted"
    check = requirements_check(RULES, README, reference(*HIDDEN, extra))
    assert not check.ok
    assert check.detail == f"graded but no rule names them: {extra}"


def test_a_rule_the_readme_does_not_say_fails() -> None:
    rules = [*RULES, Rule("`put` runs in O(1) time.", ("tests/hidden/test_x.py::test_get",))]
    check = requirements_check(rules, README, reference(*HIDDEN))
    assert not check.ok
    assert check.detail == "rule 3 ('`put` runs in O(1) time.') is not in README.md"


def test_a_rule_no_hidden_test_grades_fails() -> None:
    rules = [*RULES, Rule("`get` runs in O(1) time.", ("tests/hidden/test_x.py::test_put",))]
    check = requirements_check(rules, README, reference(*HIDDEN))
    assert not check.ok
    assert check.detail == "rule 3: no hidden test matches tests/hidden/test_x.py::test_put"


def test_a_challenge_without_a_table_draws_a_warning() -> None:
    check = requirements_check(None, README, reference(*HIDDEN))
    assert check.ok and check.warning
    assert check.detail.startswith("no requirements.toml: list each rule README.md states")


def test_the_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "requirements.toml").write_text(
        '[[rule]]\nsays = "`get` runs in O(1) time."\ntests = ["tests/hidden/t.py::test_get"]\n'
    )
    assert load_requirements(tmp_path) == [
        Rule("`get` runs in O(1) time.", ("tests/hidden/t.py::test_get",))
    ]
    assert load_requirements(tmp_path / "elsewhere") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]\n", "not valid TOML"),
        ("says = 'x'\n", "expected one [[rule]] table per stated rule, with `says` and `tests`"),
        ("[[rule]]\ntests = ['t']\n", "rule 1: `says` must quote the README's words for the rule"),
        ("rule = ['x']\n", "rule 1: `says` must quote the README's words for the rule"),
        (
            "[[rule]]\nsays = 'get is fast'\ntests = []\n",
            "rule 1 ('get is fast'): `tests` must list the hidden tests that grade it",
        ),
    ],
)
def test_a_malformed_table_names_the_file_and_the_rule(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "requirements.toml").write_text(text)
    with pytest.raises(ChallengeError) as info:
        load_requirements(tmp_path)
    assert str(info.value).startswith(f"{tmp_path / 'requirements.toml'}: ")
    assert message in str(info.value)
