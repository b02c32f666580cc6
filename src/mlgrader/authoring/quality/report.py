"""Static code-quality analysis of a candidate's Python sources, for the "OOP cleanliness" rubric.

Challenge test authors call :func:`analyze_paths` (or :func:`analyze_source`) on the
submission and then assert with the ``require_*`` helpers of :class:`QualityReport`.
Each helper raises one ``AssertionError`` that lists *every* offending place as
``file:line: what (metric value vs limit)``, so the candidate sees all problems at
once instead of fixing them one test run at a time. The report also serialises to
JSON for the grading report.

Only the standard library ``ast`` module is used, by choice: radon computes the same
cyclomatic complexity (tests/test_quality.py checks that ours equals radon's on real
code), but every other metric here (cohesion, state, naming, duplicated blocks) needs
our own pass over the tree anyway, and one ``ast`` pass inside the sandboxed test
process beats a second dependency (radon's last release is from 2023) or running ruff
or pylint as subprocesses there. The candidate's code is parsed,
never imported or executed, and a file that does not parse yields a
``syntax-error`` finding instead of an exception (every ``require_*`` helper then
fails, since nothing about that file could be checked).

Cyclomatic complexity follows McCabe/radon: 1, plus 1 for each ``if``/``elif``,
ternary, ``for``, ``while``, ``except`` clause, ``assert``, comprehension ``for``
and comprehension ``if``, ``match`` case (a bare ``case _:`` is the "else" and is
free), and 1 for each extra operand of ``and``/``or``; an ``else`` on ``for``,
``while`` or ``try`` adds 1, as radon counts it. ``with`` and an ``if``'s ``else``
are free. Nested functions and classes are measured separately.
"""

from __future__ import annotations

import ast
import os
import re
import tokenize
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ClassMetrics",
    "FileMetrics",
    "Finding",
    "FunctionMetrics",
    "QualityReport",
    "analyze_paths",
    "analyze_source",
]

COMPLEXITY_FINDING_LIMIT = 10
LENGTH_FINDING_LIMIT = 50
NESTING_FINDING_LIMIT = 4

_MUTABLE_FACTORIES = frozenset(
    {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "deque", "Counter"}
)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# PEP 8 names as pep8-naming's N801/N802 check them: two regular expressions, cheaper
# and more predictable inside the sandboxed test process than running ruff on the code.
_CLASS_NAME = re.compile(r"^_*[A-Z][A-Za-z0-9]*$")
_FUNCTION_NAME = re.compile(r"^(_*[a-z][a-z0-9_]*|__[a-z][a-z0-9_]*__|(visit|depart)_\w+)$")
_FRAMEWORK_NAMES = frozenset(  # names frameworks impose (pep8-naming's defaults)
    {"setUp", "tearDown", "setUpClass", "tearDownClass", "setUpModule", "tearDownModule",
     "asyncSetUp", "asyncTearDown", "setUpTestData"}
)  # fmt: skip
DUPLICATE_BLOCK = 4  # consecutive identical statements that make a duplicated block
_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Finding:
    """One problem at one place in one file; ``kind`` is a stable machine-readable tag."""

    file: str
    line: int
    kind: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the fields."""
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.detail}"


@dataclass(frozen=True)
class FunctionMetrics:
    """Size and shape of one function or method (``qualname`` is e.g. ``Cart.add``)."""

    name: str
    qualname: str
    line: int
    length: int
    complexity: int
    nesting: int
    params: int
    has_docstring: bool
    annotated: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the fields."""
        return asdict(self)


