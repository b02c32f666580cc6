"""Empirical time-complexity checks: does a submission scale as the challenge asks?

Rubrics say things like "``get`` and ``put`` must be O(1)". Reading the code cannot
reliably tell a dict lookup from a hidden ``list.remove``, so we measure: build
inputs of growing size ``n`` with ``make_input(n)``, time ``func(arg)`` on each,
and see how the time grows.

Why this method:

* **Adaptive geometric sizes.** Sizes double from ``min_n`` until ``max_n`` or until
  the next size is predicted (pessimistically) to break the time budget, counting
  ``make_input`` too. Cheap O(1) functions therefore reach n=1e5..1e6, where a C
  ``memmove`` (``list.pop(0)``) finally dominates call overhead; exponential ones
  stop doubling early and step by +1..+8 instead.
* **Timing like ``timeit``.** Batches auto-ranged to about a millisecond, garbage
  collector off, and per size the *minimum* per-call time over several rounds
  taken in rotation across sizes, so a burst of load elsewhere on the machine hits
  one round of every size rather than every round of one size.
* **Robust fitting where work dominates.** Only sizes at least 4x slower than the
  fastest are fitted (or all sizes n >= 8 if time barely grows). A Theil-Sen
  log-log slope picks the polynomial power; a log factor (log n over 1, n log n
  over n) is added only if ``t = a + b*g(n)`` (``a, b >= 0``) fits clearly better
  *and* the growth shows in both halves of the size range, as a log factor does and
  a cache step does not.
* **Exact counts where timing is blind** (`mlgrader.workcount`). At small sizes one
  call is traced and its bytecodes counted, on an input whose ints, floats and
  strings are *counted keys* (comparisons, hash and arithmetic written in Python),
  so the comparisons inside ``sorted``, ``bisect`` or ``heapq`` count too. Counts
  have no noise: they settle the log factor that cache effects blur in timings.
  They are a lower bound (a C ``memmove`` runs no bytecode), so timing still wins
  when it shows a higher power.
* **Asymmetric checks.** Cache and TLB misses can make a C-level dict lookup ~10x
  slower between n=1e3 and n=1e6. So a check fails only on clear evidence: exact
  counts of a worse class, timed work growing 16x beyond the expected class over
  the whole size range (64x with a power in the upper half), or, for work in C, a
  timed log factor that doubles the work and rises steadily throughout. Anything
  in between is measured more, then reported "inconclusive", which counts as
  passed. Labels are for humans; verdicts never rest on a label alone.

docs/complexity.md has the method in full, the benchmark figures and the blind spots.
"""

from __future__ import annotations

import gc
import itertools
import math
import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlgrader.authoring.complexity.workcount import counted_keys, median_count
from mlgrader.errors import UserInputError

CLASSES: tuple[str, ...] = (
    "O(1)",
    "O(log n)",
    "O(n)",
    "O(n log n)",
    "O(n^2)",
    "O(n^3)",
    "O(2^n)",
)
INCONCLUSIVE = "inconclusive"

_ROUNDS = 5  # timing rounds per size for an estimate (minimum taken)
_MAX_ROUNDS = 25  # cap when a check asks for more evidence
_EXTRA_ROUNDS = 6  # further rounds for functions cheap enough ...
_EXTRA_SHARE = 0.1  # ... that they cost at most this share of the budget
_EXP_SLOPE = 3.6  # log-log slope above which growth is taken as exponential
_CLOSE = 1.15  # a simpler class wins if its fit error is within this factor of the best
# Cache and TLB misses can make one C-level dict lookup ~10x slower between n=1e3 and
# n=1e6: a log-log slope of up to ~0.3, concentrated where the data leaves a cache
# level. A real class difference adds a slope of ~1 everywhere. So:
_PASS_SLOPE = 0.15  # excess slope over the expected class still counted as passed
_FAIL_GROWTH = 16.0  # a failure needs at least this much excess growth in total ...
_FAIL_SLOPE = 0.4  # ... and this excess slope in both halves of the size range
_FAIL_GROWTH_ALONE = 64.0  # ... or this much, with the upper half rising by this slope
_FAIL_SLOPE_HIGH = 0.6
_LOG_RISE = 2.0  # a timed log factor must at least double the work per unit ...
_LOG_SHARE = 0.7  # ... and rise steadily at this share of a log factor's rate
_COUNT_EXCESS = 1.5  # counted work must outgrow the expected class by this factor to fail

