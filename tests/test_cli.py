"""The mlgrader CLI: list, init, grade, check, validate, with the exit codes README.md states."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from built_mutants import built_mutant
from click.testing import CliRunner, Result
from process_tree import descendants, wait_gone

from mlgrader.catalogue import gradings as gradings_module
from mlgrader.cli import main
from mlgrader.model.scorecard import Scorecard

FIXTURES = Path(__file__).parent / "fixtures" / "challenges"
ADDER = FIXTURES / "adder"


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    """The JSON Schema shipped in the package."""
    text = (resources.files("mlgrader") / "schema" / "scorecard.schema.json").read_text()
    loaded: dict[str, object] = json.loads(text)
    return loaded


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--challenges", str(FIXTURES)], catch_exceptions=False)


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("mlgrader: error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_list_shows_challenges() -> None:
    """`list` names each challenge with its time estimate and title."""
    result = run("list")
    assert result.exit_code == 0
    assert (
        "adder" in result.output and "5 min" in result.output and "Add two numbers" in result.output
    )


def test_grade_reference_scores_100() -> None:
    """Grading the reference prints a text scorecard with 100 and PASS, exit 0."""
    result = run("grade", str(ADDER / "reference"), "--challenge", "adder")
    assert result.exit_code == 0, result.output
    assert "SCORE 100.0 / 100  PASS" in result.output
    assert "correctness" in result.output and "oop" in result.output


def test_grade_mutant_loses_its_category(tmp_path: Path) -> None:
    """A wrong answer loses correctness points and keeps the oop category."""
    mutant = built_mutant(tmp_path, "off-by-one")
    result = run("grade", str(mutant), "--challenge", "adder", "--format", "json")
    card = json.loads(result.output)
    cats = {c["name"]: c["earned"] for c in card["categories"]}
    assert cats["oop"] == 1.0 and cats["correctness"] < 1.0
    failed = [t["id"] for t in card["tests"] if t["outcome"] != "passed"]
    assert failed == ["tests/hidden/test_hidden.py::test_large"]


def test_json_stdout_and_file_validate(tmp_path: Path, schema: dict[str, object]) -> None:
    """--format json on stdout and --json FILE both validate against the shipped schema."""
    out = tmp_path / "card.json"
    result = run(
        "grade",
        str(ADDER / "reference"),
        "--challenge",
        "adder",
        "--format",
        "json",
        "--json",
        str(out),
    )
    assert result.exit_code == 0
    for data in (json.loads(result.output), json.loads(out.read_text())):
        jsonschema.validate(data, schema)
        assert data["score"] == 100.0 and data["schema_version"] == 1
        assert {f["path"] for f in data["submission"]["files"]} == {"adder.py"}


def test_markdown_junit_gradescope_files(tmp_path: Path) -> None:
    """--markdown holds the category table; --junit and --gradescope are written too."""
    md, junit, gs = tmp_path / "card.md", tmp_path / "junit.xml", tmp_path / "gs.json"
    result = run(
        "grade",
        str(built_mutant(tmp_path, "crashes")),
        "--challenge",
        "adder",
        "--markdown",
        str(md),
        "--junit",
        str(junit),
        "--gradescope",
        str(gs),
    )
    assert result.exit_code == 0
    text = md.read_text()
    assert "| Category | Weight | Earned | Points | Tests |" in text
    assert "| correctness | 60 |" in text and "crashed" in text
    suites = ET.parse(junit).getroot()
    assert {s.get("name") for s in suites} == {
        "correctness (public)",
        "correctness (hidden)",
        "oop (hidden)",
    }
    assert json.loads(gs.read_text())["score"] < 100


def test_missing_directory_exits_2(tmp_path: Path) -> None:
    """A submission folder that does not exist: one line, exit 2."""
    result = run("grade", str(tmp_path / "nope"), "--challenge", "adder")
    assert_one_line_error(result, "does not exist")


def test_unknown_challenge_exits_2() -> None:
    """An unknown challenge name: one line naming it and what exists, exit 2."""
    result = run("grade", str(ADDER / "reference"), "--challenge", "adder2")
    assert_one_line_error(result, "'adder2'", "adder")


def test_missing_module_exits_2(tmp_path: Path) -> None:
    """A submission without the candidate module: one line naming the file, exit 2."""
    (tmp_path / "other.py").write_text("x = 1\n")
    result = run("grade", str(tmp_path), "--challenge", "adder")
    assert_one_line_error(result, "adder.py", "mlgrader init adder")


def test_malformed_rubric_exits_2(tmp_path: Path) -> None:
    """A malformed rubric.toml: one line naming the file and key, exit 2."""
    copy = tmp_path / "challenges"
    shutil.copytree(FIXTURES, copy)
    (copy / "rubric.toml").write_text("[categories.oop]\nweight = 'lots'\n")
    result = CliRunner().invoke(
        main, ["grade", str(ADDER / "reference"), "--challenge", "adder", "--challenges", str(copy)]
    )
    assert_one_line_error(result, "rubric.toml", "categories.oop.weight", "a number")


def test_no_challenge_and_not_a_kit_exits_2(tmp_path: Path) -> None:
    """Without --challenge a folder that is not a kit gets told to pass one."""
    result = run("grade", str(tmp_path))
    assert_one_line_error(result, "--challenge NAME")


def test_init_kit_has_no_secrets_and_check_runs_public_only(tmp_path: Path) -> None:
    """init makes a kit without hidden tests or reference; check on it runs public tests only."""
    kit = tmp_path / "kit"
    assert run("init", "adder", str(kit)).exit_code == 0
    files = {p.relative_to(kit).as_posix() for p in kit.rglob("*") if p.is_file()}
    assert "adder.py" in files and "tests/public/test_public.py" in files
    assert "README.md" in files and "rubric.toml" in files and ".mlgrader-kit.toml" in files
    assert not any("hidden" in f or "reference" in f or "mutants" in f for f in files)
    assert "NotImplementedError" in (kit / "adder.py").read_text()

    shutil.copyfile(ADDER / "reference" / "adder.py", kit / "adder.py")
    result = CliRunner().invoke(main, ["check", str(kit), "--format", "json"])
    card = json.loads(result.output)
    assert result.exit_code == 0
    assert card["mode"] == "public" and card["audience"] == "candidate"
    assert [t["id"] for t in card["tests"]] == ["tests/public/test_public.py::test_small"]
    assert card["score"] == 100.0


def test_init_refuses_non_empty_destination(tmp_path: Path) -> None:
    """init will not write into a folder that already has files."""
    (tmp_path / "keep.txt").write_text("mine")
    result = run("init", "adder", str(tmp_path))
    assert_one_line_error(result, "not an empty folder")
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_check_with_challenges_repo_hides_nothing_public(tmp_path: Path) -> None:
    """check against the challenge repo still runs public tests only, as a candidate sees them."""
    mutant = built_mutant(tmp_path, "off-by-one")
    result = run("check", str(mutant), "--challenge", "adder", "--format", "json")
    card = json.loads(result.output)
    assert {t["visibility"] for t in card["tests"]} == {"public"}


def test_candidate_audience_hides_hidden_messages(tmp_path: Path) -> None:
    """--audience candidate shows hidden tests' names and outcomes, never their messages."""
    result = run(
        "grade",
        str(built_mutant(tmp_path, "off-by-one")),
        "--challenge",
        "adder",
        "--audience",
        "candidate",
        "--format",
        "json",
    )
    card = json.loads(result.output)
    hidden = next(t for t in card["tests"] if t["id"].endswith("test_large"))
    assert hidden["outcome"] == "failed"
    assert "3001" not in result.output and "longrepr" not in hidden