@dataclass(frozen=True)
class ClassMetrics:
    """Shape of one class; ``public_attributes`` are ``self.x`` names without a leading ``_``."""

    name: str
    qualname: str
    line: int
    has_docstring: bool
    bases: list[str]
    methods: list[str]
    public_attributes: list[str]
    is_abstract: bool
    lcom4: int = 1
    attribute_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the fields (without the line bookkeeping)."""
        data = asdict(self)
        del data["attribute_lines"]
        return data


@dataclass
class FileMetrics:
    """Everything measured about one source file."""

    path: str
    lines: int
    functions: list[FunctionMetrics] = field(default_factory=list)
    classes: list[ClassMetrics] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict: lines, functions, classes and findings."""
        return {
            "lines": self.lines,
            "functions": [f.to_dict() for f in self.functions],
            "classes": [c.to_dict() for c in self.classes],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class QualityReport:
    """Per-file metrics plus all findings, with assertion helpers for challenge tests."""

    files: dict[str, FileMetrics] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"files": {name: {"lines", "functions", "classes", "findings"}}}``."""
        return {"files": {name: fm.to_dict() for name, fm in self.files.items()}}

    def find_function(self, qualname: str) -> FunctionMetrics:
        """Return the metrics of the function called ``qualname`` (or plain name) in any file."""
        for fm in self.files.values():
            for fn in fm.functions:
                if qualname in (fn.qualname, fn.name):
                    return fn
        known = sorted(fn.qualname for fm in self.files.values() for fn in fm.functions)
        raise AssertionError(f"no function {qualname!r} found; functions: {', '.join(known)}")

    # -- authoring helpers ---------------------------------------------------------------

    def require_max_complexity(self, limit: int = 10) -> None:
        """Fail if any function's cyclomatic complexity exceeds ``limit``."""
        self._require_metric("complexity", limit, "is too complex", "cyclomatic complexity above")

    def require_max_function_length(self, limit: int = 30) -> None:
        """Fail if any function spans more than ``limit`` lines from ``def`` to end of body."""
        self._require_metric("length", limit, "is too long", "function length above")

    def require_max_nesting(self, limit: int = 4) -> None:
        """Fail if any function nests blocks (if/for/while/with/try/match) deeper than ``limit``."""
        self._require_metric("nesting", limit, "nests blocks too deeply", "block nesting above")

    def require_no_module_mutable_state(self) -> None:
        """Fail on module- or class-level names bound to mutable containers."""
        self._require_kind("module-mutable-state", "module- or class-level mutable state")

    def require_no_global_statements(self) -> None:
        """Fail on any ``global`` statement."""
        self._require_kind("global-statement", "global statements")

    def require_docstrings(self) -> None:
        """Fail on public classes, functions and methods without a docstring."""
        self._require_kind("missing-docstring", "missing docstrings")

    def require_no_bare_except(self) -> None:
        """Fail on bare ``except:`` and on ``except Exception:`` whose body only swallows."""
        self._require_kind("bare-except", "bare or swallowing except clauses")

    def require_no_broad_except(self) -> None:
        """Fail on ``except Exception``/``BaseException`` that does not re-raise (and bare ones)."""
        problems = self._syntax_problems()
        problems.extend(str(f) for f in self.findings if f.kind in ("bare-except", "broad-except"))
        _raise_if(problems, "over-broad except clauses")

    def require_no_print(self) -> None:
        """Fail on ``print()`` calls: library code returns values or logs."""
        self._require_kind("print-call", "print() in library code")

    def require_no_star_imports(self) -> None:
        """Fail on ``from x import *``."""
        self._require_kind("star-import", "star imports")

    def require_no_mutable_defaults(self) -> None:
        """Fail on mutable default arguments (``def f(x=[])``)."""
        self._require_kind("mutable-default", "mutable default arguments")

    def require_pep8_names(self) -> None:
        """Fail on class names not in CapWords and function names not in snake_case."""
        self._require_kind("naming", "names that break PEP 8")

    def require_no_duplicate_blocks(self) -> None:
        """Fail when a run of `DUPLICATE_BLOCK` identical statements appears twice."""
        self._require_kind("duplicate-block", "duplicated blocks")

    def require_max_params(self, limit: int = 5) -> None:
        """Fail if any function takes more than ``limit`` parameters (``self`` not counted)."""
        self._require_metric("params", limit, "takes too many parameters", "parameters above")

    def require_type_hints(self, fraction: float = 1.0) -> None:
        """Fail if a public function annotates less than ``fraction`` of its parameters and return."""
        problems = self._syntax_problems()
        for fm in self.files.values():
            for fn in fm.functions:
                if (
                    _is_public(fn.qualname)
                    and "<locals>" not in fn.qualname
                    and fn.annotated < fraction
                ):
                    problems.append(
                        f"{fm.path}:{fn.line}: function {fn.qualname!r} is missing type hints "
                        f"(annotated {fn.annotated:.0%} vs required {fraction:.0%})"
                    )
        _raise_if(problems, f"type-hint coverage below {fraction:.0%}")

    def require_cohesion(self, limit: int = 1, class_name: str | None = None) -> None:
        """Fail if a class's LCOM4 (groups of methods sharing no state) exceeds ``limit``."""
        problems = self._syntax_problems()
        for fm, cls in self._classes(class_name):
            if cls.lcom4 > limit:
                problems.append(
                    f"{fm.path}:{cls.line}: class {cls.qualname!r} does {cls.lcom4} unrelated jobs "
                    f"(LCOM4 {cls.lcom4} > limit {limit}): its methods fall into groups that "
                    "share no attributes"
                )
        _raise_if(problems, f"class cohesion (LCOM4) above {limit}")

    def require_shared_base(
        self, methods: Iterable[str], *, classes: Iterable[str] | None = None, abstract: bool = True
    ) -> str:
        """Fail unless the concrete classes defining ``methods`` share one base declaring them.

        For example ``require_shared_base(["forward", "backward"], classes=["Linear", "Tanh"])``:
        the layers derive from one base class (abstract, if ``abstract``) that declares
        forward and backward, so a new layer type plugs in. ``classes`` names the classes
        to check (default: every concrete class defining ``methods``, most derived only).
        Returns the base's name.
        """
        wanted = set(methods)
        table = {cls.name: cls for _, cls in self._classes(None)}

        def lineage(name: str) -> list[str]:
            chain, todo = [], [name]
            while todo:
                current = todo.pop(0)
                if current in table and current not in chain:
                    chain.append(current)
                    todo.extend(b.rsplit(".", 1)[-1] for b in table[current].bases)
            return chain

        def has_all(name: str) -> bool:
            return wanted <= {m for c in lineage(name) for m in table[c].methods}

        title = f"classes defining {', '.join(sorted(wanted))}"
        if classes is not None:
            named = list(classes)
            missing = [n for n in named if n not in table or not has_all(n)]
            if missing:
                raise AssertionError(
                    f"expected {title}: {', '.join(missing)} missing or incomplete"
                )
            concrete = named
        else:
            concrete = [n for n, c in table.items() if not c.is_abstract and has_all(n)]
            concrete = [n for n in concrete if not any(n in lineage(o)[1:] for o in concrete)]
        if len(concrete) < 2:
            raise AssertionError(f"expected at least two {title}, found {concrete or 'none'}")
        common = [
            name
            for name in lineage(concrete[0])[1:]
            if all(name in lineage(other) for other in concrete[1:])
            and wanted <= set(table[name].methods)
            and (table[name].is_abstract or not abstract)
        ]
        if not common:
            kind = "abstract base class" if abstract else "base class"
            raise AssertionError(
                f"{', '.join(concrete)} define {', '.join(sorted(wanted))} but share no {kind} "
                "declaring them (an ABC with @abstractmethod, a Protocol, or methods that raise "
                "NotImplementedError)"
            )
        return common[0]

    def _classes(self, class_name: str | None) -> Iterator[tuple[FileMetrics, ClassMetrics]]:
        for fm in self.files.values():
            for cls in fm.classes:
                if class_name is None or class_name in (cls.name, cls.qualname):
                    yield fm, cls

    def require_private_state(self, class_name: str | None = None) -> None:
        """Fail if attributes set on ``self`` (or listed in ``__slots__``) are public.

        Restricted to classes whose name or qualname is ``class_name`` when given;
        attributes that are also a method or property of the class are exempt.
        """
        problems = self._syntax_problems()
        matched = False
        for fm in self.files.values():
            for cls in fm.classes:
                if class_name is not None and class_name not in (cls.name, cls.qualname):
                    continue
                matched = True
                for attr in cls.public_attributes:
                    line = cls.attribute_lines.get(attr, cls.line)
                    problems.append(
                        f"{fm.path}:{line}: {cls.qualname}.{attr} is public state "
                        f"(attribute name {attr!r} vs required leading '_')"
                    )
        if class_name is not None and not matched and not problems:
            raise AssertionError(f"no class named {class_name!r} found in {self._file_list()}")
        _raise_if(problems, "public instance state")

    # -- internals -----------------------------------------------------------------------

    def _require_metric(self, metric: str, limit: int, what: str, title: str) -> None:
        problems = self._syntax_problems()
        for fm in self.files.values():
            for fn in fm.functions:
                value = getattr(fn, metric)
                if value > limit:
                    problems.append(
                        f"{fm.path}:{fn.line}: function {fn.qualname!r} {what} "
                        f"({metric} {value} > limit {limit})"
                    )
        _raise_if(problems, f"{title} {limit}")

    def _require_kind(self, kind: str, title: str) -> None:
        problems = self._syntax_problems()
        problems.extend(str(f) for f in self.findings if f.kind == kind)
        _raise_if(problems, title)

    def _syntax_problems(self) -> list[str]:
        return [
            f"{f} (file could not be checked)" for f in self.findings if f.kind == "syntax-error"
        ]

    def _file_list(self) -> str:
        return ", ".join(self.files) or "(no files)"


