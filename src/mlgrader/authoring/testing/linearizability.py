"""Did a concurrent object behave like some sequential one? (a linearizability check)

A thread-safe cache is correct when every concurrent run could have happened one
operation at a time, each taking effect somewhere between its call and its return
(Herlihy and Wing's linearizability). Counting exceptions or checking final state
misses most races: an unlocked LRU cache rarely crashes, it just returns a value
no sequential cache could have returned. So tests record a :class:`History` of
calls and returns with timestamps, and :func:`check_linearizable` searches for an
order of the operations that respects real time and that a sequential model
accepts.

The search is Wing and Gong's algorithm with memoisation on (operations done,
model state), as in Lowe's refinement and Porcupine: at each step only an
operation that was called before every pending operation returned may go next.
It is exponential in the worst case, so it is meant for small histories (tens of
operations per thread); ``max_states`` bounds the work and an exhausted search is
reported as such, never as a pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from mlgrader.errors import UserInputError

__all__ = [
    "History",
    "Linearization",
    "Operation",
    "Raised",
    "check_linearizable",
    "lru_cache_model",
]


@dataclass(frozen=True)
class Raised:
    """The result of an operation that raised: the exception's type name."""

    exc_type: str


@dataclass(frozen=True)
class Operation:
    """One call: who made it, what it was, what came back and when (ns)."""

    thread: int
    name: str
    args: tuple[Any, ...]
    result: Any
    call: int
    ret: int

    def __str__(self) -> str:
        args = ", ".join(map(repr, self.args))
        return f"t{self.thread} {self.name}({args}) -> {self.result!r}"


class History:
    """A thread-safe log of operations on one object.

    ``history.wrap(obj)`` returns a proxy whose method calls are recorded; or call
    ``history.record(name, func, *args)`` directly.
    """

    def __init__(self) -> None:
        self._ops: list[Operation] = []
        self._lock = threading.Lock()
        self._threads: dict[int, int] = {}

    def _thread(self) -> int:
        ident = threading.get_ident()
        with self._lock:
            return self._threads.setdefault(ident, len(self._threads))

    def record(self, name: str, func: Callable[..., Any], *args: Any) -> Any:
        """Call ``func(*args)``, log it as operation ``name`` and return its result."""
        thread = self._thread()
        call = time.perf_counter_ns()
        try:
            result = func(*args)
        except Exception as exc:
            ret = time.perf_counter_ns()
            self._append(Operation(thread, name, args, Raised(type(exc).__name__), call, ret))
            raise
        ret = time.perf_counter_ns()
        self._append(Operation(thread, name, args, result, call, ret))
        return result

    def _append(self, op: Operation) -> None:
        with self._lock:
            self._ops.append(op)

    def wrap(self, obj: Any) -> Any:
        """A proxy recording every public method called on ``obj``."""
        return _Recorder(self, obj)

    @property
    def operations(self) -> list[Operation]:
        with self._lock:
            return list(self._ops)


class _Recorder:
    def __init__(self, history: History, obj: Any) -> None:
        self._history, self._obj = history, obj

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._obj, name)
        if name.startswith("_") or not callable(attr):
            return attr
        return lambda *args: self._history.record(name, attr, *args)


Step = Callable[[Hashable, Operation], tuple[Any, Hashable]]


@dataclass
class Linearization:
    """The verdict: ``ok``, an order that explains the history, or why there is none."""

    ok: bool
    order: list[Operation] = field(default_factory=list)
    explored: int = 0
    exhausted: bool = False
    longest: list[Operation] = field(default_factory=list)
    stuck: list[Operation] = field(default_factory=list)

    def explain(self) -> str:
        """A message for a failed test: the longest explainable prefix and what broke it."""
        if self.ok:
            return f"linearizable: {len(self.order)} operations in a valid order"
        if self.exhausted:
            return f"undecided: search stopped after {self.explored} states"
        lines = ["not linearizable: no sequential order explains these results."]
        lines.append(f"longest explainable order ({len(self.longest)} operations):")
        lines += [f"  {op}" for op in self.longest[-8:]]
        lines.append("none of these could come next:")
        lines += [f"  {op}" for op in self.stuck[:8]]
        return "\n".join(lines)


def check_linearizable(
    operations: list[Operation], step: Step, initial: Hashable, *, max_states: int = 200_000
) -> Linearization:
    """Search for a real-time-respecting order of ``operations`` that ``step`` accepts.

    ``step(state, op)`` applies ``op`` to a sequential model in ``state`` (hashable)
    and returns (the result the model gives, the new state). An order is valid when
    every result equals the recorded one.
    """
    if max_states < 1:
        raise UserInputError(f"max_states must be at least 1, got {max_states!r}")
    ops = sorted(operations, key=lambda op: op.call)
    n = len(ops)
    full = (1 << n) - 1
    seen: set[tuple[int, Hashable]] = set()
    best: tuple[int, list[int], list[int]] = (-1, [], [])
    stack: list[tuple[int, Hashable, list[int]]] = [(0, initial, [])]
    while stack:
        done, state, order = stack.pop()
        if done == full:
            return Linearization(True, [ops[i] for i in order], len(seen))
        if (done, state) in seen:
            continue
        if len(seen) >= max_states:
            return Linearization(False, explored=len(seen), exhausted=True)
        seen.add((done, state))
        pending = [i for i in range(n) if not done >> i & 1]
        first_return = min(ops[i].ret for i in pending)
        candidates = [i for i in pending if ops[i].call <= first_return]
        moved = False
        for i in reversed(candidates):  # reversed: the earliest call is tried first
            result, after = step(state, ops[i])
            if result == ops[i].result:
                stack.append((done | 1 << i, after, [*order, i]))
                moved = True
        if not moved and len(order) > best[0]:
            best = (len(order), order, candidates)
    return Linearization(
        False,
        explored=len(seen),
        longest=[ops[i] for i in best[1]],
        stuck=[ops[i] for i in best[2]],
    )


def lru_cache_model(capacity: int, miss: Any = None) -> Step:
    """A sequential LRU cache as a model for :func:`check_linearizable`, initial state ``()``.

    Operations: ``get(key)`` (``miss`` when absent; a hit becomes most recent),
    ``put(key, value)`` (evicts the least recent when full), ``contains(key)`` and
    ``len()`` (neither changes recency). The state is ``((key, value), ...)``, least
    recent first.
    """

    def step(state: Hashable, op: Operation) -> tuple[Any, Hashable]:
        items: list[tuple[Any, Any]] = list(state)  # type: ignore[call-overload]
        keys = [key for key, _ in items]
        if op.name == "len":
            return len(items), state
        key = op.args[0]
        if op.name == "contains":
            return key in keys, state
        if op.name == "get":
            if key not in keys:
                return miss, state
            pair = items.pop(keys.index(key))
            return pair[1], (*items, pair)
        if key in keys:
            items.pop(keys.index(key))
        elif len(items) == capacity:
            items.pop(0)
        return None, (*items, (key, op.args[1]))

    return step
