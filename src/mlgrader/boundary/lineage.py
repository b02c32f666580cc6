"""Where a candidate class sits in the class hierarchy, read from the submission's source.

``isinstance``, ``issubclass`` and the trusted base a candidate exception gets
are worth points: an OOP test checks that three servers share one abstract
base, ``pytest.raises(ValueError)`` must catch ``class BadInput(ValueError)``.
The candidate process could describe its classes any way it likes (a
metaclass whose ``mro()`` adds a base, a patched channel), so the answers come
from the files Python imports instead: class statements and their bases as
written, followed through imports and aliases across the submission's modules,
and for classes of trusted modules (builtins, the standard library, support
modules) the real classes already imported in the test's process. A class the
source does not define (one made at run time) has no known base.

Nothing here imports or runs candidate code: files are parsed, never executed,
and a trusted module is looked up only in ``sys.modules``.
"""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

#: A class by name: (module, qualified name), as ``__module__`` and ``__qualname__`` say.
Key = tuple[str, str]

#: Source files larger than this are not read (the quality analysis skips them too).
MAX_FILE_BYTES = 1_000_000
#: How far bases, imports and aliases are followed before giving up on an answer.
MAX_DEPTH = 40
OBJECT: Key = ("builtins", "object")


@dataclass
class _Module:
    """What one source file says at module level (and in class bodies)."""

    classes: dict[str, list[ast.expr]] = field(default_factory=dict)  # qualname -> bases
    imported: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # name -> target
    aliases: dict[str, ast.expr] = field(default_factory=dict)  # name = <expression>


