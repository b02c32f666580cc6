"""Small faults seeded into a reference, the standard mutation operators, as source edits.

``mlgrader validate --mutate`` asks how many plausible slips in the reference its
hidden tests notice. Each fault here is one edit of one line's text, so the mutant
keeps the reference's layout, comments and line numbers (an OOP check reads the
same file apart from the slip) and its diff is one line:

- ``compare``: a comparison flipped to its neighbour (``<`` and ``<=``, ``==`` and
  ``!=``, ``in`` and ``not in``, ``is`` and ``is not``);
- ``arith``: an arithmetic operator swapped (``+`` and ``-``, ``*`` and ``/``,
  ``//`` and ``/``), augmented assignments included;
- ``bool``: ``and`` and ``or`` swapped;
- ``const``: an integer moved by one (``0`` to ``1``), a float doubled (``0.0`` to ``1.0``),
  ``True`` and ``False`` swapped (``frozen=True`` included);
- ``delete``: a statement replaced by ``pass`` (a call, an augmented assignment, a
  ``raise``);
- ``unlock``: ``with lock:`` turned into ``if True:`` (the body runs unguarded);
- ``return``: a returned value replaced by ``None``.

Which edits are made is deterministic: every candidate is listed in source order and a
seeded sample of them is taken. A fault's ``id`` names its file, operator and the
text of its line (not its number), so recorded judgements survive unrelated edits.
Only edits that change the text, still compile and differ from the reference are kept.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import io
import random
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_COMPARE = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
_ARITH = {"+": "-", "-": "+", "*": "/", "/": "*", "//": "/", "+=": "-=", "-=": "+=", "*=": "/="}
_WORDS = {("in",): "not in", ("not", "in"): "in", ("is",): "is not", ("is", "not"): "is"}


@dataclass(frozen=True)
class Fault:
    """One seeded slip: which file, what changed, and the mutated source."""

    id: str
    file: str
    line: int
    operator: str
    before: str
    after: str
    source: str

    def diff(self, original: str) -> str:
        """The fault as a one-hunk unified diff against ``original``."""
        lines = difflib.unified_diff(
            original.splitlines(keepends=True),
            self.source.splitlines(keepends=True),
            f"a/{self.file}",
            f"b/{self.file}",
            n=1,
        )
        return "".join(lines)


def faults_in(root: Path, files: list[str]) -> list[Fault]:
    """Every fault the operators make in ``files`` (paths relative to ``root``)."""
    found: list[Fault] = []
    for name in files:
        source = (root / name).read_text(encoding="utf-8")
        found += _faults_of(name, source)
    return found


def sample(faults: list[Fault], size: int, seed: int) -> list[Fault]:
    """``size`` of ``faults`` chosen with ``seed``, in source order (all when fewer).

    Operators take turns (each shuffled with ``seed``), so the many statements a
    reference holds do not crowd out its few comparisons and constants.
    """
    if size >= len(faults):
        return list(faults)
    rng = random.Random(seed)
    queues: dict[str, list[int]] = {}
    for k, fault in enumerate(faults):
        queues.setdefault(fault.operator, []).append(k)
    for queue in queues.values():
        rng.shuffle(queue)
    chosen: set[int] = set()
    while len(chosen) < size:
        for operator in sorted(queues):
            if queues[operator] and len(chosen) < size:
                chosen.add(queues[operator].pop())
    return [fault for k, fault in enumerate(faults) if k in chosen]


def _faults_of(name: str, source: str) -> Iterator[Fault]:
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    seen: dict[tuple[str, str], int] = {}
    for line, operator, start, end, new in _edits(tree, source):
        old_line = lines[line - 1]
        new_line = old_line[:start] + new + old_line[end:]
        if new_line == old_line:
            continue
        mutated = "".join(lines[: line - 1]) + new_line + "".join(lines[line:])
        try:
            compile(mutated, name, "exec")
        except SyntaxError:
            continue
        digest = hashlib.sha1(old_line.strip().encode()).hexdigest()[:8]
        key = (operator, digest)
        seen[key] = seen.get(key, -1) + 1
        yield Fault(
            id=f"{name}:{operator}:{digest}:{seen[key]}",
            file=name,
            line=line,
            operator=operator,
            before=old_line.strip(),
            after=new_line.strip(),
            source=mutated,
        )


def _edits(tree: ast.Module, source: str) -> Iterator[tuple[int, str, int, int, str]]:
    """``(line, operator, start column, end column, new text)`` for every candidate edit of
    one line, in source order."""
    tokens = _tokens_by_line(source)
    edits = [edit for node in ast.walk(tree) for edit in _node_edits(node, tokens)]
    # source order: by line, then column (the operator breaks ties)
    yield from sorted(edits, key=lambda e: (e[0], e[2], e[1], e[3], e[4]))


def _node_edits(
    node: ast.AST, tokens: dict[int, list[tokenize.TokenInfo]]
) -> Iterator[tuple[int, str, int, int, str]]:
    if isinstance(node, ast.Compare | ast.BinOp | ast.AugAssign | ast.BoolOp):
        yield from _operator_edits(node, tokens)
    elif isinstance(node, ast.Constant) and node.end_lineno == node.lineno:
        new = _changed_constant(node.value)
        if new is not None:
            yield node.lineno, "const", node.col_offset, node.end_col_offset or 0, new
    elif isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        if value.lineno == value.end_lineno and not _is_none(value):
            yield value.lineno, "return", value.col_offset, value.end_col_offset or 0, "None"
    if isinstance(node, ast.With) and any("lock" in ast.unparse(i).lower() for i in node.items):
        header = node.items[-1].context_expr
        if header.end_lineno == node.lineno:
            yield node.lineno, "unlock", node.col_offset, _colon_end(node, tokens), "if True:"
    # a deleted assignment is a NameError at once, a slip no test needs to look for
    statement = node if isinstance(node, ast.Expr | ast.AugAssign | ast.Raise) else None
    if statement and statement.lineno == statement.end_lineno and not _is_docstring(statement):
        end = statement.end_col_offset or 0
        yield statement.lineno, "delete", statement.col_offset, end, "pass"


def _operator_edits(
    node: ast.AST, tokens: dict[int, list[tokenize.TokenInfo]]
) -> Iterator[tuple[int, str, int, int, str]]:
    """Swap the operator token(s) between an operator node's operands."""
    pairs: list[tuple[ast.AST, ast.AST]]
    if isinstance(node, ast.Compare):
        pairs = list(zip([node.left, *node.comparators], node.comparators, strict=False))
        kind, table = "compare", _COMPARE
    elif isinstance(node, ast.BinOp):
        pairs, kind, table = [(node.left, node.right)], "arith", _ARITH
    elif isinstance(node, ast.AugAssign):
        pairs, kind, table = [(node.target, node.value)], "arith", _ARITH
    else:
        assert isinstance(node, ast.BoolOp)
        pairs = list(zip(node.values, node.values[1:], strict=False))
        kind, table = "bool", {"and": "or", "or": "and"}
    for left, right in pairs:
        between = _between(left, right, tokens)
        if not between:
            continue
        words = tuple(t.string for t in between)
        first, last = between[0], between[-1]
        new = table.get(words[0]) if len(words) == 1 else None
        if kind == "compare" and words in _WORDS:
            new = _WORDS[words]
        if new is not None and first.start[0] == last.end[0]:
            yield first.start[0], kind, first.start[1], last.end[1], new


