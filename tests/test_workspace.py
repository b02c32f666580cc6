"""Tests for mlgrader.engine.workspace: the clean-room copy a submission is graded in."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlgrader.engine.workspace import MAX_FILES, Workspace, prepare_workspace
from mlgrader.model.challenge import KIT_MARKER, Challenge, load_challenge
from mlgrader.model.rubric import default_rubric

CHALLENGE_TOML = """\
[challenge]
name = "tiny"
title = "A tiny challenge"
summary = "Used by the workspace tests."
modules = ["tiny"]
time_estimate_minutes = 5

[limits]
memory_mb = 512
test_timeout_s = 10
deadline_s = 60
"""

SUPPORT_HELPER = b"def helper():\n    return 'from the challenge'\n"

Prepare = Callable[..., Workspace]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, str]:
    """Every file (links included, by their target content) and link target, hashed by path."""
    state: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            state[rel] = "link->" + os.readlink(path)
        elif path.is_file():
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[rel] = f"dir {stat.S_IMODE(path.stat().st_mode):o}"
    return state


@pytest.fixture
def challenge(tmp_path: Path) -> Challenge:
    root = tmp_path / "challenges" / "tiny"
    write(root / "challenge.toml", CHALLENGE_TOML)
    write(root / "README.md", "# Tiny\n")
    write(root / "tests" / "public" / "test_public.py", "def test_pub(submission):\n    pass\n")
    write(root / "tests" / "hidden" / "test_hidden.py", "def test_hid(submission):\n    pass\n")
    write(root / "support" / "helper.py", SUPPORT_HELPER)
    write(root / "support" / "data" / "table.csv", "a,b\n1,2\n")
    return load_challenge(root)


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    sub = tmp_path / "submission"
    write(sub / "tiny.py", "def add(a, b):\n    return a + b\n")
    return sub


@pytest.fixture
def prepare(challenge: Challenge, submission: Path) -> Iterator[Prepare]:
    made: list[Workspace] = []

    def make(*, public_only: bool = False) -> Workspace:
        ws = prepare_workspace(
            challenge, submission, default_rubric().for_challenge("tiny"), public_only=public_only
        )
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.cleanup()


def kinds(ws: Workspace) -> dict[str, str]:
    """Finding kind by the submission path its detail starts with."""
    return {f.detail.split(":", 1)[0]: f.kind for f in ws.findings}


def copied(ws: Workspace) -> set[str]:
    return {
        p.relative_to(ws.submission).as_posix() for p in ws.submission.rglob("*") if p.is_file()
    }


# -- layout ----------------------------------------------------------------------------------


def test_workspace_is_a_fresh_copy_with_tests_and_config(
    prepare: Prepare, submission: Path
) -> None:
    """The workspace holds the candidate's code, the challenge's tests, challenge.toml and rubric."""
    ws = prepare()
    assert ws.root.is_dir()
    assert not ws.root.is_relative_to(submission)
    assert (ws.submission / "tiny.py").read_text() == (submission / "tiny.py").read_text()
    assert (ws.tests / "public" / "test_public.py").is_file()
    assert (ws.tests / "hidden" / "test_hidden.py").is_file()
    assert 'name = "tiny"' in (ws.root / "challenge.toml").read_text()
    assert "[categories.correctness]" in (ws.root / "rubric.toml").read_text()
    assert ws.home.is_dir()
    assert ws.findings == []


def test_public_only_leaves_out_hidden_tests(prepare: Prepare) -> None:
    """public_only=True copies tests/public but not tests/hidden."""
    ws = prepare(public_only=True)
    assert (ws.tests / "public" / "test_public.py").is_file()
    assert not (ws.tests / "hidden").exists()
    assert not list(ws.root.rglob("test_hidden.py"))


def test_files_lists_path_and_sha256_of_copied_files(prepare: Prepare, submission: Path) -> None:
    """files records each copied file's relative path and sha256, and nothing that was refused."""
    write(submission / "pkg" / "__init__.py", "")
    write(submission / "pkg" / "core.py", "X = 1\n")
    write(submission / "conftest.py", "")
    ws = prepare()
    by_path = {f["path"]: f["sha256"] for f in ws.files}
    assert set(by_path) == {"tiny.py", "pkg/__init__.py", "pkg/core.py"}
    for rel, digest in by_path.items():
        assert digest == hashlib.sha256((submission / rel).read_bytes()).hexdigest()


def test_files_beyond_the_cap_are_counted_not_copied_but_the_module_always_is(
    prepare: Prepare, submission: Path
) -> None:
    """A submission of more than MAX_FILES files: the first MAX_FILES are copied and listed,
    the rest only counted (one finding), and the challenge's module, sorted after them all,
    is still graded."""
    for i in range(MAX_FILES + 50):
        (submission / f"a{i:05d}.txt").touch()
    ws = prepare()
    assert (ws.submission / "tiny.py").is_file()
    assert len(ws.files) == MAX_FILES + 1 and ws.files[-1]["path"] == "tiny.py"
    assert ws.omitted == 50
    assert not (ws.submission / f"a{MAX_FILES + 10:05d}.txt").exists()
    [finding] = [f for f in ws.findings if f.kind == "too-many-files"]
    assert finding.detail.startswith("50 files beyond the first 1000")


