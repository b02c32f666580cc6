"""Candidate kits: what ``mlgrader init CHALLENGE DEST`` hands a candidate.

A kit holds the statement, the stub (the files the candidate edits), the
support code, the public tests, the challenge's rubric and a marker naming the
challenge. It never holds hidden tests, the reference, mutants or independent solutions. A kit is
itself a gradable folder: ``mlgrader check`` on it runs the public tests.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from mlgrader import __version__
from mlgrader.engine.owntests import TEST_TIMEOUT_S
from mlgrader.engine.workspace import SKIPPED_DIRS
from mlgrader.errors import UserInputError
from mlgrader.model.challenge import (
    KIT_MARKER,
    KIT_PYTEST_INI,
    Challenge,
    load_challenge,
    read_kit_marker,
    read_kit_tests,
)
from mlgrader.model.notebooks import SKIP_TAG, stub_notebook
from mlgrader.model.owntests import OwnTests
from mlgrader.model.rubric import Category, ChallengeRubric

#: Folders of a challenge that must never reach a candidate.
SECRET_PARTS = ("hidden", "reference", "mutants", "solutions")


def make_kit(challenge: Challenge, dest: Path, *, notebook: bool = False) -> Path:
    """Write a candidate kit for ``challenge`` into ``dest`` (new or empty) and return it;
    with ``notebook``, each stub module as a notebook instead (challenges that say
    ``notebook = true``)."""
    if notebook and not challenge.notebook:
        raise UserInputError(
            f"{challenge.name} has no notebook kit (its challenge.toml does not say "
            "notebook = true); leave out --notebook"
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserInputError(f"{dest} already exists and is not an empty folder; choose a new DEST")
    rubric = challenge.rubric().for_challenge(challenge.name)
    dest.mkdir(parents=True, exist_ok=True)
    for folder in (challenge.stub, challenge.support):
        if folder.is_dir():
            _copy_tree(folder, dest)
    public = dest / "tests" / "public"
    if challenge.public_tests.is_dir():
        _copy_tree(challenge.public_tests, public)
    shipped = sorted(p.relative_to(dest).as_posix() for p in public.rglob("*.py"))
    toml = (challenge.root / "challenge.toml").read_text(encoding="utf-8")
    (dest / "challenge.toml").write_text(_without_testing(toml), encoding="utf-8")
    statement = challenge.root / "README.md"
    if statement.is_file():
        shutil.copyfile(statement, dest / "README.md")
    (dest / "rubric.toml").write_text(rubric.to_toml(), encoding="utf-8")
    (dest / "RUBRIC.md").write_text(rubric_summary(challenge, rubric), encoding="utf-8")
    listed = ", ".join(f'"{name}"' for name in shipped)
    (dest / KIT_MARKER).write_text(
        f'[kit]\nchallenge = "{challenge.name}"\nmlgrader_version = "{__version__}"\n'
        f"# the test files `mlgrader check` runs; your own tests are yours to run with pytest\n"
        f"tests = [{listed}]\n",
        encoding="utf-8",
    )
    (dest / "pytest.ini").write_text(KIT_PYTEST_INI, encoding="utf-8")
    with open(dest / "README.md", "a", encoding="utf-8") as readme:
        readme.write(CHECKING.format(version=__version__))
        if challenge.own_tests is not None:
            readme.write(own_tests_section(challenge.own_tests, rubric))
        if notebook:
            readme.write(_as_notebooks(challenge, dest))
    return dest


def _as_notebooks(challenge: Challenge, dest: Path) -> str:
    """Turn each stub module of the kit into a notebook; the README section about them."""
    names = []
    for module in challenge.modules:
        stub = dest / f"{module}.py"
        if stub.is_file():
            text = stub_notebook(stub.read_text(encoding="utf-8"), module)
            (dest / f"{module}.ipynb").write_text(text, encoding="utf-8")
            stub.unlink()
            names.append(module)
    return NOTEBOOKS.format(
        files=", ".join(f"`{m}.ipynb`" for m in names),
        modules=", ".join(f"`{m}.py`" for m in names),
        tag=SKIP_TAG,
    )


NOTEBOOKS = """
## Working in the notebook

This kit gives you {files} instead of {modules}. Hand it back as a notebook (or as
the `.py` file: either is graded the same way). The grader builds the module from
the notebook's **code cells, in order**:

- outputs, markdown and raw cells are ignored;
- a code cell tagged `{tag}` is left out: use it for exploration, plots and
  timing runs (in Jupyter: View > Cell Toolbar > Tags);
- IPython lines (`%timeit`, `!pip ...`) and cells starting with `%%` are not
  Python: they are left out, and the scorecard says so;
- everything else runs when the module is imported, so keep slow or random work
  in tagged cells. A cell that raises fails the import, as in a `.py` file, and
  the error names the cell.