def _raise_if(problems: list[str], title: str) -> None:
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise AssertionError(f"{len(problems)} place(s) with {title}:\n{lines}")


# -- entry points ----------------------------------------------------------------------------


def analyze_source(source: str, filename: str = "<string>") -> QualityReport:
    """Analyse one source string; ``filename`` is the key used in the report."""
    fm = _analyze_file(source, filename)
    return QualityReport(files={filename: fm}, findings=list(fm.findings))


def analyze_paths(paths: Iterable[Path], root: Path) -> QualityReport:
    """Analyse ``.py`` files (directories are searched recursively), keyed relative to ``root``."""
    report = QualityReport()
    for path in _expand(paths):
        name = Path(os.path.relpath(path, root)).as_posix()
        try:
            with tokenize.open(path) as fh:
                source = fh.read()
        except (OSError, SyntaxError, UnicodeDecodeError) as exc:
            fm = FileMetrics(path=name, lines=0)
            fm.findings.append(Finding(name, 1, "syntax-error", f"cannot read file: {exc}"))
        else:
            fm = _analyze_file(source, name)
        report.files[name] = fm
        report.findings.extend(fm.findings)
    return report


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    seen: set[Path] = set()
    for path in paths:
        candidates = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _analyze_file(source: str, name: str) -> FileMetrics:
    fm = FileMetrics(path=name, lines=len(source.splitlines()))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=name)
        _Analyzer(fm).run(tree)
    except SyntaxError as exc:
        detail = f"syntax error: {exc.msg}"
        fm.findings[:] = [Finding(name, exc.lineno or 1, "syntax-error", detail)]
        fm.functions.clear()
        fm.classes.clear()
    except (ValueError, RecursionError, MemoryError) as exc:
        fm.findings[:] = [Finding(name, 1, "syntax-error", f"cannot analyse: {exc!r}")]
        fm.functions.clear()
        fm.classes.clear()
    fm.findings.sort(key=lambda f: (f.line, f.kind))
    return fm