class Lineage:
    """Method resolution orders of the submission's classes, from the source under ``root``.

    ``trusted`` names the support modules: a file of the submission with the same
    name never counts (the workspace replaces it with the support copy).
    """

    def __init__(self, root: Path, trusted: frozenset[str] = frozenset()) -> None:
        self.root = root
        self.trusted = trusted
        self._modules: dict[str, _Module | None] = {}
        self._mros: dict[Key, tuple[Key, ...]] = {}
        self._lock = threading.Lock()

    def mro(self, key: Key) -> list[Key]:
        """``key`` first, then its bases in C3 order, ending with ``object``; just ``key`` and
        ``object`` when the source does not say (a class made at run time, a cycle)."""
        with self._lock:
            return list(self._mro(key, 0))

    def is_subclass(self, sub: Key, cls: Key) -> bool:
        return cls in self.mro(sub)

    # -- classes ---------------------------------------------------------------------------

    def _mro(self, key: Key, depth: int) -> tuple[Key, ...]:
        known = self._mros.get(key)
        if known is not None:
            return known
        self._mros[key] = (key, OBJECT)  # until computed: a cycle ends here
        result = self._compute(key, depth)
        self._mros[key] = result
        return result

    def _compute(self, key: Key, depth: int) -> tuple[Key, ...]:
        module_name, qualname = key
        module = self._module(module_name)
        if module is None:
            return _trusted_mro(key)
        bases = module.classes.get(qualname)
        if bases is None or depth > MAX_DEPTH:
            return (key, OBJECT)
        resolved = [self._resolve(module_name, expr, depth + 1) for expr in bases]
        parents = [b for b in resolved if b is not None] or [OBJECT]
        merged = _c3([list(self._mro(b, depth + 1)) for b in parents] + [list(parents)])
        return (key, *merged) if merged is not None else (key, OBJECT)

    def _resolve(self, module_name: str, expr: ast.expr, depth: int) -> Key | None:
        """The class a base expression names, or None (a call, an unknown name)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Subscript):  # Generic[T], Mapping[str, int]
            return self._resolve(module_name, expr.value, depth + 1)
        dotted = _dotted(expr)
        if dotted is None:
            return None
        return self._lookup(module_name, dotted, depth + 1)

    def _lookup(self, module_name: str, dotted: list[str], depth: int) -> Key | None:
        """``a.b.C`` as written in ``module_name``: a class of some module, or None."""
        if depth > MAX_DEPTH:
            return None
        module = self._module(module_name)
        if module is None:  # a trusted module: its attribute path as it stands
            return (module_name, ".".join(dotted))
        head, rest = dotted[0], dotted[1:]
        if ".".join(dotted) in module.classes:
            return (module_name, ".".join(dotted))
        if head in module.imported:
            target_module, attribute = module.imported[head]
            if attribute is None:  # ``import a.b as c``: c.X is a.b.X
                return self._in_module(target_module, rest, depth + 1)
            return self._in_module(target_module, [attribute, *rest], depth + 1)
        if head in module.aliases and not rest:
            return self._resolve(module_name, module.aliases[head], depth + 1)
        if not rest and isinstance(getattr(builtins, head, None), type):
            return ("builtins", head)
        return None

    def _in_module(self, module_name: str, path: list[str], depth: int) -> Key | None:
        """``path`` looked up inside ``module_name`` (a submodule, a class, a re-export)."""
        if not path:
            return None
        if self._module(module_name) is None:
            if f"{module_name}.{path[0]}" in sys.modules and len(path) > 1:
                return self._in_module(f"{module_name}.{path[0]}", path[1:], depth + 1)
            return (module_name, ".".join(path))
        submodule = f"{module_name}.{path[0]}"
        if len(path) > 1 and self._module(submodule) is not None:
            return self._in_module(submodule, path[1:], depth + 1)
        return self._lookup(module_name, path, depth + 1)

    # -- modules ---------------------------------------------------------------------------

    def _module(self, name: str) -> _Module | None:
        """The parsed submission module ``name``; None for a module that is not the
        submission's (a trusted one). A submission file that cannot be read or parsed is
        an empty module: its classes have no known bases."""
        if name in self._modules:
            return self._modules[name]
        path = None if name.split(".")[0] in self.trusted else _find(self.root, name)
        parsed = None if path is None else _parse(name, path)
        self._modules[name] = parsed
        return parsed


def _find(root: Path, name: str) -> Path | None:
    """The file the import system would load as ``name`` from ``root`` (running nothing)."""
    search = [str(root)]
    spec = None
    for part in name.split("."):
        try:
            spec = importlib.machinery.PathFinder.find_spec(part, search)
        except (ImportError, ValueError, OSError):
            return None
        if spec is None:
            return None
        search = list(spec.submodule_search_locations or [])
    origin = getattr(spec, "origin", None)
    if not origin or not str(origin).endswith(".py"):
        return Path(origin) if origin and Path(origin).is_file() else None
    return Path(origin)


def _parse(name: str, path: Path) -> _Module:
    module = _Module()
    try:
        if path.suffix != ".py" or path.stat().st_size > MAX_FILE_BYTES:
            return module  # compiled or huge: nothing known
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return module
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    _collect(tree.body, "", module, package)
    return module


def _collect(body: list[ast.stmt], prefix: str, module: _Module, package: str) -> None:
    """Classes, imports and aliases of a module body, looking into ``if`` and ``try`` blocks
    and class bodies (nested classes), never into functions."""
    for node in body:
        if isinstance(node, ast.ClassDef):
            qualname = prefix + node.name
            module.classes[qualname] = list(node.bases)
            _collect(node.body, qualname + ".", module, package)
        elif prefix:
            continue  # in a class body only nested classes count
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.imported[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    module.imported[top] = (top, None)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, package)
            for alias in node.names:
                if source is not None and alias.name != "*":
                    module.imported[alias.asname or alias.name] = (source, alias.name)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                module.aliases[target.id] = node.value
        elif isinstance(node, ast.If | ast.Try):
            blocks = [node.body, node.orelse]
            if isinstance(node, ast.Try):
                blocks += [node.finalbody, *(h.body for h in node.handlers)]
            for block in blocks:
                _collect(block, prefix, module, package)


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    """The module a ``from ... import`` names, relative imports resolved against ``package``."""
    if not node.level:
        return node.module
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base) or None


def _dotted(expr: ast.expr) -> list[str] | None:
    """``a.b.C`` as ["a", "b", "C"]; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return parts[::-1]


def _trusted_mro(key: Key) -> tuple[Key, ...]:
    """The MRO of a class of a trusted module, from the class itself if it is imported."""
    module_name, qualname = key
    found: object = sys.modules.get(module_name)
    for part in qualname.split("."):
        found = getattr(found, part, None) if found is not None else None
    if not isinstance(found, type):
        return (key, OBJECT) if key != OBJECT else (OBJECT,)
    return tuple((k.__module__, k.__qualname__) for k in found.__mro__)


def _c3(sequences: list[list[Key]]) -> list[Key] | None:
    """C3 linearisation of the parents' MROs; None when there is none (inconsistent bases)."""
    result: list[Key] = []
    sequences = [list(s) for s in sequences if s]
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head in other[1:] for other in sequences):
                break
        else:
            return None
        result.append(head)
        sequences = [[k for k in s if k != head] for s in sequences]
        sequences = [s for s in sequences if s]
    return result
