"""Arrays on the wire and the arithmetic of averaging: encoding, chunking, weighted means."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np


def encode(array: np.ndarray) -> bytes:
    """Serialise ``array`` (any shape, any numeric dtype) to bytes for a message."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def decode(payload: bytes) -> np.ndarray:
    """The array that :func:`encode` turned into ``payload``, same dtype and shape."""
    return np.load(io.BytesIO(payload), allow_pickle=False)


def chunk_bounds(size: int, parts: int) -> list[tuple[int, int]]:
    """Split ``range(size)`` into ``parts`` contiguous ``(start, stop)`` slices.

    The slices come in order, cover every index exactly once and their lengths differ
    by at most one (the longer ones first); some are empty when ``size < parts``.
    ``ValueError`` if ``parts < 1`` or ``size < 0``.
    """
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    if size < 0:
        raise ValueError(f"size must be non-negative, got {size}")
    step = -(-size // parts)  # ceil: every index lands in some chunk
    return [(min(i * step, size), min((i + 1) * step, size)) for i in range(parts)]


def weighted_average(arrays: Sequence[np.ndarray], weights: Sequence[int]) -> np.ndarray:
    """``sum(w * a) / sum(w)`` over the pairs, with the dtype and shape of ``arrays[0]``.

    The sum is accumulated in float64; for an integer dtype the result is rounded to
    the nearest integer. ``ValueError`` for no arrays, a length mismatch, or weights
    that do not sum to a positive number.
    """
    if not arrays or len(arrays) != len(weights):
        raise ValueError(f"need as many weights as arrays, got {len(arrays)} and {len(weights)}")
    total = sum(weights)
    if total <= 0:
        raise ValueError(f"weights must sum to a positive number, got {total}")
    dtype = np.asarray(arrays[0]).dtype
    acc = np.zeros(np.shape(arrays[0]), dtype=np.float64)
    for array, weight in zip(arrays, weights, strict=True):
        acc += np.asarray(array, dtype=np.float64) * weight
    return _to_dtype(acc / total, dtype)


def _to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype)
