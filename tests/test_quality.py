"""Tests for mlgrader.quality: metrics, findings (and the rule each comes from), the
require_* authoring helpers, and the ruff subprocess staying bounded and honest."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from mlgrader.model.mutants import build_mutant
from mlgrader.quality import Finding, QualityReport, analyze_paths, analyze_source


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# A submission with every problem the rubric cares about; line numbers matter below.
MESSY = src(
    """
    from collections import defaultdict
    _STORE = {}
    REGISTRY = defaultdict(list)
    LIMIT = 10
    NAMES = ("a", "b")
    __all__ = ["Cart", "god"]


    def god(a, b, c, d=[]):
        global _STORE
        if a:
            x = 1
        elif b:
            x = 2
        else:
            x = 3
        for i in range(a):
            while b:
                if c and d:
                    b -= 1
                elif c or d or a:
                    b -= 2
        try:
            x = x // a
        except ZeroDivisionError:
            x = 0
        except:
            pass
        y = [v for v in d if v if v > 1]
        z = 1 if x else 2
        assert z
        print(x, y)
        return x


    class Cart:
        discounts = []

        def __init__(self):
            self.items = []
            self._total = 0
            self.count: int = 0
            self.count += 1

        def add(self, item):
            try:
                self.items.append(item)
            except Exception:
                pass
    """
)

CLEAN = src(
    '''
    """A tidy submission."""

    from __future__ import annotations

    from abc import ABC, abstractmethod

    LIMIT = 10
    NAMES = ("a", "b")
    __all__ = ["Cart", "Shape"]


    class Shape(ABC):
        """Something with an area."""

        @abstractmethod
        def area(self) -> float:
            """Return the area."""


    class Cart:
        """A shopping cart."""

        __slots__ = ("_items",)

        def __init__(self, items: list[str] | None = None) -> None:
            self._items: list[str] = list(items or [])

        @property
        def size(self) -> int:
            """Number of items."""
            return len(self._items)

        def add(self, item: str, *, times: int = 1) -> None:
            """Add ``item`` ``times`` times."""
            for _ in range(times):
                self._items.append(item)

        def _check(self) -> bool:
            return all(isinstance(i, str) for i in self._items)
    '''
)

ALL_REQUIREMENTS = [
    "require_max_complexity",
    "require_max_function_length",
    "require_max_nesting",
    "require_no_module_mutable_state",
    "require_no_global_statements",
    "require_docstrings",
    "require_private_state",
    "require_no_bare_except",
]


@pytest.fixture
def messy() -> QualityReport:
    return analyze_source(MESSY, "cart.py")


def kinds_at(report: QualityReport) -> set[tuple[str, int]]:
    return {(f.kind, f.line) for f in report.findings}


# -- metrics -----------------------------------------------------------------------------


def test_god_function_metrics(messy: QualityReport) -> None:
    god = messy.find_function("god")
    # 1 + if + elif + for + while + if + `and` + elif + 2x`or` + except x2
    #   + comprehension (for + 2 ifs) + ternary + assert = 17
    assert god.complexity == 17
    assert god.line == 9
    assert god.length == 25  # lines 9..33
    assert god.nesting == 3  # for > while > if
    assert god.params == 4
    assert god.has_docstring is False
    assert god.annotated == 0.0


def test_method_metrics_exclude_self_and_use_qualname(messy: QualityReport) -> None:
    add = messy.find_function("Cart.add")
    assert (add.name, add.qualname, add.params, add.complexity, add.nesting) == (
        "add",
        "Cart.add",
        1,
        2,
        1,
    )


def test_annotation_fraction_counts_params_and_return() -> None:
    report = analyze_source("def f(a: int, b, *args: int, c=1, **kw) -> None:\n    return None\n")
    f = report.find_function("f")
    assert f.params == 5
    assert f.annotated == pytest.approx(3 / 6, abs=1e-3)


def test_complexity_counts_match_cases_but_not_wildcard_or_nested_functions() -> None:
    report = analyze_source(
        src(
            """
            def f(v):
                match v:
                    case 1:
                        pass
                    case [a, b] if a:
                        pass
                    case _:
                        pass
                def inner():
                    if v:
                        return 1
                with open(v) as fh:
                    return fh
            """
        )
    )
    assert report.find_function("f").complexity == 3
    inner = report.find_function("f.<locals>.inner")
    assert inner.complexity == 2
    assert report.find_function("f").nesting == 1


def test_elif_chain_does_not_add_nesting() -> None:
    chain = "\n".join(
        ["def f(x):", "    if x == 0:", "        return 0"]
        + [f"    elif x == {i}:\n        return {i}" for i in range(1, 8)]
    )
    f = analyze_source(chain).find_function("f")
    assert f.nesting == 1
    assert f.complexity == 9


def test_deep_nesting_metric_and_finding() -> None:
    code = src(
        """
        def deep(x):
            for a in x:
                for b in a:
                    with b:
                        try:
                            if b:
                                while b:
                                    b -= 1
                        except ValueError:
                            pass
        """
    )
    report = analyze_source(code, "deep.py")
    assert report.find_function("deep").nesting == 6
    assert ("deep-nesting", 1) in kinds_at(report)
    with pytest.raises(AssertionError, match=r"deep\.py:1: .*'deep'.*\(nesting 6 > limit 4\)"):
        report.require_max_nesting()
    report.require_max_nesting(limit=6)


def test_class_metrics(messy: QualityReport) -> None:
    (cart,) = messy.files["cart.py"].classes
    assert cart.name == "Cart"
    assert cart.line == 36
    assert cart.methods == ["__init__", "add"]
    assert cart.public_attributes == ["items", "count"]
    assert cart.has_docstring is False
    assert cart.is_abstract is False


def test_abstract_and_bases_detection() -> None:
    report = analyze_source(
        src(
            """
            import abc, typing
            class A(abc.ABC): pass
            class P(typing.Protocol[int]): pass
            class M(metaclass=abc.ABCMeta): pass
            class D(Base):
                @abc.abstractmethod
                def run(self): ...
            class C(A, Generic[T]): pass
            """
        )
    )
    classes = {c.name: c for c in report.files["<string>"].classes}
    assert {n: c.is_abstract for n, c in classes.items()} == {
        "A": True,
        "P": True,
        "M": True,
        "D": True,
        "C": False,
    }
    assert classes["C"].bases == ["A", "Generic[T]"]
    assert classes["P"].bases == ["typing.Protocol[int]"]


# -- findings --------------------------------------------------------------------------------


def test_findings_of_messy_submission(messy: QualityReport) -> None:
    found = {(f.kind, f.line, f.rule) for f in messy.findings}
    expected = {
        ("module-mutable-state", 2, "mlgrader module-mutable-state"),  # _STORE = {}
        ("module-mutable-state", 3, "mlgrader module-mutable-state"),  # defaultdict(list)
        ("mutable-default", 9, "ruff B006"),
        ("missing-docstring", 9, "ruff D103"),
        ("high-complexity", 9, "radon cc"),
        ("global-statement", 10, "ruff PLW0602"),  # global, never assigned
        ("bare-except", 27, "ruff E722"),  # except: pass (E722 says it; no S110 as well)
        ("print-call", 32, "ruff T201"),
        ("missing-docstring", 36, "ruff D101"),
        ("module-mutable-state", 37, "mlgrader module-mutable-state"),  # discounts = []
        ("public-attribute", 40, "mlgrader public-attribute"),  # self.items
        ("public-attribute", 42, "mlgrader public-attribute"),  # self.count, annotated
        ("missing-docstring", 45, "ruff D102"),
        ("bare-except", 48, "ruff S110"),  # except Exception: pass (not also BLE001)
    }
    assert found == expected
    for finding in messy.findings:  # the text a candidate reads names the rule too
        assert str(finding).endswith(f" [{finding.rule}]")
    assert all(f.file == "cart.py" for f in messy.findings)
    assert messy.findings == messy.files["cart.py"].findings
    assert [f.line for f in messy.findings] == sorted(f.line for f in messy.findings)


def test_module_state_rules() -> None:
    code = src(
        """
        import collections
        __all__ = ["x"]
        LIMITS = (1, 2)
        CONFIG = {"debug": False}
        NAMES = frozenset({"a"})
        SQUARES = [i * i for i in range(3)]
        QUEUE = collections.deque()
        a, b = [], 3
        counts: dict[str, int] = collections.Counter()
        if True:
            CACHE = set()
        def f():
            local = []
            return local
        class K:
            __slots__ = ["_x"]
            seen = dict()
            def m(self):
                tmp = {}
                return tmp
        """
    )
    report = analyze_source(code, "state.py")
    lines = sorted(f.line for f in report.findings if f.kind == "module-mutable-state")
    assert lines == [4, 6, 7, 8, 9, 11, 17]
    with pytest.raises(AssertionError) as info:
        report.require_no_module_mutable_state()
    message = str(info.value)
    assert "7 place(s)" in message
    assert "state.py:4: module-level name 'CONFIG' is bound to a mutable dict" in message
    assert "state.py:17: class attribute 'K.seen' is bound to a mutable dict()" in message
    assert "'b'" not in message and "LIMITS" not in message


def test_docstring_rules_exempt_private_dunder_local_and_setters() -> None:
    code = src(
        '''
        def public(): pass
        def _private(): pass
        class _Hidden:
            def run(self): pass
        class Shown:
            """Doc."""
            def __init__(self): pass
            def __len__(self): return 0
            @property
            def value(self):
                """Doc."""
                return 1
            @value.setter
            def value(self, v): pass
            def method(self):
                def helper(): pass
                return helper
        '''
    )
    report = analyze_source(code, "doc.py")
    with pytest.raises(AssertionError) as info:
        report.require_docstrings()
    lines = str(info.value).splitlines()
    assert lines[0] == "2 place(s) with missing docstrings:"
    assert lines[1:] == [
        "  doc.py:1: Missing docstring in public function `public` [ruff D103]",
        "  doc.py:15: Missing docstring in public method `Shown.method` [ruff D102]",
    ]


def test_docstrings_are_required_of_the_names_a_module_exports() -> None:
    """pydocstyle's notion of public, as ruff applies it: with ``__all__``, what it lists."""
    code = src(
        """
        __all__ = ["Api"]


        class Api:
            def call(self):
                return helper()


        def helper():
            return 1
        """
    )
    report = analyze_source(code, "api.py")
    assert {(f.line, f.rule) for f in report.findings} == {(4, "ruff D101"), (5, "ruff D102")}


