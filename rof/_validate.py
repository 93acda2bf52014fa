"""Parameter checks shared by every component's ``__post_init__``.

Each check raises :class:`rof.errors.ParameterError` with one line naming the
parameter, the offending value and the allowed range, e.g.::

    Fiber.length_km = -1.0 is out of range; allowed: >= 0
"""

from __future__ import annotations

import math

import numpy as np

from rof.errors import ParameterError

__all__ = ["check_choice", "check_finite", "check_int_range", "check_range"]


def _fmt_range(lo, hi, lo_open, hi_open) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '<='} {hi:g}")
    return " and ".join(parts) if parts else "a finite number"


def check_range(
    name: str,
    value,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    allow_inf: bool = False,
):
    """Check that ``value`` (scalar or array) lies in the range; return it as float(s).

    Parameters
    ----------
    name : str
        Name shown in the message, e.g. ``"Fiber.length_km"``.
    value : float or array_like
        Value(s) to check. NaN always fails; infinities fail unless ``allow_inf``.
    lo, hi : float, optional
        Bounds; ``None`` means unbounded on that side.
    lo_open, hi_open : bool
        Whether the bound itself is excluded.
    """
    allowed = _fmt_range(lo, hi, lo_open, hi_open)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} = {value!r} is not a number; allowed: {allowed}") from None
    bad = np.isnan(arr)
    if not allow_inf:
        bad |= np.isinf(arr)
    if lo is not None:
        bad |= (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= (arr >= hi) if hi_open else (arr > hi)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        raise ParameterError(f"{name} = {first!r} is out of range; allowed: {allowed}")
    return float(arr) if arr.ndim == 0 else arr


def check_int_range(name: str, value, lo: int | None = None, hi: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[lo, hi]``; return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if not (isinstance(value, float) and math.isfinite(value) and value.is_integer()):
            raise ParameterError(f"{name} = {value!r} is not an integer")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = " and ".join(
            p
            for p in (
                (f">= {lo}" if lo is not None else ""),
                (f"<= {hi}" if hi is not None else ""),
            )
            if p
        )
        raise ParameterError(f"{name} = {v} is out of range; allowed: {rng}")
    return v


def check_finite(name: str, value):
    """Check that every element of ``value`` is finite; return it as a float array."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} contains NaN or infinite values; allowed: finite numbers")
    return arr


def check_choice(name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices`` (names listed in the message)."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"{name} = {value!r} is not known; allowed: {listed}")
    return value
