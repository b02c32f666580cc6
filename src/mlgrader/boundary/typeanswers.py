"""isinstance and issubclass with candidate classes, answered on the trusted side.

``trusted.Ref`` sends ``isinstance(x, cls)`` and ``issubclass(a, cls)`` here
when ``cls`` is a candidate class. Which class ``x`` is comes from its
reference's description; where that class sits in the hierarchy comes from
the submission's source (``lineage``, given by the trusted side as
``believe``), so neither a metaclass nor a patched channel shapes the answer.
Without a source to read (this package's own low-level tests), the MRO the
candidate process reported is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Key = tuple[str, str]


def _desc(obj: Any) -> dict[str, Any] | None:
    """A reference's description, or None for anything that is not a reference."""
    try:
        desc = object.__getattribute__(obj, "_mlg_desc")
    except AttributeError:
        return None
    return desc if type(desc) is dict else None


def ref_mro(ref: Any) -> list[Key]:
    desc = object.__getattribute__(ref, "_mlg_desc")
    return reported(desc.get("mro"))


def reported(mro: Any) -> list[Key]:
    """An MRO as the candidate process described it, keeping only well-formed entries."""
    if type(mro) is not list:
        return []
    return [
        (x[0], x[1])
        for x in mro
        if type(x) in (list, tuple) and len(x) == 2 and type(x[0]) is type(x[1]) is str
    ]


def ref_desc(ref: Any) -> dict[str, Any]:
    desc: dict[str, Any] = object.__getattribute__(ref, "_mlg_desc")
    return desc


def isclass(value: Any) -> bool:
    """``inspect.isclass``, also for a class in the candidate process (its reference's
    description says so): a test checks that the submission defines a class."""
    desc = _desc(value)
    if desc is None:
        return isinstance(value, type)
    return bool(desc.get("class"))


class TypeAnswers:
    """isinstance and issubclass for candidate classes. ``believe`` turns the MRO a reference
    reports into the one to trust (from the source); by default it is taken as reported."""

    def __init__(self, believe: Callable[[list[Key]], list[Key]] = list) -> None:
        self.believe = believe

    def isinstance(self, instance: Any, cls: Any) -> bool:
        if _desc(instance) is None:
            return False
        return self._key(cls) in self.believe(ref_mro(instance))

    def issubclass(self, subclass: Any, cls: Any) -> bool:
        if _desc(subclass) is None or not ref_desc(subclass).get("class"):
            return False
        return self._key(cls) in self.believe(ref_mro(subclass))

    @staticmethod
    def _key(cls: Any) -> Key | None:
        mro = ref_mro(cls)
        return mro[0] if mro else None