def test_private_state_rules_properties_slots_and_class_filter() -> None:
    code = src(
        '''
        class Good:
            """Doc."""
            __slots__ = ("_a",)
            def __init__(self):
                self._a = 1
            @property
            def a(self):
                """Doc."""
                return self._a
            def set_a(self):
                """Doc."""
                self.a = 2  # goes through the property defined on the class
        class Bad:
            """Doc."""
            __slots__ = ("name", "_ok")
            def __init__(this, x):
                this.x, this._y = x, x
                this.name = "n"
            @staticmethod
            def make(self):
                self.z = 1
        '''
    )
    report = analyze_source(code, "priv.py")
    report.require_private_state("Good")
    with pytest.raises(AssertionError) as info:
        report.require_private_state("Bad")
    message = str(info.value)
    assert "priv.py:15: Bad.name is public state" in message  # listed in __slots__
    assert "priv.py:17: Bad.x is public state" in message
    assert "Bad.z" not in message  # a staticmethod has no self
    with pytest.raises(AssertionError, match=r"Bad\.x"):
        report.require_private_state()
    with pytest.raises(AssertionError, match="no class named 'Missing'"):
        report.require_private_state("Missing")


def test_bare_except_only_flags_swallowing_broad_handlers() -> None:
    code = src(
        """
        try:
            pass
        except Exception:
            raise
        except BaseException as exc:
            log(exc)
        try:
            pass
        except (ValueError, Exception):
            pass
        try:
            pass
        except ValueError:
            pass
        for item in range(3):
            try:
                pass
            except Exception:
                continue
        try:
            pass
        except Exception:
            ...
        """
    )
    report = analyze_source(code, "exc.py")
    # the handler that uses the error is over-broad (its own kind), not a silent swallow;
    # S110/S112 know a body of `pass` or `continue`, and a body of `...` is only over-broad
    assert [(f.kind, f.line, f.rule) for f in report.findings] == [
        ("broad-except", 5, "ruff BLE001"),
        ("bare-except", 9, "ruff S110"),
        ("bare-except", 18, "ruff S112"),
        ("broad-except", 22, "ruff BLE001"),
    ]
    with pytest.raises(AssertionError, match=r"exc\.py:9: `try`-`except`-`pass` detected"):
        report.require_no_bare_except()