# -- the analysis ----------------------------------------------------------------------------


class _Analyzer:
    """Fills one FileMetrics from a parsed module."""

    def __init__(self, fm: FileMetrics) -> None:
        self._fm = fm
        self._methods: dict[str, set[str]] = {}  # class name -> its and its bases' methods
        self._inherited: set[str] = set()  # methods of the bases of the class being visited

    def _add(self, node: ast.AST | int, kind: str, detail: str) -> None:
        line = node if isinstance(node, int) else getattr(node, "lineno", 1)
        self._fm.findings.append(Finding(self._fm.path, line, kind, detail))

    def run(self, tree: ast.Module) -> None:
        self._check_state(tree.body, "module-level name '{}'")
        for node in _owned_defs(tree):
            self._visit_def(node, prefix="", in_class=False, local=False)
        for node in ast.walk(tree):
            self._check_node(node)
        self._check_duplicates(tree)

    def _check_duplicates(self, tree: ast.Module) -> None:
        """Runs of `DUPLICATE_BLOCK` identical statements in two places: copy-paste."""
        first: dict[str, int] = {}
        for node in ast.walk(tree):
            for name in ("body", "orelse", "finalbody"):
                body = getattr(node, name, None)
                if not isinstance(body, list) or len(body) < DUPLICATE_BLOCK:
                    continue
                run_end = -1  # a longer copy is one finding, not one per window
                for i in range(len(body) - DUPLICATE_BLOCK + 1):
                    window = body[i : i + DUPLICATE_BLOCK]
                    key = "\n".join(ast.dump(stmt) for stmt in window)
                    line = window[0].lineno
                    seen = first.setdefault(key, line)
                    if seen != line and i > run_end:
                        run_end = i + DUPLICATE_BLOCK - 1
                        detail = (
                            f"{DUPLICATE_BLOCK} statements from line {line} repeat those at "
                            f"line {seen}; share them in one function"
                        )
                        self._add(line, "duplicate-block", detail)

    def _visit_def(self, node: ast.AST, prefix: str, in_class: bool, local: bool) -> None:
        if isinstance(node, ast.ClassDef):
            self._visit_class(node, prefix, local)
        elif isinstance(node, _FunctionNode):
            self._visit_function(node, prefix, in_class, local)

    def _visit_function(
        self, node: _FunctionNode, prefix: str, in_class: bool, local: bool
    ) -> None:
        qualname = prefix + node.name
        has_doc = ast.get_docstring(node) is not None
        decorators = {_dotted(d).rsplit(".", 1)[-1] for d in node.decorator_list}
        args = node.args
        params = [*args.posonlyargs, *args.args]
        if in_class and "staticmethod" not in decorators and params:
            params = params[1:]
        params += [*args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]
        annotated = sum(p.annotation is not None for p in params) + (node.returns is not None)
        self._fm.functions.append(
            FunctionMetrics(
                name=node.name,
                qualname=qualname,
                line=node.lineno,
                length=(node.end_lineno or node.lineno) - node.lineno + 1,
                complexity=_complexity(node),
                nesting=_nesting(node.body, 0),
                params=len(params),
                has_docstring=has_doc,
                annotated=round(annotated / (len(params) + 1), 4),
            )
        )
        fn = self._fm.functions[-1]
        if not _FUNCTION_NAME.match(node.name) and node.name not in _FRAMEWORK_NAMES:
            self._add(node, "naming", f"function name {qualname!r} is not snake_case (PEP 8)")
        # An override inherits its base's docstring (as inspect.getdoc shows it).
        exempt = {"overload", "setter", "deleter"} & decorators or (
            in_class and node.name in self._inherited
        )
        if not has_doc and not local and _is_public(qualname) and not exempt:
            self._add(node, "missing-docstring", f"public function {qualname!r} has no docstring")
        for kind, metric, value, limit in (
            ("high-complexity", "complexity", fn.complexity, COMPLEXITY_FINDING_LIMIT),
            ("long-function", "length", fn.length, LENGTH_FINDING_LIMIT),
            ("deep-nesting", "nesting", fn.nesting, NESTING_FINDING_LIMIT),
        ):
            if value > limit:
                self._add(node, kind, f"function {qualname!r} ({metric} {value} > limit {limit})")
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            what = _mutable_kind(default)
            if what:
                self._add(
                    default, "mutable-default", f"{qualname!r} has a mutable default ({what})"
                )
        for child in _owned_defs(node):
            self._visit_def(child, f"{qualname}.<locals>.", in_class=False, local=True)

    def _visit_class(self, node: ast.ClassDef, prefix: str, local: bool) -> None:
        qualname = prefix + node.name
        has_doc = ast.get_docstring(node) is not None
        if not _CLASS_NAME.match(node.name):
            self._add(node, "naming", f"class name {node.name!r} is not CapWords (PEP 8)")
        if not has_doc and not local and _is_public(qualname):
            self._add(node, "missing-docstring", f"public class {qualname!r} has no docstring")
        self._check_state(node.body, f"class attribute '{qualname}.{{}}'")
        children = list(_owned_defs(node))
        methods = [c for c in children if isinstance(c, _FunctionNode)]
        method_names = [m.name for m in methods]
        attrs = _slot_names(node)
        for method in methods:
            for attr, line in _self_attributes(method).items():
                attrs.setdefault(attr, line)
        public = {a: ln for a, ln in attrs.items() if not a.startswith("_")}
        public = {a: ln for a, ln in public.items() if a not in method_names}
        for attr, line in public.items():
            detail = f"{qualname}.{attr} is public state; make it private (_{attr})"
            self._add(line, "public-attribute", detail)
        self._fm.classes.append(
            ClassMetrics(
                name=node.name,
                qualname=qualname,
                line=node.lineno,
                has_docstring=has_doc,
                bases=[ast.unparse(b) for b in node.bases],
                methods=method_names,
                public_attributes=list(public),
                is_abstract=_is_abstract(node, methods),
                lcom4=_lcom4(methods),
                attribute_lines=public,
            )
        )
        bases = {_dotted(b).rsplit(".", 1)[-1] for b in node.bases}
        inherited = set().union(*(self._methods.get(b, set()) for b in bases))
        self._methods[node.name] = inherited | set(method_names)
        outer, self._inherited = self._inherited, inherited
        for child in children:
            self._visit_def(child, f"{qualname}.", in_class=True, local=local)
        self._inherited = outer

    def _check_state(self, body: list[ast.stmt], label: str) -> None:
        for stmt in _flat_statements(body):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    pairs.extend(_pair_targets(target, stmt.value))
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                pairs.append((stmt.target, stmt.value))
            for target, value in pairs:
                what = _mutable_kind(value)
                if not (what and isinstance(target, ast.Name)):
                    continue
                if target.id not in ("__all__", "__slots__"):
                    detail = f"{label.format(target.id)} is bound to a mutable {what}"
                    self._add(stmt, "module-mutable-state", detail)

    def _check_node(self, node: ast.AST) -> None:
        if isinstance(node, ast.Global):
            names = ", ".join(node.names)
            self._add(node, "global-statement", f"'global {names}' rebinds module state")
        elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            detail = f"'from {node.module or '.'} import *' hides where names come from"
            self._add(node, "star-import", detail)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ):
            self._add(node, "print-call", "print() call; return values or use logging instead")
        elif isinstance(node, ast.ExceptHandler):
            if node.type is None:
                self._add(node, "bare-except", "bare 'except:' catches everything")
            elif _catches_everything(node.type) and all(_is_noop(s) for s in node.body):
                caught = ast.unparse(node.type)
                self._add(node, "bare-except", f"'except {caught}:' silently swallows errors")
            elif _catches_everything(node.type) and not any(
                isinstance(n, ast.Raise) for n in ast.walk(node)
            ):
                caught = ast.unparse(node.type)
                detail = f"'except {caught}:' catches every error and does not re-raise"
                self._add(node, "broad-except", detail)


# -- helpers on AST nodes --------------------------------------------------------------------


def _owned_defs(node: ast.AST) -> Iterator[ast.AST]:
    """Yield function/class definitions in ``node``'s own scope (not inside nested defs)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _DEFS):
            yield child
        elif not isinstance(child, ast.expr):
            yield from _owned_defs(child)


def _own_nodes(func: _FunctionNode) -> Iterator[ast.AST]:
    """Yield every node in ``func``'s body, excluding nested function and class bodies."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        current = stack.pop()
        if isinstance(current, _DEFS):
            continue
        yield current
        stack.extend(ast.iter_child_nodes(current))


_BRANCHES = (
    ast.If,
    ast.IfExp,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ExceptHandler,
    ast.Assert,
)


def _complexity(func: _FunctionNode) -> int:
    score = 1
    for node in _own_nodes(func):
        if isinstance(node, _BRANCHES):
            score += 1
            if isinstance(node, ast.For | ast.AsyncFor | ast.While) and node.orelse:
                score += 1  # a loop's else is a branch of its own, as radon counts it
        elif isinstance(node, ast.Try | ast.TryStar) and node.orelse:
            score += 1
        elif isinstance(node, ast.BoolOp):
            score += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            score += 1 + len(node.ifs)
        elif isinstance(node, ast.match_case):
            wildcard = isinstance(node.pattern, ast.MatchAs) and node.pattern.pattern is None
            score += 0 if wildcard and node.guard is None else 1
    return score