_COUNT_MIN_N = 4  # smaller sizes are edge cases (an empty loop) in counts too
_COUNT_MAX_N = 8192  # counts are exact: 4..8192 shows a log factor plainly
_COUNT_SHARE = 0.25  # most of the budget a check spends on bytecode counting
_COUNT_CALLS = 3  # traced calls per size (median taken)
_MAX_COUNTED_OPS = 400_000  # at ~100 ns a traced bytecode: 40 ms a call

_Func = Callable[[Any], object]
_MakeInput = Callable[[int], Any]


@dataclass(frozen=True)
class Estimate:
    """Measured growth of one function: the class, the raw data and how sure we are."""

    complexity: str
    sizes: list[int]
    times: list[float]
    exponent: float
    confidence: float
    fit_errors: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0
    timing_class: str = INCONCLUSIVE
    count_sizes: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    count_class: str | None = None
    counted_keys: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "complexity": self.complexity,
            "sizes": list(self.sizes),
            "times": [float(t) for t in self.times],
            "exponent": float(self.exponent),
            "confidence": float(self.confidence),
            "fit_errors": {k: float(v) for k, v in self.fit_errors.items()},
            "elapsed": float(self.elapsed),
            "timing_class": self.timing_class,
            "bytecodes": {
                "sizes": list(self.count_sizes),
                "counts": list(self.counts),
                "class": self.count_class,
                "counted_keys": self.counted_keys,
            },
        }


@dataclass(frozen=True)
class CheckResult:
    """Outcome of comparing an `Estimate` with the class a rubric expects."""

    expected: str
    measured: str
    verdict: str
    passed: bool
    estimate: Estimate
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "measured": self.measured,
            "verdict": self.verdict,
            "passed": self.passed,
            "message": self.message,
            "estimate": self.estimate.to_dict(),
        }


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


