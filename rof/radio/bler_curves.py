"""Link-level block error rate of the NR MCS tables, from published link-level curves.

The curves are 5G-LENA's (the ns-3 ``nr`` module of CTTC): AWGN link-level BLER vs SINR
of the NR LDPC code per MCS of TS 38.214 Table 5.1.3.1-1 (``"qam64"``) and 5.1.3.1-2
(``"qam256"``), per LDPC base graph and code block size, with the EESM ``beta`` per MCS
calibrated on them (Lagen, Wanuga, Elkotby, Goyal, Patriciello, Giupponi, "New radio
physical layer abstraction for system-level simulations of 5G networks", IEEE ICC
2020; numbers in ``tables/5g-lena_nr-eesm-t{1,2}_{bler,beta}.csv``, read from
``model/nr-eesm-t{1,2}.cc`` of gitlab.com/cttc-lena/nr via the GitHub mirror
QiuYukang/5G-LENA, commit 25752db92eb4).

A transport block of ``A`` bits at code rate ``R`` uses LDPC base graph 2 if
``A <= 292``, or ``A <= 3824`` and ``R <= 0.67``, or ``R <= 0.25``, else base graph 1
(TS 38.212 Sec. 7.2.2); it is segmented into ``C`` code blocks of ``K'`` bits (TS 38.212
Sec. 5.2.2: ``B = A + 24``, ``K_cb`` = 8448 or 3840, ``C = ceil(B / (K_cb - 24))`` when
``B > K_cb``, ``K' = (B + 24 C) / C``). Each code block fails with the BLER of the
tabulated curve of its base graph and MCS at the largest tabulated block size not
above ``K'`` (the smallest if all are above; linear interpolation in SINR, dB, between
tabulated points; BLER 1 below and the last tabulated value above the curve), and the
block fails if any code block does: ``BLER_TB = 1 - (1 - BLER_CB)^C``. MCS whose curve
is missing for a base graph use the other one's.

Over a frequency-selective allocation the effective SINR is EESM,
``s_eff = -beta ln(mean_i exp(-s_i / beta))`` (:func:`rof.radio.effective_sinr
.effective_sinr`), with :func:`eesm_beta` of the MCS.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

from rof._validate import check_choice

__all__ = [
    "LENA_FILES",
    "base_graph",
    "code_blocks",
    "eesm_beta",
    "tb_bler",
    "tb_sinr_at_bler_db",
]

_TABLES = Path(__file__).resolve().parent / "tables"
#: MCS table -> (BLER curves, EESM betas) data files from 5G-LENA.
LENA_FILES = {
    "qam64": ("5g-lena_nr-eesm-t1_bler.csv", "5g-lena_nr-eesm-t1_beta.csv"),
    "qam256": ("5g-lena_nr-eesm-t2_bler.csv", "5g-lena_nr-eesm-t2_beta.csv"),
}


def _rows(name: str):
    with (_TABLES / name).open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@lru_cache(maxsize=2)
def _curves(table: str) -> dict:
    """``{(bg, mcs): (cbs ndarray, [(sinr_db, bler), ...])}`` sorted by block size."""
    check_choice("table", table, tuple(LENA_FILES))
    raw: dict = {}
    for r in _rows(LENA_FILES[table][0]):
        key = (int(r["bg"]), int(r["mcs"]), int(r["cbs"]))
        raw.setdefault(key, []).append((float(r["sinr_db"]), float(r["bler"])))
    out: dict = {}
    for (bg, mcs, cbs), pts in sorted(raw.items()):
        s, b = np.array(pts).T
        order = np.argsort(s, kind="stable")
        out.setdefault((bg, mcs), ([], []))
        out[(bg, mcs)][0].append(cbs)
        out[(bg, mcs)][1].append((s[order], b[order]))
    return {k: (np.array(c), v) for k, (c, v) in out.items()}


@lru_cache(maxsize=2)
def eesm_beta(table: str = "qam256") -> np.ndarray:
    """EESM ``beta`` (linear) per MCS index of ``table`` (5G-LENA's calibration)."""
    check_choice("table", table, tuple(LENA_FILES))
    rows = _rows(LENA_FILES[table][1])
    return np.array([float(r["beta"]) for r in sorted(rows, key=lambda r: int(r["mcs"]))])


def base_graph(tbs_bits, code_rate):
    """LDPC base graph (1 or 2) of a transport block, TS 38.212 Sec. 7.2.2."""
    a = np.asarray(tbs_bits)
    r = np.asarray(code_rate)
    bg2 = (a <= 292) | ((a <= 3824) & (r <= 0.67)) | (r <= 0.25)
    return np.where(bg2, 2, 1)


def code_blocks(tbs_bits, bg):
    """``(C, K')``: number and size (bits) of code blocks, TS 38.212 Sec. 5.2.2."""
    b = np.asarray(tbs_bits) + 24  # TB CRC
    k_cb = np.where(np.asarray(bg) == 1, 8448, 3840)
    c = np.where(b <= k_cb, 1, np.ceil(b / (k_cb - 24)))
    b_prime = np.where(c == 1, b, b + 24 * c)
    return c.astype(np.int64), b_prime / c


def _curve(table: str, bg: int, mcs: int, k_prime: float):
    cur = _curves(table)
    key = (bg, mcs) if (bg, mcs) in cur else (3 - bg, mcs)
    cbs, curves = cur[key]
    i = max(int(np.searchsorted(cbs, k_prime, side="right")) - 1, 0)
    return curves[i]


def _cb_bler(sinr_db, curve):
    s, b = curve
    return np.interp(sinr_db, s, b, left=1.0, right=b[-1])


def tb_bler(sinr_db, mcs, tbs_bits, table: str = "qam256"):
    """Transport-block error rate at effective SINR ``sinr_db`` (module docstring).

    Parameters
    ----------
    sinr_db : array_like
        Effective (EESM) SINR, dB.
    mcs : array_like of int
        MCS index (-1: nothing sent, BLER 1).
    tbs_bits : array_like of int
        Transport block size, bits (:func:`rof.radio.rates.tb_bits`).
    table : {"qam64", "qam256"}

    Returns
    -------
    ndarray
    """
    from rof.radio.rates import mcs_table

    s, m, a = np.broadcast_arrays(
        np.asarray(sinr_db, float), np.asarray(mcs, np.int64), np.asarray(tbs_bits)
    )
    tab = mcs_table(table)
    rate = np.where(m >= 0, tab.code_rate_x1024[np.maximum(m, 0)] / 1024.0, 1.0)
    bg = base_graph(a, rate)
    c, kp = code_blocks(a, bg)
    out = np.ones(s.shape)
    for idx in np.ndindex(s.shape):
        if m[idx] < 0 or a[idx] <= 0:
            continue
        cb = _cb_bler(s[idx], _curve(table, int(bg[idx]), int(m[idx]), float(kp[idx])))
        out[idx] = 1.0 - (1.0 - cb) ** c[idx]
    return out


def tb_sinr_at_bler_db(mcs, tbs_bits, table: str = "qam256", target: float = 0.1):
    """Lowest tabulated-curve SINR (dB) at which the transport block meets ``target`` BLER
    (each of its ``C`` code blocks at ``1 - (1 - target)^(1/C)``), linear in dB between
    the curve's points."""
    from rof.radio.rates import mcs_table

    m, a = np.broadcast_arrays(np.asarray(mcs, np.int64), np.asarray(tbs_bits))
    tab = mcs_table(table)
    rate = tab.code_rate_x1024[np.maximum(m, 0)] / 1024.0
    bg = base_graph(a, rate)
    c, kp = code_blocks(a, bg)
    out = np.full(m.shape, np.inf)
    for idx in np.ndindex(m.shape):
        if m[idx] < 0 or a[idx] <= 0:
            continue
        s, b = _curve(table, int(bg[idx]), int(m[idx]), float(kp[idx]))
        t_cb = 1.0 - (1.0 - target) ** (1.0 / c[idx])
        below = np.flatnonzero(b <= t_cb)
        if below.size == 0:
            continue
        j = below[0]
        if j == 0:
            out[idx] = s[0]
        else:  # interpolate between points j-1 (above target) and j
            out[idx] = s[j - 1] + (b[j - 1] - t_cb) / (b[j - 1] - b[j]) * (s[j] - s[j - 1])
    return out


def eesm_per_ue(ue_of_rb, sinr_rb, n_ue: int, beta) -> np.ndarray:
    """EESM effective SINR (linear) of each UE's RBs for each ``beta``.

    ``s_eff = -beta ln(mean_i exp(-s_i / beta))``, evaluated as a log-sum-exp so that
    high SINRs do not underflow (Brueninghaus et al., IEEE PIMRC 2005, Eq. 2).

    Parameters
    ----------
    ue_of_rb : ndarray of int, shape (n,)
        UE of each scheduled RB.
    sinr_rb : ndarray, shape (n,)
        Linear SINR of each scheduled RB.
    n_ue : int
    beta : array_like, shape (n_beta,)

    Returns
    -------
    ndarray, shape (n_beta, n_ue)
        NaN for UEs without RBs.
    """
    beta = np.atleast_1d(np.asarray(beta, dtype=np.float64))
    n = np.bincount(ue_of_rb, minlength=n_ue).astype(np.float64)
    lo = np.full(n_ue, np.inf)
    np.minimum.at(lo, ue_of_rb, sinr_rb)
    x = (sinr_rb - lo[ue_of_rb])[None, :] / beta[:, None]  # >= 0
    # one bincount over (beta, UE) bins: each bin sums its RBs in order, as one per beta would
    bins = (np.arange(beta.size)[:, None] * n_ue + ue_of_rb[None, :]).ravel()
    acc = np.bincount(bins, weights=np.exp(-x).ravel(), minlength=beta.size * n_ue)
    acc = acc.reshape(beta.size, n_ue)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lo[None, :] - beta[:, None] * np.log(acc / n[None, :])


def eesm_per_ue_own_beta(ue_of_rb, sinr_rb, n_ue: int, beta_ue) -> np.ndarray:
    """EESM effective SINR (linear) of each UE's RBs with its own ``beta_ue[u]``: row
    ``m`` of :func:`eesm_per_ue` for each UE's ``m`` (the same operations, one beta each).

    Returns
    -------
    ndarray, shape (n_ue,)
        NaN for UEs without RBs.
    """
    beta_ue = np.asarray(beta_ue, dtype=np.float64)
    n = np.bincount(ue_of_rb, minlength=n_ue).astype(np.float64)
    lo = np.full(n_ue, np.inf)
    np.minimum.at(lo, ue_of_rb, sinr_rb)
    x = (sinr_rb - lo[ue_of_rb]) / beta_ue[ue_of_rb]
    acc = np.bincount(ue_of_rb, weights=np.exp(-x), minlength=n_ue)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lo - beta_ue * np.log(acc / n)


@lru_cache(maxsize=8)
def allocation_curves(table: str, n_rb_max: int, n_symbols: int = 12, target: float = 0.1):
    """Per (MCS, allocated RBs): the SINR (dB) at ``target`` BLER and the code-block curve.

    Returns
    -------
    thr10_db : ndarray, shape (n_mcs, n_rb_max + 1)
        :func:`tb_sinr_at_bler_db` of the TB of that MCS and allocation at ``target``
        (10 % by default; column 0 is ``inf``).
    curves : dict
        ``(mcs, n_rb) -> (sinr_db, bler, C)`` of its code blocks.
    """
    from rof.radio.rates import mcs_table, tb_bits

    tab = mcs_table(table)
    n_mcs = tab.index.size
    thr = np.full((n_mcs, n_rb_max + 1), np.inf)
    curves = {}
    for m in range(n_mcs):
        rate = tab.code_rate_x1024[m] / 1024.0
        for nrb in range(1, n_rb_max + 1):
            a = int(tb_bits(m, nrb, n_symbols, table))
            bg = int(base_graph(a, rate))
            c, kp = code_blocks(a, bg)
            s, b = _curve(table, bg, m, float(kp))
            curves[(m, nrb)] = (s, b, int(c))
            thr[m, nrb] = float(tb_sinr_at_bler_db(m, a, table, target))
    return thr, curves


def select_mcs_eesm(eff_db, n_rb, offset_db, thr10_db) -> np.ndarray:
    """Highest MCS ``m`` whose EESM SINR with its own beta, minus the outer-loop offset,
    reaches its 10 %-BLER SINR; -1 if none.

    Parameters
    ----------
    eff_db : ndarray, shape (n_mcs, n)
        EESM SINR (dB) of each UE's reported RBs under each MCS's beta.
    n_rb : ndarray of int, shape (n,)
    offset_db : ndarray, shape (n,)
    thr10_db : ndarray, shape (n_mcs, n_rb_max + 1)
        From :func:`allocation_curves`.
    """
    ok = (eff_db - offset_db[None, :]) >= thr10_db[:, n_rb]
    n_mcs = ok.shape[0]
    return np.where(ok.any(axis=0), n_mcs - 1 - np.argmax(ok[::-1], axis=0), -1)
