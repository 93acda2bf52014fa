"""Rate mapping: NR MCS/CQI tables (TS 38.214), BLER curves, TB sizes, attenuated Shannon.

Tables
------
The MCS index tables 1, 2 and 3 for PDSCH (TS 38.214 V17 Tables 5.1.3.1-1, up to 64QAM,
5.1.3.1-2, up to 256QAM, and 5.1.3.1-3, 64QAM with six QPSK entries of code rate 30/1024 to
99/1024 below table 1's MCS 0, RRC ``mcs-Table = qam64LowSE``), the 4-bit CQI tables 1, 2
and 3 (Tables 5.2.2.1-2, 5.2.2.1-3 and 5.2.2.1-4) and the TBS table for small blocks
(Table 5.1.3.2-1) are data files in ``rof/radio/tables``. Spectral efficiency is
``Qm * R / 1024`` bits per resource element.

SINR thresholds and BLER (assumption, not link-level data)
----------------------------------------------------------
No link-level BLER tables are shipped. The AWGN SINR at which MCS ``m`` reaches 10 % BLER
is derived from the Shannon bound with an implementation margin (SNR gap; Cioffi's gap
approximation, e.g. Goldsmith, *Wireless Communications*, 2005, Eq. 9.7)::

    SINR_10%(m) [dB] = 10 log10(2^{SE_m} - 1) + margin_db,     margin_db = 2.0 by default,

i.e. LDPC codes at 10 % BLER are assumed to sit 2 dB from capacity. Around that point the
BLER follows a logistic curve in dB with slope ``slope_per_db`` (3.0 /dB by default, so the
BLER falls from 90 % to 1 % over 2.3 dB)::

    BLER(s) = 1 / (1 + 9 exp(slope_per_db (s - SINR_10%))),     BLER(SINR_10%) = 0.1.

Both numbers are documented model assumptions (parameters of every function here).

Attenuated Shannon
------------------
:func:`shannon_attenuated` is the throughput mapping of TR 36.942 Annex A.2:
``SE = 0`` below ``SINR_min``, ``alpha log2(1 + SINR)`` above it, capped at ``SE_max``
(downlink defaults alpha 0.6, SINR_min -10 dB, SE_max 4.4 bit/s/Hz; use
:data:`SE_MAX_NR_256QAM` = 7.4063 for NR with 256QAM, the top entry of Table 5.1.3.1-2).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rof._validate import check_choice, check_int_range, check_range
from rof.errors import ParameterError
from rof.units import db_to_lin

__all__ = [
    "BLER_SLOPE_PER_DB",
    "CQI_TABLES",
    "IMPLEMENTATION_MARGIN_DB",
    "MCS_TABLES",
    "SE_MAX_NR_256QAM",
    "RateTable",
    "bler",
    "cqi_table",
    "cqi_threshold_db",
    "mcs_table",
    "select_cqi",
    "select_mcs",
    "shannon_attenuated",
    "sinr_threshold_db",
    "spectral_efficiency",
    "tb_bits",
]

_TABLES = Path(__file__).resolve().parent / "tables"

#: MCS table name -> data file (TS 38.214 Tables 5.1.3.1-1, 5.1.3.1-2 and 5.1.3.1-3).
MCS_TABLES = {
    "qam64": "ts38214_table5.1.3.1-1_r17.csv",
    "qam256": "ts38214_table5.1.3.1-2_r17.csv",
    "qam64lowse": "ts38214_table5.1.3.1-3_r17.csv",
}
#: CQI table name -> data file (TS 38.214 Tables 5.2.2.1-2, 5.2.2.1-3 and 5.2.2.1-4).
CQI_TABLES = {
    "table1": "ts38214_table5.2.2.1-2_r17.csv",
    "table2": "ts38214_table5.2.2.1-3_r17.csv",
    "table3": "ts38214_table5.2.2.1-4_r17.csv",
}
#: Assumed gap of 10 %-BLER operating points to the Shannon bound (dB).
IMPLEMENTATION_MARGIN_DB = 2.0
#: Assumed slope of the logistic BLER curve (1/dB).
BLER_SLOPE_PER_DB = 3.0
#: Highest spectral efficiency of MCS table 2 (256QAM, R = 948/1024), bit/s/Hz.
SE_MAX_NR_256QAM = 7.4063


@dataclass(frozen=True)
class RateTable:
    """One TS 38.214 MCS or CQI table.

    Attributes
    ----------
    name : str
    index : ndarray of int, shape (n,)
        MCS index (from 0) or CQI index (from 1; CQI 0 = out of range is not listed).
    modulation_order : ndarray of int
        ``Qm`` (bits per symbol).
    code_rate_x1024 : ndarray of float
        Target code rate times 1024.
    spectral_efficiency : ndarray of float
        The standard's printed value (4 decimals), ``~ Qm R / 1024``.
    """

    name: str
    index: np.ndarray
    modulation_order: np.ndarray
    code_rate_x1024: np.ndarray
    spectral_efficiency: np.ndarray


def _read(path: Path, name: str) -> RateTable:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    return RateTable(
        name=name,
        index=np.array([int(r["index"]) for r in rows]),
        modulation_order=np.array([int(r["modulation_order"]) for r in rows]),
        code_rate_x1024=np.array([float(r["code_rate_x1024"]) for r in rows]),
        spectral_efficiency=np.array([float(r["spectral_efficiency"]) for r in rows]),
    )


@lru_cache(maxsize=4)
def mcs_table(table: str = "qam256") -> RateTable:
    """MCS index table ``"qam64"`` (Table 5.1.3.1-1), ``"qam256"`` (Table 5.1.3.1-2) or
    ``"qam64lowse"`` (Table 5.1.3.1-3)."""
    check_choice("mcs_table.table", table, tuple(MCS_TABLES))
    return _read(_TABLES / MCS_TABLES[table], table)


@lru_cache(maxsize=4)
def cqi_table(table: str = "table2") -> RateTable:
    """CQI table ``"table1"`` (Table 5.2.2.1-2), ``"table2"`` (Table 5.2.2.1-3) or
    ``"table3"`` (Table 5.2.2.1-4)."""
    check_choice("cqi_table.table", table, tuple(CQI_TABLES))
    return _read(_TABLES / CQI_TABLES[table], table)


def _thresholds(se, margin_db) -> np.ndarray:
    return 10.0 * np.log10(np.exp2(se) - 1.0) + margin_db


def sinr_threshold_db(
    table: str = "qam256",
    bler_target: float = 0.1,
    *,
    margin_db: float = IMPLEMENTATION_MARGIN_DB,
    slope_per_db: float = BLER_SLOPE_PER_DB,
) -> np.ndarray:
    """SINR (dB) at which each MCS of ``table`` reaches ``bler_target``.

    ``SINR_10% + ln((1 - t) / (9 t)) / slope`` with ``SINR_10% = 10 log10(2^SE - 1) + margin``
    (module docstring).

    Returns
    -------
    ndarray, shape (n_mcs,)
    """
    t = check_range("bler_target", bler_target, 0.0, 1.0, lo_open=True, hi_open=True)
    m = check_range("margin_db", margin_db, -5.0, 20.0)
    s = check_range("slope_per_db", slope_per_db, 0.0, 100.0, lo_open=True)
    se = mcs_table(table).spectral_efficiency
    return _thresholds(se, m) + np.log((1.0 - t) / (9.0 * t)) / s


def _mcs_index(mcs, n: int) -> np.ndarray:
    m = np.asarray(mcs)
    if not np.issubdtype(m.dtype, np.integer):
        if np.any(m != np.round(m)):
            raise ParameterError(f"mcs = {mcs!r} is not an integer; allowed: -1 .. {n - 1}")
        m = m.astype(np.int64)
    if np.any((m < -1) | (m >= n)):
        raise ParameterError(f"mcs = {mcs!r} is out of range; allowed: -1 (none) .. {n - 1}")
    return m


def spectral_efficiency(mcs, table: str = "qam256"):
    """Spectral efficiency ``Qm R / 1024`` of MCS ``mcs`` (bits per resource element).

    Parameters
    ----------
    mcs : int or array_like of int
        MCS index; -1 (no MCS meets the target, see :func:`select_mcs`) gives 0.
    table : {"qam64", "qam256", "qam64lowse"}

    Returns
    -------
    float or ndarray
    """
    tab = mcs_table(table)
    m = _mcs_index(mcs, tab.index.size)
    se = tab.modulation_order * tab.code_rate_x1024 / 1024.0
    out = np.where(m >= 0, se[np.maximum(m, 0)], 0.0)
    return float(out) if out.ndim == 0 else out


def bler(
    sinr_db,
    mcs,
    table: str = "qam256",
    *,
    margin_db: float = IMPLEMENTATION_MARGIN_DB,
    slope_per_db: float = BLER_SLOPE_PER_DB,
):
    """Block error rate of MCS ``mcs`` at ``sinr_db``: logistic curve around the 10 % point.

    ``BLER = 1 / (1 + 9 exp(slope (SINR_dB - SINR_10%(mcs))))`` (module docstring).

    Parameters
    ----------
    sinr_db : float or array_like
        Effective SINR (dB); broadcast against ``mcs``.
    mcs : int or array_like of int
        MCS index; -1 gives BLER 1 (nothing sent).
    table : {"qam64", "qam256", "qam64lowse"}
    margin_db, slope_per_db : float
        Model parameters (assumptions) of the curve.

    Returns
    -------
    float or ndarray
    """
    tab = mcs_table(table)
    m = _mcs_index(mcs, tab.index.size)
    thr = _thresholds(tab.spectral_efficiency, margin_db)[np.maximum(m, 0)]
    x = np.clip(slope_per_db * (np.asarray(sinr_db, dtype=float) - thr), -700.0, 700.0)
    out = np.where(m >= 0, 1.0 / (1.0 + 9.0 * np.exp(x)), 1.0)
    return float(out) if out.ndim == 0 else out


def select_mcs(
    sinr_db,
    table: str = "qam256",
    bler_target: float = 0.1,
    *,
    margin_db: float = IMPLEMENTATION_MARGIN_DB,
    slope_per_db: float = BLER_SLOPE_PER_DB,
):
    """Highest MCS index whose BLER at ``sinr_db`` does not exceed ``bler_target``.

    Parameters
    ----------
    sinr_db : float or array_like
        Effective SINR (dB).
    table : {"qam64", "qam256", "qam64lowse"}
    bler_target : float
        Target BLER in (0, 1); 0.1 as in TS 38.214 Section 5.2.2.1.

    Returns
    -------
    int or ndarray of int64
        MCS index, or -1 where even MCS 0 misses the target. Monotone non-decreasing in
        ``sinr_db``.
    """
    thr = sinr_threshold_db(table, bler_target, margin_db=margin_db, slope_per_db=slope_per_db)
    s = np.asarray(sinr_db, dtype=float)
    ok = s[..., None] >= thr  # (..., n_mcs)
    idx = np.where(ok.any(axis=-1), thr.size - 1 - np.argmax(ok[..., ::-1], axis=-1), -1)
    return int(idx) if idx.ndim == 0 else idx.astype(np.int64)


def cqi_threshold_db(table: str = "table2", *, margin_db: float = IMPLEMENTATION_MARGIN_DB):
    """SINR (dB) from which each CQI 1 .. 15 of ``table`` meets 10 % BLER (non-decreasing).

    ``10 log10(2^SE - 1) + margin_db``, the thresholds of the MCS tables (module docstring).
    """
    return np.maximum.accumulate(_thresholds(cqi_table(table).spectral_efficiency, margin_db))


def select_cqi(sinr_db, table: str = "table2", *, margin_db: float = IMPLEMENTATION_MARGIN_DB):
    """Highest CQI whose entry would be received with BLER <= 0.1 (TS 38.214 5.2.2.1).

    Uses the same thresholds as the MCS tables: ``10 log10(2^SE - 1) + margin_db``.

    Returns
    -------
    int or ndarray of int64
        CQI index 1 .. 15, or 0 ("out of range").
    """
    thr = cqi_threshold_db(table, margin_db=margin_db)
    s = np.asarray(sinr_db, dtype=float)
    out = np.sum(s[..., None] >= thr, axis=-1)
    return int(out) if out.ndim == 0 else out.astype(np.int64)


@lru_cache(maxsize=1)
def _tbs_small() -> np.ndarray:
    path = _TABLES / "ts38214_table5.1.3.2-1_r17.csv"
    with path.open(newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return np.array([int(r["tbs_bits"]) for r in rows])


def tb_bits(
    mcs,
    n_rb,
    n_symbols: int = 12,
    table: str = "qam256",
    *,
    n_layers: int = 1,
    n_dmrs_re_per_rb: int = 0,
    n_overhead_re_per_rb: int = 0,
):
    """Transport block size (bits) per TS 38.214 Section 5.1.3.2.

    ``N'_RE = 12 n_symbols - N_DMRS - N_oh``, ``N_RE = min(156, N'_RE) n_rb``,
    ``N_info = N_RE R Qm v``; for ``N_info <= 3824`` the quantised value is looked up in
    Table 5.1.3.2-1, above it the closed form of step 4 (code-block segmentation with
    3816 or 8424 bit blocks) applies.

    Parameters
    ----------
    mcs : int or array_like of int
        MCS index (-1 gives 0 bits).
    n_rb : int or array_like of int
        Allocated PRBs (>= 0; 0 gives 0 bits).
    n_symbols : int
        PDSCH symbols counted in ``N'_RE`` (1 .. 14). The default 12 means 12 data symbols
        with the DMRS already excluded, so ``n_dmrs_re_per_rb`` stays 0.
    table : {"qam64", "qam256", "qam64lowse"}
    n_layers : int
        MIMO layers ``v`` (1 .. 8).
    n_dmrs_re_per_rb, n_overhead_re_per_rb : int
        ``N_DMRS^PRB`` and ``N_oh^PRB``.

    Returns
    -------
    int or ndarray of int64
    """
    n_sym = check_int_range("tb_bits.n_symbols", n_symbols, 1, 14)
    v = check_int_range("tb_bits.n_layers", n_layers, 1, 8)
    tab = mcs_table(table)
    m = _mcs_index(mcs, tab.index.size)
    n_rb = np.asarray(n_rb)
    if np.any(n_rb < 0):
        raise ParameterError(f"tb_bits.n_rb = {n_rb!r} is out of range; allowed: >= 0")
    re_prime = 12 * n_sym - int(n_dmrs_re_per_rb) - int(n_overhead_re_per_rb)
    n_re = min(156, max(re_prime, 0)) * n_rb
    mi = np.maximum(m, 0)
    rate = tab.code_rate_x1024[mi] / 1024.0
    n_info = n_re * rate * tab.modulation_order[mi] * v
    m, n_info, rate = np.broadcast_arrays(m, n_info, rate)
    out = np.zeros(n_info.shape, dtype=np.int64)
    small = (n_info > 0) & (n_info <= 3824)
    if np.any(small):
        ni = n_info[small]
        n = np.maximum(3, np.floor(np.log2(ni)) - 6)
        q = np.maximum(24, 2.0**n * np.floor(ni / 2.0**n))
        table_small = _tbs_small()
        out[small] = table_small[np.searchsorted(table_small, q, side="left")]
    large = n_info > 3824
    if np.any(large):
        ni = n_info[large]
        n = np.floor(np.log2(ni - 24)) - 5
        q = np.maximum(3840, 2.0**n * np.floor((ni - 24) / 2.0**n + 0.5))
        low_rate = rate[large] <= 0.25
        c = np.where(
            low_rate,
            np.ceil((q + 24) / 3816),
            np.where(q > 8424, np.ceil((q + 24) / 8424), 1.0),
        )
        out[large] = (8 * c * np.ceil((q + 24) / (8 * c)) - 24).astype(np.int64)
    out = np.where(m >= 0, out, 0)
    return int(out) if out.ndim == 0 else out


def shannon_attenuated(
    sinr_db, alpha: float = 0.6, sinr_min_db: float = -10.0, se_max: float = 4.4
):
    """Attenuated and truncated Shannon bound, TR 36.942 V17 Annex A.2.

    ``SE = 0`` for ``SINR < SINR_min``; ``SE = min(alpha log2(1 + SINR), SE_max)`` otherwise.

    Parameters
    ----------
    sinr_db : float or array_like
        SINR (dB).
    alpha : float
        Attenuation factor representing implementation losses (0.6 for the LTE downlink).
    sinr_min_db : float
        Minimum SINR of the code set (dB; -10 dB for the LTE downlink).
    se_max : float
        Maximum spectral efficiency (bit/s/Hz): 4.4 in TR 36.942 (LTE, 64QAM);
        :data:`SE_MAX_NR_256QAM` (7.4063) for NR with MCS table 2.

    Returns
    -------
    float or ndarray
        Spectral efficiency (bit/s/Hz).

    Examples
    --------
    >>> round(shannon_attenuated(10.0), 4)
    2.0757
    """
    a = check_range("shannon_attenuated.alpha", alpha, 0.0, 1.0, lo_open=True)
    smax = check_range("shannon_attenuated.se_max", se_max, 0.0, 20.0, lo_open=True)
    check_range("shannon_attenuated.sinr_min_db", sinr_min_db, -50.0, 50.0)
    s_db = np.asarray(sinr_db, dtype=float)
    se = np.minimum(a * np.log2(1.0 + db_to_lin(s_db)), smax)
    out = np.where(s_db >= sinr_min_db, se, 0.0)
    return float(out) if out.ndim == 0 else out
