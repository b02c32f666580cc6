"""The integrity scan: each kind of tampering is found on its line; honest code is left alone."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from mlgrader.model.findings import Finding
from mlgrader.sandbox.scan import (
    MAX_SCAN_BYTES,
    scan_paths,
    scan_source,
    scan_submission,
    summarize,
)


def found(source: str) -> list[tuple[str, int]]:
    """(kind, line) of every finding in a dedented snippet."""
    return [(f.kind, f.line) for f in scan_source(textwrap.dedent(source), "mod.py")]


CLEAN_LRU = '''
"""An LRU cache that is safe to share between threads."""

from __future__ import annotations

import logging
import os
import os.path
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar
import re

K = TypeVar("K")
V = TypeVar("V")
log = logging.getLogger(__name__)
PATTERN = re.compile(r"\\d+")


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Stats):
            return NotImplemented
        return (self.hits, self.misses) == (other.hits, other.misses)


class LRUCache(Generic[K, V]):
    """get and put in O(1); evicts the least recently used key."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.stats = Stats()

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._data:
                self.stats.misses += 1
                return None
            self._data.move_to_end(key)
            self.stats.hits += 1
            return self._data[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                evicted, _ = self._data.popitem(last=False)
                log.debug(f"evicted {evicted!r}; check {len(self._data)} passed")

    def __len__(self) -> int:
        return len(self._data)


def compile(rules: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(rule) for rule in rules]


def warm(cache: LRUCache[str, str], folder: str) -> None:
    started = time.perf_counter()
    for name in sorted(os.listdir(folder)):
        cache.put(name, os.path.join(folder, name))
    if "numpy" in sys.modules and sys.modules.get("numpy") is not None:
        log.info("numpy present")
    print(f"warmed {len(cache)} entries in {time.perf_counter() - started:.3f}s", file=sys.stderr)
    model = object()
    getattr(model, "eval", None)


@lru_cache(maxsize=None)
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)
'''


def test_clean_realistic_code_has_no_findings() -> None:
    """An LRU cache with threading.Lock, os.path, a local compile() and f-strings is clean."""
    assert scan_source(CLEAN_LRU, "lru.py") == []


@pytest.mark.parametrize(
    ("source", "severity"),
    [
        ("import pytest", "suspicious"),
        ("from _pytest.reports import TestReport", "violated"),
        ("import pluggy as hooks", "violated"),
    ],
)
def test_test_framework_imports(source: str, severity: str) -> None:
    """Importing pytest is suspicious; pytest's internals (_pytest, pluggy) are a violation."""
    [finding] = scan_source("x = 1\n" + source + "\n", "mod.py")
    assert (finding.kind, finding.line, finding.severity) == ("test-framework-import", 2, severity)


def test_python_hidden_in_other_files_and_loaded_is_violated(tmp_path: Path) -> None:
    """Code kept in a .dat file and run with runpy is a violation; the .dat alone is suspicious."""
    (tmp_path / "impl.dat").write_text("import os\ndef get():\n    return 1\n")
    (tmp_path / "notes.txt").write_text("Remember: get() is O(1).\n")
    (tmp_path / "lru_cache.py").write_text("x = 1\n")
    only_hidden = scan_submission(tmp_path, ["impl.dat", "notes.txt", "lru_cache.py"])
    assert [(f.kind, f.file, f.severity) for f in only_hidden] == [
        ("hidden-code", "impl.dat", "suspicious")
    ]
    (tmp_path / "lru_cache.py").write_text("import runpy\nrunpy.run_path('impl.dat')\n")
    loaded = scan_submission(tmp_path, ["impl.dat", "notes.txt", "lru_cache.py"])
    assert ("hidden-code", "violated") in {(f.kind, f.severity) for f in loaded}


@pytest.mark.parametrize(
    "module",
    ["gc", "inspect", "ctypes", "importlib", "builtins", "atexit", "faulthandler", "signal"],
)
def test_introspection_modules(module: str) -> None:
    """Importing a module that reaches into the interpreter is suspicious, in either form."""
    assert found(f"import {module}\nfrom {module} import x\n") == [
        ("introspection", 1),
        ("introspection", 2),
    ]
    assert module in scan_source(f"import {module}.sub", "m.py")[0].detail


def test_tracing_and_frames() -> None:
    """sys.settrace/setprofile/_getframe/gettrace and threading.settrace, however named.

    gettrace is there because code that sees the complexity engine's bytecode counter
    could do less work while it is counted.
    """
    source = """\
    import sys
    import sys as s
    import threading
    from sys import settrace as st
    sys.settrace(None)
    s.setprofile(None)
    frame = sys._getframe(1)
    threading.settrace(print)
    getattr(sys, "_getframe")(1)
    counted = sys.gettrace() is not None
    """
    assert found(source) == [("introspection", n) for n in (4, 5, 6, 7, 8, 9, 10)]


def test_sys_modules_mutation() -> None:
    """Writing to sys.modules, or into a module through it, is suspicious; reading is fine."""
    source = """\
    import sys
    sys.modules["json"] = object()
    del sys.modules["json"]
    sys.modules.pop("json", None)
    sys.modules["json"].dumps = repr
    setattr(sys.modules["json"], "dumps", repr)
    sys.modules.update({})
    numpy = sys.modules.get("numpy")
    present = "numpy" in sys.modules
    """
    assert found(source) == [("introspection", n) for n in (2, 3, 4, 5, 6, 7)]


def test_dynamic_code() -> None:
    """exec, eval, compile and __import__ are flagged; re.compile and model.eval are not."""
    source = """\
    import re
    exec("x = 1")
    y = eval("1 + 1")
    code = compile("1", "f", "eval")
    m = __import__("os")
    run = eval
    pattern = re.compile("a+")
    model = object()
    model.eval()
    """
    assert found(source) == [("dynamic-code", n) for n in (2, 3, 4, 5, 6)]


def test_process_control() -> None:
    """Exits, kills, forks and new sessions, via os, from-imports, star imports or subprocess."""
    source = """\
    import os
    import subprocess
    from os import _exit
    os._exit(0)
    os.kill(1, 9)
    os.killpg(0, 9)
    pid = os.fork()
    os.setsid()
    subprocess.Popen(["sleep", "9"], start_new_session=True)
    subprocess.run(["ls"], start_new_session=False)
    subprocess.run(["ls"], preexec_fn=None)
    """
    assert found(source) == [("process-control", n) for n in (3, 4, 5, 6, 7, 8, 9)]
    assert found("from os import *\n_exit(1)\n") == [("process-control", 2)]


def test_proc_access() -> None:
    """/proc paths in strings are flagged (str and bytes); a docstring mentioning one is not."""
    source = '''\
    def peek():
        """Read /proc/self/status when available."""
        with open("/proc/self/status") as f:
            return f.read()
    MEM = b"/proc/1/mem"
    FD = f"/proc/{1}/fd/1"
    NOT_PROC = "/processes/list"
    '''
    assert found(source) == [("proc-access", 3), ("proc-access", 5), ("proc-access", 6)]


def test_always_equal() -> None:
    """__eq__ returning a constant True, __ne__ a constant False, also as a lambda."""
    source = """\
    class Anything:
        def __eq__(self, other):
            return True

    class NeverDifferent:
        def __ne__(self, other):
            return False

    class Lambda:
        __eq__ = lambda self, other: True

    class Honest:
        def __eq__(self, other):
            if not isinstance(other, Honest):
                return NotImplemented
            return True
    """
    assert found(source) == [("always-equal", 2), ("always-equal", 6), ("always-equal", 10)]
    detail = scan_source(textwrap.dedent(source), "m.py")[0].detail
    assert "Anything" in detail and "__eq__" in detail


def test_pytest_hooks_are_violations() -> None:
    """Module-level pytest_* functions (also under if, and as methods) violate integrity."""
    source = """\
    def pytest_runtest_makereport(item, call):
        pass

    if True:
        def pytest_collection_modifyitems(items):
            pass

    class Plugin:
        def pytest_runtest_logreport(self, report):
            pass

    def helper():
        def pytest_inner():
            pass
    """
    findings = scan_source(textwrap.dedent(source), "mod.py")
    assert [(f.kind, f.line, f.severity) for f in findings] == [
        ("pytest-hook", 1, "violated"),
        ("pytest-hook", 5, "violated"),
        ("pytest-hook", 9, "violated"),
    ]
    assert "pytest_runtest_makereport" in findings[0].detail


def test_forged_reports_are_violations() -> None:
    """Strings shaped like a pytest summary or a passed-outcome record violate integrity."""
    source = """\
    print("==== 12 passed in 0.03s ====")
    n, t = 3, 0.1
    print(f"{n} passed in {t:.2f}s")
    LINE = '{"outcome": "passed", "nodeid": "x"}'
    RECORD = {"when": "call", "outcome": "passed"}
    report = object()
    report.outcome = "passed"
    print("tests/test_x.py::test_a PASSED")
    status = f"check {n} passed"

    def doc():
        '''Prints a summary such as 7 passed in 0.1s.'''
    """
    findings = scan_source(textwrap.dedent(source), "mod.py")
    assert [(f.kind, f.line) for f in findings] == [
        ("forged-report", n) for n in (1, 3, 4, 5, 7, 8)
    ]
    assert {f.severity for f in findings} == {"violated"}


def test_syntax_error_yields_nothing() -> None:
    """A file that does not parse is reported by the tests, not here."""
    assert scan_source("def broken(:\n    import gc\n", "bad.py") == []


def test_deep_nesting_does_not_crash() -> None:
    """Deep but valid code is scanned; code too deep to parse is flagged, never a crash."""
    assert found("x = " + "-" * 500 + "eval('1')\n") == [("dynamic-code", 1)]
    assert found("x = " + "-" * 2990 + "1\n") in ([], [("unscannable", 1)])


def test_scan_paths_names_files_relative_to_root(tmp_path: Path) -> None:
    """Files are named by posix paths relative to root; unreadable ones are skipped."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "sneaky.py").write_text("import os\n\nos._exit(0)\n")
    (tmp_path / "clean.py").write_text("import threading\n")
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nS = '\xe9'\nimport gc\n")
    paths = [tmp_path / "clean.py", tmp_path / "pkg" / "sneaky.py", tmp_path / "latin.py"]
    findings = scan_paths([*paths, tmp_path / "missing.py"], tmp_path)
    assert [(f.file, f.line, f.kind) for f in findings] == [
        ("pkg/sneaky.py", 3, "process-control"),
        ("latin.py", 3, "introspection"),
    ]
    assert str(findings[0]) == f"pkg/sneaky.py:3: {findings[0].detail}"
    assert findings[0].to_dict() == {
        "kind": "process-control",
        "detail": findings[0].detail,
        "severity": "suspicious",
        "file": "pkg/sneaky.py",
        "line": 3,
    }


def test_summarize_takes_the_worst_severity() -> None:
    """ok without findings; violated beats suspicious whatever the order."""

    def finding(severity: str) -> Finding:
        return Finding("k", "d", severity, "f.py", 1)  # type: ignore[arg-type]

    assert summarize([]) == "ok"
    assert summarize([finding("suspicious")]) == "suspicious"
    assert summarize([finding("violated"), finding("suspicious")]) == "violated"
    assert summarize(iter([finding("suspicious"), finding("violated")])) == "violated"


def test_a_file_with_a_codec_cookie_python_cannot_read_is_a_finding(tmp_path: Path) -> None:
    """``# coding: rot13`` (not a text codec) and an unknown codec are findings, not a crash
    that loses the whole grading."""
    (tmp_path / "rot.py").write_text("# coding: rot13\nvzcbeg bf\n")
    (tmp_path / "odd.py").write_text("# coding: no-such-codec\nx = 1\n")
    found = {(f.file, f.kind, f.severity) for f in scan_paths(sorted(tmp_path.iterdir()), tmp_path)}
    assert found == {
        ("odd.py", "unscannable", "suspicious"),
        ("rot.py", "unscannable", "suspicious"),
    }


@pytest.mark.full  # 5-6 s of timing: the full tier's, to keep the quick tier under 2 minutes
def test_scan_time_does_not_grow_with_the_depth_of_attribute_chains(tmp_path: Path) -> None:
    """The same bytes as 400 chains ``x.a.a...`` 200 deep or 100 chains 800 deep scan in
    about the same time: linear in the input. (Following each chain from each of its nodes
    was quadratic in the depth, 4x here, and minutes for a few MB of 2,900-deep ones.) Best
    of three timings each, and a bound of 2x, so a busy machine cannot fail it."""

    def best(depth: int, lines: int) -> float:
        path = tmp_path / f"deep{depth}.py"
        path.write_text(("x" + ".a" * depth + " = 1\n") * lines)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert scan_paths([path], tmp_path) == []
            times.append(time.perf_counter() - started)
        return min(times)

    shallow, deep = best(200, 400), best(800, 100)
    assert deep < 2 * max(shallow, 0.01), (shallow, deep)


def test_a_file_larger_than_the_scan_reads_is_a_finding(tmp_path: Path) -> None:
    """Files over MAX_SCAN_BYTES are not parsed; the scorecard says so."""
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * (MAX_SCAN_BYTES // 6 + 10))
    [finding] = scan_paths([big], tmp_path)
    assert (finding.kind, finding.severity, finding.file) == ("unscannable", "suspicious", "big.py")
    assert "not scanned" in finding.detail
