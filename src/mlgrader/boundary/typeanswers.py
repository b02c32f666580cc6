"""isinstance and issubclass with candidate classes, answered on the trusted side.

``trusted.Ref`` sends ``isinstance(x, cls)`` and ``issubclass(a, cls)`` here
when ``cls`` is a candidate class: the answer comes from the class hierarchy
each reference's description carries (the MRO the candidate process reported
when it made the reference), not from a call into the candidate process at the
time of asking. Answering from the submission's source instead, so that a
metaclass cannot shape the answer, is still to come.
"""

from __future__ import annotations

from typing import Any


def _desc(obj: Any) -> dict[str, Any] | None:
    """A reference's description, or None for anything that is not a reference."""
    try:
        desc = object.__getattribute__(obj, "_mlg_desc")
    except AttributeError:
        return None
    return desc if type(desc) is dict else None


def ref_mro(ref: Any) -> list[tuple[str, str]]:
    desc = object.__getattribute__(ref, "_mlg_desc")
    return [tuple(x) for x in desc.get("mro", [])]


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
    """isinstance and issubclass for candidate classes, from the references' MROs."""

    def isinstance(self, instance: Any, cls: Any) -> bool:
        if _desc(instance) is None:
            return False
        return ref_mro(cls)[0] in ref_mro(instance)

    def issubclass(self, subclass: Any, cls: Any) -> bool:
        if _desc(subclass) is None or not ref_desc(subclass).get("class"):
            return False
        return ref_mro(cls)[0] in ref_mro(subclass)
