"""mlgrader's own analysis of one parsed module: the metrics and findings of a QualityReport.

Why a module of its own: this is the pass over the syntax tree that builds a model of
the file (functions with their qualified names, classes with their bases, methods and
instance attributes) and measures it: size, complexity, nesting, parameters and
annotations per function; cohesion (LCOM4), public state and abstractness per class;
mutable module state, duplicated blocks and the rule-based findings per file.

Cyclomatic complexity is radon's (lint.py); everything else is measured here.
"""

from __future__ import annotations

import ast
import re

from mlgrader.authoring.quality.lint import cyclomatic_complexity
from mlgrader.authoring.quality.nodes import (
    FunctionNode,
    catches_everything,
    dotted,
    flat_statements,
    is_abstract,
    is_noop,
    is_public,
    mutable_kind,
    nesting,
    owned_defs,
    pair_targets,
    self_attributes,
    slot_names,
)
from mlgrader.authoring.quality.report import ClassMetrics, FileMetrics, Finding, FunctionMetrics

COMPLEXITY_FINDING_LIMIT = 10
LENGTH_FINDING_LIMIT = 50
NESTING_FINDING_LIMIT = 4
DUPLICATE_BLOCK = 4  # consecutive identical statements that make a duplicated block
# PEP 8 names as pep8-naming's N801/N802 check them: two regular expressions, cheaper
# and more predictable inside the sandboxed test process than running ruff on the code.
_CLASS_NAME = re.compile(r"^_*[A-Z][A-Za-z0-9]*$")
_FUNCTION_NAME = re.compile(r"^(_*[a-z][a-z0-9_]*|__[a-z][a-z0-9_]*__|(visit|depart)_\w+)$")
_FRAMEWORK_NAMES = frozenset(  # names frameworks impose (pep8-naming's defaults)
    {"setUp", "tearDown", "setUpClass", "tearDownClass", "setUpModule", "tearDownModule",
     "asyncSetUp", "asyncTearDown", "setUpTestData"}
)  # fmt: skip


class Analyzer:
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
        for node in owned_defs(tree):
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
        elif isinstance(node, FunctionNode):
            self._visit_function(node, prefix, in_class, local)

    def _visit_function(self, node: FunctionNode, prefix: str, in_class: bool, local: bool) -> None:
        qualname = prefix + node.name
        has_doc = ast.get_docstring(node) is not None
        decorators = {dotted(d).rsplit(".", 1)[-1] for d in node.decorator_list}
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
                complexity=cyclomatic_complexity(node),
                nesting=nesting(node.body, 0),
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
        if not has_doc and not local and is_public(qualname) and not exempt:
            self._add(node, "missing-docstring", f"public function {qualname!r} has no docstring")
        for kind, metric, value, limit in (
            ("high-complexity", "complexity", fn.complexity, COMPLEXITY_FINDING_LIMIT),
            ("long-function", "length", fn.length, LENGTH_FINDING_LIMIT),
            ("deep-nesting", "nesting", fn.nesting, NESTING_FINDING_LIMIT),
        ):
            if value > limit:
                self._add(node, kind, f"function {qualname!r} ({metric} {value} > limit {limit})")
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            what = mutable_kind(default)
            if what:
                self._add(
                    default, "mutable-default", f"{qualname!r} has a mutable default ({what})"
                )
        for child in owned_defs(node):
            self._visit_def(child, f"{qualname}.<locals>.", in_class=False, local=True)

    def _visit_class(self, node: ast.ClassDef, prefix: str, local: bool) -> None:
        qualname = prefix + node.name
        has_doc = ast.get_docstring(node) is not None
        if not _CLASS_NAME.match(node.name):
            self._add(node, "naming", f"class name {node.name!r} is not CapWords (PEP 8)")
        if not has_doc and not local and is_public(qualname):
            self._add(node, "missing-docstring", f"public class {qualname!r} has no docstring")
        self._check_state(node.body, f"class attribute '{qualname}.{{}}'")
        children = list(owned_defs(node))
        methods = [c for c in children if isinstance(c, FunctionNode)]
        method_names = [m.name for m in methods]
        attrs = slot_names(node)
        for method in methods:
            for attr, line in self_attributes(method).items():
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
                is_abstract=is_abstract(node, methods),
                lcom4=_lcom4(methods),
                attribute_lines=public,
            )
        )
        bases = {dotted(b).rsplit(".", 1)[-1] for b in node.bases}
        inherited = set().union(*(self._methods.get(b, set()) for b in bases))
        self._methods[node.name] = inherited | set(method_names)
        outer, self._inherited = self._inherited, inherited
        for child in children:
            self._visit_def(child, f"{qualname}.", in_class=True, local=local)
        self._inherited = outer

    def _check_state(self, body: list[ast.stmt], label: str) -> None:
        for stmt in flat_statements(body):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    pairs.extend(pair_targets(target, stmt.value))
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                pairs.append((stmt.target, stmt.value))
            for target, value in pairs:
                what = mutable_kind(value)
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
            elif catches_everything(node.type) and all(is_noop(s) for s in node.body):
                caught = ast.unparse(node.type)
                self._add(node, "bare-except", f"'except {caught}:' silently swallows errors")
            elif catches_everything(node.type) and not any(
                isinstance(n, ast.Raise) for n in ast.walk(node)
            ):
                caught = ast.unparse(node.type)
                detail = f"'except {caught}:' catches every error and does not re-raise"
                self._add(node, "broad-except", detail)


def _lcom4(methods: list[FunctionNode]) -> int:
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
        decorators = {dotted(d).rsplit(".", 1)[-1] for d in method.decorator_list}
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
