"""Small questions about Python syntax trees, shared by the quality analysis.

Why a module of its own: analysis.py asks the same handful of questions about
``ast`` nodes over and over (which definitions a scope owns, what a dotted name
is, whether a value is a mutable container, which attributes a method stores on
``self``, whether a class is abstract), and keeping the answers here keeps the
analyser itself about what it measures rather than how to walk a tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MUTABLE_FACTORIES = frozenset(
    {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "deque", "Counter"}
)


def owned_defs(node: ast.AST) -> Iterator[ast.AST]:
    """Yield function/class definitions in ``node``'s own scope (not inside nested defs)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, DEFS):
            yield child
        elif not isinstance(child, ast.expr):
            yield from owned_defs(child)


def nesting(body: list[ast.stmt], depth: int) -> int:
    deepest = depth
    for stmt in body:
        for block in blocks(stmt):
            deepest = max(deepest, nesting(block, depth + 1))
    return deepest


def blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
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


def flat_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a module/class body, descending into if/try/with/for but not into defs."""
    for stmt in body:
        yield stmt
        if not isinstance(stmt, DEFS):
            for block in blocks(stmt):
                yield from flat_statements(block)


def pair_targets(target: ast.expr, value: ast.expr) -> list[tuple[ast.expr, ast.expr]]:
    if isinstance(target, ast.Tuple | ast.List):
        if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
            return [
                p for t, v in zip(target.elts, value.elts, strict=True) for p in pair_targets(t, v)
            ]
        return []
    return [(target, value)]


def mutable_kind(value: ast.expr) -> str | None:
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
        name = dotted(value.func).rsplit(".", 1)[-1]
        if name in MUTABLE_FACTORIES:
            return f"{name}()"
    return None


def dotted(node: ast.expr) -> str:
    """``a.b.c`` for names/attributes (calls and subscripts are looked through), else ''."""
    if isinstance(node, ast.Call):
        return dotted(node.func)
    if isinstance(node, ast.Subscript):
        return dotted(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def is_public(qualname: str) -> bool:
    return not any(part.startswith("_") for part in qualname.split("."))


def self_attributes(method: FunctionNode) -> dict[str, int]:
    """Attributes stored on the method's first parameter (normally ``self``), with first line."""
    decorators = {dotted(d).rsplit(".", 1)[-1] for d in method.decorator_list}
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


def slot_names(cls: ast.ClassDef) -> dict[str, int]:
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


def is_abstract(cls: ast.ClassDef, methods: list[FunctionNode]) -> bool:
    base_names = {dotted(b).rsplit(".", 1)[-1] for b in cls.bases}
    meta = {dotted(k.value).rsplit(".", 1)[-1] for k in cls.keywords if k.arg == "metaclass"}
    if base_names & {"ABC", "Protocol"} or "ABCMeta" in meta:
        return True
    decorators = (dotted(d).rsplit(".", 1)[-1] for m in methods for d in m.decorator_list)
    if any(name.startswith("abstract") for name in decorators):
        return True
    return any(raises_not_implemented(m) for m in methods)


def raises_not_implemented(method: FunctionNode) -> bool:
    body = [s for s in method.body if not is_noop(s)]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return dotted(exc).rsplit(".", 1)[-1] == "NotImplementedError"


def is_noop(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass | ast.Continue):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
