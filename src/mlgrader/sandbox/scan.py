"""A static scan of a candidate's Python files for tools that tamper with grading.

Isolation (docs/security.md) keeps a submission from changing the
results of tests it does not run in; this scan is the evidence for the grader.
It reads each file with the stdlib ``ast`` parser and never imports or runs it.
A finding is *suspicious* (a tool with honest uses that can also reach into the
test run: ``inspect``, ``os._exit``, ``eval``, ...) or *violated* (code with no
purpose in a submission but faking results: pytest hooks, forged summaries).
It catches the usual tools, not every disguise; isolation holds when it misses.
"""

from __future__ import annotations

import ast
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from mlgrader.model.findings import Finding, Status, worst_status

Severity = Literal["suspicious", "violated"]

# Imported at all: top-level module -> (kind, why it matters to grading).
_MODULES: dict[str, tuple[str, str]] = {
    "pytest": ("test-framework-import", "with the test framework it can patch how tests run or are reported"),
    "_pytest": ("test-framework-import", "pytest's internals can patch how tests run or are reported"),
    "pluggy": ("test-framework-import", "pytest's plugin system can register hooks that rewrite results"),
    "gc": ("introspection", "can reach and change any live object, the test runner's included"),
    "inspect": ("introspection", "can read the calling test's frames and source, expected values included"),
    "ctypes": ("introspection", "can write raw memory and call C directly, past every Python-level check"),
    "importlib": ("introspection", "loads or reloads modules by name at run time, out of this scan's sight"),
    "builtins": ("introspection", "can replace built-in functions for the tests as well"),
    "atexit": ("introspection", "runs code at interpreter exit, after the tests, when results are written"),
    "faulthandler": ("introspection", "changes how crashes and hangs are reported"),
    "signal": ("introspection", "can catch or ignore the signals the grader uses to stop a test"),
    "runpy": ("dynamic-code", "runs code from files this scan does not read as Python"),
}  # fmt: skip
#: Modules no submission has a reason to import outside its own tests: pytest's internals.
_FORBIDDEN = frozenset({"_pytest", "pluggy"})
_HIDDEN_CODE_LIMIT = 1024 * 1024
#: The largest file scanned (a larger one is a finding): ten times any real submission's module.
MAX_SCAN_BYTES = 2 * 1024 * 1024
#: The longest attribute chain ``qualname`` follows (``threading.settrace_all_threads`` is 1;
#: an alias of a dotted import adds its own parts before the chain).
_MAX_CHAIN = 8
#: How far up from an assignment target ``sys.modules`` is looked for (``sys.modules["x"].y.z``).
_MAX_TARGET_DEPTH = 32
_TRACE = "a tracer sees and can change every frame of the running tests"
_ESCAPE = "the process can leave the group the grader kills at a deadline"
# Named by attribute, from-import, getattr or star import: qualified name -> (kind, why).
_NAMES: dict[str, tuple[str, str]] = {
    "sys._getframe": ("introspection", "reads the caller's frames, the test's expected values included"),
    "sys._current_frames": ("introspection", "reads every thread's frames, the test runner's included"),
    "sys.gettrace": ("introspection", "can tell when the complexity engine counts bytecodes and behave differently"),
} | {
    f"{module}.{name}": ("introspection", _TRACE)
    for module in ("sys", "threading")
    for name in ("settrace", "setprofile", "settrace_all_threads", "setprofile_all_threads")
} | {
    f"{module}.{name}": ("process-control", why)
    for names, why in (
        (("_exit",), "ends the test process at once, before pytest records the result"),
        (("kill", "killpg"), "sends signals to other processes, the grader's included"),
        (("fork", "forkpty"), "a forked child can outlive its test or report in its place"),
        (("setsid", "setpgrp", "setpgid"), _ESCAPE),
    )
    for name in names
    for module in ("os", "posix")
}  # fmt: skip
_SPAWN_KEYWORDS = ("start_new_session", "process_group", "setsid", "setpgroup", "preexec_fn")
_DYNAMIC = ("__import__", "exec", "eval", "compile")
_HOLE = "\x00"  # stands for an f-string placeholder
_FORGED = (
    re.compile(r"\b\d+ passed\b"),  # "3 passed in 0.12s"
    re.compile(r"(?:%[ds]|\{[^{}]*\}|\x00) passed(?:,| in |\s*=)"),  # f"{n} passed in {t}s"
    re.compile(r"""["']outcome["']\s*:\s*["']passed"""),  # pytest-json-report, mlgrader records
    re.compile(r"""["']type["']\s*:\s*["'](?:result|done|collected)["']"""),  # mlgrader records
    re.compile(r"::\w+ PASSED\b"),  # pytest -v lines
    re.compile(r"\bscore\s+\d+(?:\.\d+)?\s*/\s*100\b"),  # the mlgrader terminal summary
)
_PROC = re.compile(r"/proc(?:/|$)")
_CHANGES_SYS_MODULES = {f"sys.modules.{m}" for m in ("pop", "popitem", "update", "clear", "setdefault")}  # fmt: skip
_SWAP = "changes sys.modules: it can swap a module the tests import for a fake"
_FAKE_OUTCOME = "sets a test outcome to 'passed': the shape of a forged pytest report"


def summarize(findings: Iterable[Finding]) -> Status:
    """The scorecard's integrity status: the worst severity found, else ok."""
    return worst_status(f.severity for f in findings)


def scan_paths(paths: Iterable[Path], root: Path) -> list[Finding]:
    """Scan Python files; each is named by its posix path relative to root."""
    findings: list[Finding] = []
    for path in paths:
        try:
            name = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = path.as_posix()
        try:
            size = path.stat().st_size
            if size > MAX_SCAN_BYTES:
                why = f"{size:,} bytes, more than the {MAX_SCAN_BYTES:,} scanned: not scanned"
                findings.append(Finding("unscannable", why, "suspicious", name, 1))
                continue
            with tokenize.open(path) as handle:  # honours coding cookies and BOMs
                source = handle.read()
        except OSError:
            continue  # gone or unreadable to us: the tests that import it report it
        except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
            # An unknown or non-text codec cookie (``# coding: rot13``), or bytes the cookie's
            # codec cannot decode: Python cannot import it either, but nothing in it was read.
            why = f"cannot be decoded as Python source ({_one_line(exc)}), so it was not scanned"
            findings.append(Finding("unscannable", why, "suspicious", name, 1))
            continue
        findings += scan_source(source, name)
    return findings


def scan_submission(root: Path, files: Iterable[str]) -> list[Finding]:
    """Scan a submission: its .py files, and Python code hidden in files with other names.

    Code kept in a non-.py file escapes both this scan and the quality metrics;
    loading it at run time (runpy, exec, importlib) is a way to hide what runs,
    so the two together are a violation.
    """
    names = list(files)
    findings = scan_paths([root / n for n in names if n.endswith(".py")], root)
    hidden = [n for n in names if not n.endswith(".py") and _holds_python(root / n)]
    for name in hidden:
        why = "holds Python code under a name that is not .py, out of sight of this scan"
        findings.append(Finding("hidden-code", why, "suspicious", name, 1))
        findings += scan_paths([root / name], root)
    if hidden and any(f.kind == "dynamic-code" for f in findings):
        why = (
            "Python code outside .py files is loaded at run time: what runs was hidden from review"
        )
        findings.append(Finding("hidden-code", why, "violated", hidden[0], 1))
    return findings


def _holds_python(path: Path) -> bool:
    """A text file that parses as a Python module with at least one import, def or class."""
    try:
        if path.stat().st_size > _HIDDEN_CODE_LIMIT:
            return False
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
        return False
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return any(isinstance(node, kinds) for node in tree.body)


def scan_source(source: str, filename: str) -> list[Finding]:
    """Scan one module's source; a file that does not parse yields no findings."""
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError, MemoryError):
        return []
    except RecursionError:  # the compiler's own limit is a few levels deeper: it may import
        why = "nested too deeply to scan, which hides whatever is inside"
        return [Finding("unscannable", why, "suspicious", filename, 1)]
    return sorted(_Scan(tree, filename).run(), key=lambda f: (f.line, f.kind, f.detail))


