"""Curve fitting and classification: from sizes and times (or counts) to a class.

The classes and their shapes, the robust log-log slope (Theil-Sen), the relative
least-squares fit of ``t = a + b*g(n)``, the window of sizes worth fitting, and
the rules that turn a slope and fit errors into one label: for timings
(`_classify`), for exact bytecode counts (`_count_class`) and for both together
(`_combine`). Pure functions of arrays, so they are tested on synthetic curves
without timing anything.
"""

from __future__ import annotations

import math

import numpy as np

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

_EXP_SLOPE = 3.6  # log-log slope above which growth is taken as exponential
_CLOSE = 1.15  # a simpler class wins if its fit error is within this factor of the best


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


def _power(cls: str) -> int:
    """Polynomial power of a class: 0 for O(1) and O(log n), 1 for O(n) and O(n log n), ..."""
    return (
        next(p for p, group in enumerate(_POWER_CLASSES) if cls in group)
        if cls in CLASSES[:-1]
        else 4
    )


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