`mlgrader check .` grades the notebook the same way.
"""


def own_tests_section(spec: OwnTests, rubric: ChallengeRubric) -> str:
    """The kit README's section on how the candidate's own tests are graded."""
    points = {c.name: p for c, p in rubric_points(rubric)}.get("testing", 0.0)
    return OWN_TESTS.format(
        points=f"{points:g}",
        flaws=len(spec.chaffs),
        pass_weight=f"{spec.pass_weight:g}",
        test_timeout=f"{TEST_TIMEOUT_S:g}",
        timeout=f"{spec.timeout_s:g}",
    )


def _without_testing(toml: str) -> str:
    """challenge.toml without its ``[testing]`` table: the planted flaws' names stay secret."""
    kept, skipping = [], False
    for line in toml.splitlines(keepends=True):
        header = line.strip()
        if header.startswith("["):
            skipping = header == "[testing]"
        if not skipping:
            kept.append(line)
    return "".join(kept).rstrip("\n") + "\n"


#: Appended to the kit's README.md: how a candidate runs the public tests.
CHECKING = """

## Checking your work

Install the grader once (Python 3.11 or later; in a virtual environment if you like):

    python3 -m pip install "mlgrader=={version}"

(or install it from the copy your hiring team sent you). Then, in this folder:

    mlgrader check .     # the public tests in tests/public, as the grader runs them
    pytest               # the same public tests, plus any tests you write yourself

`mlgrader check` runs only the public tests: its result is not your grade, which the
hidden tests in every category decide (RUBRIC.md). Write your own tests as well, for
example in `tests/test_mine.py`; `check` leaves them out, `pytest` runs them.
"""


#: Appended to the kit's README.md where the challenge grades the candidate's own tests.
OWN_TESTS = """
## Your own tests are graded

This challenge grades the tests you write: category `testing`, {points} points of 100
(RUBRIC.md). Put them in `tests/test_*.py` (or `test_*.py` beside your code) and import
your modules directly (`from module import Name`: this folder is on the path; the
`submission` fixture the public tests use belongs to the grader and is not there). Your
`conftest.py` files come along. The grader runs your tests twice against a correct
implementation of this challenge, not yours, where every one of them must pass (twice,
so that a test that passes only by chance shows), and once against each of {flaws}
implementations with a planted flaw, each of which some test should fail.

- Passing on the correct implementation is worth as much as {pass_weight} planted flaws;
  each flaw a test catches is worth one. A test that fails on the correct implementation
  is a wrong test: it costs the first part and catches nothing. So test what the
  statement specifies, through the interface it specifies, not details of your own code.
- With no tests the category earns nothing.
- Your tests run in a sandbox: no network, {test_timeout} s per test, {timeout} s for the
  whole run (limits of their own, apart from the hidden tests'). Keep them deterministic
  (seed any randomness) and quick.
- The scorecard you get says how many planted flaws your tests caught and whether any
  test failed on the correct implementation, never which flaws they are.
"""


def own_tests(kit: Challenge) -> list[str]:
    """The candidate's own test files in a kit: test files it did not ship with (which
    ``check`` does not run)."""
    if not kit.is_kit or kit.kit_tests is None:
        return []
    shipped = set(kit.kit_tests)
    found = [
        p.relative_to(kit.root).as_posix()
        for pattern in ("test_*.py", "*_test.py")
        for p in kit.root.rglob(pattern)
        if not any(
            part.startswith(".") or part in SKIPPED_DIRS for part in p.relative_to(kit.root).parts
        )
    ]
    return sorted(set(found) - shipped)


def load_kit(folder: Path) -> Challenge | None:
    """The kit in ``folder`` as a public-only challenge, or None when it is not a kit."""
    name = read_kit_marker(folder)
    if name is None or not (folder / "challenge.toml").is_file():
        return None
    return dataclasses.replace(
        load_challenge(folder, is_kit=True), kit_tests=read_kit_tests(folder)
    )


def rubric_summary(challenge: Challenge, rubric: ChallengeRubric) -> str:
    """A short markdown summary of how the challenge is graded."""
    lines = [
        f"# How `{challenge.name}` is graded",
        "",
        f"Score out of 100; pass mark {rubric.pass_mark:g}. Time estimate: "
        f"{challenge.time_estimate_minutes} minutes.",
        "",
        "| Category | Points | What it checks |",
        "|---|---:|---|",
    ]
    for cat, points in rubric_points(rubric):
        lines.append(f"| {cat.name} | {points:g} | {cat.description} |")
    lines += [
        "",
        'README.md ("How it is graded") states every rule each category checks.',
        "The public tests in tests/public are a sample; the grader also runs hidden tests in",
        "every category. Run `mlgrader check .` in this folder to run the public tests; its",
        "score totals only the categories the public tests cover, so it is not the graded one.",
    ]
    return "\n".join(lines) + "\n"


def rubric_points(rubric: ChallengeRubric) -> list[tuple[Category, float]]:
    """The categories a challenge grades and their points out of 100, as RUBRIC.md shows
    them (``validate`` checks that the reference's scorecard gives the same)."""
    total = sum(c.weight for c in rubric.categories.values()) or 1.0
    return [
        (cat, round(100 * cat.weight / total, 1))
        for cat in rubric.categories.values()
        if cat.weight > 0
    ]


def _copy_tree(source: Path, dest: Path) -> None:
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if "__pycache__" in rel.parts or any(p in SECRET_PARTS for p in rel.parts):
            continue
        target = dest / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
