"""mutants.py: a mutant built from reference/ and mutant.patch, applied exactly or not at all."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mlgrader.errors import ChallengeError
from mlgrader.model.mutants import build_mutant, is_patch, make_patch, parse_patch

LINES = [f"line {i}\n" for i in range(1, 31)]


def challenge(tmp_path: Path, files: dict[str, str], patch: str) -> tuple[Path, Path]:
    """A reference holding ``files`` and a mutant ``demo/flaw`` holding ``patch``."""
    reference = tmp_path / "demo" / "reference"
    for name, text in files.items():
        (reference / name).parent.mkdir(parents=True, exist_ok=True)
        (reference / name).write_bytes(text.encode())
    mutant = tmp_path / "demo" / "mutants" / "flaw"
    mutant.mkdir(parents=True)
    (mutant / "expect.toml").write_text('lose = ["correctness"]\n')
    (mutant / "mutant.patch").write_bytes(patch.encode())
    return reference, mutant


MULTI_HUNK = """\
diff --git a/mod.py b/mod.py
index 1111111..2222222 100644
--- a/mod.py
+++ b/mod.py
@@ -2,3 +2,4 @@
 line 2
-line 3
+LINE 3
+line 3b
 line 4
@@ -27,3 +28,2 @@ def section_names_are_ignored():
 line 27
-line 28
 line 29
"""


def test_multi_hunk_patch_applies_exactly(tmp_path: Path) -> None:
    """Two hunks land at the lines their headers name; the rest of the file is untouched."""
    reference, mutant = challenge(tmp_path, {"mod.py": "".join(LINES)}, MULTI_HUNK)
    out = build_mutant(reference, mutant, tmp_path / "out")
    expected = [*LINES[:2], "LINE 3\n", "line 3b\n", *LINES[3:27], *LINES[28:]]
    assert (out / "mod.py").read_text() == "".join(expected)
    assert sorted(p.name for p in out.iterdir()) == ["mod.py"]  # no expect.toml, no patch
    assert (reference / "mod.py").read_text() == "".join(LINES)  # the reference is untouched


def test_new_file_and_untouched_files(tmp_path: Path) -> None:
    """A --- /dev/null section adds a file (in a new folder too); other files are copied as is."""
    patch = """\
--- /dev/null
+++ b/pkg/extra.py
@@ -0,0 +1,2 @@
+def extra():
+    return 1
"""
    reference, mutant = challenge(tmp_path, {"mod.py": "x = 1\n"}, patch)
    out = build_mutant(reference, mutant, tmp_path / "out")
    assert (out / "pkg" / "extra.py").read_text() == "def extra():\n    return 1\n"
    assert (out / "mod.py").read_text() == "x = 1\n"


def test_no_newline_at_end_of_file(tmp_path: Path) -> None:
    """'\\ No newline at end of file' is honoured on both sides: removed and added."""
    patch = """\
--- a/mod.py
+++ b/mod.py
@@ -1,2 +1,2 @@
 a = 1
