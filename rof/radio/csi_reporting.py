"""The CSI reporting band of TS 38.214: subbands and the subband differential CQI.

Subbands (TS 38.214 V17 Sec. 5.2.1.4)
-------------------------------------
A bandwidth part of ``N_BWP`` PRBs starting at common resource block ``N_start`` is cut
into subbands of ``N_sb`` PRBs, ``N_sb`` one of the two values Table 5.2.1.4-2 allows
for ``N_BWP`` (24-72 PRBs: 4 or 8; 73-144: 8 or 16; 145-275: 16 or 32; below 24 PRBs
there are no subbands). The first subband holds ``N_sb - (N_start mod N_sb)`` PRBs, the
last ``(N_start + N_BWP) mod N_sb`` PRBs (``N_sb`` if that is 0), every other one
``N_sb``. The table is ``tables/ts38214_table5.2.1.4-2_r17.csv``.

Subband differential CQI (TS 38.214 V17 Sec. 5.2.2.1)
-----------------------------------------------------
With subband CQI reporting the UE sends one 4-bit wideband CQI and, per subband, a
2-bit differential value for the offset level ``subband CQI - wideband CQI``
(Table 5.2.2.1-1, ``tables/ts38214_table5.2.2.1-1_r17.csv``): value 0 for offset 0, 1 for
+1, 2 for ``>= +2`` and 3 for ``<= -1``. The receiver knows the subband CQI as the
wideband CQI plus the value's offset level (0, +1, +2, -1): a subband 3 CQIs better than
the wideband one is known as +2, one 2 worse as -1.

Both tables are cross-checked against MathWorks' 5G Toolbox (``hCQISelect.m``,
functions ``getDLCSISubbandInfo`` and the subband differential mapping).

Examples
--------
>>> subband_sizes_allowed(51)
(4, 8)
>>> subband_bounds(51, 8).tolist()
[0, 8, 16, 24, 32, 40, 48, 51]
>>> differential_cqi([12, 10, 7, 9], 9).tolist()
[2, 1, 3, 0]
>>> reconstruct_cqi(9, [2, 1, 3, 0]).tolist()
[11, 10, 8, 9]
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

from rof._validate import check_int_range
from rof.errors import ParameterError

__all__ = [
    "MIN_SUBBAND_BWP_PRBS",
    "differential_cqi",
    "offset_levels",
    "reconstruct_cqi",
    "subband_bounds",
    "subband_sizes_allowed",
]

_TABLES = Path(__file__).resolve().parent / "tables"
#: Smallest bandwidth part (PRBs) that Table 5.2.1.4-2 cuts into subbands.
MIN_SUBBAND_BWP_PRBS = 24


def _rows(name: str) -> list[dict]:
    with (_TABLES / name).open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@lru_cache(maxsize=1)
def _subband_table() -> tuple[tuple[int, int, int, int], ...]:
    rows = _rows("ts38214_table5.2.1.4-2_r17.csv")
    keys = ("bwp_min_prbs", "bwp_max_prbs", "subband_small_prbs", "subband_large_prbs")
    return tuple(tuple(int(r[k]) for k in keys) for r in rows)


def subband_sizes_allowed(n_bwp_prbs: int) -> tuple[int, int] | None:
    """The two subband sizes (PRBs) Table 5.2.1.4-2 allows for a BWP of ``n_bwp_prbs``
    PRBs, smaller first; None below 24 PRBs (no subbands)."""
    n = check_int_range("subband_sizes_allowed.n_bwp_prbs", n_bwp_prbs, 1, 275)
    for lo, hi, small, large in _subband_table():
        if lo <= n <= hi:
            return small, large
    return None


def subband_bounds(n_bwp_prbs: int, subband_prbs: int, start_prb: int = 0) -> np.ndarray:
    """Edges of the subbands of a BWP, as PRB indices within the BWP (module docstring).

    Parameters
    ----------
    n_bwp_prbs : int
        BWP size, PRBs (24 .. 275).
    subband_prbs : int
        Subband size ``N_sb``, one of :func:`subband_sizes_allowed`'s two values.
    start_prb : int
        ``N_start``, the BWP's first common resource block (0: aligned to the grid).

    Returns
    -------
    ndarray of int64, shape (n_subbands + 1,)
        Subband ``i`` holds PRBs ``bounds[i] .. bounds[i + 1] - 1``.

    Raises
    ------
    ParameterError
        For a BWP below 24 PRBs or a size the table does not allow.
    """
    allowed = subband_sizes_allowed(n_bwp_prbs)
    if allowed is None:
        raise ParameterError(
            f"subband_bounds.n_bwp_prbs = {n_bwp_prbs} has no subbands; allowed: "
            f">= {MIN_SUBBAND_BWP_PRBS} PRBs (TS 38.214 Table 5.2.1.4-2)"
        )
    if subband_prbs not in allowed:
        raise ParameterError(
            f"subband_bounds.subband_prbs = {subband_prbs}; allowed for {n_bwp_prbs} PRBs: "
            f"{allowed[0]} or {allowed[1]} (TS 38.214 Table 5.2.1.4-2)"
        )
    start = check_int_range("subband_bounds.start_prb", start_prb, 0)
    first = subband_prbs - start % subband_prbs
    inner = np.arange(first, n_bwp_prbs, subband_prbs, dtype=np.int64)
    return np.concatenate(([0], inner, [n_bwp_prbs])).astype(np.int64)


@lru_cache(maxsize=1)
def offset_levels() -> np.ndarray:
    """Offset level (subband minus wideband CQI) the receiver reads from each 2-bit
    differential value 0 .. 3 (Table 5.2.2.1-1): ``[0, 1, 2, -1]``. Read-only."""
    rows = sorted(_rows("ts38214_table5.2.2.1-1_r17.csv"), key=lambda r: int(r["differential_cqi"]))
    out = np.array([int(r["offset_level"]) for r in rows], dtype=np.int64)
    out.setflags(write=False)
    return out


def differential_cqi(subband_cqi, wideband_cqi) -> np.ndarray:
    """The 2-bit subband differential CQI value of Table 5.2.2.1-1.

    Parameters
    ----------
    subband_cqi : array_like of int
        CQI (0 .. 15) of each subband.
    wideband_cqi : array_like of int
        The wideband CQI, broadcast against ``subband_cqi``.

    Returns
    -------
    ndarray of int64
        0 (offset 0), 1 (+1), 2 (>= +2) or 3 (<= -1).
    """
    rows = _rows("ts38214_table5.2.2.1-1_r17.csv")
    off = np.asarray(subband_cqi, dtype=np.int64) - np.asarray(wideband_cqi, dtype=np.int64)
    out = np.full(off.shape, -1, dtype=np.int64)
    for r in rows:
        level, rel = int(r["offset_level"]), r["relation"]
        hit = {"eq": off == level, "ge": off >= level, "le": off <= level}[rel]
        out = np.where((out < 0) & hit, int(r["differential_cqi"]), out)
    return out


def reconstruct_cqi(wideband_cqi, differential) -> np.ndarray:
    """Subband CQI as the receiver knows it: wideband CQI plus the offset level of the
    differential value (Table 5.2.2.1-1), within 0 .. 15.

    Parameters
    ----------
    wideband_cqi : array_like of int
    differential : array_like of int
        Values 0 .. 3 (:func:`differential_cqi`), broadcast against ``wideband_cqi``.
    """
    d = np.asarray(differential, dtype=np.int64)
    if d.size and (d.min() < 0 or d.max() > 3):
        raise ParameterError(f"reconstruct_cqi.differential = {d.tolist()}; allowed: 0 .. 3")
    cqi = np.asarray(wideband_cqi, dtype=np.int64) + offset_levels()[d]
    return np.clip(cqi, 0, 15)