def _time_batch(func: _Func, arg: Any, loops: int) -> float:
    """Seconds per call over one batch of ``loops`` calls, garbage collector off."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in itertools.repeat(None, loops):
            func(arg)
        elapsed = time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()
    return elapsed / loops


class _Run:
    """Measurements for one function, gathered within a wall-clock deadline."""

    def __init__(self, func: _Func, make_input: _MakeInput, budget: float) -> None:
        self.func = func
        self.make_input = make_input
        self.start = time.perf_counter()
        self.budget = budget
        self.deadline = self.start + 0.92 * budget  # headroom: fits and a late batch
        self.exponential = False  # seen super-polynomial growth: step n additively
        self.target = min(0.002, max(0.0005, budget / 3000))  # seconds per batch
        self.sizes: list[_Size] = []
        self.counted: list[tuple[int, int]] = []  # (n, bytecodes per call)
        self.keys = True  # counted keys in use (off if the function rejects them)

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def _add(self, n: int) -> None:
        t0 = time.perf_counter()
        arg = self.make_input(n)
        size = _Size(n, arg, time.perf_counter() - t0)
        per_call = _time_batch(self.func, arg, 1)  # warm-up and first guess
        while per_call * size.loops < self.target:
            want = math.ceil(self.target * 1.2 / max(per_call, 1e-9))
            size.loops = max(size.loops * 2, min(want, size.loops * 100))
            per_call = _time_batch(self.func, arg, size.loops)
        # A second and third look against noise, as far as they are cheap: the sizes
        # to come are extrapolated from these numbers.
        extra = 2 if per_call * size.loops < 3 * self.target else 1
        if per_call * size.loops < 0.02 * self.budget:
            for _ in range(extra):
                per_call = min(per_call, _time_batch(self.func, arg, size.loops))
        size.samples.append(per_call)
        self.sizes.append(size)

    def _recent(self) -> list[tuple[_Size, _Size]]:
        """The last three pairs of consecutive sizes."""
        tail = self.sizes[-4:]
        return list(itertools.pairwise(tail))

    def _slope(self) -> float:
        """Steepest recent log-log slope (one noisy point cannot hide fast growth)."""
        pairs = self._recent()
        if not pairs:
            return 0.0
        return max(math.log(b.per_call / a.per_call) / math.log(b.n / a.n) for a, b in pairs)

    def _predict_call(self, n: int) -> float:
        """Pessimistic seconds per call at size ``n``, extrapolated from the last sizes."""
        last = self.sizes[-1]
        if len(self.sizes) < 2:
            return last.per_call * math.pow(n / last.n, 3)
        slope = self._slope()
        if self.exponential or slope > _EXP_SLOPE:  # extrapolate exponentially in n
            rate = max(math.log(b.per_call / a.per_call) / (b.n - a.n) for a, b in self._recent())
            return last.per_call * math.exp(min(max(rate, 0.0) * (n - last.n), 700.0))
        return last.per_call * math.pow(n / last.n, min(max(slope + 1.0, 0.5), 4.0))

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
        return self._predict_build(n) + (_ROUNDS + 1) * max(self._predict_call(n), self.target)

    def _reserved(self) -> float:
        """Seconds still needed to finish the planned rounds on the sizes we have."""
        return sum(max(0, _ROUNDS - len(s.samples)) * s.batch for s in self.sizes)

    def _fits(self, n: int) -> bool:
        spend = self._reserved() + self._predict_cost(n)
        return spend <= 0.75 * self.remaining()  # headroom for a busy machine

    def explore(self, plan: Sequence[int] | None, min_n: int, max_n: int) -> None:
        if plan is not None:
            for n in plan:
                if self.sizes and not self._fits(n):
                    break
                self._add(n)
            return
        n = min_n
        self._add(n)
        while n < max_n:
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

    def _last_call(self) -> float:
        return self.sizes[-1].per_call

    def rounds(self, total: int) -> None:
        """Time every size again, in rotation, until each has ``total`` samples."""
        while any(len(s.samples) < total for s in self.sizes):
            for s in self.sizes:
                if len(s.samples) >= total:
                    continue
                if time.perf_counter() + 1.5 * s.batch > self.deadline:
                    return
                s.samples.append(_time_batch(self.func, s.arg, s.loops))

    def count(self, share: float) -> None:
        """Bytecode counts per call at the sizes cheap enough to trace, smallest first.

        Spends at most ``share`` of the budget. The next size is skipped when its
        traced cost, extrapolated pessimistically from the counts so far, would not
        fit. If the function fails on counted keys, counting restarts without them;
        if it fails even so, there are no counts and timing alone decides.
        """
        limit = min(self.deadline, time.perf_counter() + share * self.budget)
        per_op = 1.5e-7  # seconds a traced bytecode costs; refined as we go
        prep = 3.0  # building and rewriting an input, in multiples of building it; refined
        todo = [s for s in self.sizes if _COUNT_MIN_N <= s.n <= _COUNT_MAX_N]
        i = 0
        while i < len(todo):
            size = todo[i]
            ops = self._predict_ops(size.n)
            cost = 1.5 * prep * size.build + 4 * (ops * per_op + size.per_call)
            if ops > _MAX_COUNTED_OPS or time.perf_counter() + cost > limit:
                break
            try:
                started = time.perf_counter()
                arg = self.make_input(size.n)
                if self.keys:
                    arg = counted_keys(arg)
                prep = max(1.0, (time.perf_counter() - started) / max(size.build, 1e-6))
                started = time.perf_counter()
                ops_per_call = median_count(self.func, arg, _COUNT_CALLS)
            except Exception:
                self.counted.clear()
                if not self.keys:
                    return
                self.keys, i = False, 0
                continue
            traced = time.perf_counter() - started - size.per_call
            per_op = max(5e-8, traced / max(_COUNT_CALLS * ops_per_call, 1))
            self.counted.append((size.n, ops_per_call))
            i += 1

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


def _theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    keep = dx > 0
    if not keep.any():
        return 0.0
    return float(np.median((y[j] - y[i])[keep] / dx[keep]))


def _g(cls: str, ns: np.ndarray) -> np.ndarray:
    """Shape of class ``cls`` at ``ns``, scaled to 1 at the largest n."""
    top = float(ns.max())
    shape: np.ndarray
    if cls == "O(1)":
        shape = np.ones_like(ns)
    elif cls == "O(log n)":
        shape = np.log(ns + 1) / math.log(top + 1)
    elif cls == "O(n)":
        shape = ns / top
    elif cls == "O(n log n)":
        shape = ns * np.log(ns + 1) / (top * math.log(top + 1))
    elif cls == "O(n^2)":
        shape = (ns / top) ** 2
    elif cls == "O(n^3)":
        shape = (ns / top) ** 3
    else:
        shape = np.exp2(np.maximum(ns - top, -1000.0))
    return shape


def _fit(g: np.ndarray, ts: np.ndarray) -> tuple[float, float]:
    """Best ``t = a + b*g`` with ``a, b >= 0`` in relative least squares: (RMS error, a)."""
    u, v = 1.0 / ts, g / ts  # relative residual: a*u + b*v - 1
    candidates = [(float(u.sum() / (u @ u)), 0.0)]
    if v @ v > 0:
        candidates.append((0.0, float(v.sum() / (v @ v))))
    try:
        a, b = np.linalg.lstsq(np.column_stack([u, v]), np.ones_like(ts), rcond=None)[0]
        if a >= 0 and b >= 0:
            candidates.append((float(a), float(b)))
    except np.linalg.LinAlgError:
        pass
    scored = [(float(np.sqrt(np.mean((a * u + b * v - 1) ** 2))), a) for a, b in candidates]
    return min(scored)


def _steady(x: np.ndarray, y: np.ndarray, share: float) -> bool:
    """Does ``y`` (time, or time per element) rise like a log factor over ``x = ln n``?

    A log factor makes ``ln y`` grow by ``1/ln n`` per unit of ``ln n`` in *both*
    halves of the range; a memory-hierarchy step (data leaving a cache) shows in one
    half only. Each half must show at least ``share`` of that rate.
    """
    mid = (x[0] + x[-1]) / 2
    for half in (x <= mid + 1e-9, x >= mid - 1e-9):
        keep = half & (y > 0)
        if keep.sum() < 2:
            return False
        rate = _theil_sen(x[keep], np.log(y[keep]))
        if rate < share / max(float(x[keep].mean()), 1.0):
            return False
    return True


def _window(ns: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Indices of the sizes to fit.

    If time grows a lot, the sizes where work dominates call overhead (at least 4x the
    fastest time); otherwise all sizes but the tiny ones (n < 8), whose edge effects
    (a one-element dict, an empty loop) would pass for growth.
    """
    work = np.flatnonzero(ts >= 4 * ts.min())
    if len(work) >= 4 and ns[-1] / ns[work[0]] >= 4 and ts[-1] >= 16 * ts.min():
        return np.arange(work[0], len(ns))
    big = np.flatnonzero(ns >= 8)
    if len(big) >= 4 and ns[-1] / ns[big[0]] >= 4:
        return big
    return np.arange(len(ns))