@pytest.mark.full
def test_validate_fixture_challenge() -> None:
    """validate proves the fixture challenge: reference 100, stub 0, mutants lose."""
    result = run("validate", "adder")
    assert result.exit_code == 0, result.output
    assert "ok   adder: reference: scored 100" in result.output
    assert "ok   adder: mutant off-by-one" in result.output
    assert "all challenges valid" in result.output
    assert "deterministic" not in result.output  # one run of each: --repeat compares runs


@pytest.mark.full
def test_validate_catches_a_mutant_that_loses_nothing(tmp_path: Path) -> None:
    """A mutant whose expect.toml claims a loss it does not show makes validate fail (exit 1)."""
    copy = tmp_path / "challenges"
    shutil.copytree(FIXTURES, copy)
    bad = copy / "adder" / "mutants" / "harmless"
    bad.mkdir()
    shutil.copyfile(ADDER / "reference" / "adder.py", bad / "adder.py")
    (bad / "expect.toml").write_text('lose = ["correctness"]\n')
    result = CliRunner().invoke(main, ["validate", "adder", "--challenges", str(copy)])
    assert result.exit_code == 1
    assert (
        "FAIL adder: mutant harmless" in result.output
        and "kept all of correctness" in result.output
    )


@pytest.mark.full
def test_validate_holds_independent_solutions_to_their_band(tmp_path: Path) -> None:
    """solutions/NAME/ (written from the kit alone) must score within its expect.toml band:
    the reference's code in a band of 90..100 passes, in a band of 0..50 fails, saying so;
    neither reaches a kit."""
    copy = tmp_path / "challenges"
    shutil.copytree(FIXTURES, copy)
    for name, band in (("careful", (90, 100)), ("hopeful", (0, 50))):
        folder = copy / "adder" / "solutions" / name
        folder.mkdir(parents=True)
        shutil.copyfile(ADDER / "reference" / "adder.py", folder / "adder.py")
        (folder / "expect.toml").write_text(f"min_score = {band[0]}\nmax_score = {band[1]}\n")
    result = CliRunner().invoke(main, ["validate", "adder", "--challenges", str(copy)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "ok   adder: solution careful: scored 100; lost nothing" in lines
    assert (
        "FAIL adder: solution hopeful: scored 100; lost nothing; expected otherwise: a score "
        "from 0 to 50"
    ) in lines
    kit = tmp_path / "kit"
    made = CliRunner().invoke(main, ["init", "adder", str(kit), "--challenges", str(copy)])
    assert made.exit_code == 0, made.output
    assert not (kit / "solutions").exists()


@pytest.mark.full
def test_validate_holds_the_statement_to_the_hidden_tests(tmp_path: Path) -> None:
    """requirements.toml quotes the README for each rule and names the hidden tests that
    grade it: a hidden test no rule names is graded but unstated, and validate says which;
    the table never reaches a kit."""
    copy = _adder_copy(tmp_path)
    adder = copy / "adder"
    (adder / "requirements.toml").write_text(
        '[[rule]]\nsays = "`add(a, b)` returning `a + b`"\n'
        'tests = ["tests/hidden/test_hidden.py::test_large"]\n'
    )
    result = CliRunner().invoke(main, ["validate", "adder", "--challenges", str(copy)])
    assert result.exit_code == 1, result.output
    assert (
        "FAIL adder: requirements: graded but no rule names them: "
        "tests/hidden/test_hidden.py::test_negative, tests/hidden/test_style.py::"
        "test_works_and_documented"
    ) in result.output.splitlines()
    kit = tmp_path / "kit"
    made = CliRunner().invoke(main, ["init", "adder", str(kit), "--challenges", str(copy)])
    assert made.exit_code == 0, made.output
    assert not (kit / "requirements.toml").exists()


@pytest.mark.full
def test_validate_fails_a_weighted_category_without_tests(tmp_path: Path) -> None:
    """A category with weight that no test counts toward (a new challenge inheriting the
    default weights): RUBRIC.md would promise points the scorecard never gives."""
    copy = _adder_copy(tmp_path)
    rubric = copy / "rubric.toml"
    rubric.write_text(rubric.read_text() + "\n[categories.concurrency]\nweight = 15\n")
    result = CliRunner().invoke(main, ["validate", "adder", "--challenges", str(copy)])
    assert result.exit_code == 1, result.output
    assert (
        "FAIL adder: categories: no test counts toward concurrency (weight 15); add tests in "
        "it or set concurrency = 0 under [challenges.adder.categories] in rubric.toml"
    ) in result.output.splitlines()
    assert "ok   adder: reference: scored 100" in result.output


@pytest.mark.full
def test_validate_warns_of_a_stub_earning_many_points(tmp_path: Path) -> None:
    """A stub that earns no correctness points but more than 10 in all is valid with a
    warning: the untouched kit should not be worth that much."""
    copy = _adder_copy(tmp_path)
    style = copy / "adder" / "tests" / "hidden" / "test_style.py"
    style.write_text(
        "def test_documented(submission):\n    assert '\"\"\"' in submission.source('adder')\n"
    )
    result = CliRunner().invoke(main, ["validate", "adder", "--challenges", str(copy)])
    assert result.exit_code == 0, result.output
    assert (
        "warn adder: stub: scored 40 with 0 correctness points; more than 10 points for the "
        "untouched kit: make the stub fail the tests that give them (an OOP check on a stub "
        "that does nothing, say)"
    ) in result.output.splitlines()
    assert "ok   adder: categories: every weighted category has tests (correctness 3, oop 1)" in (
        result.output
    )


@pytest.mark.full
def test_validate_repeat_fails_a_test_whose_verdict_changes_between_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """validate --repeat 3 grades every solution three times; a test whose verdict changes
    between gradings of one solution (here the reference's test_large fails in its second
    grading, as a flaky timing test would) fails the `stable` check, naming the test."""
    real_grade = gradings_module.grade
    gradings: list[str] = []

    def flaky_grade(folder: Path, *args: object, **kwargs: object) -> Scorecard:
        card = real_grade(folder, *args, **kwargs)
        gradings.append(folder.name)
        if folder.name == "reference" and gradings.count("reference") == 2:
            for test in card.tests:
                if test.id.endswith("::test_large"):
                    test.outcome = "failed"
        return card

    monkeypatch.setattr(gradings_module, "grade", flaky_grade)
    result = run("validate", "adder", "--repeat", "3")
    assert result.exit_code == 1, result.output
    assert gradings.count("reference") == 3 and gradings.count("stub") == 3
    assert "ok   adder: deterministic: 3 runs scored 100, 100, 100" in result.output
    assert (
        "FAIL adder: stable reference: verdicts changed between runs: "
        "tests/hidden/test_hidden.py::test_large passed 2 of 3"
    ) in result.output
    assert "ok   adder: stable stub: same verdicts in all 3 runs" in result.output
    assert "ok   adder: stable mutant off-by-one: same verdicts in all 3 runs" in result.output


def test_validate_names_the_file_and_hunk_of_a_stale_patch(tmp_path: Path) -> None:
    """A reference changed under a mutant's patch fails validate (exit 1) with one line
    naming the mutant, the file and the hunk; the challenge is not called valid."""
    copy = tmp_path / "challenges"
    shutil.copytree(FIXTURES, copy)
    source = copy / "adder" / "reference" / "adder.py"
    source.write_text(source.read_text().replace("return a + b", "return b + a"))
    result = CliRunner().invoke(main, ["validate", "adder", "--challenges", str(copy)])
    assert result.exit_code == 1, result.output
    assert "ok   adder: reference: scored 100" in result.output
    line = next(x for x in result.output.splitlines() if "mutant off-by-one" in x)
    assert line.startswith(
        "FAIL adder: mutant off-by-one: mutant adder/off-by-one: mutant.patch does not apply "
        "to reference/adder.py: hunk 1 (@@ -3,4 +3,4 @@) expected line 6 '    return a + b' "
        "but found '    return b + a'; regenerate it with "
    )
    assert "some challenges are not valid" in result.output


def _adder_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "challenges"
    shutil.copytree(FIXTURES, copy)
    return copy


def _grade_copy(copy: Path, *more: str) -> Result:
    args = ["grade", str(ADDER / "reference"), "--challenge", "adder", "--challenges", str(copy)]
    return CliRunner().invoke(main, [*args, *more])


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("import pytest", "import pytest\nimport adder"),
            "challenge adder: tests/hidden/test_hidden.py:4 imports the candidate's module "
            "'adder' when the tests are collected; import it inside each test with "
            'submission.module("adder")',
        ),
        (
            ('rubric("correctness"', 'rubric("corectness"'),
            "challenge adder: tests/hidden/test_hidden.py:6: rubric marker names unknown "
            "category 'corectness'; use one of correctness, oop",
        ),
    ],
    ids=["candidate-import-at-collection", "unknown-marker-category"],
)
def test_an_authors_slip_in_the_tests_is_one_line_before_grading(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    """A test module importing candidate code at collection, or a marker naming an unknown
    category: exit 2 with one line naming the file, the line and the fix, and no
    scorecard, since nothing was graded."""
    copy = _adder_copy(tmp_path)
    test_file = copy / "adder" / "tests" / "hidden" / "test_hidden.py"
    test_file.write_text(test_file.read_text().replace(*edit))
    out = tmp_path / "card.json"
    result = _grade_copy(copy, "--json", str(out))
    assert_one_line_error(result)
    assert result.output.strip() == f"mlgrader: error: {message}"
    assert not out.exists()


def test_a_marker_category_known_only_at_collection_is_named_with_its_test(
    tmp_path: Path,
) -> None:
    """A category the source does not spell out (built at run time) is caught when pytest
    collects: still exit 2 and the test's id, never "internal error"."""
    copy = _adder_copy(tmp_path)
    test_file = copy / "adder" / "tests" / "hidden" / "test_hidden.py"
    text = test_file.read_text().replace('rubric("correctness"', "rubric(CATEGORY")
    test_file.write_text(text.replace("import pytest", 'import pytest\nCATEGORY = "corect" "ness"'))
    result = _grade_copy(copy)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert result.output.splitlines() == [
        "mlgrader: error: challenge adder: its tests did not collect; fix what pytest reported "
        f"below (paths relative to {copy / 'adder'})",
        "  test tests/hidden/test_hidden.py::test_large: unknown rubric category 'corectness'; "
        "expected one of correctness, oop",
    ]


def test_a_test_file_that_does_not_collect_is_shown_as_pytest_reported_it(
    tmp_path: Path,
) -> None:
    """A syntax error in a hidden test: exit 2 and pytest's own error lines, with paths
    relative to the challenge, never "internal error"."""
    copy = _adder_copy(tmp_path)
    (copy / "adder" / "tests" / "hidden" / "test_broken.py").write_text("def test_x(:\n")
    result = _grade_copy(copy)
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("mlgrader: error: challenge adder: its tests did not collect")
    assert lines[1:] == [
        "  tests/hidden/test_broken.py:",
        '  E     File "tests/hidden/test_broken.py", line 1',
        "  E       def test_x(:",
        "  E                  ^",
        "  E   SyntaxError: invalid syntax",
    ]


def test_validate_rejects_zero_jobs() -> None:
    """--jobs 0 is bad input: exit 2 and a message naming the option."""
    result = run("validate", "adder", "--jobs", "0")
    assert result.exit_code == 2 and "--jobs" in result.output


def test_reading_the_submission_past_the_graders_budget_keeps_the_tests(tmp_path: Path) -> None:
    """A file that takes longer to scan than the grader's budget: the scan and quality
    metrics stop at the budget with a 'grader-budget' finding; every test's result stands."""
    from mlgrader import GradeOptions, find_challenge, grade

    submission = tmp_path / "sub"
    shutil.copytree(ADDER / "reference", submission)
    (submission / "deep.py").write_text(("x" + ".a" * 800 + " = 1\n") * 1200)  # ~2 MB
    challenge = find_challenge(FIXTURES, "adder")
    started = time.monotonic()
    card = grade(submission, challenge, GradeOptions(budget_s=1.0))
    assert card.score == 100.0 and all(t.outcome == "passed" for t in card.tests)
    assert card.integrity.status == "suspicious"
    assert [f.kind for f in card.integrity.findings] == ["grader-budget"]
    assert card.quality == {}
    assert time.monotonic() - started < 60


@pytest.mark.full
def test_validate_mutate_reports_each_unexplained_survivor(tmp_path: Path) -> None:
    """validate --mutate grades seeded faults: a fault no test notices is printed with its
    diff and fails the run (exit 1) until mutation.toml judges it (tests/test_faults.py)."""
    copy = _adder_copy(tmp_path)
    reference = copy / "adder" / "reference" / "adder.py"
    reference.write_text(
        reference.read_text().replace(
            "    return a + b", "    if a > 10:\n        print('big')\n    return a + b"
        )
    )
    args = ["validate", "adder", "--mutate", "--jobs", "2", "--challenges", str(copy)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert (
        "FAIL adder: mutation: 5 of 5 faults (seed 0): 2 killed, 0 equivalent, 0 out of "
        "spec, 3 survived; kill rate 40% (target 90%)"
    ) in lines
    survivor = next(line for line in lines if "`if a > 10:` -> `if a >= 10:`" in line)
    assert survivor.startswith("SURVIVED adder: adder.py:compare:")
    assert "    -    if a > 10:" in lines and "    +    if a >= 10:" in lines


def test_sample_and_seed_need_mutate() -> None:
    result = run("validate", "adder", "--seed", "3")
    assert_one_line_error(result, "--sample and --seed choose seeded faults; add --mutate")


@pytest.mark.full
def test_a_stopped_validate_takes_its_gradings_with_it(tmp_path: Path) -> None:
    """SIGTERM to `validate --jobs 2` (a cancelled CI job, a hiring team's Ctrl-C) ends
    every grading it started at once, not after each worker finishes its own unseen."""
    copy = _adder_copy(tmp_path)
    (copy / "adder" / "tests" / "hidden" / "test_slow.py").write_text(
        "import time\n\n\ndef test_slow(submission):\n    time.sleep(120)\n"
    )
    cmd = [sys.executable, "-m", "mlgrader.cli", "validate", "adder", "--jobs", "2"]
    proc = subprocess.Popen(
        [*cmd, "--challenges", str(copy)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_running_pytests(proc.pid)) < 2:
        time.sleep(0.1)  # both workers are grading
    started = descendants(proc.pid)
    assert len(_running_pytests(proc.pid)) == 2, "validate never started two gradings"
    proc.terminate()
    proc.wait(timeout=30)
    wait_gone(started, "stopped validate", timeout=20)


def _running_pytests(pid: int) -> list[int]:
    """The pytest runs (one per grading) below ``pid``."""
    found = []
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            if b"\0pytest\0" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
    return found