def _nesting(body: list[ast.stmt], depth: int) -> int:
    deepest = depth
    for stmt in body:
        for block in _blocks(stmt):
            deepest = max(deepest, _nesting(block, depth + 1))
    return deepest


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists one level deeper than ``stmt`` (an elif stays at its if's level)."""
    if isinstance(stmt, ast.If):
        blocks = [stmt.body]
        orelse = stmt.orelse
        while len(orelse) == 1 and isinstance(orelse[0], ast.If):
            blocks.append(orelse[0].body)
            orelse = orelse[0].orelse
        return [*blocks, orelse]
    if isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return [stmt.body]
    if isinstance(stmt, ast.Try | ast.TryStar):
        return [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody]
    if isinstance(stmt, ast.Match):
        return [case.body for case in stmt.cases]
    return []


def _flat_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module/class body, descending into if/try/with/for but not into defs."""
    for stmt in body:
        yield stmt
        if not isinstance(stmt, _DEFS):
            for block in _blocks(stmt):
                yield from _flat_statements(block)


def _pair_targets(target: ast.expr, value: ast.expr) -> list[tuple[ast.expr, ast.expr]]:
    if isinstance(target, ast.Tuple | ast.List):
        if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
            return [
                p for t, v in zip(target.elts, value.elts, strict=True) for p in _pair_targets(t, v)
            ]
        return []
    return [(target, value)]


def _mutable_kind(value: ast.expr) -> str | None:
    simple: dict[type[ast.expr], str] = {
        ast.List: "list",
        ast.Dict: "dict",
        ast.Set: "set",
        ast.ListComp: "list comprehension",
        ast.DictComp: "dict comprehension",
        ast.SetComp: "set comprehension",
    }
    if type(value) in simple:
        return simple[type(value)]
    if isinstance(value, ast.Call):
        name = _dotted(value.func).rsplit(".", 1)[-1]
        if name in _MUTABLE_FACTORIES:
            return f"{name}()"
    return None


def _dotted(node: ast.expr) -> str:
    """``a.b.c`` for names/attributes (calls and subscripts are looked through), else ''."""
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    if isinstance(node, ast.Subscript):
        return _dotted(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_public(qualname: str) -> bool:
    return not any(part.startswith("_") for part in qualname.split("."))


def _self_attributes(method: _FunctionNode) -> dict[str, int]:
    """Attributes stored on the method's first parameter (normally ``self``), with first line."""
    decorators = {_dotted(d).rsplit(".", 1)[-1] for d in method.decorator_list}
    params = [*method.args.posonlyargs, *method.args.args]
    if not params or decorators & {"staticmethod", "classmethod"}:
        return {}
    self_name = params[0].arg
    found: dict[str, int] = {}
    for node in ast.walk(method):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == self_name
        ):
            found[node.attr] = min(found.get(node.attr, node.lineno), node.lineno)
    return dict(sorted(found.items(), key=lambda item: item[1]))


