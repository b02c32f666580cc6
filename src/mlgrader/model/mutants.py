"""A challenge's mutants as patches: build one from its reference and a strict unified diff.

A mutant folder holds ``expect.toml`` and either ``mutant.patch``, a unified diff
against the challenge's ``reference/`` (paths as git writes them, ``a/<file>`` and
``b/<file>`` relative to reference/, ``/dev/null`` for a new or deleted file), or,
for a whole rewrite, the mutant's own files. :func:`build_mutant` turns either
into a submission folder.

The patch is applied exactly: each hunk at the line its header names, every
context and removed line equal to the reference's, byte for byte (the line's
newline aside, which ``\\ No newline at end of file`` governs). There is no fuzz
and no search for a moved hunk, so a reference that has changed under a patch is
reported (file, hunk, line, what was expected and what was found), never applied
somewhere near. :func:`make_patch` writes such a patch from a reference and an
edited copy of it, as ``git diff --no-index --no-prefix a b`` does for a copy of
the reference in ``a/`` and the mutant in ``b/``.

Only the standard library and :mod:`mlgrader.errors`: every path is passed in.
"""

from __future__ import annotations

import difflib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mlgrader.errors import ChallengeError

PATCH = "mutant.patch"
EXPECT = "expect.toml"
DEV_NULL = "/dev/null"
NO_NEWLINE = "\\ No newline at end of file"
#: The command that writes a patch, named in every "does not apply" error.
REGENERATE = (
    "regenerate it with `git diff --no-index --no-prefix a b > mutant.patch` in a folder "
    "holding reference/ copied as a/ and, as b/, a copy with the flaw redone"
)
#: Files and folders never copied into a built mutant.
_IGNORED = ("__pycache__", "*.pyc", ".pytest_cache")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
#: git's extended header lines, which carry nothing a plain text patch needs.
_GIT_HEADERS = ("diff --git ", "index ", "new file mode ", "deleted file mode ")

#: One line of a file or a hunk: its text without the newline, and whether a newline ends it.
Line = tuple[str, bool]


@dataclass(frozen=True)
class Hunk:
    """One ``@@ -a,b +c,d @@`` block: where it starts and its tagged lines."""

    header: str
    old_start: int
    old_count: int
    new_count: int
    lines: tuple[tuple[str, Line], ...]  # (" " | "-" | "+", line)

    @property
    def old(self) -> list[Line]:
        return [line for tag, line in self.lines if tag != "+"]

    @property
    def new(self) -> list[Line]:
        return [line for tag, line in self.lines if tag != "-"]


@dataclass(frozen=True)
class FilePatch:
    """The hunks for one file; ``old`` is None for a new file, ``new`` None for a deletion."""

    old: str | None
    new: str | None
    hunks: tuple[Hunk, ...]

    @property
    def path(self) -> str:
        return self.old if self.old is not None else str(self.new)


def is_patch(mutant: Path) -> bool:
    """True when the mutant folder is a patch against the reference, not a folder of files."""
    return (mutant / PATCH).is_file()


def build_mutant(reference: Path, mutant: Path, dest: Path, name: str | None = None) -> Path:
    """Make ``dest`` (which must not exist) a submission holding the mutant; return ``dest``.

    A patch mutant is the reference copied, then ``mutant.patch`` applied exactly;
    a whole-rewrite mutant is its own files copied, ``expect.toml`` left out.
    ``name`` labels errors (default ``<challenge>/<flaw>`` from the folder names).
    Raises ChallengeError, with a one-line message naming the mutant, the file and
    the hunk, when the patch is malformed or does not apply.
    """
    label = f"mutant {name or f'{mutant.parent.parent.name}/{mutant.name}'}"
    if not is_patch(mutant):
        shutil.copytree(mutant, dest, ignore=shutil.ignore_patterns(EXPECT, *_IGNORED))
        return dest
    strays = sorted(
        p.name for p in mutant.iterdir() if p.name not in (PATCH, EXPECT, "__pycache__")
    )
    if strays:
        raise ChallengeError(
            f"{label}: has {PATCH} and also {', '.join(strays)}; a mutant is either a patch "
            f"against reference/ or a whole folder of files: delete the copies"
        )
    try:
        text = (mutant / PATCH).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChallengeError(f"{label}: cannot read {PATCH} ({exc})") from None
    patches = parse_patch(text, label)
    shutil.copytree(reference, dest, ignore=shutil.ignore_patterns(*_IGNORED))
    try:
        for patch in patches:
            _apply_to_folder(patch, dest, label)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return dest