_CUTS = (0.6, 1.55, 2.5, _EXP_SLOPE)  # slope boundaries between powers 0, 1, 2, 3, 2^n
_POWER_CLASSES: tuple[tuple[str, ...], ...] = (
    ("O(1)", "O(log n)"),
    ("O(n)", "O(n log n)"),
    ("O(n^2)",),
    ("O(n^3)",),
)


def _classify(ns: np.ndarray, ts: np.ndarray) -> tuple[str, float, float, dict[str, float]]:
    """(class, Theil-Sen exponent, confidence, fit error per class).

    The log-log slope picks the polynomial power; a log factor (log n over 1, n log n
    over n) must then fit clearly better and rise steadily across the range.
    """
    if len(ns) < 3 or ns[-1] / ns[0] < 4:
        slope = _theil_sen(np.log(ns), np.log(ts)) if len(ns) >= 2 else 0.0
        return INCONCLUSIVE, slope, 0.0, {}
    win = _window(ns, ts)
    slope = _theil_sen(np.log(ns[win]), np.log(ts[win]))
    if slope > _EXP_SLOPE:
        return "O(2^n)", slope, min(1.0, (slope - _EXP_SLOPE) / 2 + 0.5), {}
    nw, tw = ns[win], ts[win]
    fits = {c: _fit(_g(c, nw), tw) for c in CLASSES[:-1]}
    errors = {c: err for c, (err, _) in fits.items()}
    power = int(np.searchsorted(_CUTS[:3], slope, side="right"))
    chosen = _POWER_CLASSES[power][0]
    if power <= 1:
        simple, fancy = _POWER_CLASSES[power][:2]
        # Per-unit work: the time itself (overhead included, so a lower bar), or the
        # time per element less the overhead.
        y, share = (tw, 0.2) if power == 0 else ((tw - fits[simple][1]) / nw, 0.4)
        if errors[simple] > _CLOSE * errors[fancy] + 0.01 and _steady(np.log(nw), y, share):
            chosen = fancy
    # Confident when the range is wide, the fit good and the slope far from a cut.
    coverage = min(1.0, math.log10(nw[-1] / nw[0]) / 2)
    fit = max(0.0, 1.0 - 2 * errors[chosen])
    margin = min(1.0, min(abs(slope - cut) for cut in _CUTS) / 0.5)
    confidence = coverage * fit * (0.5 + 0.5 * margin)
    return chosen, slope, max(0.0, min(1.0, confidence)), errors


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