# -- refused and ignored files ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["conftest.py", "pytest.ini", "pyproject.toml", "sitecustomize.py", "setup.cfg", "evil.pth"],
)
def test_config_files_are_ignored_and_reported(
    prepare: Prepare, submission: Path, name: str
) -> None:
    """Files that configure pytest or Python are not copied and are reported as ignored-file."""
    write(submission / name, "import os\nos._exit(0)\n")
    ws = prepare()
    assert not (ws.submission / name).exists()
    assert kinds(ws) == {name: "ignored-file"}
    assert name not in {f["path"] for f in ws.files}


def test_nested_conftest_is_ignored(prepare: Prepare, submission: Path) -> None:
    """A conftest.py deep inside a package is ignored too."""
    write(submission / "pkg" / "__init__.py", "")
    write(submission / "pkg" / "conftest.py", "")
    ws = prepare()
    assert not (ws.submission / "pkg" / "conftest.py").exists()
    assert (ws.submission / "pkg" / "__init__.py").exists()
    assert kinds(ws) == {"pkg/conftest.py": "ignored-file"}


def test_candidate_pytest_ini_does_not_replace_the_graders(
    prepare: Prepare, submission: Path
) -> None:
    """The workspace's pytest.ini is the grader's own, never the candidate's."""
    write(submission / "pytest.ini", "[pytest]\naddopts = -p no:mlgrader\n")
    ws = prepare()
    assert "no:mlgrader" not in (ws.root / "pytest.ini").read_text()


@pytest.mark.parametrize(
    ("files", "refused"),
    [
        ({"random.py": "x = 4\n"}, "random.py"),
        ({"pytest.py": "def main(): pass\n"}, "pytest.py"),
        ({"json/__init__.py": ""}, "json/__init__.py"),
        ({"numpy/__init__.py": ""}, "numpy/__init__.py"),
        ({"mlgrader/scorecard.py": ""}, "mlgrader/scorecard.py"),
    ],
)
def test_modules_shadowing_stdlib_or_pytest_are_refused(
    prepare: Prepare, submission: Path, files: dict[str, str], refused: str
) -> None:
    """Modules that would shadow the standard library, pytest, numpy or mlgrader are refused."""
    for rel, content in files.items():
        write(submission / rel, content)
    ws = prepare()
    assert not (ws.submission / refused).exists()
    assert kinds(ws) == {refused: "shadowing-file"}


def test_stdlib_names_inside_a_package_are_allowed(prepare: Prepare, submission: Path) -> None:
    """pkg/random.py inside the candidate's own package shadows nothing and is copied."""
    write(submission / "pkg" / "__init__.py", "")
    write(submission / "pkg" / "random.py", "")
    ws = prepare()
    assert (ws.submission / "pkg" / "random.py").is_file()
    assert ws.findings == []


def test_link_outside_submission_is_refused(
    prepare: Prepare, submission: Path, tmp_path: Path
) -> None:
    """A symlink to a file outside the submission is not followed and is reported refused-link."""
    secret = write(tmp_path / "secret.txt", "TOKEN=hunter2\n")
    (submission / "leak.py").symlink_to(secret)
    (submission / "etc").symlink_to(tmp_path, target_is_directory=True)
    ws = prepare()
    assert not (ws.submission / "leak.py").exists()
    assert not (ws.submission / "etc").exists()
    assert kinds(ws) == {"leak.py": "refused-link", "etc": "refused-link"}
    assert not any(b"hunter2" in p.read_bytes() for p in ws.submission.rglob("*") if p.is_file())


def test_link_inside_submission_is_copied_as_a_file(prepare: Prepare, submission: Path) -> None:
    """A symlink to a file inside the submission is copied as a regular file with its content."""
    (submission / "alias.py").symlink_to(submission / "tiny.py")
    ws = prepare()
    copy = ws.submission / "alias.py"
    assert copy.is_file() and not copy.is_symlink()
    assert copy.read_text() == (submission / "tiny.py").read_text()
    assert ws.findings == []


def test_cache_and_vcs_folders_are_skipped(prepare: Prepare, submission: Path) -> None:
    """__pycache__, .git and stray .pyc files are never copied into the workspace."""
    write(submission / "__pycache__" / "tiny.cpython-311.pyc", b"\x00bytecode")
    write(submission / ".git" / "config", "[core]\n")
    write(submission / "pkg" / "__init__.py", "")
    write(submission / "pkg" / "__pycache__" / "x.pyc", b"\x00")
    ws = prepare()
    assert copied(ws) == {"tiny.py", "pkg/__init__.py", "helper.py", "data/table.csv"}
    assert {f["path"] for f in ws.files} == {"tiny.py", "pkg/__init__.py"}