def test_star_import_print_and_long_function_findings() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    code = f"from os.path import *\n\ndef long():\n    '''Doc.'''\n{body}\n    print(x0)\n"
    report = analyze_source(code, "long.py")
    assert kinds_at(report) == {
        ("star-import", 1),
        ("long-function", 3),
        ("print-call", 65),
    }
    assert report.find_function("long").length == 62  # 63 lines, the docstring left out
    with pytest.raises(AssertionError, match=r"long\.py:3: .*\(length 62 > limit 30\)"):
        report.require_max_function_length()
    report.require_max_function_length(limit=62)


def test_a_long_docstring_does_not_count_toward_a_function_length_limit() -> None:
    """A stub's docstring (which a statement asks the candidate to keep) is not code: 20
    lines of it over 25 lines of code stay within a limit of 30. Comments still count."""
    doc = "\n".join(['    """Step the pipeline.', *(["    More text."] * 18), '    """'])
    code = "\n".join(f"    x{i} = {i}  # line {i}" for i in range(24))
    report = analyze_source(f"def step():\n{doc}\n{code}\n", "pipe.py")
    assert report.find_function("step").length == 25
    report.require_max_function_length(30)
    bare = analyze_source(f"def step():\n{code}\n", "pipe.py")
    assert bare.find_function("step").length == 25


# -- require_* helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("require_max_complexity", ["cart.py:9: function 'god' is too complex (complexity 17 >"]),
        ("require_no_module_mutable_state", ["cart.py:2: ", "cart.py:3: ", "cart.py:37: "]),
        ("require_no_global_statements", ["cart.py:10: Using global for `_STORE`"]),
        ("require_docstrings", ["cart.py:9: ", "cart.py:36: ", "cart.py:45: "]),
        ("require_private_state", ["cart.py:40: Cart.items", "cart.py:42: Cart.count"]),
        ("require_no_bare_except", ["cart.py:27: Do not use bare", "cart.py:48: `try`-`ex"]),
    ],
)
def test_require_helpers_list_every_offending_place(
    messy: QualityReport, method: str, expected: list[str]
) -> None:
    with pytest.raises(AssertionError) as info:
        getattr(messy, method)()
    message = str(info.value)
    assert message.startswith(f"{len(expected)} place(s) with ")
    for fragment in expected:
        assert fragment in message


def test_require_limits_are_configurable(messy: QualityReport) -> None:
    messy.require_max_complexity(limit=17)
    messy.require_max_function_length()  # default limit 30
    with pytest.raises(
        AssertionError, match=r"cart\.py:9: .*'god' is too long \(length 25 > limit 20\)"
    ):
        messy.require_max_function_length(limit=20)
    messy.require_max_nesting(limit=3)
    with pytest.raises(AssertionError, match=r"\(nesting 3 > limit 2\)"):
        messy.require_max_nesting(limit=2)


@pytest.mark.parametrize("method", ALL_REQUIREMENTS)
def test_clean_code_passes_every_requirement(method: str) -> None:
    report = analyze_source(CLEAN, "clean.py")
    assert report.findings == []
    assert getattr(report, method)() is None


def test_clean_code_metrics() -> None:
    report = analyze_source(CLEAN, "clean.py")
    classes = {c.name: c for c in report.files["clean.py"].classes}
    assert classes["Shape"].is_abstract is True
    assert classes["Cart"].public_attributes == []
    assert classes["Cart"].methods == ["__init__", "size", "add", "_check"]
    assert report.find_function("Cart.add").annotated == 1.0
    assert report.find_function("Cart.add").params == 2


# -- syntax errors, files, serialisation ------------------------------------------------------


def test_syntax_error_is_a_finding_and_fails_every_requirement() -> None:
    report = analyze_source("def broken(:\n    pass\n", "broken.py")
    assert [(f.kind, f.line, f.file) for f in report.findings] == [("syntax-error", 1, "broken.py")]
    assert report.files["broken.py"].functions == []
    for method in ALL_REQUIREMENTS:
        with pytest.raises(AssertionError, match=r"broken\.py:1: syntax error"):
            getattr(report, method)()


def test_analyze_paths_keys_are_relative_posix(tmp_path: Path) -> None:
    pkg = tmp_path / "sub" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "store.py").write_text("_STORE = {}\n", encoding="utf-8")
    (pkg / "ok.py").write_text('"""Doc."""\nX = 1\n', encoding="utf-8")
    (tmp_path / "bad.py").write_bytes(b"\xff\xfe garbage = (\n")
    (tmp_path / "notes.txt").write_text("not python", encoding="utf-8")

    report = analyze_paths([tmp_path / "sub", tmp_path / "bad.py"], root=tmp_path)

    assert list(report.files) == ["sub/pkg/ok.py", "sub/pkg/store.py", "bad.py"]
    assert report.files["sub/pkg/ok.py"].lines == 2
    assert [(f.file, f.kind) for f in report.findings] == [
        ("sub/pkg/store.py", "module-mutable-state"),
        ("bad.py", "syntax-error"),
    ]
    with pytest.raises(AssertionError, match=r"sub/pkg/store\.py:1: module-level name '_STORE'"):
        analyze_paths([pkg / "store.py"], root=tmp_path).require_no_module_mutable_state()


def test_to_dict_is_json_serialisable(messy: QualityReport) -> None:
    data = json.loads(json.dumps(messy.to_dict()))
    assert list(data) == ["files"]
    cart = data["files"]["cart.py"]
    assert set(cart) == {"lines", "functions", "classes", "findings"}
    assert cart["lines"] == MESSY.count("\n")
    assert {f["qualname"] for f in cart["functions"]} == {"god", "Cart.__init__", "Cart.add"}
    assert set(cart["functions"][0]) == {
        "name",
        "qualname",
        "line",
        "length",
        "complexity",
        "nesting",
        "params",
        "has_docstring",
        "annotated",
    }
    assert {"name", "bases", "methods", "public_attributes", "is_abstract"} <= set(
        cart["classes"][0]
    )
    assert cart["findings"][0] == {
        "file": "cart.py",
        "line": 2,
        "kind": "module-mutable-state",
        "detail": "module-level name '_STORE' is bound to a mutable dict",
        "severity": "info",
        "rule": "mlgrader module-mutable-state",
    }
    finding = Finding("k", "d", file="a.py", line=1, rule="ruff X1")
    assert finding.to_dict() == {
        "file": "a.py",
        "line": 1,
        "kind": "k",
        "detail": "d",
        "severity": "info",
        "rule": "ruff X1",
    }
    assert str(finding) == "a.py:1: d [ruff X1]"


def test_find_function_names_known_functions(messy: QualityReport) -> None:
    with pytest.raises(AssertionError, match=r"no function 'nope'.*Cart\.add"):
        messy.find_function("nope")


# --- cohesion, names, duplicates, shared bases (expected values worked out by hand) ---

COHESION = src(
    """
    class Split:
        def __init__(self):
            self.a = 1
            self.b = 2

        def f(self):
            return self.a

        def g(self):
            return self.a + 1

        def h(self):
            return self.b

        def k(self):
            return self.h()

        @staticmethod
        def util(x):
            return x


    class Whole(Split):
        def both(self):
            return self.a + self.b
    """
)


def test_lcom4_counts_groups_of_methods_sharing_no_state() -> None:
    # Split: {f, g} share a; {h, k} (k calls h) use b; __init__ and util are left out.
    # Whole: one method using a and b.
    report = analyze_source(COHESION, "c.py")
    lcom = {c.name: c.lcom4 for c in report.files["c.py"].classes}
    assert lcom == {"Split": 2, "Whole": 1}
    report.require_cohesion(limit=2)
    report.require_cohesion(class_name="Whole")
    with pytest.raises(AssertionError) as info:
        report.require_cohesion()
    assert "c.py:1: class 'Split' does 2 unrelated jobs (LCOM4 2 > limit 1)" in str(info.value)


def test_pep8_names_of_classes_and_functions() -> None:
    source = src(
        """
        class good_name:
            def camelCase(self):
                return 1

            def setUp(self):
                return 2

            def visit_Name(self, node):
                return node

            def __len__(self):
                return 0


        def _Private():
            return 3
        """
    )
    report = analyze_source(source, "n.py")
    with pytest.raises(AssertionError) as info:
        report.require_pep8_names()
    assert str(info.value).splitlines() == [
        "3 place(s) with names that break PEP 8:",
        "  n.py:1: Class name `good_name` should use CapWords convention [ruff N801]",
        "  n.py:2: Function name `camelCase` should be lowercase [ruff N802]",
        "  n.py:15: Function name `_Private` should be lowercase [ruff N802]",
    ]


def test_duplicated_block_is_found_once_at_its_second_place() -> None:
    block = "    a = x + 1\n    b = a * 2\n    c = b - 3\n    print(c)\n"
    source = f"def one(x):\n{block}    return c\n\n\ndef two(x):\n{block}    return c\n"
    report = analyze_source(source, "d.py")
    dups = [str(f) for f in report.findings if f.kind == "duplicate-block"]
    assert dups == [
        "d.py:10: 4 statements from line 10 repeat those at line 2; share them in one function"
        " [mlgrader duplicate-block]"
    ]
    with pytest.raises(AssertionError, match="1 place"):
        report.require_no_duplicate_blocks()
    analyze_source(f"def one(x):\n{block}    return c\n").require_no_duplicate_blocks()


LAYERS = src(
    """
    from abc import ABC, abstractmethod


    class Layer(ABC):
        @abstractmethod
        def forward(self, x): ...

        @abstractmethod
        def backward(self, grad): ...


    class Linear(Layer):
        def forward(self, x):
            return x

        def backward(self, grad):
            return grad


    class Tanh(Layer):
        def forward(self, x):
            return x

        def backward(self, grad):
            return grad
    """
)


def test_layers_sharing_an_abstract_base_pass() -> None:
    assert analyze_source(LAYERS).require_shared_base(["forward", "backward"]) == "Layer"


def test_base_raising_not_implemented_counts_as_abstract() -> None:
    source = LAYERS.replace("from abc import ABC, abstractmethod", "").replace("(ABC)", "")
    source = source.replace("@abstractmethod\n", "").replace("...", "raise NotImplementedError")
    assert analyze_source(source).require_shared_base(["forward", "backward"]) == "Layer"


def test_layers_without_a_shared_base_fail_naming_them() -> None:
    source = LAYERS.replace("class Linear(Layer)", "class Linear").replace(
        "class Tanh(Layer)", "class Tanh"
    )
    with pytest.raises(AssertionError) as info:
        analyze_source(source).require_shared_base(["forward", "backward"])
    assert str(info.value).startswith(
        "Linear, Tanh define backward, forward but share no abstract base class declaring them"
    )


def test_type_hints_and_parameter_limits() -> None:
    source = src(
        """
        def typed(a: int, b: int) -> int:
            return a + b


        def half(a: int, b):
            return a


        def many(a, b, c, d, e, f):
            return a
        """
    )
    report = analyze_source(source, "t.py")
    with pytest.raises(AssertionError) as info:
        report.require_type_hints()
    lines = str(info.value).splitlines()
    assert (
        lines[1]
        == "  t.py:5: function 'half' is missing type hints (annotated 33% vs required 100%)"
    )
    assert len(lines) == 3  # half and many
    report.require_type_hints(fraction=0.0)
    with pytest.raises(
        AssertionError, match=r"'many' takes too many parameters \(params 6 > limit 5\)"
    ):
        report.require_max_params()


def test_cyclomatic_complexity_is_radons_on_real_code(tmp_path: Path) -> None:
    """Each function's complexity is the one `radon cc` reports for it on the whole file
    (radon measures each function node mlgrader found), on the bundled solutions."""
    from radon.complexity import cc_visit

    root = Path(__file__).resolve().parent.parent
    for mutant in sorted((root / "challenges").glob("*/mutants/*")):  # patches: build them
        built = tmp_path / f"{mutant.parts[-3]}-{mutant.name}"
        build_mutant(mutant.parent.parent / "reference", mutant, built)
    paths = [
        *sorted((root / "challenges").glob("*/reference/*.py")),
        *sorted(tmp_path.glob("*/*.py")),
        *sorted((root / "src" / "mlgrader").rglob("*.py")),
    ]
    compared = 0
    for path in paths:
        source = path.read_text()
        ours = {
            f.qualname: f.complexity
            for f in analyze_source(source, path.name).files[path.name].functions
        }
        for block in cc_visit(source):
            for item in [block, *getattr(block, "methods", [])]:
                if type(item).__name__ != "Function":
                    continue
                name = f"{item.classname}.{item.name}" if item.classname else item.name
                if name in ours:
                    assert ours[name] == item.complexity, (path.name, name)
                    compared += 1
    assert compared > 100


def test_else_on_loops_and_try_counts_like_radon() -> None:
    source = src(
        """
        def f(items):
            for x in items:      # +1, and +1 for its else
                if x:            # +1
                    break
            else:
                pass
            try:
                g()
            except ValueError:   # +1
                pass
            else:                # +1
                pass
            if items:            # +1; an if's else is free
                pass
            else:
                pass
        """
    )
    assert analyze_source(source).find_function("f").complexity == 7


def test_over_broad_except_that_does_not_reraise() -> None:
    source = src(
        """
        def load(path):
            try:
                return open(path).read()
            except Exception as exc:
                log(exc)
            try:
                return 1
            except Exception:
                cleanup()
                raise
            try:
                return 2
            except (ValueError, OSError):
                return None
        """
    )
    report = analyze_source(source, "l.py")
    with pytest.raises(AssertionError) as info:
        report.require_no_broad_except()
    assert str(info.value).splitlines() == [
        "1 place(s) with over-broad except clauses:",
        "  l.py:4: Do not catch blind exception: `Exception` [ruff BLE001]",
    ]
    report.require_no_bare_except()  # logging is not silent swallowing


def test_overrides_inherit_their_docstring() -> None:
    source = src(
        '''
        class Base:
            """A base."""

            def run(self):
                """Run it."""


        class Child(Base):
            """A child."""

            def run(self):
                return 1

            def extra(self):
                return 2
        '''
    )
    report = analyze_source(source, "o.py")
    with pytest.raises(AssertionError) as info:
        report.require_docstrings()
    assert str(info.value).splitlines()[1:] == [
        "  o.py:14: Missing docstring in public method `Child.extra` [ruff D102]"
    ]


def test_shared_base_of_named_classes_ignores_others() -> None:
    loss = "\n\nclass Loss:\n    def forward(self, p, t):\n        return 0\n\n    def backward(self):\n        return 0\n"
    report = analyze_source(LAYERS + loss)
    with pytest.raises(AssertionError, match="share no abstract base"):
        report.require_shared_base(["forward", "backward"])
    assert (
        report.require_shared_base(["forward", "backward"], classes=["Linear", "Tanh"]) == "Layer"
    )
    with pytest.raises(AssertionError, match="Dense missing or incomplete"):
        report.require_shared_base(["forward", "backward"], classes=["Linear", "Dense"])


# -- where findings come from, and ruff as a bounded subprocess -------------------------------


def test_every_rule_based_kind_comes_from_a_named_ruff_rule() -> None:
    """Each ruff rule mlgrader selects feeds a require_* kind; each finding names its rule."""
    from mlgrader.authoring.quality.lint import RUFF_RULES

    assert set(RUFF_RULES.values()) == {
        "missing-docstring",
        "bare-except",
        "broad-except",
        "global-statement",
        "star-import",
        "print-call",
        "mutable-default",
        "naming",
    }
    source = "from os import *\n\n\ndef f(x={}):\n    global Y\n    Y = x\n    print(Y)\n"
    rules = {(f.kind, f.rule) for f in analyze_source(source, "r.py").findings}
    assert rules == {
        ("star-import", "ruff F403"),
        ("missing-docstring", "ruff D103"),
        ("mutable-default", "ruff B006"),
        ("global-statement", "ruff PLW0603"),
        ("print-call", "ruff T201"),
    }