def parse_patch(text: str, label: str = "patch") -> list[FilePatch]:
    """Read a unified diff; a line it does not expect raises ChallengeError naming it."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    patches: list[FilePatch] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(_GIT_HEADERS):
            i += 1
            continue
        if not line.startswith("--- "):
            raise _bad(label, i, line, "expected a '--- a/FILE' line (or git's diff/index lines)")
        if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
            raise _bad(label, i + 1, lines[i + 1] if i + 1 < len(lines) else "", "expected '+++ '")
        old = _path(line[4:], "a/", label, i)
        new = _path(lines[i + 1][4:], "b/", label, i + 1)
        if old is None and new is None:
            raise _bad(label, i, line, "both sides are /dev/null")
        if old is not None and new is not None and old != new:
            raise _bad(label, i + 1, lines[i + 1], f"renames {old}; a patch edits files in place")
        i += 2
        hunks: list[Hunk] = []
        while i < len(lines) and lines[i].startswith("@@"):
            hunk, i = _read_hunk(lines, i, label)
            hunks.append(hunk)
        if not hunks:
            raise _bad(label, i, lines[i] if i < len(lines) else "", "a file with no hunks")
        if i < len(lines) and lines[i][:1] in (" ", "+", "-") and not lines[i].startswith("--- "):
            raise _bad(label, i, lines[i], f"hunk {hunks[-1].header} has more lines than it counts")
        patches.append(FilePatch(old, new, tuple(hunks)))
    if not patches:
        raise ChallengeError(f"{label}: {PATCH} is empty; it must change at least one file")
    return patches


def apply_patch(original: str | None, patch: FilePatch, label: str = "patch") -> str | None:
    """The text of ``patch.path`` after ``patch``, from its text before (None: absent).

    Returns None when the patch deletes the file. Raises ChallengeError when a hunk
    does not match exactly.
    """
    where = f"{label}: {PATCH} does not apply to reference/{patch.path}"
    if patch.old is None and original is not None:
        raise ChallengeError(f"{where}: the patch adds it, but the reference already has it")
    if patch.old is not None and original is None:
        raise ChallengeError(f"{where}: the reference has no such file")
    lines = _split(original or "")
    out: list[Line] = []
    cursor = 0  # index into lines of the first line not yet copied
    for number, hunk in enumerate(patch.hunks, 1):
        at = f"{where}: hunk {number} ({hunk.header})"
        start = hunk.old_start - 1 if hunk.old_count else hunk.old_start
        if start < cursor:
            raise ChallengeError(f"{at} overlaps or precedes the hunk before it")
        if start > len(lines):
            raise ChallengeError(
                f"{at} starts at line {start + 1}, but the file has {len(lines)} lines"
            )
        out.extend(lines[cursor:start])
        for offset, want in enumerate(hunk.old):
            position = start + offset
            got = lines[position] if position < len(lines) else None
            if got != want:
                raise ChallengeError(
                    f"{at} expected line {position + 1} {_show(want, got)}; {REGENERATE}"
                )
        out.extend(hunk.new)
        cursor = start + len(hunk.old)
    out.extend(lines[cursor:])
    if patch.new is None:
        if out:
            raise ChallengeError(f"{where}: it deletes the file but leaves {len(out)} lines")
        return None
    if any(not newline for _, newline in out[:-1]):
        raise ChallengeError(f"{where}: '{NO_NEWLINE}' on a line that is not the last")
    return "".join(text + ("\n" if newline else "") for text, newline in out)


def make_patch(reference: Path, edited: Path) -> str:
    """A unified diff from ``reference`` to ``edited``, in the form :func:`build_mutant` reads."""
    old, new = _texts(reference), _texts(edited)
    chunks: list[str] = []
    for rel in sorted(old.keys() | new.keys()):
        before, after = old.get(rel), new.get(rel)
        if before == after:
            continue
        a = f"a/{rel}" if before is not None else DEV_NULL
        b = f"b/{rel}" if after is not None else DEV_NULL
        diff = difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            a,
            b,
            lineterm="\n",
        )
        for line in diff:
            chunks.append(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}\n")
    return "".join(chunks)


def _apply_to_folder(patch: FilePatch, root: Path, label: str) -> None:
    target = root / patch.path
    original = target.read_bytes().decode("utf-8") if target.is_file() else None
    result = apply_patch(original, patch, label)
    if result is None:
        target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(result.encode("utf-8"))


def _read_hunk(lines: list[str], i: int, label: str) -> tuple[Hunk, int]:
    match = _HUNK.match(lines[i])
    if match is None:
        raise _bad(label, i, lines[i], "expected a hunk header '@@ -A,B +C,D @@'")
    header = match.group(0)
    old_start = int(match.group(1))  # a strict applier places a hunk by its old side alone
    old_count = int(match.group(2)) if match.group(2) is not None else 1
    new_count = int(match.group(4)) if match.group(4) is not None else 1
    body: list[tuple[str, Line]] = []
    old_seen = new_seen = 0
    i += 1
    while old_seen < old_count or new_seen < new_count:
        if i >= len(lines):
            raise _bad(label, i, "", f"hunk {header} ends early (its header counts more lines)")
        raw = lines[i]
        tag, text = (raw[0], raw[1:]) if raw else (" ", "")  # an empty line: empty context
        if tag not in " -+":
            raise _bad(label, i, raw, f"hunk {header} has fewer lines than its header counts")
        old_seen += tag != "+"
        new_seen += tag != "-"
        body.append((tag, (text, True)))
        i += 1
        if i < len(lines) and lines[i] == NO_NEWLINE:
            body[-1] = (tag, (text, False))
            i += 1
    if old_seen != old_count or new_seen != new_count:
        raise _bad(label, i - 1, lines[i - 1], f"hunk {header}: its lines disagree with its counts")
    return Hunk(header, old_start, old_count, new_count, tuple(body)), i


def _path(raw: str, prefix: str, label: str, index: int) -> str | None:
    name = raw.split("\t", 1)[0]  # diff may put a timestamp after a tab
    if name == DEV_NULL:
        return None
    if not name.startswith(prefix):
        raise _bad(label, index, raw, f"expected a path that starts with '{prefix}' (git's form)")
    path = PurePosixPath(name[len(prefix) :])
    if not path.parts or path.is_absolute() or ".." in path.parts:
        raise _bad(label, index, raw, "expected a path inside reference/")
    return path.as_posix()


def _split(text: str) -> list[Line]:
    if not text:
        return []
    parts = text.split("\n")
    last = parts.pop()
    lines = [(part, True) for part in parts]
    if last:
        lines.append((last, False))
    return lines


def _show(want: Line, got: Line | None) -> str:
    expected = repr(want[0]) + ("" if want[1] else " (no newline at end of file)")
    if got is None:
        return f"{expected} but the file ends before it"
    if got[0] == want[0]:
        return f"{expected} but found it {'with' if got[1] else 'without'} a newline after it"
    return f"{expected} but found {got[0]!r}"


def _texts(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(_ignored(part) for part in p.relative_to(root).parts)
    }


def _ignored(part: str) -> bool:
    return part in ("__pycache__", ".pytest_cache", EXPECT, PATCH) or part.endswith(".pyc")


def _bad(label: str, index: int, line: str, problem: str) -> ChallengeError:
    shown = line if len(line) <= 60 else line[:57] + "..."
    return ChallengeError(f"{label}: {PATCH} line {index + 1} ({shown!r}): {problem}")
