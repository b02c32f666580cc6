"""Class hierarchies read from the submission's source (boundary/lineage.py), and the
isinstance / issubclass / exception answers built on them across the boundary."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mlgrader.boundary.connection import start_local, stop_local
from mlgrader.boundary.lineage import Lineage
from mlgrader.boundary.typeanswers import ref_mro

OBJECT = ("builtins", "object")


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_bases_are_followed_through_imports_aliases_and_packages(tmp_path: Path) -> None:
    """Relative and absolute imports, ``import a as b``, aliases, nested classes, builtins and
    standard-library classes all resolve to the classes Python would use."""
    root = write(
        tmp_path,
        {
            "shapes/__init__.py": "from .base import Shape as Shape\n",
            "shapes/base.py": """
                import abc
                class Shape(abc.ABC):
                    class Error(ValueError):
                        pass
            """,
            "mod.py": """
                import shapes as s
                from shapes import Shape
                from collections.abc import Sized
                Base = Shape
                class Square(Base, Sized):
                    pass
                class Circle(s.Shape):
                    pass
                class Bad(s.Shape.Error):
                    pass
                class Made(type("X", (), {})):
                    pass
            """,
        },
    )
    lineage = Lineage(root)
    shape = ("shapes.base", "Shape")
    assert lineage.mro(("mod", "Square")) == [
        ("mod", "Square"),
        shape,
        ("abc", "ABC"),
        ("collections.abc", "Sized"),
        OBJECT,
    ]
    assert lineage.is_subclass(("mod", "Circle"), shape)
    assert lineage.mro(("mod", "Bad"))[:3] == [
        ("mod", "Bad"),
        ("shapes.base", "Shape.Error"),
        ("builtins", "ValueError"),
    ]
    assert lineage.mro(("mod", "Made")) == [("mod", "Made"), OBJECT]  # a base made at run time


def test_what_the_source_does_not_define_has_no_known_base(tmp_path: Path) -> None:
    """A class made at run time, a module that does not parse, a cycle, a module that is a
    support module's name: no base is invented."""
    root = write(
        tmp_path,
        {
            "dyn.py": "Thing = type('Thing', (ValueError,), {})\n",
            "broken.py": "class A(ValueError:\n",
            "loop.py": "from loop import B as A\nclass B(A):\n    pass\n",
            "support_mod.py": "class Fake(KeyError):\n    pass\n",
        },
    )
    lineage = Lineage(root, frozenset({"support_mod"}))
    assert lineage.mro(("dyn", "Thing")) == [("dyn", "Thing"), OBJECT]
    assert lineage.mro(("broken", "A")) == [("broken", "A"), OBJECT]
    assert lineage.mro(("loop", "B"))[0] == ("loop", "B")
    assert not lineage.is_subclass(("support_mod", "Fake"), ("builtins", "KeyError"))


@pytest.fixture
def metaclass_liar(tmp_path: Path) -> Path:
    """Classes whose metaclass ``mro()`` claims a base their class statement does not have."""
    return write(
        tmp_path,
        {
            "liar.py": """
                class Base:
                    pass

                class Claims(type):
                    def mro(cls):
                        return [cls, Base, object]

                class Plain(metaclass=Claims):
                    pass

                class Honest(Base):
                    pass

                class ClaimsValueError(type):
                    def mro(cls):
                        return [cls, ValueError, Exception, BaseException, object]

                class Oops(Exception, metaclass=ClaimsValueError):
                    pass

                def fail():
                    raise Oops("not a ValueError")
            """
        },
    )


def test_isinstance_and_issubclass_come_from_the_source_not_the_candidate(
    metaclass_liar: Path,
) -> None:
    """The candidate process reports Base in Plain's MRO (its metaclass says so); the source
    says otherwise, and the source decides."""
    conn, proc = start_local(path=[str(metaclass_liar)])
    try:
        liar = conn.import_module("liar")
        plain = liar.Plain
        assert ("liar", "Base") in ref_mro(plain)  # what the candidate process reports
        assert not issubclass(plain, liar.Base)
        assert not isinstance(plain(), liar.Base)
        assert issubclass(liar.Honest, liar.Base)
        assert isinstance(liar.Honest(), liar.Base)
        with pytest.raises(Exception) as caught:  # its class is what is checked
            liar.fail()
        assert not isinstance(caught.value, ValueError)
        assert caught.value.candidate_type == "Oops"  # type: ignore[attr-defined]
    finally:
        stop_local(conn, proc)