def test_candidate_config_and_noqa_comments_cannot_hide_findings(tmp_path: Path) -> None:
    """ruff runs --isolated and --ignore-noqa: the candidate's settings change nothing."""
    (tmp_path / "pyproject.toml").write_text('[tool.ruff.lint]\nignore = ["D", "B", "T"]\n')
    (tmp_path / "ruff.toml").write_text('[lint]\nignore = ["D", "B", "T"]\n')
    code = "# ruff: noqa\ndef f(x=[]):  # noqa: B006, D103\n    print(x)  # noqa\n"
    (tmp_path / "mod.py").write_text(code)
    report = analyze_paths([tmp_path / "mod.py"], root=tmp_path)
    assert {f.rule for f in report.findings} == {"ruff B006", "ruff D103", "ruff T201"}


def test_the_same_source_gives_the_same_findings_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """analyze_source does not depend on where it is called from (the grader or a test)."""
    first = analyze_source(MESSY, "cart.py").to_dict()
    monkeypatch.chdir(tmp_path)
    assert analyze_source(MESSY, "cart.py").to_dict() == first


def _fake_ruff(tmp_path: Path, script: str) -> str:
    """A stand-in for the ruff binary: ``script`` (sh) runs with the source in $SOURCE."""
    from mlgrader.authoring.quality.lint import ruff_binary

    fake = tmp_path / "fake-ruff"
    fake.write_text(
        f'#!/bin/sh\nSOURCE=$(cat)\n{script}\nprintf %s "$SOURCE" | exec {ruff_binary()} "$@"\n'
    )
    fake.chmod(0o755)
    return str(fake)


def test_a_file_that_makes_ruff_time_out_is_not_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ruff is killed at its timeout; the file fails every check, saying why; others pass."""
    import time

    from mlgrader.authoring.quality import lint

    fake = _fake_ruff(tmp_path, 'case "$SOURCE" in *HANG*) exec sleep 60;; esac')
    monkeypatch.setattr(lint, "ruff_binary", lambda: fake)
    monkeypatch.setattr(lint, "RUFF_TIMEOUT_S", 1.0)
    (tmp_path / "slow.py").write_text('"""HANG."""\n')
    (tmp_path / "fine.py").write_text('"""Fine."""\n')
    started = time.monotonic()
    report = analyze_paths([tmp_path / "slow.py", tmp_path / "fine.py"], root=tmp_path)
    assert time.monotonic() - started < 10
    assert [(f.file, f.kind, f.rule) for f in report.findings] == [
        ("slow.py", "not-analysed", "ruff")
    ]
    with pytest.raises(
        AssertionError, match=r"slow\.py:1: .*longer than 1 s.*could not be checked"
    ):
        report.require_docstrings()


def test_a_file_that_crashes_ruff_is_not_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlgrader.authoring.quality import lint

    fake = _fake_ruff(tmp_path, 'case "$SOURCE" in *CRASH*) kill -SEGV $$;; esac')
    monkeypatch.setattr(lint, "ruff_binary", lambda: fake)
    report = analyze_source('"""CRASH."""\n', "boom.py")
    (finding,) = report.findings
    assert (finding.kind, finding.rule) == ("not-analysed", "ruff")
    assert "killed by signal 11" in finding.detail
    with pytest.raises(AssertionError, match="could not be checked"):
        report.require_no_print()


def test_ruff_that_cannot_run_is_a_grading_error_not_a_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing or broken ruff is mlgrader's problem: it fails loudly, scoring no one."""
    from mlgrader.authoring.quality import lint
    from mlgrader.errors import GradingError

    broken = _fake_ruff(tmp_path, "exit 2")
    monkeypatch.setattr(lint, "ruff_binary", lambda: str(tmp_path / "no-such-ruff"))
    with pytest.raises(GradingError, match="cannot start ruff"):
        analyze_source("x = 1\n")
    monkeypatch.setattr(lint, "ruff_binary", lambda: broken)
    with pytest.raises(GradingError, match="fails even on a one-line file"):
        analyze_source("x = 1\n")


def test_ruff_runs_under_an_address_space_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap is set before ruff is given the source (so before it can act on it)."""

    from mlgrader.authoring.quality import lint

    seen = tmp_path / "limit.txt"
    fake = _fake_ruff(tmp_path, f"ulimit -v > {seen}")
    monkeypatch.setattr(lint, "ruff_binary", lambda: fake)
    analyze_source("x = 1\n")
    assert int(seen.read_text()) <= lint.RUFF_MEMORY_MB * 1024


def test_a_huge_file_is_refused_at_once(tmp_path: Path) -> None:
    """A file over the size limit is not read, parsed or linted; every check fails on it."""
    import time

    from mlgrader.authoring.quality.entry import MAX_SOURCE_BYTES

    huge = tmp_path / "huge.py"
    huge.write_text("x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1))
    started = time.monotonic()
    report = analyze_paths([huge], root=tmp_path)
    from_source = analyze_source(huge.read_text(), "huge.py")
    assert time.monotonic() - started < 2
    for result in (report, from_source):
        (finding,) = result.findings
        assert (finding.kind, finding.rule) == ("not-analysed", "mlgrader")
        assert "more than the 1,000,000 analysed" in finding.detail
        with pytest.raises(AssertionError, match="could not be checked"):
            result.require_max_complexity()


def test_quality_reads_the_module_python_imports_not_a_decoy_beside_it(tmp_path: Path) -> None:
    """A package ``name/__init__.py`` wins over ``name.py`` at import, and a compiled
    ``name.*.so`` over ``name.py``: quality analyses the winner (issue 14, "Quality reads
    what runs")."""
    from mlgrader.authoring.fixtures import Submission

    messy = "def f(a):\n" + "".join(f"    if a == {i}:\n        return {i}\n" for i in range(12))
    (tmp_path / "mod.py").write_text('"""Clean."""\n\n\ndef f(a):\n    """Echo."""\n    return a\n')
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "__init__.py").write_text(messy)
    sub = Submission(tmp_path, ("mod",))
    assert sub.file("mod") == tmp_path / "mod" / "__init__.py"
    with pytest.raises(AssertionError, match="complexity"):
        sub.quality().require_max_complexity(limit=10)

    import shutil

    shutil.rmtree(tmp_path / "mod")
    (tmp_path / "mod.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF not really")
    report = sub.quality()
    assert [f.kind for f in report.findings] == ["not-analysed"]
    with pytest.raises(AssertionError):
        report.require_max_complexity(limit=10)


def test_a_file_python_cannot_decode_is_reported_not_a_crash(tmp_path: Path) -> None:
    """A ``# coding: rot13`` cookie names a codec that is not a text encoding: the file is a
    syntax-error finding of its own, as Python would refuse to import it."""
    (tmp_path / "rot.py").write_text("# coding: rot13\nvzcbeg bf\n")
    report = analyze_paths([tmp_path / "rot.py"], root=tmp_path)
    [finding] = report.files["rot.py"].findings
    assert finding.kind == "syntax-error" and "rot13" in finding.detail


@pytest.mark.full  # 5-6 s of timing: the full tier's, to keep the quick tier under 2 minutes
def test_quality_time_grows_linearly_with_a_chain_of_methods(tmp_path: Path) -> None:
    """Method i calls method i+1 through ``self``: one chain, which made LCOM4's union-find
    (without path compression) quadratic: minutes for 200,000 methods. Four times the
    methods must take at most about four times as long (best of two; bound 8x, where
    quadratic would be 16x), and the class is one component."""

    def best(count: int) -> float:
        body = "".join(
            f"    def m{i}(self):\n        return self.m{i + 1}()\n" for i in range(count)
        )
        path = tmp_path / f"chain{count}.py"
        path.write_text("class Chain:\n" + body)
        times = []
        for _ in range(2):
            started = time.perf_counter()
            report = analyze_paths([path], root=tmp_path)
            times.append(time.perf_counter() - started)
        [cls] = report.files[path.name].classes
        assert cls.lcom4 == 1
        return min(times)

    small, large = best(4_000), best(16_000)
    assert large < 8 * small, (small, large)


def test_the_scorecards_quality_section_is_bounded_and_summarised_from_everything() -> None:
    """A class of 3,000 methods: the scorecard lists 50 functions and 50 method names, counts
    the rest, and its summary (the markdown row) is computed from all of them."""
    from mlgrader.model.quality import MAX_ITEMS, MAX_NAMES, compact

    methods = "".join(
        f"    def m{i}(self):\n        return self.m{i + 1}()\n" for i in range(3_000)
    )
    nested = "".join("    " * (2 + d) + "if a:\n" for d in range(5)) + "    " * 7 + "pass\n"
    source = "class Big:\n" + methods + "    def worst(self, a):\n" + nested
    full = analyze_source(source, "big.py").to_dict()
    data = compact(full)["files"]["big.py"]
    assert len(data["functions"]) == MAX_ITEMS
    assert data["omitted"]["functions"] == 3_001 - MAX_ITEMS
    assert len(data["classes"][0]["methods"]) == MAX_NAMES
    assert data["summary"]["functions"] == 3_001 and data["summary"]["classes"] == 1
    assert data["summary"]["max_nesting"] == 5  # from the last function, not listed
    assert len(json.dumps(data)) < 50_000
