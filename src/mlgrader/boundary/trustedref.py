"""Trusted objects as candidate code sees them: ``TrustedRef``, a reference back.

A support object the test passes to candidate code (a slow key-value service, a
dataset, a RaceKey) stays in the test's process; candidate code holds a
``TrustedRef`` whose calls go back over the channel. What it may reach there is
decided on the trusted side (``trusted.TrustedSide._attribute``); this class is
only the candidate process's convenience and candidate code can change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgrader.boundary.wrappers import RemoteDoc

if TYPE_CHECKING:
    from mlgrader.boundary.candidate import CandidateSide

_NO_VALUE = object()


class TrustedRef:
    """A trusted object (a support object the test passed in) as candidate code sees it."""

    __slots__ = ("_mlg_desc", "_mlg_key", "_mlg_side")

    def __init__(self, side: CandidateSide, key: int, desc: dict[str, Any]) -> None:
        object.__setattr__(self, "_mlg_side", side)
        object.__setattr__(self, "_mlg_key", key)
        object.__setattr__(self, "_mlg_desc", desc)

    def _mlg_call(self, op: str, *args: Any) -> Any:
        side: CandidateSide = object.__getattribute__(self, "_mlg_side")
        assert side.endpoint is not None
        return side.endpoint.call(op, self, *args)

    def __getattr__(self, name: str) -> Any:
        if name in ("__name__", "__doc__"):
            return self._mlg_call("getattr", name)
        if name.startswith("__"):
            raise AttributeError(name)
        return self._mlg_call("getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._mlg_call("setattr", name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._mlg_call("call", args, kwargs)

    def __hash__(self) -> int:
        result: int = self._mlg_call("operator", "hash", ())
        return result

    def __eq__(self, other: object) -> bool:
        # A trusted class with ``__boundary_equality__`` sent that plain value along: two such
        # references compare here (a dict probe costs no round trip; its hash still does).
        mine = object.__getattribute__(self, "_mlg_desc").get("equality", _NO_VALUE)
        if mine is not _NO_VALUE and type(other) is TrustedRef:
            theirs = object.__getattribute__(other, "_mlg_desc").get("equality", _NO_VALUE)
            if theirs is not _NO_VALUE:
                return bool(mine == theirs)
        result: bool = self._mlg_call("operator", "eq", (other,))
        return result

    def __len__(self) -> int:
        result: int = self._mlg_call("operator", "len", ())
        return result

    def __iter__(self) -> Any:
        return self._mlg_call("operator", "iter", ())

    def __next__(self) -> Any:
        return self._mlg_call("operator", "next", ())

    def __getitem__(self, key: Any) -> Any:
        return self._mlg_call("operator", "getitem", (key,))

    def __contains__(self, key: Any) -> bool:
        result: bool = self._mlg_call("operator", "contains", (key,))
        return result

    def __enter__(self) -> Any:
        return self._mlg_call("operator", "enter", ())

    def __exit__(self, *exc: Any) -> Any:
        return self._mlg_call("operator", "exit", (None, None, None))

    def __repr__(self) -> str:
        desc = object.__getattribute__(self, "_mlg_desc")
        return f"<trusted {desc.get('type', 'object')}>"


TrustedRef.__doc__ = RemoteDoc(TrustedRef.__doc__)  # type: ignore[assignment]
