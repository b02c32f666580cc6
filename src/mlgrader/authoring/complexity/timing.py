"""Sampling and timing: which sizes to measure, how long each call takes, how much work.

`_Run` gathers the measurements for one function within a wall-clock budget:
geometric sizes chosen adaptively (`_Run.explore`), batches timed by an
executor (here or in the candidate process, executor.py), rounds in rotation
across sizes (`_Run.rounds`), and exact bytecode counts at the sizes cheap
enough to trace (`_Run.count`, via workcount.py). `_measure` runs them in order.
Turning the numbers into a class is fit.py's job; judging it, verdict.py's.
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlgrader.authoring import timelimit
from mlgrader.authoring.complexity.executor import LocalExecutor, RemoteExecutor
from mlgrader.authoring.complexity.fit import _EXP_SLOPE, _theil_sen
from mlgrader.errors import UserInputError

_ROUNDS = 5  # timing rounds per size for an estimate (minimum taken)
_WALL_FACTOR = 6.0  # a check's wall time is capped at this many times its CPU budget
_JUDGE_S = 10.0  # wall seconds a check is granted beyond its cap to finish and judge
_STEADY_ROUNDS = 3  # per size in steady state, where one sample already averages >= n calls
_EXTRA_ROUNDS = 6  # further rounds for functions cheap enough ...
_EXTRA_SHARE = 0.1  # ... that they cost at most this share of the budget
# A batch costing at least this share of the budget is planned as one sample, not a
# round of them: a call that long is measured to within a few percent by the CPU clock,
# and planning five of it stopped a quadratic's exploration one size short of where its
# growth shows (numpy-nn's row-stacking pass stopped at 1,280 rows, 3.6x against the
# 5x that fails). Rounds still add samples to it while the budget lasts.
_HEAVY_SHARE = 0.05
# A size's first call is often several times too slow (its memory comes fresh from the
# kernel), and a heavy size has no other sample to take the minimum with. A second one
# is taken at once while it costs at most this share of what is left: numpy-nn's
# row-stacking pass took 4.1 s on its first 2,560-row call and 0.7-1.1 s after, and
# from the cold sample alone its growth looked like one step, inconclusive.
_WARM_SHARE = 0.25

_COUNT_MIN_N = 4  # smaller sizes are edge cases (an empty loop) in counts too
_COUNT_MAX_N = 8192  # counts are exact: 4..8192 shows a log factor plainly
_COUNT_SHARE = 0.25  # most of the budget a check spends on bytecode counting ...
# ... of which this many seconds at most are held back from exploration and its rounds
# (up to 400,000 traced bytecodes a call cost well under this, sizes growing
# geometrically): without it a 1.5 s check of a sort behind a key function explored to
# 327,680 items, left counting 0.04 s, counted n=4 and 8 only, and its n log n went
# unseen in half the runs
_COUNT_HOLD = 0.5
_COUNT_CALLS = 3  # traced calls per size (median taken)
_MAX_COUNTED_OPS = 400_000  # at ~100 ns a traced bytecode: 40 ms a call

Executor = LocalExecutor | RemoteExecutor
Enough = Callable[[np.ndarray, np.ndarray], bool]  # (sizes, seconds per call) -> fails already


@dataclass(frozen=True)
class Steady:
    """Amortised, steady-state timing: the calls of a long-lived structure, not a fresh one.

    A fresh structure hides costs that build up: a dict used as a queue
    (``del d[next(iter(d))]``) evicts in O(1) at first and in O(n) once deleted
    slots pile up at its front, until the dict is rebuilt. So at each size, after
    ``make_input(n)``, ``warmup * n`` calls run untimed, and every timed batch is
    at least ``span * n`` calls long, so that a rebuild every O(n) calls is paid
    inside each batch and the minimum over rounds cannot skip it. Bytecode counts
    are of a single call on a fresh input, so they are not gathered here.
    """

    warmup: float = 1.0
    span: float = 1.0

    def calls(self, factor: float, n: int) -> int:
        return max(1, math.ceil(factor * n))


@dataclass
class _Size:
    n: int
    arg: Any
    build: float
    loops: int = 1
    samples: list[float] = field(default_factory=list)

    @property
    def per_call(self) -> float:
        return max(min(self.samples), 1e-12)

    @property
    def batch(self) -> float:
        return self.per_call * self.loops


class _Run:
    """Measurements for one function, gathered within a budget of CPU seconds.

    The budget counts the CPU time of the process that runs the calls (the
    executor's clock, the same one batches are timed by), not wall time: on a busy
    machine a check then explores the same sizes and takes the same rounds as on an
    idle one, only more slowly, so it reaches the same verdict. Wall time is capped
    at `_WALL_FACTOR` times the budget, so a check still ends on a machine too
    busy to give it its CPU.
    """

    def __init__(self, executor: Executor, budget: float, steady: Steady | None = None) -> None:
        self.executor = executor
        self.steady = steady
        self.planned = _ROUNDS if steady is None else _STEADY_ROUNDS  # rounds per size
        self.start = time.perf_counter()
        self.work_start = executor.work()
        self.budget = budget
        self.allowed = 0.92 * budget  # headroom: fits and a late batch
        self.deadline = self.start + _WALL_FACTOR * budget  # wall-clock cap
        # the test's timeout must not end the check first: it asks for the cap, a last
        # batch's worth beyond it and time to judge (timelimit.py says why)
        timelimit.need((_WALL_FACTOR + 1) * budget + _JUDGE_S)
        self.exponential = False  # seen super-polynomial growth: step n additively
        self.target = min(0.002, max(0.0005, budget / 3000))  # seconds per batch
        self.sizes: list[_Size] = []
        self.counted: list[tuple[int, int]] = []  # (n, bytecodes per call)
        self.keys = True  # counted keys in use (off if the function rejects them)
        self.stopped_early = False  # exploration ended on ``enough``, not on budget or max_n
        self.held = 0.0  # CPU seconds kept back for a later step (bytecode counting)

    def spent(self) -> float:
        """CPU seconds of the budget used so far."""
        return self.executor.work() - self.work_start

    def remaining(self) -> float:
        """CPU seconds left, and never more than the wall-clock cap leaves."""
        return min(self.allowed - self.held - self.spent(), self.deadline - time.perf_counter())

    def _add(self, n: int) -> None:
        t0 = self.executor.work()
        arg = self.executor.build(n)
        if self.steady is not None:  # untimed warm-up to steady state, counted as building
            self.executor.time(arg, self.steady.calls(self.steady.warmup, n))
        size = _Size(n, arg, self.executor.work() - t0, loops=self._min_loops(n))
        per_call = self.executor.time(arg, size.loops)  # warm-up and first guess
        while per_call * size.loops < self.target:
            want = math.ceil(self.target * 1.2 / max(per_call, 1e-9))
            size.loops = max(size.loops * 2, min(want, size.loops * 100))
            per_call = self.executor.time(arg, size.loops)
        # A second and third look against noise, as far as they are cheap: the sizes
        # to come are extrapolated from these numbers.
        extra = 2 if per_call * size.loops < 3 * self.target else 1
        if per_call * size.loops < 0.02 * self.budget:
            for _ in range(extra):
                per_call = min(per_call, self.executor.time(arg, size.loops))
        size.samples.append(per_call)
        if per_call * size.loops < _WARM_SHARE * self.remaining() and len(self.sizes) >= 3:
            # a large call's first run is often several times too slow (memory fresh from
            # the kernel): a second sample, a round's worth, before it steers exploration
            size.samples.append(self.executor.time(arg, size.loops))
        self.sizes.append(size)

    def _min_loops(self, n: int) -> int:
        """Calls in the shortest batch at size ``n``: one, or a steady-state span."""
        return 1 if self.steady is None else self.steady.calls(self.steady.span, n)

    def _recent(self) -> list[tuple[_Size, _Size]]:
        """The last three pairs of consecutive sizes."""
        tail = self.sizes[-4:]
        return list(itertools.pairwise(tail))

    def _slope(self, robust: bool = False) -> float:
        """Steepest recent log-log slope (one noisy point cannot hide fast growth), or with
        ``robust`` the median one: a size's first sample can be several times too slow
        (a large call's first run takes its memory fresh from the kernel), and that one
        point must not stop the exploration of a function that is merely polynomial."""
        pairs = self._recent()
        if not pairs:
            return 0.0
        slopes = [math.log(b.per_call / a.per_call) / math.log(b.n / a.n) for a, b in pairs]
        return float(np.median(slopes)) if robust else max(slopes)

    def _predict_call(self, n: int) -> float:
        """Pessimistic seconds per call at size ``n``, extrapolated from the last sizes."""
        last = self.sizes[-1]
        if len(self.sizes) < 2:
            return last.per_call * math.pow(n / last.n, 3)
        slope = self._slope(robust=len(self.sizes) >= 4 and last.n >= 100)
        # extrapolate exponentially in n only where exponential growth can be measured at
        # all: from n of 100, one noisy pair (a quadratic's first sample) would stop
        # exploring at once, and a power of at most 4 is pessimistic enough
        if self.exponential or (slope > _EXP_SLOPE and last.n < 100):
            rate = max(math.log(b.per_call / a.per_call) / (b.n - a.n) for a, b in self._recent())
            return last.per_call * math.exp(min(max(rate, 0.0) * (n - last.n), 700.0))
        # a steady-state sample averages >= n calls, so its slope is less noisy: half a power
        margin = 1.0 if self.steady is None else 0.5
        return last.per_call * math.pow(n / last.n, min(max(slope + margin, 0.5), 4.0))

    def _predict_build(self, n: int) -> float:
        """Seconds ``make_input(n)`` should take, with a 50% margin.

        A power law fitted robustly (Theil-Sen exponent, median coefficient) to the last
        builds, so that one build slowed down by a busy machine stops nothing.
        """
        recent = self.sizes[-5:]
        ns = np.array([s.n for s in recent], dtype=float)
        builds = np.array([max(s.build, 1e-5) for s in recent])
        power = _theil_sen(np.log(ns), np.log(builds)) if len(recent) >= 3 else 1.0
        power = min(max(power, 1.0), 3.0)
        coef = float(np.median(builds / ns**power))
        return 1.5 * coef * math.pow(n, power)

    def _predict_cost(self, n: int) -> float:
        """Seconds to build, calibrate and time size ``n`` for all rounds."""
        batch = self._predict_call(n) * self._min_loops(n)
        batches = self.planned + (1 if self.steady is None else 0)  # steady: calibration counts
        return self._predict_build(n) + self._wanted(batch, batches) * max(batch, self.target)

    def _wanted(self, batch: float, rounds: int) -> int:
        """Samples to plan for a size whose batch takes ``batch`` seconds: one if heavy."""
        return 1 if batch >= _HEAVY_SHARE * self.budget else rounds

    def _reserved(self) -> float:
        """Seconds still needed to finish the planned rounds on the sizes we have."""
        return sum(
            max(0, self._wanted(s.batch, self.planned) - len(s.samples)) * s.batch
            for s in self.sizes
        )

    def _fits(self, n: int) -> bool:
        spend = self._reserved() + self._predict_cost(n)
        return spend <= 0.75 * self.remaining()  # headroom for a busy machine

    def explore(
        self, plan: Sequence[int] | None, min_n: int, max_n: int, enough: Enough | None = None
    ) -> None:
        """Add sizes while the budget allows; stop early once ``enough(ns, ts)`` says the
        evidence already fails the function (an O(n) flaw under a steady-state check
        would otherwise spend the whole budget, n^2 per size, to say so more loudly).
        Called again, it goes on from the largest size measured."""
        if plan is not None:
            for n in plan:
                if self.sizes and n <= self.sizes[-1].n:
                    continue
                if self.sizes and not self._fits(n):
                    break
                self._add(n)
                if self._settled(enough):
                    break
            return
        if self.sizes:
            n = self.sizes[-1].n
        else:
            n = min_n
            self._add(n)
        while n < max_n and not self._settled(enough):
            if n < 100 and self._last_call() > 1e-5 and self._slope() > _EXP_SLOPE:
                self.exponential = True
            if self.exponential and n < 100:
                # Exponential growth: small additive steps, each at most ~8x slower.
                steps = [n + k for k in (8, 4, 2)]
                candidates = [c for c in steps if self._predict_call(c) <= 8 * self._last_call()]
                candidates.append(n + 1)
            else:
                candidates = [round(n * f) for f in (2.0, 1.5, 1.25)]
                if max_n - candidates[0] < 0.25 * candidates[0]:
                    candidates[0] = max_n  # do not leave a sliver before max_n
            nxt = next((c for c in candidates if n < c <= max_n and self._fits(c)), None)
            if nxt is None:
                break
            n = nxt
            self._add(n)

    def _settled(self, enough: Enough | None) -> bool:
        if enough is not None and len(self.sizes) >= 4 and enough(*self.data()):
            self.stopped_early = True
        return self.stopped_early

    def _last_call(self) -> float:
        return self.sizes[-1].per_call

    def rounds(self, total: int) -> None:
        """Time every size again, in rotation, until each has ``total`` samples."""
        while any(len(s.samples) < total for s in self.sizes):
            for s in self.sizes:
                if len(s.samples) >= total:
                    continue
                if 1.5 * s.batch > self.remaining():
                    return
                s.samples.append(self.executor.time(s.arg, s.loops))

    def count(self, share: float) -> None:
        """Bytecode counts per call at the sizes cheap enough to trace, smallest first.

        Spends at most ``share`` of the budget. The next size is skipped when its
        traced cost, extrapolated pessimistically from the counts so far, would not
        fit. If the function fails on counted keys, counting restarts without them;
        if it fails even so, there are no counts and timing alone decides.
        """
        work = self.executor.work
        limit = work() + min(share * self.budget, self.remaining())
        per_op = 1.5e-7  # seconds a traced bytecode costs; refined as we go
        prep = 3.0  # building and rewriting an input, in multiples of building it; refined
        todo = [s for s in self.sizes if _COUNT_MIN_N <= s.n <= _COUNT_MAX_N]
        i = 0
        while i < len(todo):
            size = todo[i]
            ops = self._predict_ops(size.n)
            cost = 1.5 * prep * size.build + 4 * (ops * per_op + size.per_call)
            if ops > _MAX_COUNTED_OPS or work() + cost > limit or self._past_deadline(cost):
                break
            try:
                started = work()
                ops_per_call, prepared = self.executor.count(size.n, self.keys, _COUNT_CALLS)
            except Exception:
                self.counted.clear()
                if not self.keys:
                    return
                self.keys, i = False, 0
                continue
            prep = max(1.0, prepared / max(size.build, 1e-6))
            traced = work() - started - prepared - size.per_call
            per_op = max(5e-8, traced / max(_COUNT_CALLS * ops_per_call, 1))
            self.counted.append((size.n, ops_per_call))
            i += 1

    def _past_deadline(self, cost: float) -> bool:
        """Would ``cost`` CPU seconds overrun the wall-clock cap, even at full speed?"""
        return time.perf_counter() + cost > self.deadline

    def _predict_ops(self, n: int) -> float:
        """Pessimistic bytecodes per call at ``n``: the recent growth plus a power."""
        if not self.counted:
            return 0.0
        last_n, last_ops = self.counted[-1]
        power = 2.0
        if len(self.counted) >= 2:
            prev_n, prev_ops = self.counted[-2]
            grown = math.log(max(last_ops, 1) / max(prev_ops, 1)) / math.log(last_n / prev_n)
            power = min(max(grown + 0.5, 1.0), 4.0)
        return max(last_ops, 1) * math.pow(n / last_n, power)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        ns = np.array([s.n for s in self.sizes], dtype=float)
        ts = np.array([s.per_call for s in self.sizes], dtype=float)
        return ns, ts


def _validate(time_budget: float, min_n: int, max_n: int, sizes: Sequence[int] | None) -> None:
    if isinstance(time_budget, bool) or not isinstance(time_budget, numbers.Real):
        raise UserInputError(f"time_budget must be a number of seconds, got {time_budget!r}")
    if not math.isfinite(time_budget):
        raise UserInputError(f"time_budget must be a finite number of seconds, got {time_budget!r}")
    if time_budget <= 0:
        raise UserInputError(f"time_budget must be positive, got {time_budget!r}")
    for name, value in (("min_n", min_n), ("max_n", max_n)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise UserInputError(f"{name} must be an integer >= 1, got {value!r}")
    if max_n < 2 * min_n:
        raise UserInputError(f"max_n ({max_n}) must be at least twice min_n ({min_n})")
    if sizes is not None:
        if any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1 for n in sizes):
            raise UserInputError(f"sizes must be integers >= 1, got {list(sizes)!r}")
        if len(set(sizes)) < 3:
            raise UserInputError(f"sizes needs at least three distinct sizes, got {list(sizes)!r}")


def _plan(sizes: Sequence[int] | None) -> list[int] | None:
    return sorted({int(n) for n in sizes}) if sizes is not None else None


def _measure(
    executor: Executor,
    time_budget: float,
    min_n: int,
    max_n: int,
    sizes: Sequence[int] | None,
    steady: Steady | None = None,
    enough: Enough | None = None,
) -> _Run:
    _validate(time_budget, min_n, max_n, sizes)
    run = _Run(executor, float(time_budget), steady)
    if steady is None:
        run.held = min(_COUNT_SHARE * run.budget, _COUNT_HOLD)
    run.explore(_plan(sizes), int(min_n), int(max_n), enough)
    run.rounds(run.planned)
    run.held = 0.0
    if steady is None:
        run.count(_COUNT_SHARE)  # before the extra rounds, which spend what is left
    # Cheap functions get more rounds in rotation: a slow spell of the machine during
    # exploration then leaves no mark on the minimum.
    cost = sum(s.batch for s in run.sizes)
    extra = min(_EXTRA_ROUNDS, int(_EXTRA_SHARE * run.budget / max(cost, 1e-9)))
    if extra > 0:
        run.rounds(run.planned + extra)
    return run