def _between(
    left: ast.AST, right: ast.AST, tokens: dict[int, list[tokenize.TokenInfo]]
) -> list[tokenize.TokenInfo]:
    """The operator tokens after ``left`` ends and before ``right`` starts, on one line."""
    end = (getattr(left, "end_lineno", 0), getattr(left, "end_col_offset", 0))
    start = (getattr(right, "lineno", 0), getattr(right, "col_offset", 0))
    if end[0] != start[0]:
        return []
    return [
        t
        for t in tokens.get(end[0], [])
        if t.type in (tokenize.OP, tokenize.NAME) and end <= t.start and t.end <= start
    ]


def _tokens_by_line(source: str) -> dict[int, list[tokenize.TokenInfo]]:
    by_line: dict[int, list[tokenize.TokenInfo]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        by_line.setdefault(token.start[0], []).append(token)
    return by_line


def _colon_end(node: ast.With, tokens: dict[int, list[tokenize.TokenInfo]]) -> int:
    """The column just after the ``:`` that ends a one-line ``with`` header."""
    colons = [t for t in tokens.get(node.lineno, []) if t.string == ":"]
    return colons[-1].end[1] if colons else node.col_offset


def _changed_constant(value: object) -> str | None:
    if value is True or value is False:
        return repr(not value)
    if isinstance(value, int):
        return repr(value + 1)
    if isinstance(value, float):
        return repr(value * 2) if value else "1.0"
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )
