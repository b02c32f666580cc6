"""files.py: atomic writes, and archives for remote graders that refuse to escape their folder."""

from __future__ import annotations

import contextlib
import io
import tarfile
from pathlib import Path

import pytest

from mlgrader.files import pack, unpack, write_atomic


def test_write_atomic_replaces_whole_and_leaves_no_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "out" / "card.json"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["card.json"]


def test_pack_and_unpack_round_trip_without_caches(tmp_path: Path) -> None:
    src = tmp_path / "sub"
    (src / "pkg" / "__pycache__").mkdir(parents=True)
    (src / "mod.py").write_text("x = 1\n")
    (src / "pkg" / "__init__.py").write_text("")
    (src / "pkg" / "__pycache__" / "mod.pyc").write_bytes(b"\0")
    unpack(pack(src, "code", {"rubric.toml": b"[rubric]\n"}), tmp_path / "dest")
    files = {p.relative_to(tmp_path / "dest").as_posix() for p in (tmp_path / "dest").rglob("*")}
    assert files == {"code", "code/mod.py", "code/pkg", "code/pkg/__init__.py", "rubric.toml"}


@pytest.mark.parametrize("name", ["../escape.py", "/abs/escape.py"])
def test_unpack_never_writes_outside_the_folder(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    # refused outright, or (an absolute name) kept inside the folder
    with contextlib.suppress(tarfile.TarError, ValueError):
        unpack(buffer.getvalue(), tmp_path / "dest")
    outside = [p for p in (tmp_path / "escape.py", Path("/abs/escape.py")) if p.exists()]
    assert not outside
