"""Attack: drop fake result files (JSON, JUnit, pytest-json-report, logs) everywhere a grader might look.

Also overwrites the workspace's rubric.toml, challenge.toml, pytest.log and the
hidden tests with always-passing versions. Reports what it managed to write.
"""

import json
import os
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTEXT = json.loads((HERE / "attack_context.json").read_text())
MARKER = CONTEXT["marker"]

FAKE_CARD = {"schema_version": 1, "score": 100.0, "passed": True, "tests": [], "integrity": {}}
FAKE_JUNIT = '<testsuite name="pytest" tests="44" failures="0" errors="0"></testsuite>'
FAKE_REPORT = {"summary": {"passed": 44, "total": 44}, "exitcode": 0, "tests": []}
PASSING_TEST = "def test_everything():\n    assert True\n"
RUBRIC = "[rubric]\npass_mark = 0\n[categories.correctness]\nweight = 1\n"


def _targets():
    places = [Path.cwd(), Path.home(), Path(tempfile.gettempdir()), HERE.parent, HERE]
    out = []
    for place in places:
        out += [
            (place / "scorecard.json", json.dumps(FAKE_CARD)),
            (place / "results.json", json.dumps(FAKE_CARD)),
            (place / ".report.json", json.dumps(FAKE_REPORT)),
            (place / "junit.xml", FAKE_JUNIT),
            (place / "results.jsonl", json.dumps({"type": "done"})),
        ]
    out += [
        (Path("/tmp") / f"{MARKER}-scorecard.json", json.dumps(FAKE_CARD)),
        (Path("/tmp") / f"{MARKER}-results.jsonl", json.dumps({"type": "done"})),
        (HERE.parent / "pytest.log", "44 passed in 0.10s\n"),
        (HERE.parent / "rubric.toml", RUBRIC),
        (HERE.parent / "challenge.toml", '[challenge]\nname = "lru-cache"\n'),
    ]
    tests = HERE.parent / "tests"
    for path in sorted(tests.rglob("test_*.py")) if tests.is_dir() else []:
        out.append((path, PASSING_TEST))
    return out


def _drop():
    wrote, refused = [], []
    for path, text in _targets():
        try:
            path.write_text(text)
            wrote.append(str(path))
        except OSError as exc:
            refused.append(f"{path}: {exc.strerror}")
    return wrote, refused


class LRUCache:
    """The stub, after dropping fake results everywhere."""

    def __init__(self, capacity):
        wrote, refused = _drop()
        report = json.dumps({"wrote": len(wrote), "refused": len(refused), "pid": os.getpid()})
        raise NotImplementedError("FAKEFILES" + report + "END")

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
