"""Challenges on disk: finding them, reading challenge.toml, and candidate-kit markers.

A challenge is a folder (docs/writing-challenges.md) with challenge.toml, a statement, a stub,
support code, public and hidden tests, a reference and mutants. A candidate kit
made by ``mlgrader init`` has the same shape minus everything secret, plus a
marker file naming the challenge, so ``mlgrader check`` works from the kit alone.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgrader.errors import ChallengeError, UserInputError
from mlgrader.model.dependencies import Dependencies, load_dependencies
from mlgrader.model.limits import Limits
from mlgrader.model.owntests import OwnTests, load_own_tests
from mlgrader.model.rubric import Rubric, default_rubric, load_rubric

KIT_MARKER = ".mlgrader-kit.toml"

#: Plain ``pytest`` in a kit runs the public tests (and the candidate's own) on the kit's code.
KIT_PYTEST_INI = """\
# Plain `pytest` in this folder runs the public tests, and any tests of your own, against
# the code in this folder, with the mlgrader plugin (which `mlgrader check` also uses).
[pytest]
addopts = --mlgrader --mlgrader-submission .
testpaths = tests
pythonpath = .
"""


@dataclass(frozen=True)
class Challenge:
    """One challenge folder, read and checked."""

    name: str
    title: str
    summary: str
    root: Path
    modules: tuple[str, ...]
    time_estimate_minutes: int
    tags: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    is_kit: bool = False
    #: Candidate code runs in a process of its own behind references (the process boundary,
    #: docs/security.md). ``boundary = false`` in challenge.toml imports it into each test's
    #: own process instead: weaker (candidate code can reach the judge there), kept for
    #: challenges written before the boundary and for measuring its cost.
    boundary: bool = True
    #: In a kit: the test files it shipped with (paths relative to the kit), the only ones
    #: ``check`` runs; a candidate's own tests beside them are theirs to run with pytest.
    #: None for an older kit that did not record them (every file in tests/public runs).
    kit_tests: tuple[str, ...] | None = None
    #: ``[testing]``: the candidate's own tests are graded against these chaffs (None: not).
    own_tests: OwnTests | None = None
    #: ``notebook = true``: ``mlgrader init --notebook`` may hand out the stub as a notebook
    #: (any submission may hand a module in as one; model/notebooks.py).
    notebook: bool = False
    #: ``[dependencies]``: the packages candidate code may import beyond the standard
    #: library (model/dependencies.py); None: no allowed-imports rule.
    dependencies: Dependencies | None = None

    @property
    def public_tests(self) -> Path:
        return self.root / "tests" / "public"

    @property
    def hidden_tests(self) -> Path:
        return self.root / "tests" / "hidden"

    @property
    def support(self) -> Path:
        return self.root / "support"

    @property
    def support_modules(self) -> tuple[str, ...]:
        """The challenge's own modules (trusted code): the tests import them in their process."""
        if not self.support.is_dir():
            return ()
        return tuple(sorted(p.stem for p in self.support.glob("*.py")))

    @property
    def followups(self) -> Path:
        """The follow-up prompts for interviewers (model/followups.py), if the challenge has any."""
        return self.root / "followups.toml"

    @property
    def stub(self) -> Path:
        return self.root / "stub"

    @property
    def reference(self) -> Path:
        return self.root / "reference"

    def mutants(self) -> list[Path]:
        """Mutant folders, sorted by name: each holds expect.toml and a mutant.patch against
        reference/ (or a whole rewrite's files); mutants.build_mutant makes one a submission."""
        return self._folders("mutants")

    def solutions(self) -> list[Path]:
        """Independent solutions, sorted by name: each a submission written from the kit alone,
        with an expect.toml giving the score band it must land in (validate checks it)."""
        return self._folders("solutions")

    def _folders(self, name: str) -> list[Path]:
        folder = self.root / name
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def rubric(self) -> Rubric:
        """The rubric that governs this challenge.

        A kit carries its own rubric.toml; a challenge in a repository uses the
        rubric.toml inside its challenges folder, else the one beside that folder.
        """
        if self.is_kit:
            places = [self.root / "rubric.toml"]
        else:
            places = [self.root.parent / "rubric.toml", self.root.parent.parent / "rubric.toml"]
        for place in places:
            if place.is_file():
                return load_rubric(place)
        return default_rubric()


def load_challenge(folder: Path, *, is_kit: bool = False) -> Challenge:
    """Read and validate ``folder/challenge.toml``."""
    path = folder / "challenge.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ChallengeError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChallengeError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    head = _table(data, "challenge", path)
    limits = _table(data, "limits", path, required=False)
    name = _get(head, "challenge.name", str, path)
    modules = _get(head, "challenge.modules", list, path)
    if not modules or not all(isinstance(m, str) and m.isidentifier() for m in modules):
        raise ChallengeError(
            f"{path}: challenge.modules: expected a list of module names, got {modules!r}"
        )
    return Challenge(
        name=name,
        title=_get(head, "challenge.title", str, path),
        summary=head.get("summary", ""),
        root=folder,
        modules=tuple(modules),
        time_estimate_minutes=_get(head, "challenge.time_estimate_minutes", int, path),
        tags=tuple(head.get("tags", ())),
        limits=_limits(limits, path),
        is_kit=is_kit,
        boundary=_get_bool(head, "boundary", path, default=True),
        notebook=_get_bool(head, "notebook", path),
        own_tests=None if is_kit else load_own_tests(data.get("testing"), path),
        dependencies=load_dependencies(data.get("dependencies"), path),
    )


def read_kit_marker(submission: Path) -> str | None:
    """The challenge name recorded in a candidate kit's marker file, if there is one."""
    data = _kit_table(submission)
    if data is None:
        return None
    name = data.get("challenge")
    marker = submission / KIT_MARKER
    if not isinstance(name, str):
        raise ChallengeError(
            f"{marker}: kit.challenge: expected a challenge name; pass --challenge NAME"
        )
    return name


def read_kit_tests(kit: Path) -> tuple[str, ...] | None:
    """The test files a kit shipped with, as its marker lists them (None: not listed)."""
    data = _kit_table(kit)
    tests = None if data is None else data.get("tests")
    if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
        return None
    return tuple(tests)


def _kit_table(submission: Path) -> dict[str, Any] | None:
    """The ``[kit]`` table of a kit's marker file; None when there is no marker."""
    marker = submission / KIT_MARKER
    if not marker.is_file():
        return None
    try:
        data = tomllib.loads(marker.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ChallengeError(
            f"{marker}: unreadable kit marker ({exc}); pass --challenge NAME"
        ) from None
    table = data.get("kit", {})
    return table if isinstance(table, dict) else {}


def _limits(table: dict[str, Any], path: Path) -> Limits:
    try:
        return Limits.from_table(table, str(path))
    except UserInputError as exc:
        raise ChallengeError(str(exc)) from None


def _table(data: dict[str, Any], key: str, path: Path, *, required: bool = True) -> dict[str, Any]:
    value = data.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ChallengeError(f"{path}: [{key}]: expected a table, got {value!r}")
    return value


def _get_bool(table: dict[str, Any], key: str, path: Path, default: bool = False) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ChallengeError(f"{path}: challenge.{key}: expected true or false, got {value!r}")
    return value


def _get(table: dict[str, Any], key: str, kind: type, path: Path) -> Any:
    name = key.rsplit(".", 1)[-1]
    if name not in table:
        raise ChallengeError(f"{path}: {key} is missing; add it ({kind.__name__})")
    value = table[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ChallengeError(f"{path}: {key}: expected {kind.__name__}, got {value!r}")
    return value
