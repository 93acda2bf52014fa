"""Block error probability of one TTI's transport blocks on 5G-LENA's curves, in one kernel.

Each block of MCS ``m`` over ``n`` RBs, decoded at effective SINR ``s`` (dB), fails with

.. math:: P = 1 - (1 - \\mathrm{BLER}_{cb}(s))^C,

``BLER_cb`` the code-block curve of :func:`rof.radio.bler_curves.allocation_curves`
(linear in dB between its points, 1 below and its last value above; TS 38.212
segmentation into ``C`` code blocks; :mod:`rof.radio.bler_curves`). The curves of all
(MCS, RBs) pairs are packed once per (table, carrier) into flat arrays, and
:func:`block_error_kernel` evaluates a TTI's blocks in one call where
:func:`block_error_ref` calls :func:`numpy.interp` per block. The kernel follows
``numpy.interp``'s own arithmetic (NumPy's ``arr_interp``: the bracketing point
``x_j <= s < x_{j+1}``, the slope ``(y_{j+1} - y_j) / (x_{j+1} - x_j)``, ``y_j`` at
``s = x_j`` and at the last point) and ``pow`` for the power, so both give the same
bits (tested).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numba
import numpy as np

__all__ = ["PackedCurves", "block_error", "block_error_kernel", "block_error_ref", "packed_curves"]


class PackedCurves(NamedTuple):
    """The curves of :func:`rof.radio.bler_curves.allocation_curves`, packed: ``index``
    (n_mcs, n_rb_max + 1) int64 curve of each (MCS, RBs) (-1 for 0 RBs); curve ``i`` is
    ``sinr_db[ptr[i]:ptr[i + 1]]``, ``bler[...]`` with ``n_cb[i]`` code blocks."""

    index: np.ndarray
    ptr: np.ndarray
    sinr_db: np.ndarray
    bler: np.ndarray
    n_cb: np.ndarray


@lru_cache(maxsize=8)
def packed_curves(
    table: str, n_rb_max: int, n_symbols: int = 12, target: float = 0.1
) -> PackedCurves:
    """:class:`PackedCurves` of ``allocation_curves(table, n_rb_max, n_symbols, target)``
    (cached; read-only arrays). The curves do not depend on ``target``; passing the
    run's BLER target, as :func:`rof.edge.rate_model.allocation_thresholds_db` does,
    reuses that call's cached curves."""
    from rof.radio.bler_curves import allocation_curves

    _, curves = allocation_curves(table, int(n_rb_max), int(n_symbols), float(target))
    n_mcs = 1 + max(m for m, _ in curves)
    index = np.full((n_mcs, int(n_rb_max) + 1), -1, dtype=np.int64)
    seen: dict[tuple[int, int, int], int] = {}
    xs, ys, cs, ptr = [], [], [], [0]
    for (m, nrb), (s, b, c) in curves.items():
        key = (id(s), id(b), int(c))  # shared curve arrays are packed once
        if key not in seen:
            seen[key] = len(cs)
            xs.append(np.asarray(s, dtype=np.float64))
            ys.append(np.asarray(b, dtype=np.float64))
            cs.append(int(c))
            ptr.append(ptr[-1] + len(s))
        index[m, nrb] = seen[key]
    out = PackedCurves(
        index,
        np.asarray(ptr, dtype=np.int64),
        np.concatenate(xs),
        np.concatenate(ys),
        np.asarray(cs, dtype=np.int64),
    )
    for a in out:
        a.setflags(write=False)
    return out


@numba.njit(cache=True)
def _interp(x, xp, fp, left, right):  # pragma: no cover - jit
    """``numpy.interp(x, xp, fp, left, right)`` for one ``x``, NumPy's arithmetic."""
    n = xp.shape[0]
    if n == 1:  # NumPy's one-point branch (a NaN x gives fp[0] there)
        if x < xp[0]:
            return left
        if x > xp[0]:
            return right
        return fp[0]
    if np.isnan(x):
        return x
    if x < xp[0]:
        return left
    if x > xp[n - 1]:
        return right
    j = np.searchsorted(xp, x, side="right") - 1  # x_j <= x < x_{j+1}
    if j == n - 1 or xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    y = slope * (x - xp[j]) + fp[j]
    if np.isnan(y):
        y = slope * (x - xp[j + 1]) + fp[j + 1]
        if np.isnan(y) and fp[j] == fp[j + 1]:
            y = fp[j]
    return y


@numba.njit(cache=True)
def block_error_kernel(mcs, n_rb, sinr_db, index, ptr, xs, ys, n_cb, out):  # pragma: no cover
    """``out[i]``: error probability of block ``i`` (MCS ``mcs[i]``, curve of ``n_rb[i]``
    RBs, at ``sinr_db[i]``); 1 where ``mcs[i] < 0`` (nothing sent)."""
    for i in range(mcs.shape[0]):
        if mcs[i] < 0:
            out[i] = 1.0
            continue
        c = index[mcs[i], n_rb[i]]
        xp = xs[ptr[c] : ptr[c + 1]]
        fp = ys[ptr[c] : ptr[c + 1]]
        cb = _interp(sinr_db[i], xp, fp, 1.0, fp[fp.shape[0] - 1])
        out[i] = 1.0 - math.pow(1.0 - cb, float(n_cb[c]))  # pow, as NumPy: not repeated products
    return out


def block_error(mcs, n_rb, sinr_db, packed: PackedCurves) -> np.ndarray:
    """Error probability of each block (module docstring) through :func:`block_error_kernel`.

    Parameters
    ----------
    mcs, n_rb : ndarray of int, shape (n,)
        MCS (-1: nothing sent) and the RBs whose transport block (its curve) it is.
    sinr_db : ndarray, shape (n,)
        Effective SINR the block is decoded at, dB.
    packed : PackedCurves

    Returns
    -------
    ndarray, shape (n,)
    """
    out = np.empty(len(mcs))
    return block_error_kernel(
        np.ascontiguousarray(mcs, dtype=np.int64),
        np.ascontiguousarray(n_rb, dtype=np.int64),
        np.ascontiguousarray(sinr_db, dtype=np.float64),
        *packed,
        out,
    )


def block_error_ref(mcs, n_rb, sinr_db, curves: dict) -> np.ndarray:
    """Plain-NumPy reference of :func:`block_error` on the unpacked ``curves`` of
    :func:`rof.radio.bler_curves.allocation_curves`: ``numpy.interp`` per block."""
    p_err = np.ones(len(mcs))
    for i in np.flatnonzero(np.asarray(mcs) >= 0):
        s, b, c = curves[(int(mcs[i]), int(n_rb[i]))]
        p_err[i] = 1.0 - (1.0 - np.interp(sinr_db[i], s, b, left=1.0, right=b[-1])) ** c
    return p_err
