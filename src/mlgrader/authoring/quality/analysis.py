"""mlgrader's own analysis of one module's syntax tree: what no linter computes.

Why a module of its own: the rule-based findings a reviewer knows by name come from
ruff and the cyclomatic complexity from radon (lint.py). What is left needs a model of
the file that no linter exposes, functions with their qualified names and classes with
their bases, methods and instance attributes, so mlgrader builds it here:

- per class: LCOM4 cohesion (groups of methods sharing no state), public instance state
  (``self.x`` and ``__slots__`` names without a leading ``_``), whether it is abstract,
  and which methods it inherits (require_shared_base; an override inherits its base's
  docstring);
- per file: module- and class-level names bound to mutable containers (shared mutable
  state; ruff's RUF012 only covers class attributes and accepts them when annotated
  ``ClassVar``, which is still shared state), and blocks of statements copied verbatim;
- per function, the measurements tests put limits on: length in lines, block nesting
  depth, parameters (``self`` not counted) and the share annotated. ruff's PLR09xx rules
  only say whether a threshold set in configuration is crossed and count differently
  (PLR0915 counts statements, PLR0913 counts ``self``, too-many-nested-blocks PLR1702 is
  a preview rule), so a test's ``require_max_*(limit)`` could not be answered from them.
"""

from __future__ import annotations

import ast

from mlgrader.authoring.quality.lint import cyclomatic_complexity
from mlgrader.authoring.quality.nodes import (
    FunctionNode,
    dotted,
    flat_statements,
    is_abstract,
    mutable_kind,
    nesting,
    owned_defs,
    pair_targets,
    self_attributes,
    slot_names,
)
from mlgrader.authoring.quality.report import ClassMetrics, FileMetrics, FunctionMetrics
from mlgrader.model.findings import Finding

COMPLEXITY_FINDING_LIMIT = 10
LENGTH_FINDING_LIMIT = 50
NESTING_FINDING_LIMIT = 4
DUPLICATE_BLOCK = 4  # consecutive identical statements that make a duplicated block


class Analyzer:
    """Fills one FileMetrics from a parsed module.

    Afterwards ``defs`` maps the line of each function and class definition to its
    qualified name, and ``overrides`` holds the lines of methods that override a method
    of a base class defined in the same file (their docstring is inherited).
    """

    def __init__(self, fm: FileMetrics) -> None:
        self._fm = fm
        self._methods: dict[str, set[str]] = {}  # class name -> its and its bases' methods
        self._inherited: set[str] = set()  # methods of the bases of the class being visited
        self.defs: dict[int, str] = {}
        self.overrides: set[int] = set()

    def _add(self, node: ast.AST | int, kind: str, detail: str, rule: str = "") -> None:
        line = node if isinstance(node, int) else getattr(node, "lineno", 1)
        finding = Finding(
            kind, detail, file=self._fm.path, line=line, rule=rule or f"mlgrader {kind}"
        )
        self._fm.findings.append(finding)

    def run(self, tree: ast.Module) -> None:
        self._check_state(tree.body, "module-level name '{}'")
        for node in owned_defs(tree):
            self._visit_def(node, prefix="", in_class=False)
        self._check_duplicates(tree)

    def _check_duplicates(self, tree: ast.Module) -> None:
        """Runs of `DUPLICATE_BLOCK` identical statements in two places: copy-paste."""
        first: dict[tuple[str, ...], int] = {}
        for node in ast.walk(tree):
            for name in ("body", "orelse", "finalbody"):
                body = getattr(node, name, None)
                if not isinstance(body, list) or len(body) < DUPLICATE_BLOCK:
                    continue
                dumps = [ast.dump(stmt) for stmt in body]  # once each, not once per window
                run_end = -1  # a longer copy is one finding, not one per window
                for i in range(len(body) - DUPLICATE_BLOCK + 1):
                    key = tuple(dumps[i : i + DUPLICATE_BLOCK])
                    line = body[i].lineno
                    seen = first.setdefault(key, line)
                    if seen != line and i > run_end:
                        run_end = i + DUPLICATE_BLOCK - 1
                        detail = (
                            f"{DUPLICATE_BLOCK} statements from line {line} repeat those at "
                            f"line {seen}; share them in one function"
                        )
                        self._add(line, "duplicate-block", detail)

    def _visit_def(self, node: ast.AST, prefix: str, in_class: bool) -> None:
        if isinstance(node, ast.ClassDef):
            self._visit_class(node, prefix)
        elif isinstance(node, FunctionNode):
            self._visit_function(node, prefix, in_class)

    def _visit_function(self, node: FunctionNode, prefix: str, in_class: bool) -> None:
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
                length=_length(node),
                complexity=cyclomatic_complexity(node),
                nesting=nesting(node.body, 0),
                params=len(params),
                has_docstring=has_doc,
                annotated=round(annotated / (len(params) + 1), 4),
            )
        )
        fn = self._fm.functions[-1]
        self.defs[node.lineno] = qualname
        if in_class and node.name in self._inherited:
            self.overrides.add(node.lineno)  # its docstring is the base's (inspect.getdoc)
        for kind, metric, value, limit, rule in (
            ("high-complexity", "complexity", fn.complexity, COMPLEXITY_FINDING_LIMIT, "radon cc"),
            ("long-function", "length", fn.length, LENGTH_FINDING_LIMIT, ""),
            ("deep-nesting", "nesting", fn.nesting, NESTING_FINDING_LIMIT, ""),
        ):
            if value > limit:
                detail = f"function {qualname!r} ({metric} {value} > limit {limit})"
                self._add(node, kind, detail, rule)
        for child in owned_defs(node):
            self._visit_def(child, f"{qualname}.<locals>.", in_class=False)

    def _visit_class(self, node: ast.ClassDef, prefix: str) -> None:
        qualname = prefix + node.name
        has_doc = ast.get_docstring(node) is not None
        self.defs[node.lineno] = qualname
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
            self._visit_def(child, f"{qualname}.", in_class=True)
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
        while parent[name] != name:  # path halving: near-constant time, whatever the class
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    owner: dict[str, str] = {}
    for user, used in uses.items():
        for item in used:
            other = item if item in names and item in uses else owner.setdefault(item, user)
            parent[root(user)] = root(other)
    return len({root(name) for name in uses}) if uses else 1


def _length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from ``def`` to the end of the body, the docstring left out: a limit on length
    is about code, and a stub's docstring (which the statement asks to keep) is not."""
    span = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    if ast.get_docstring(node, clean=False) is not None:
        span -= (first.end_lineno or first.lineno) - first.lineno + 1
    return max(1, span)