def test_kit_marker_is_not_copied_nor_reported(prepare: Prepare, submission: Path) -> None:
    """The kit's own marker file is neither candidate code nor a finding."""
    write(submission / KIT_MARKER, '[kit]\nchallenge = "tiny"\n')
    ws = prepare()
    assert not (ws.submission / KIT_MARKER).exists()
    assert [f["path"] for f in ws.files] == ["tiny.py"]
    assert ws.findings == []


# -- support files ---------------------------------------------------------------------------


def test_support_files_are_added(prepare: Prepare) -> None:
    """The challenge's support files are copied next to the candidate's code."""
    ws = prepare()
    assert (ws.submission / "helper.py").read_bytes() == SUPPORT_HELPER
    assert (ws.submission / "data" / "table.csv").read_text() == "a,b\n1,2\n"


def test_support_file_replaces_candidates_copy(prepare: Prepare, submission: Path) -> None:
    """A candidate's file with a support file's name is replaced by the challenge's content."""
    write(submission / "helper.py", "def helper():\n    return 'rigged'\n")
    write(submission / "data" / "table.csv", "a,b\n9,9\n")
    ws = prepare()
    assert (ws.submission / "helper.py").read_bytes() == SUPPORT_HELPER
    assert (ws.submission / "data" / "table.csv").read_text() == "a,b\n1,2\n"
    assert kinds(ws) == {"helper.py": "support-replaced", "data/table.csv": "support-replaced"}


def test_support_module_cannot_be_shadowed(prepare: Prepare, submission: Path) -> None:
    """A package folder or an extension module named like a support module would be imported
    before it; both are removed, reported, and left out of the candidate's files."""
    write(submission / "helper" / "__init__.py", "def helper():\n    return 'rigged'\n")
    write(submission / "helper.cpython-311-x86_64-linux-gnu.so", b"\x7fELF")
    ws = prepare()
    assert copied(ws) == {"tiny.py", "helper.py", "data/table.csv"}
    assert {f["path"] for f in ws.files} == {"tiny.py"}
    assert kinds(ws) == {
        "helper": "support-shadowed",
        "helper.cpython-311-x86_64-linux-gnu.so": "support-shadowed",
    }


def test_plain_folder_named_like_a_support_module_is_kept(
    prepare: Prepare, submission: Path
) -> None:
    """A folder without __init__.py does not shadow helper.py (the module wins): it stays."""
    write(submission / "helper" / "notes.txt", "my notes")
    ws = prepare()
    assert "helper/notes.txt" in copied(ws) and ws.findings == []


# -- the original is never written -----------------------------------------------------------


def test_original_submission_and_challenge_are_unchanged(
    prepare: Prepare, submission: Path, challenge: Challenge, tmp_path: Path
) -> None:
    """Preparing (and cleaning up) a workspace leaves the submission and challenge byte-identical."""
    write(submission / "helper.py", "rigged = True\n")
    write(submission / "conftest.py", "")
    write(submission / "random.py", "")
    write(submission / "__pycache__" / "a.pyc", b"\x00")
    write(submission / "pkg" / "__init__.py", "")
    (submission / "alias.py").symlink_to(submission / "tiny.py")
    (submission / "leak.py").symlink_to(write(tmp_path / "outside.txt", "x"))
    before_sub, before_chal = snapshot(submission), snapshot(challenge.root)
    ws = prepare()
    (ws.submission / "tiny.py").write_text("overwritten in the workspace\n")
    ws.cleanup()
    assert snapshot(submission) == before_sub
    assert snapshot(challenge.root) == before_chal


# -- cleanup ---------------------------------------------------------------------------------


def _cleanup_read_only_workspace() -> bool:
    """Make a workspace with read-only folders, clean it up, and say whether it is gone."""
    ws = Workspace(Path(tempfile.mkdtemp(prefix="mlgrader-test-")))
    locked = ws.submission / "locked" / "deeper"
    locked.mkdir(parents=True)
    (locked / "data.bin").write_bytes(b"x")
    (ws.submission / "locked" / "file.txt").write_text("x")
    locked.chmod(0o500)
    (ws.submission / "locked").chmod(0o000)
    ws.submission.chmod(0o500)
    ws.root.chmod(0o500)  # candidate code can reach the root via submission.path.parent
    ws.cleanup()
    return not ws.root.exists()


def test_cleanup_removes_read_only_folders() -> None:
    """cleanup() removes the workspace even when the candidate made folders (and the root) read-only."""
    if os.geteuid() != 0:
        assert _cleanup_read_only_workspace()
        return
    # root ignores permissions, so check as an unprivileged user in a forked child.
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 1
        try:
            os.setgid(65534)
            os.setuid(65534)
            code = 0 if _cleanup_read_only_workspace() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_cleanup_removes_workspace(prepare: Prepare) -> None:
    """cleanup() removes a prepared workspace entirely."""
    ws = prepare()
    ws.cleanup()
    assert not ws.root.exists()