-b = 2
\\ No newline at end of file
+b = 3
"""
    reference, mutant = challenge(tmp_path, {"mod.py": "a = 1\nb = 2"}, patch)
    assert (build_mutant(reference, mutant, tmp_path / "o1") / "mod.py").read_text() == (
        "a = 1\nb = 3\n"
    )
    (mutant / "mutant.patch").write_text(
        "--- a/mod.py\n+++ b/mod.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
        "\\ No newline at end of file\n"
    )
    (reference / "mod.py").write_text("a = 1\nb = 2\n")
    assert (build_mutant(reference, mutant, tmp_path / "o2") / "mod.py").read_text() == (
        "a = 1\nb = 3"
    )


def test_missing_newline_is_a_mismatch(tmp_path: Path) -> None:
    """A patch that expects a newline at the end of the file does not apply to one without."""
    patch = "--- a/mod.py\n+++ b/mod.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
    reference, mutant = challenge(tmp_path, {"mod.py": "a = 1\nb = 2"}, patch)
    with pytest.raises(ChallengeError, match=r"line 2 'b = 2' but found it without a newline"):
        build_mutant(reference, mutant, tmp_path / "out")


def test_stale_context_names_mutant_file_hunk_and_line(tmp_path: Path) -> None:
    """A reference changed under the patch: one line naming the mutant, file, hunk and line."""
    changed = [*LINES]
    changed[27] = "line 28 (fixed in the reference)\n"
    reference, mutant = challenge(tmp_path, {"mod.py": "".join(changed)}, MULTI_HUNK)
    with pytest.raises(ChallengeError) as info:
        build_mutant(reference, mutant, tmp_path / "out")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(
        "mutant demo/flaw: mutant.patch does not apply to reference/mod.py: "
        "hunk 2 (@@ -27,3 +28,2 @@) expected line 28 'line 28' "
        "but found 'line 28 (fixed in the reference)'; "
    )
    assert "git diff --no-index --no-prefix a b" in message
    assert not (tmp_path / "out").exists()  # nothing half-built is left behind


def test_no_offset_tolerance(tmp_path: Path) -> None:
    """A hunk whose lines moved down by one (a line added above) is not searched for."""
    reference, mutant = challenge(tmp_path, {"mod.py": "# new\n" + "".join(LINES)}, MULTI_HUNK)
    with pytest.raises(ChallengeError, match=r"hunk 1 \(@@ -2,3 \+2,4 @@\) expected line 2"):
        build_mutant(reference, mutant, tmp_path / "out")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("--- a/gone.py\n+++ b/gone.py\n@@ -1 +1 @@\n-x\n+y\n", "reference has no such file"),
        ("--- /dev/null\n+++ b/mod.py\n@@ -0,0 +1 @@\n+y\n", "already has it"),
        ("--- a/mod.py\n+++ b/mod.py\n@@ -1,2 +1,2 @@\n-x = 1\n+x = 2\n", "ends early"),
        ("--- a/mod.py\n+++ b/mod.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n+x = 3\n", "more lines"),
        ("--- mod.py\n+++ mod.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n", "starts with 'a/'"),
        ("--- a/../mod.py\n+++ b/../mod.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n", "inside reference"),
        ("--- a/mod.py\n+++ b/new.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n", "renames mod.py"),
        ("", "is empty"),
        ("just some words\n", "expected a '--- a/FILE' line"),
    ],
)
def test_malformed_or_misplaced_patches(tmp_path: Path, patch: str, message: str) -> None:
    """Every way a patch can be wrong is a ChallengeError naming the mutant."""
    reference, mutant = challenge(tmp_path, {"mod.py": "x = 1\n"}, patch)
    with pytest.raises(ChallengeError, match=message) as info:
        build_mutant(reference, mutant, tmp_path / "out")
    assert str(info.value).startswith("mutant demo/flaw: ")


def test_patch_beside_copies_is_refused(tmp_path: Path) -> None:
    """A mutant with both a patch and files is one or the other: the copies must go."""
    patch = "--- a/mod.py\n+++ b/mod.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    reference, mutant = challenge(tmp_path, {"mod.py": "x = 1\n"}, patch)
    (mutant / "mod.py").write_text("x = 2\n")
    with pytest.raises(ChallengeError, match=r"has mutant.patch and also mod.py"):
        build_mutant(reference, mutant, tmp_path / "out")


def test_whole_folder_mutant_is_copied(tmp_path: Path) -> None:
    """A mutant without a patch is a whole rewrite: its files, without expect.toml."""
    reference, mutant = challenge(tmp_path, {"mod.py": "x = 1\n"}, "")
    (mutant / "mutant.patch").unlink()
    (mutant / "mod.py").write_text("x = 'rewritten'\n")
    assert not is_patch(mutant)
    out = build_mutant(reference, mutant, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == ["mod.py"]
    assert (out / "mod.py").read_text() == "x = 'rewritten'\n"


def test_make_patch_round_trips_and_git_agrees(tmp_path: Path) -> None:
    """make_patch's output rebuilds the edited copy, and `git apply` reads it the same way."""
    reference = tmp_path / "demo" / "reference"
    reference.mkdir(parents=True)
    (reference / "mod.py").write_text("".join(LINES))
    (reference / "tail.py").write_text("a\nb")
    (reference / "gone.py").write_text("bye\n")
    edited = tmp_path / "edited"
    shutil.copytree(reference, edited)
    (edited / "mod.py").write_text("".join([*LINES[:4], "changed\n", *LINES[5:-1]]))
    (edited / "tail.py").write_text("a\nc")
    (edited / "gone.py").unlink()
    (edited / "new.py").write_text("hello\n")
    text = make_patch(reference, edited)
    assert "\\ No newline at end of file" in text and "+++ /dev/null" in text
    assert [p.path for p in parse_patch(text)] == ["gone.py", "mod.py", "new.py", "tail.py"]
    mutant = tmp_path / "demo" / "mutants" / "flaw"
    mutant.mkdir(parents=True)
    (mutant / "mutant.patch").write_text(text)
    out = build_mutant(reference, mutant, tmp_path / "out")
    git = tmp_path / "git"
    shutil.copytree(reference, git)
    subprocess.run(["git", "apply", str(mutant / "mutant.patch")], cwd=git, check=True)
    for folder in (out, git):
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
            p.name: p.read_bytes() for p in edited.iterdir()
        }