def _measure(
    func: _Func,
    make_input: _MakeInput,
    time_budget: float,
    min_n: int,
    max_n: int,
    sizes: Sequence[int] | None,
) -> _Run:
    _validate(time_budget, min_n, max_n, sizes)
    run = _Run(func, make_input, float(time_budget))
    plan = sorted({int(n) for n in sizes}) if sizes is not None else None
    run.explore(plan, int(min_n), int(max_n))
    run.rounds(_ROUNDS)
    # Cheap functions get more rounds in rotation: a slow spell of the machine during
    # exploration then leaves no mark on the minimum.
    cost = sum(s.batch for s in run.sizes)
    extra = min(_EXTRA_ROUNDS, int(_EXTRA_SHARE * run.budget / max(cost, 1e-9)))
    if extra > 0:
        run.rounds(_ROUNDS + extra)
    run.count(_COUNT_SHARE)
    return run


def _power(cls: str) -> int:
    """Polynomial power of a class: 0 for O(1) and O(log n), 1 for O(n) and O(n log n), ..."""
    return (
        next(p for p, group in enumerate(_POWER_CLASSES) if cls in group)
        if cls in CLASSES[:-1]
        else 4
    )


def _counted(run: _Run) -> tuple[np.ndarray, np.ndarray]:
    """Counted sizes and bytecodes per call, sizes below 8 dropped (edge effects)."""
    pairs = [(n, c) for n, c in run.counted if n >= 8]
    ns = np.array([n for n, _ in pairs], dtype=float)
    cs = np.array([max(c, 1) for _, c in pairs], dtype=float)
    return ns, cs


def _count_class(ns: np.ndarray, cs: np.ndarray) -> str | None:
    """Class of exact bytecode counts, or None when they cannot tell.

    Counts have no noise, so the class whose shape fits best wins, the simpler one
    on a near tie. Growth must be steady (in both halves of the range): a count that
    steps once, from a miss to a hit or onto a fast path, is not a class, and then
    timing decides.
    """
    if len(ns) < 4 or ns[-1] / ns[0] < 16:
        return None
    if cs.max() <= cs.min():
        return "O(1)"
    x = np.log(ns)
    top = len(ns) // 2
    if _theil_sen(x[top:], np.log(cs[top:])) > _EXP_SLOPE:
        return "O(2^n)"
    errors = {c: _fit(_g(c, ns), cs)[0] for c in CLASSES[:-1]}
    best = min(errors.values())
    chosen = next(c for c in CLASSES[:-1] if errors[c] <= 1.3 * best + 0.02)
    if chosen == "O(1)" or _rises_steadily(x, cs):
        return chosen
    return None


