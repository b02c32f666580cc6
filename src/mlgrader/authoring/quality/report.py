"""The quality report: the metrics model and the ``require_*`` assertions test authors call.

Why a module of its own: this is the part of the quality checks a challenge's test
author touches (``submission.quality().require_docstrings()``) and the part the
scorecard serialises. The numbers and findings are computed elsewhere (analysis.py,
mlgrader's own AST analysis; lint.py, radon and ruff); this module only holds them and
judges them against the limits a test asks for.

Each ``require_*`` helper raises one ``AssertionError`` that lists *every* offending
place as ``file:line: what (metric value vs limit)``, so the candidate sees all
problems at once instead of fixing them one test run at a time. A file that could not
be checked (a ``syntax-error`` or ``not-analysed`` finding) fails every helper.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from mlgrader.authoring.quality.nodes import is_public
from mlgrader.model.findings import Finding

#: Finding kinds that mean a file could not be checked: every ``require_*`` helper fails.
UNCHECKED = frozenset({"syntax-error", "not-analysed"})


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
        """Fail if any function's cyclomatic complexity (``radon cc``) exceeds ``limit``."""
        self._require_metric("complexity", limit, "is too complex", "cyclomatic complexity above")

    def require_max_function_length(self, limit: int = 30) -> None:
        """Fail if any function spans more than ``limit`` lines from ``def`` to the end of its
        body, its docstring left out (blank lines and comments count)."""
        self._require_metric("length", limit, "is too long", "function length above")

    def require_max_nesting(self, limit: int = 4) -> None:
        """Fail if any function nests blocks (if/for/while/with/try/match) deeper than ``limit``."""
        self._require_metric("nesting", limit, "nests blocks too deeply", "block nesting above")

    def require_no_module_mutable_state(self) -> None:
        """Fail on module- or class-level names bound to mutable containers."""
        self._require_kind("module-mutable-state", "module- or class-level mutable state")

    def require_no_global_statements(self) -> None:
        """Fail on ``global`` statements in functions (ruff PLW0602, PLW0603)."""
        self._require_kind("global-statement", "global statements")

    def require_docstrings(self) -> None:
        """Fail on public classes, functions and methods without a docstring.

        ruff D101, D102, D103, D106 (pydocstyle's notion of public: names without a
        leading ``_``, in ``__all__`` when the module has one; ``__init__`` and other
        dunders except ``__call__`` and ``__new__`` are exempt). An override of a method
        of a base class in the same file inherits that method's docstring.
        """
        self._require_kind("missing-docstring", "missing docstrings")

    def require_no_bare_except(self) -> None:
        """Fail on bare ``except:`` (ruff E722) and on ``except Exception:`` whose whole body
        is ``pass`` or ``continue`` (ruff S110, S112)."""
        self._require_kind("bare-except", "bare or swallowing except clauses")

    def require_no_broad_except(self) -> None:
        """Fail on ``except Exception``/``BaseException`` that neither re-raises nor logs the
        error (ruff BLE001), and on bare or swallowing ones."""
        problems = self._unchecked_problems()
        problems.extend(str(f) for f in self.findings if f.kind in ("bare-except", "broad-except"))
        _raise_if(problems, "over-broad except clauses")

    def require_no_print(self) -> None:
        """Fail on ``print()`` calls (ruff T201): library code returns values or logs."""
        self._require_kind("print-call", "print() in library code")

    def require_no_star_imports(self) -> None:
        """Fail on ``from x import *`` (ruff F403)."""
        self._require_kind("star-import", "star imports")

    def require_no_mutable_defaults(self) -> None:
        """Fail on mutable default arguments, ``def f(x=[])`` (ruff B006)."""
        self._require_kind("mutable-default", "mutable default arguments")

    def require_pep8_names(self) -> None:
        """Fail on class names not in CapWords (ruff N801) and function names with capitals
        (ruff N802; ``setUp``-style and ``visit_*``/``depart_*`` names frameworks impose
        are exempt)."""
        self._require_kind("naming", "names that break PEP 8")

    def require_no_duplicate_blocks(self) -> None:
        """Fail when a run of `DUPLICATE_BLOCK` identical statements appears twice."""
        self._require_kind("duplicate-block", "duplicated blocks")

    def require_max_params(self, limit: int = 5) -> None:
        """Fail if any function takes more than ``limit`` parameters (``self`` not counted)."""
        self._require_metric("params", limit, "takes too many parameters", "parameters above")

    def require_type_hints(self, fraction: float = 1.0) -> None:
        """Fail if a public function annotates less than ``fraction`` of its parameters and return."""
        problems = self._unchecked_problems()
        for fm in self.files.values():
            for fn in fm.functions:
                if (
                    is_public(fn.qualname)
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
        problems = self._unchecked_problems()
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
        problems = self._unchecked_problems()
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
        problems = self._unchecked_problems()
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
        problems = self._unchecked_problems()
        problems.extend(str(f) for f in self.findings if f.kind == kind)
        _raise_if(problems, title)

    def _unchecked_problems(self) -> list[str]:
        return [f"{f} (file could not be checked)" for f in self.findings if f.kind in UNCHECKED]

    def _file_list(self) -> str:
        return ", ".join(self.files) or "(no files)"


def _raise_if(problems: list[str], title: str) -> None:
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise AssertionError(f"{len(problems)} place(s) with {title}:\n{lines}")
