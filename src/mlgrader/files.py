"""Writing reports safely, and packing folders for graders on other machines."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write a report so that readers, and a run killed half-way, never see half a file.

    The file gets the mode any new file of the user's gets (0644 under the usual umask
    022), not mkstemp's 0600: a hiring team shares these reports.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_problem(path: Path) -> str | None:
    """Why a report cannot be written to ``path``, in a few words, or None if it can.

    Asked before a grading starts, so a typo in ``--json`` costs a second, not a grading.
    The folders that do not exist yet are created (a report's folder is made anyway)
    and a file is really created and removed there: only that shows what the kernel
    allows (root may write anywhere by its permission bits, yet not in /proc).
    """
    if path.is_dir():
        return "is a folder; name a file"
    if path.exists() and not path.is_file():
        return "exists and is not a regular file"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        return f"cannot be written ({exc.strerror or type(exc).__name__})"
    os.close(fd)
    os.unlink(probe)
    if path.exists() and not os.access(path, os.W_OK):
        return "exists and is not writable"
    return None


def _umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def pack(folder: Path, arcname: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A gzipped tar of ``folder`` (caches left out) under ``arcname``, plus ``extra``
    files given by archive name and content."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=arcname, filter=_no_caches)
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack(data: bytes, dest: Path) -> None:
    """Extract a :func:`pack` archive into ``dest``, refusing links and paths outside it."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(dest, filter="data")
            return
        for member in tar.getmembers():
            name = Path(member.name)
            if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                raise ValueError(f"refusing archive member {member.name!r}")
        tar.extractall(dest)  # every member checked above


def _no_caches(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    parts = Path(info.name).parts
    return None if "__pycache__" in parts or ".pytest_cache" in parts else info