def _rises_steadily(x: np.ndarray, y: np.ndarray) -> bool:
    """Does ``y`` rise (Theil-Sen slope over ``x``) in both halves of the range?"""
    mid = (x[0] + x[-1]) / 2
    for half in (x <= mid + 1e-9, x >= mid - 1e-9):
        if half.sum() < 2 or _theil_sen(x[half], y[half]) <= 0:
            return False
    return True


def _combine(timing: str, counts: str | None) -> str:
    """One label from the timing class and the exact count class.

    Counts are exact but a lower bound (C work that runs no Python is invisible), so
    they settle the log factor and the power unless timing shows a higher power,
    the mark of hidden C work such as a ``memmove``. Without a growing count (all the
    work in C) timing decides alone.
    """
    if counts is None or counts == "O(1)":
        return timing
    if timing != INCONCLUSIVE and _power(timing) > _power(counts):
        return timing
    return counts


def _estimate_of(run: _Run) -> Estimate:
    ns, ts = run.data()
    timing, slope, confidence, errors = _classify(ns, ts)
    count_ns, counts = _counted(run)
    by_counts = _count_class(count_ns, counts)
    label = _combine(timing, by_counts)
    if label != timing:
        confidence = max(confidence, 0.9)  # exact counts back the label
    return Estimate(
        complexity=label,
        sizes=[int(n) for n in ns],
        times=[float(t) for t in ts],
        exponent=round(slope, 4),
        confidence=round(confidence, 3),
        fit_errors={c: round(e, 5) for c, e in errors.items()},
        elapsed=round(time.perf_counter() - run.start, 4),
        timing_class=timing,
        count_sizes=[n for n, _ in run.counted],
        counts=[c for _, c in run.counted],
        count_class=by_counts,
        counted_keys=run.keys and bool(run.counted),
    )


def estimate(
    func: _Func,
    make_input: _MakeInput,
    *,
    time_budget: float = 3.0,
    min_n: int = 1,
    max_n: int = 10**6,
    sizes: Sequence[int] | None = None,
) -> Estimate:
    """Measure how ``func(make_input(n))`` scales with ``n`` within ``time_budget`` seconds."""
    return _estimate_of(_measure(func, make_input, time_budget, min_n, max_n, sizes))


def _excess(
    ns: np.ndarray, ts: np.ndarray, expected: str, *, net: bool = True
) -> tuple[float, float, float, float]:
    """Growth of the work beyond ``expected``.

    With ``net``, the work is the time less the call overhead (the fastest time),
    over the sizes where it is at least the overhead; otherwise (or without four such
    sizes spanning 4x) the time itself over `_window`. Returns (total factor, log-log
    slope, slope in the lower half, slope in the upper half).
    """
    base = float(ts.min())
    work = np.flatnonzero(ts >= 2 * base)
    if net and len(work) >= 4 and ns[-1] / ns[work[0]] >= 4:
        win, y_time = np.arange(work[0], len(ns)), ts - base
    else:
        win, y_time = _window(ns, ts), ts
    x, y = np.log(ns[win]), np.log(np.maximum(y_time[win], 1e-15) / _g(expected, ns[win]))
    slope = _theil_sen(x, y)
    total = math.exp(slope * float(x[-1] - x[0]))
    half = (len(x) + 1) // 2  # the lower and upper halves of the points (sharing the middle)
    low = _theil_sen(x[:half], y[:half])
    high = _theil_sen(x[-half:], y[-half:])
    return total, slope, low, high


def _timing_exceeds(ns: np.ndarray, ts: np.ndarray, expected: str) -> bool:
    """Does timed work grow clearly beyond ``expected``?

    Memory effects add at most ~10x between small and large inputs, in steps. So:
    16x excess spread over the range, or 64x with the upper half rising by a power.
    """
    total, _, low, high = _excess(ns, ts, expected)
    spread = total >= _FAIL_GROWTH and min(low, high) >= _FAIL_SLOPE
    return spread or (total >= _FAIL_GROWTH_ALONE and high >= _FAIL_SLOPE_HIGH)