class _Scan:
    """One pass over one parsed module (iterative, so deep code cannot exhaust the stack)."""

    def __init__(self, tree: ast.Module, filename: str) -> None:
        self.tree = tree
        self.filename = filename
        self.findings: list[Finding] = []
        self.aliases: dict[str, str] = {}  # local name -> qualified module or object name
        self.star_modules: list[str] = []
        self.defined: set[str] = set()  # names the candidate binds (its own `compile` is fine)
        self.unscanned: set[int] = set()  # ids of docstrings and f-string pieces (seen whole)

    def add(self, kind: str, node: ast.AST, detail: str, severity: Severity = "suspicious") -> None:
        line = getattr(node, "lineno", 1)
        self.findings.append(Finding(kind, detail, severity, self.filename, line))

    def run(self) -> list[Finding]:
        nodes = list(ast.walk(self.tree))
        for node in nodes:
            self.bind(node)
        self.hooks(self.tree.body)
        for node in nodes:
            if _passes_outcome(node):
                self.add("forged-report", node, _FAKE_OUTCOME, "violated")
            if any(map(self.in_sys_modules, _targets(node))):
                self.add("introspection", node, _SWAP)
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.imports(node)
            elif isinstance(node, ast.ClassDef):
                self.always_equal(node)
            elif isinstance(node, ast.Attribute):
                self.reference(node, self.qualname(node))
            elif isinstance(node, ast.Name):
                self.name(node)
            elif isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.JoinedStr):
                text = (v.value if isinstance(v, ast.Constant) else _HOLE for v in node.values)
                self.string(node, "".join(map(str, text)))
            elif isinstance(node, ast.Constant) and id(node) not in self.unscanned:
                value = node.value
                if isinstance(value, str | bytes):
                    self.string(node, value if isinstance(value, str) else value.decode("latin-1"))
        return self.findings

    def bind(self, node: ast.AST) -> None:
        """Record imports, names the candidate defines, docstrings and f-string pieces."""
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                self.unscanned.add(id(first.value))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self.defined.add(node.name)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            self.defined.add(node.id)
        elif isinstance(node, ast.arg):
            self.defined.add(node.arg)
        elif isinstance(node, ast.JoinedStr):
            self.unscanned.update(id(v) for v in node.values)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                self.aliases[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name == "*":
                    self.star_modules.append(node.module)
                else:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def hooks(self, body: list[ast.stmt], owner: str = "module level") -> None:
        """pytest_* functions or names at module level (also under if/try/with), or in a class."""
        for stmt in body:
            names: list[str] = []
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [stmt.name]
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                names = [t.id for t in _targets(stmt) if isinstance(t, ast.Name)]
            elif isinstance(stmt, ast.ClassDef) and owner == "module level":
                self.hooks(stmt.body, owner=f"a method of class {stmt.name}")
            elif not isinstance(stmt, ast.ClassDef):
                blocks = [getattr(stmt, name, []) for name in ("body", "orelse", "finalbody")]
                parts = getattr(stmt, "handlers", []) + getattr(stmt, "cases", [])
                for block in blocks + [part.body for part in parts]:
                    self.hooks(block, owner)
            for name in (n for n in names if n.startswith("pytest_")):
                why = f"defines pytest hook {name} ({owner}): if pytest loads it, it can rewrite test outcomes"
                self.add("pytest-hook", stmt, why, "violated")

    def imports(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom) and (node.level or not node.module):
            return  # the candidate's own modules
        for alias in node.names:
            module = alias.name if isinstance(node, ast.Import) else str(node.module)
            if module.split(".")[0] in _MODULES:
                top = module.split(".")[0]
                kind, why = _MODULES[top]
                severity: Severity = "violated" if top in _FORBIDDEN else "suspicious"
                self.add(kind, alias, f"imports {module}: {why}", severity)
            elif isinstance(node, ast.ImportFrom):
                self.reference(alias, f"{module}.{alias.name}")

    def reference(self, node: ast.AST, qualname: str | None) -> None:
        if qualname in _NAMES:
            kind, why = _NAMES[qualname]
            self.add(kind, node, f"uses {qualname}: {why}")

    def name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load) or node.id in self.defined or node.id in self.aliases:
            return
        if node.id in _DYNAMIC:
            why = "runs code built at run time, which this scan cannot see"
            self.add("dynamic-code", node, f"uses {node.id}: {why}")
        elif node.id == "__builtins__":
            self.add("introspection", node, "uses __builtins__: " + _MODULES["builtins"][1])
        for module in self.star_modules:
            self.reference(node, f"{module}.{node.id}")

    def call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            value = keyword.value
            off = isinstance(value, ast.Constant) and value.value in (False, None)
            if keyword.arg in _SPAWN_KEYWORDS and not off:
                self.add("process-control", node, f"passes {keyword.arg}=: {_ESCAPE}")
        func, args = node.func, node.args
        if isinstance(func, ast.Name) and func.id in ("getattr", "setattr", "delattr") and args:
            owner = self.qualname(args[0])
            if owner and len(args) > 1 and isinstance(args[1], ast.Constant):
                self.reference(node, f"{owner}.{args[1].value!s}")
            if func.id != "getattr" and self.in_sys_modules(args[0]):
                self.add("introspection", node, _SWAP)
        elif isinstance(func, ast.Attribute) and self.qualname(func) in _CHANGES_SYS_MODULES:
            self.add("introspection", node, _SWAP)

    def always_equal(self, node: ast.ClassDef) -> None:
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                name, results = stmt.name, _constant_returns(stmt)
            elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda):
                body = stmt.value.body
                results = [body.value] if isinstance(body, ast.Constant) else None
                name = next((t.id for t in stmt.targets if isinstance(t, ast.Name)), "")
            else:
                continue
            wanted = name == "__eq__"
            if name in ("__eq__", "__ne__") and results and all(bool(v) == wanted for v in results):
                same = "equal to" if wanted else "never unequal to"
                why = f"class {node.name} compares {same} anything, so asserting it against an expected value passes without a right answer"
                self.add("always-equal", stmt, f"{name} always returns {results[0]!r}: {why}")

    def string(self, node: ast.AST, text: str) -> None:
        for pattern in _FORGED:
            if match := pattern.search(text):
                shown = match.group(0).replace(_HOLE, "{}")
                why = f"looks like a test-result summary ({shown!r}); printed or written, it could pass for the grader's own"
                self.add("forged-report", node, f"string {_shorten(text)} {why}", "violated")
                break
        if _PROC.search(text):
            why = "names a /proc path, through which a process can reach other processes' memory, descriptors and output"
            self.add("proc-access", node, f"string {_shorten(text)} {why}")

    def qualname(self, node: ast.expr) -> str | None:
        """``os.path.join`` for an expression naming it through the module's imports, else None.

        Only chains of up to ``_MAX_CHAIN`` attributes are followed: every name this scan
        looks for is shorter, and following a 3,000-deep ``x.a.a...`` from each of its
        nodes made the scan quadratic in the chain's depth.
        """
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            if len(parts) == _MAX_CHAIN:
                return None
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id], *reversed(parts)])

    def in_sys_modules(self, target: ast.expr) -> bool:
        """Whether an assignment target is sys.modules, an entry of it, or inside an entry."""
        for _ in range(_MAX_TARGET_DEPTH):
            if self.qualname(target) == "sys.modules":
                return True
            if not isinstance(target, ast.Attribute | ast.Subscript):
                return False
            target = target.value
        return False  # deeper than any real use: reached only by a chain built to be slow


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 120 else text[:117] + "..."


def _shorten(text: str) -> str:
    text = text.replace(_HOLE, "{}")
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _targets(node: ast.AST) -> list[ast.expr]:
    """What an assignment or ``del`` statement binds or removes; [] for other nodes."""
    if isinstance(node, ast.Assign | ast.Delete):
        return node.targets
    return [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []


def _is_str(node: ast.AST | None, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text


def _passes_outcome(node: ast.AST) -> bool:
    """``{"outcome": "passed"}``, ``f(outcome="passed")`` or ``x.outcome = "passed"``."""
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return any(_is_str(k, "outcome") and _is_str(v, "passed") for k, v in pairs)
    if isinstance(node, ast.keyword):
        return node.arg == "outcome" and _is_str(node.value, "passed")
    named = any(isinstance(t, ast.Attribute) and t.attr == "outcome" for t in _targets(node))
    return named and _is_str(getattr(node, "value", None), "passed")


def _constant_returns(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[object] | None:
    """The values a function returns when every return is of a constant, else None."""
    values: list[object] = []
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue  # a nested scope's returns are its own
        if isinstance(node, ast.Return):
            if not isinstance(node.value, ast.Constant):
                return None
            values.append(node.value.value)
        stack.extend(ast.iter_child_nodes(node))
    return values or None
