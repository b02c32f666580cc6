"""Follow-up questions (model/followups.py): chosen from what a submission did, shown at the
end of a grader's scorecard in every rendering, never to a candidate, checked by validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from scorecards import make_scorecard

from mlgrader.cli import main
from mlgrader.errors import ChallengeError
from mlgrader.model.followups import MAX_WRONG, choose, load_prompts
from mlgrader.model.scorecard import TestResult
from mlgrader.reports.html import render_html
from mlgrader.reports.markdown import render_markdown
from mlgrader.reports.text import render_text

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
ADDER = FIXTURES / "adder"


def _result(test_id: str, category: str, earned: float) -> TestResult:
    outcome = "passed" if earned > 0 else "failed"
    return TestResult(test_id, category, 1, "hidden", outcome, earned)


def test_prompts_are_chosen_from_the_results() -> None:
    prompts = load_prompts(ADDER / "followups.toml")
    wrong = [
        _result("tests/hidden/test_hidden.py::test_large", "correctness", 0.0),
        _result("tests/hidden/test_style.py::test_works_and_documented", "oop", 1.0),
    ]
    assert [f["id"] for f in choose(prompts, wrong)] == ["large-numbers", "documented", "vectors"]
    right = [
        _result("tests/hidden/test_hidden.py::test_large", "correctness", 1.0),
        _result("tests/hidden/test_style.py::test_works_and_documented", "oop", 0.5),
    ]
    assert [f["id"] for f in choose(prompts, right)] == ["vectors"]


def test_at_most_five_wrong_prompts_in_the_files_order(tmp_path: Path) -> None:
    lines = [
        f'[[prompt]]\nid = "w{i}"\nkind = "wrong"\ncategory = "correctness"\ntext = "t{i}"\n'
        for i in range(8)
    ]
    (tmp_path / "followups.toml").write_text("\n".join(lines))
    chosen = choose(load_prompts(tmp_path / "followups.toml"), [_result("t", "correctness", 0)])
    assert [f["id"] for f in chosen] == [f"w{i}" for i in range(MAX_WRONG)]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('id = "a"\nkind = "odd"\ntext = "x"', "kind 'odd': expected one of wrong, strength"),
        ('id = "a"\nkind = "wrong"\ntext = "x"', "names the tests or the category it is about"),
        ('id = "a"\nkind = "design"', "text is missing; say what to ask"),
        ('id = "A b"\nkind = "design"\ntext = "x"', "use lowercase letters, digits and dashes"),
    ],
)
def test_an_authors_slip_is_named(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "followups.toml").write_text(f"[[prompt]]\n{entry}\n")
    with pytest.raises(ChallengeError, match=message):
        load_prompts(tmp_path / "followups.toml")


def test_a_repeated_id_is_named(tmp_path: Path) -> None:
    entry = '[[prompt]]\nid = "a"\nkind = "design"\ntext = "x"\n'
    (tmp_path / "followups.toml").write_text(entry * 2)
    with pytest.raises(ChallengeError, match="prompt id 'a' is used twice"):
        load_prompts(tmp_path / "followups.toml")


def test_every_rendering_ends_with_the_questions_for_graders_only() -> None:
    card = make_scorecard([_result("t", "correctness", 0.0)])
    card.followups = [{"id": "x", "kind": "wrong", "text": "Ask <why> it broke."}]
    text, md, page = render_text(card), render_markdown(card), render_html(card)
    assert text.rstrip().splitlines()[-2:] == [
        "Follow-up questions for the interview:",
        "  - (got wrong) Ask <why> it broke.",
    ]
    assert md.rstrip().splitlines()[-1] == "- (got wrong) Ask \\<why\\> it broke."
    assert "<ul id='followups'><li>(got wrong) Ask &lt;why&gt; it broke.</li></ul>" in page
    candidate = card.for_audience("candidate")
    assert candidate.followups == []
    for rendered in (render_text(candidate), render_markdown(candidate), render_html(candidate)):
        assert "Follow-up" not in rendered and "Ask" not in rendered


def _grade(tmp_path: Path, *extra: str) -> str:
    sub = tmp_path / "sub"
    shutil.copytree(ADDER / "reference", sub)
    source = (sub / "adder.py").read_text()
    (sub / "adder.py").write_text(source.replace("return a + b", "return a + b - (a >= 1000)"))
    args = ["grade", str(sub), "--challenge", "adder", "--challenges", str(FIXTURES), *extra]
    return CliRunner().invoke(main, args).output


def test_a_graded_submission_gets_its_questions_and_a_candidate_none(tmp_path: Path) -> None:
    grader = _grade(tmp_path)
    assert "Follow-up questions for the interview:" in grader, grader
    assert "(got wrong) Adding large numbers went wrong" in grader
    assert "(design change) Propose adding vectors" in grader
    assert "Follow-up" not in _grade(tmp_path / "c", "--audience", "candidate")


def test_a_kit_never_holds_the_questions(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["init", "adder", str(tmp_path / "kit"), "--challenges", str(FIXTURES)]
    )
    assert result.exit_code == 0, result.output
    assert not list((tmp_path / "kit").rglob("followups.toml"))


@pytest.mark.parametrize("name", ["lru-cache", "numpy-nn", "eval-harness"])
def test_the_candidates_own_tests_draw_their_own_questions(name: str) -> None:
    """Where a challenge grades the candidate's own tests, no tests (or a wrong one) and a
    missed planted flaw each draw a question, and a suite that caught everything a probe."""
    prompts = load_prompts(Path(__file__).parents[1] / "challenges" / name / "followups.toml")
    own = "own tests::pass on a correct implementation"
    missed = [
        _result(own, "testing", 1.0),
        _result("own tests::catch planted flaw 2", "testing", 0.0),
    ]
    none = [
        _result(own, "testing", 0.0),
        _result("own tests::catch planted flaw 1", "testing", 0.0),
    ]
    full = [
        _result(own, "testing", 1.0),
        _result("own tests::catch planted flaw 1", "testing", 1.0),
    ]
    assert [f["id"] for f in choose(prompts, missed) if f["kind"] == "wrong"] == [
        "own-tests-missed-flaws"
    ]
    assert [f["id"] for f in choose(prompts, none) if f["kind"] == "wrong"] == [
        "own-tests-wrong",
        "own-tests-missed-flaws",
    ]
    assert "own-tests-done-well" in [f["id"] for f in choose(prompts, full)]