def _log_factor_exceeds(ns: np.ndarray, ts: np.ndarray, timing: str, expected: str) -> bool:
    """Does timing show one log factor beyond ``expected`` (log n over 1, n log n over n)?

    For work done in C, where counts cannot see it. The rise must be the strong,
    steady one of a log factor in both halves of the range and at least double the
    work per unit, a bar that cache steps under O(1) and O(n) code do not reach.
    """
    if expected not in ("O(1)", "O(n)") or timing != CLASSES[CLASSES.index(expected) + 1]:
        return False
    win = _window(ns, ts)
    nw, tw = ns[win], ts[win]
    if len(nw) < 6 or nw[-1] / nw[0] < 64:
        return False
    y = tw if expected == "O(1)" else (tw - _fit(_g("O(n)", nw), tw)[1]) / nw
    if np.any(y <= 0) or y[-1] / y[0] < _LOG_RISE:
        return False
    return _steady(np.log(nw), y, _LOG_SHARE)


def _counts_exceed(run: _Run, est: Estimate, expected: str) -> bool:
    """Do exact counts show clearly more work than ``expected`` allows?

    The count class must be worse, its growth steady, and the counts must grow at
    least 1.5x more over the counted range than ``expected`` allows (a large
    constant part of the work makes this harder, never easier).
    """
    cls = est.count_class
    if cls is None or CLASSES.index(cls) <= CLASSES.index(expected):
        return False
    ns, cs = _counted(run)
    allowed = _g(expected, ns)
    return float((cs[-1] / cs[0]) / (allowed[-1] / allowed[0])) >= _COUNT_EXCESS


def _verdict(est: Estimate, run: _Run, expected: str) -> str:
    """ "passed", "failed" or "unclear" (measure more, else inconclusive).

    Failure needs clear evidence: exact counts of more work than ``expected``
    allows, or timed growth far beyond it across the whole size range. A label alone
    never fails (or excuses) a submission.
    """
    if _counts_exceed(run, est, expected):
        return "failed"
    label_ok = est.complexity != INCONCLUSIVE and (
        CLASSES.index(est.complexity) <= CLASSES.index(expected)
    )
    if len(run.sizes) < 4:
        return "passed" if label_ok else "unclear"
    ns, ts = run.data()
    if _timing_exceeds(ns, ts, expected):
        return "failed"
    if _log_factor_exceeds(ns, ts, est.timing_class, expected):
        return "failed"
    _, slope, _, _ = _excess(ns, ts, expected, net=False)
    if label_ok or (est.complexity != INCONCLUSIVE and slope <= _PASS_SLOPE):
        return "passed"  # a worse label within memory and noise effects passes too
    return "unclear"


def check(
    func: _Func,
    make_input: _MakeInput,
    expected: str,
    *,
    time_budget: float = 3.0,
    min_n: int = 1,
    max_n: int = 10**6,
    sizes: Sequence[int] | None = None,
) -> CheckResult:
    """Check that ``func`` is no worse than ``expected``; fail only on clear evidence."""
    if expected not in CLASSES:
        raise UserInputError(f"expected must be one of {', '.join(CLASSES)}; got {expected!r}")
    run = _measure(func, make_input, time_budget, min_n, max_n, sizes)
    total = _ROUNDS
    est = _estimate_of(run)
    verdict = _verdict(est, run, expected)
    while verdict == "unclear" and total < _MAX_ROUNDS and run.remaining() > 0.1 * time_budget:
        total += 4
        run.rounds(total)
        est = _estimate_of(run)
        verdict = _verdict(est, run, expected)
    if verdict == "unclear":
        verdict = INCONCLUSIVE
    ns, ts = run.data()
    win = _window(ns, ts) if len(ns) else np.arange(0)
    span = f"n={int(ns[win[0]])}..{int(ns[win[-1]])}" if len(win) else "no sizes"
    message = (
        f"expected {expected}, measured {est.complexity} (slope {est.exponent:.2f} over {span})"
    )
    if verdict == "passed" and est.complexity != INCONCLUSIVE and est.complexity != expected:
        if CLASSES.index(est.complexity) > CLASSES.index(expected):
            message += ": growth within tolerance of expected"
    elif verdict == INCONCLUSIVE:
        message += ": evidence unclear, counted as passed"
    return CheckResult(
        expected=expected,
        measured=est.complexity,
        verdict=verdict,
        passed=verdict != "failed",
        estimate=est,
        message=message,
    )
