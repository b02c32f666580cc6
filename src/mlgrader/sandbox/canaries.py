"""Canary tests: planted copies of hidden tests whose true outcome only the grader knows.

Each canary runs the body of a randomly chosen hidden test (so it calls the
candidate's code exactly as a real test does) under a fresh random name. A
must-fail canary then fails whatever happened; a must-pass canary swallows
whatever happened and passes. Code that forges reports ("everything passed")
turns a must-fail canary into a pass, which the plugin records as an
integrity violation. The names are drawn per run, so they cannot be known in
advance.
"""

from __future__ import annotations

import contextlib
import functools
import random
import secrets
from collections.abc import Callable
from typing import Any

import pytest

CANARY_MESSAGE = "canary: this planted test must fail"


def plant_canaries(hidden: list[pytest.Item], count: int) -> list[tuple[pytest.Item, bool]]:
    """``count`` canary items (alternating must-fail, must-pass) built from ``hidden`` tests."""
    sources = [
        item
        for item in hidden
        if isinstance(item, pytest.Function)
        and isinstance(item.parent, pytest.Module)
        and not hasattr(item, "callspec")
    ]
    if not sources or count <= 0:
        return []
    rng = random.SystemRandom()
    planted: list[tuple[pytest.Item, bool]] = []
    for index in range(count):
        source = rng.choice(sources)
        must_fail = index % 2 == 0
        canary = pytest.Function.from_parent(
            source.parent,
            name=f"test_{secrets.token_hex(6)}",
            callobj=_canary_body(source.obj, must_fail),
        )
        planted.append((canary, must_fail))
    return planted


def _canary_body(func: Callable[..., Any], must_fail: bool) -> Callable[..., None]:
    @functools.wraps(func, assigned=("__module__", "__doc__"))
    def canary(*args: Any, **kwargs: Any) -> None:
        with contextlib.suppress(BaseException):  # the outcome must not depend on the body
            func(*args, **kwargs)
        if must_fail:
            raise AssertionError(CANARY_MESSAGE)

    return canary
