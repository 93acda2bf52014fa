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

MCS table 3 (``"qam64lowse"``, TS 38.214 Table 5.1.3.1-3): derived, not published
----------------------------------------------------------------------------------
5G-LENA ships no curves for table 3; its curves are built at load time from table 1's
(:func:`lowse_source_mcs`, :func:`repetition_shift_db`), and no number of them is stored:

* Its MCS 6 .. 28 have the modulation and target code rate of a table-1 MCS (6 .. 14 of
  table 1's 0 .. 8, 15 .. 20 of 10 .. 15, 21 .. 28 of 17 .. 24; table 1's QPSK 679/1024,
  16QAM 658/1024 and 64QAM above 772/1024 are not in table 3). The same (Qm, R) and
  transport block is the same codeword, so these MCS use table 1's curves and EESM beta
  unchanged.
* Its MCS 0 .. 5 are QPSK at R = 30, 40, 50, 64, 78, 99 / 1024, below table 1's MCS 0,
  ``R0 = 120/1024``. Both lie below the lowest rate of LDPC base graph 2 (which every
  block with R <= 0.25 uses, TS 38.212 Sec. 7.2.2): its codeword has ``N = 50 Z_c``
  bits (two of its ten information columns punctured, TS 38.212 Sec. 5.3.2) for
  ``K = 10 Z_c`` information and filler bits, of which the ``F = K - K'`` filler bits are
  never sent, so its lowest rate ``K' / (N - F) = K' / (40 Z_c + K')`` is at most
  ``6/46 = 0.13`` for the smallest blocks (``K_b = 6`` columns used) and ``1/5`` for the
  largest (Richardson and Kudekar, "Design of low-density parity check codes for 5G new
  radio", IEEE Commun. Mag. 56(3), 2018: base graph 2 down to rate 1/5, lower rates by
  repetition). Below that rate the rate matcher reads the circular buffer more than once
  (TS 38.212 Sec. 5.4.2.1, bit selection ``e_k = w_{(k0 + j) mod N_cb}``, filler bits
  skipped), i.e. it repeats coded bits, and the receiver adds the log-likelihood ratios
  of the copies of each bit. A Gray-mapped QPSK bit at SINR ``g = E_s / N_0`` is a BPSK
  bit at ``g``, its LLR Gaussian with mean ``2g`` and variance ``4g``; ``n`` copies sum to
  mean ``2ng`` and variance ``4ng``, the LLR of one observation at ``n g``
  (maximum-ratio combining). A block of the same ``K'`` bits at rate ``R``
  carries ``R0 / R`` times the copies of the block at ``R0``, so it reaches the same
  LLRs, hence the same BLER, at ``R / R0`` times the SINR::

      SINR_R(BLER) [dB] = SINR_R0(BLER) + 10 log10(R / R0),

  the whole curve shifted, its shape per code block size (the same ``K'``, lifting size
  and base graph) kept; EESM beta of table 1's MCS 0 (QPSK).
  :func:`repetition_shift_db` gives the shift (-6.0 dB for MCS 0 .. -0.8 dB for MCS 5).

  The rule holds the energy per information bit exactly. The LLRs per bit match exactly
  where both codeword lengths are whole multiples of the buffer ``N_cb``; otherwise the
  copy counts per bit are the two integers around ``E / N_cb`` (1 or 2 at ``R0``, where
  ``E0 / N_cb`` is 1.1 .. 1.7; 6 or 7 at 30/1024), not exactly proportional. Matching the
  mean BPSK mutual information of the two mixtures (Gaussian LLRs) puts the resulting
  error of the rule within 0.2 dB at the 10 % points (up to 0.17 dB pessimistic for the
  largest blocks). Like 5G-LENA's own curves, the rule is indexed by the MCS's target
  rate, not the rate after TBS quantisation: at one RB table 3's MCS 0 .. 3 all carry
  the 24-bit minimum transport block, and their thresholds still differ by 3.3 dB.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

from rof._validate import check_choice

__all__ = [
    "BLER_TABLES",
    "LENA_FILES",
    "base_graph",
    "code_blocks",
    "eesm_beta",
    "lowse_source_mcs",
    "repetition_shift_db",
    "tb_bler",
    "tb_sinr_at_bler_db",
]

_TABLES = Path(__file__).resolve().parent / "tables"
#: MCS table -> (BLER curves, EESM betas) data files from 5G-LENA.
LENA_FILES = {
    "qam64": ("5g-lena_nr-eesm-t1_bler.csv", "5g-lena_nr-eesm-t1_beta.csv"),
    "qam256": ("5g-lena_nr-eesm-t2_bler.csv", "5g-lena_nr-eesm-t2_beta.csv"),
}
#: MCS table 3 (TS 38.214 Table 5.1.3.1-3), its curves derived from table 1's.
LOW_SE = "qam64lowse"
#: MCS tables with BLER curves: 5G-LENA's two and table 3 (module docstring).
BLER_TABLES = (*LENA_FILES, LOW_SE)


def _rows(name: str):
    with (_TABLES / name).open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@lru_cache(maxsize=1)
def lowse_source_mcs() -> np.ndarray:
    """Table-1 MCS with the same modulation order and target code rate as each MCS of
    table 3 (TS 38.214 Tables 5.1.3.1-1 and 5.1.3.1-3), -1 where table 1 has none
    (table 3's MCS 0 .. 5, below table 1's MCS 0).

    Returns
    -------
    ndarray of int64, shape (29,)
    """
    from rof.radio.rates import mcs_table

    t1, t3 = mcs_table("qam64"), mcs_table(LOW_SE)
    out = np.full(t3.index.size, -1, dtype=np.int64)
    for m in range(t3.index.size):
        same = (t1.modulation_order == t3.modulation_order[m]) & (
            t1.code_rate_x1024 == t3.code_rate_x1024[m]
        )
        if same.any():
            out[m] = int(np.flatnonzero(same)[0])
    out.setflags(write=False)
    return out


def repetition_shift_db(code_rate_x1024, reference_x1024: float = 120.0):
    """SINR shift (dB) of a QPSK block at code rate ``R`` below ``R0``, both in the LDPC
    repetition regime: ``10 log10(R / R0)`` (module docstring; TS 38.212 Sec. 5.4.2.1).

    Parameters
    ----------
    code_rate_x1024 : float or array_like
        Target code rate ``R`` times 1024.
    reference_x1024 : float
        ``R0`` times 1024; table 1's MCS 0 (120) by default.

    Returns
    -------
    float or ndarray
        Negative for ``R < R0``.

    Examples
    --------
    >>> round(float(repetition_shift_db(30.0)), 4)  # four times the copies of 120/1024
    -6.0206
    """
    return 10.0 * np.log10(np.asarray(code_rate_x1024, dtype=float) / float(reference_x1024))


def _lowse_curves() -> dict:
    """Table 3's curves from table 1's (module docstring): the same objects for the MCS
    table 1 shares, table 1's MCS-0 curves shifted by :func:`repetition_shift_db` below."""
    from rof.radio.rates import mcs_table

    t1 = _curves("qam64")
    src = lowse_source_mcs()
    rate0 = float(mcs_table("qam64").code_rate_x1024[0])
    rates3 = mcs_table(LOW_SE).code_rate_x1024
    out: dict = {}
    for m, j in enumerate(src):
        for bg in (1, 2):
            if j >= 0 and (bg, int(j)) in t1:
                out[(bg, m)] = t1[(bg, int(j))]
            elif j < 0 and (bg, 0) in t1:
                cbs, curves = t1[(bg, 0)]
                shift = float(repetition_shift_db(rates3[m], rate0))
                out[(bg, m)] = (cbs, [(s + shift, b) for s, b in curves])
    return out


@lru_cache(maxsize=4)
def _curves(table: str) -> dict:
    """``{(bg, mcs): (cbs ndarray, [(sinr_db, bler), ...])}`` sorted by block size."""
    check_choice("table", table, BLER_TABLES)
    if table == LOW_SE:
        return _lowse_curves()
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


@lru_cache(maxsize=4)
def eesm_beta(table: str = "qam256") -> np.ndarray:
    """EESM ``beta`` (linear) per MCS index of ``table`` (5G-LENA's calibration; for table
    3 that of the table-1 MCS of the same modulation and rate, table 1's MCS 0 for its
    MCS 0 .. 5, module docstring)."""
    check_choice("table", table, BLER_TABLES)
    if table == LOW_SE:
        return eesm_beta("qam64")[np.maximum(lowse_source_mcs(), 0)]
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
    table : {"qam64", "qam256", "qam64lowse"}

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