def _slot_names(cls: ast.ClassDef) -> dict[str, int]:
    names: dict[str, int] = {}
    for stmt in cls.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        if value is None or not any(
            isinstance(t, ast.Name) and t.id == "__slots__" for t in targets
        ):
            continue
        elts = value.elts if isinstance(value, ast.Tuple | ast.List | ast.Set) else [value]
        for elt in elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                names.setdefault(elt.value, stmt.lineno)
    return names


def _is_abstract(cls: ast.ClassDef, methods: list[_FunctionNode]) -> bool:
    base_names = {_dotted(b).rsplit(".", 1)[-1] for b in cls.bases}
    meta = {_dotted(k.value).rsplit(".", 1)[-1] for k in cls.keywords if k.arg == "metaclass"}
    if base_names & {"ABC", "Protocol"} or "ABCMeta" in meta:
        return True
    decorators = (_dotted(d).rsplit(".", 1)[-1] for m in methods for d in m.decorator_list)
    if any(name.startswith("abstract") for name in decorators):
        return True
    return any(_raises_not_implemented(m) for m in methods)


def _raises_not_implemented(method: _FunctionNode) -> bool:
    body = [s for s in method.body if not _is_noop(s)]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return _dotted(exc).rsplit(".", 1)[-1] == "NotImplementedError"


def _lcom4(methods: list[_FunctionNode]) -> int:
    """Lack of cohesion (LCOM4, Hitz and Montazeri): connected groups of methods.

    Two methods are linked when both use one instance attribute or one calls the
    other through ``self``. 1 is a cohesive class; 2 or more means the class does
    unrelated jobs that could be separate classes. ``__init__`` is left out (it
    touches every attribute and would link everything), as are static and class
    methods and methods that use no instance state (abstract stubs).
    """
    names = {m.name for m in methods}
    uses: dict[str, set[str]] = {}
    for method in methods:
        decorators = {_dotted(d).rsplit(".", 1)[-1] for d in method.decorator_list}
        params = [*method.args.posonlyargs, *method.args.args]
        if method.name == "__init__" or not params or decorators & {"staticmethod", "classmethod"}:
            continue
        me = params[0].arg
        used = {
            node.attr
            for node in ast.walk(method)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == me
        }
        if used:
            uses[method.name] = used
    parent = {name: name for name in uses}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    owner: dict[str, str] = {}
    for user, used in uses.items():
        for item in used:
            other = item if item in names and item in uses else owner.setdefault(item, user)
            parent[root(user)] = root(other)
    return len({root(name) for name in uses}) if uses else 1


def _catches_everything(node: ast.expr) -> bool:
    types = node.elts if isinstance(node, ast.Tuple) else [node]
    return any(_dotted(t).rsplit(".", 1)[-1] in ("Exception", "BaseException") for t in types)


def _is_noop(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass | ast.Continue):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
