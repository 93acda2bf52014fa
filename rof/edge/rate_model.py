"""The rate of one RB under the link abstraction in use: one source for the schedulers and
link adaptation.

Link adaptation (:mod:`rof.edge.simulate`, step 5) sends a UE the highest MCS ``m`` of
the table whose 10 %-BLER SINR of a transport block of ``n`` RBs, ``T_m(n)``, its
reported effective SINR reaches (minus the outer-loop offset), then quantises it through
the UE's 4-bit CQI and sends at least MCS 0 while the CQI is in range
(:mod:`rof.edge.link_adaptation`). :func:`allocation_thresholds_db` gives ``T_m(n)`` for
both abstractions of ``radio.link_abstraction``:

* ``"eesm"``: the SINR at which the transport block (TS 38.214 size, TS 38.212 code
  blocks) meets the target on 5G-LENA's AWGN curves
  (:func:`rof.radio.bler_curves.allocation_curves`; for the low-SE table ``"qam64lowse"``
  the curves derived from table 1's, :mod:`rof.radio.bler_curves`); it depends on ``n``
  through the block size;
* ``"se_gap"``: ``10 log10(2^SE_m - 1) + 2 dB`` with the logistic BLER of
  :func:`rof.radio.rates.sinr_threshold_db`, the same for every ``n``.

The schedulers value an RB at the spectral efficiency of the MCS link adaptation would
choose for that RB alone (a one-RB block, zero offset) at the estimated SINR ``s``:

.. math:: r(s) = SE_{q(m^*(s))}, \\qquad m^*(s) = \\max\\{m : s \\ge \\min_{m' \\ge m}
          T_{m'}(1)\\},

where ``q`` is the CQI quantisation (:func:`rof.edge.link_adaptation.cqi_mcs`, at least
MCS 0) when ``edge.cqi_quantised``; the suffix minimum makes the step function
non-decreasing as "highest MCS that fits" is. The floor, below which ``r = 0``, is the
highest MCS-0 threshold over all allocations ``1 .. n_rb``, ``max_n T_0(n)``: an RB the
scheduler values above zero is one on which MCS 0 decodes whatever the UE's allocation,
and an EESM over RBs that each reach it reaches it too (EESM lies between the smallest
and the mean SINR; Brueninghaus et al., IEEE PIMRC 2005), so no UE is given RBs that
link adaptation then cannot use.

WMMSE iterates on a smooth surrogate ``log2(1 + s / gap)``; its gap is the mean distance
of the thresholds to the Shannon bound, ``mean_m (T_m(1) - 10 log10(2^SE_m - 1))`` (2 dB
for ``"se_gap"``, ~4.5 dB for 5G-LENA's curves), and its result is scored with ``r``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numba
import numpy as np

from rof._validate import check_choice

__all__ = [
    "LINK_ABSTRACTIONS",
    "SHANNON",
    "RateModel",
    "allocation_thresholds_db",
    "rate_model",
    "rate_se",
    "step_rate",
]

#: The values of ``radio.link_abstraction``.
LINK_ABSTRACTIONS = ("eesm", "se_gap")
#: Data symbols per slot counted in the TB size (14 minus PDCCH/DMRS; rof.edge.simulate).
DATA_SYMBOLS = 12


class RateModel(NamedTuple):
    """A rate per RB as the numba kernels read it.

    ``thr`` (n,) linear SINR from which step ``i`` holds (non-decreasing) and ``se`` (n,)
    its spectral efficiency, bit/s/Hz; ``gap_inv`` the inverse SNR gap of the smooth
    surrogate. With empty ``thr`` the rate is plain ``log2(1 + s gap_inv)`` (Shannon with
    a gap, no cap and no floor).
    """

    gap_inv: float
    thr: np.ndarray
    se: np.ndarray


#: Plain Shannon, ``log2(1 + s)``: no gap, cap or floor (the kernels' default).
SHANNON = RateModel(1.0, np.zeros(0), np.zeros(0))


@lru_cache(maxsize=16)
def allocation_thresholds_db(
    link_abstraction: str, table: str, n_rb_max: int, bler_target: float = 0.1
) -> np.ndarray:
    """``T_m(n)``: SINR (dB) at which MCS ``m`` in a block of ``n`` RBs meets ``bler_target``.

    Returns
    -------
    ndarray, shape (n_mcs, n_rb_max + 1)
        Column ``n`` for an allocation of ``n`` RBs (column 0 is ``inf``). Read-only.
    """
    check_choice("radio.link_abstraction", link_abstraction, LINK_ABSTRACTIONS)
    if link_abstraction == "eesm":
        from rof.radio.bler_curves import allocation_curves

        thr, _ = allocation_curves(table, int(n_rb_max), DATA_SYMBOLS, float(bler_target))
        out = np.array(thr, dtype=np.float64)
    else:
        from rof.radio.rates import sinr_threshold_db

        col = sinr_threshold_db(table, float(bler_target))
        out = np.repeat(col[:, None], int(n_rb_max) + 1, axis=1)
        out[:, 0] = np.inf
    out.setflags(write=False)
    return out


@lru_cache(maxsize=16)
def rate_model(
    link_abstraction: str,
    table: str,
    n_rb_max: int,
    bler_target: float = 0.1,
    cqi_quantised: bool = True,
) -> RateModel:
    """The schedulers' rate per RB (module docstring) for a carrier of ``n_rb_max`` RBs."""
    from rof.edge.link_adaptation import cqi_mcs
    from rof.radio.rates import spectral_efficiency

    thr_all = allocation_thresholds_db(link_abstraction, table, n_rb_max, bler_target)
    thr_db = np.minimum.accumulate(thr_all[:, 1][::-1])[::-1]  # suffix minimum
    thr_db = thr_db.copy()
    thr_db[0] = max(thr_db[0], float(np.max(thr_all[0, 1:])))
    thr_db = np.maximum.accumulate(thr_db)
    mcs = np.arange(thr_db.size)
    sent = np.maximum(cqi_mcs(mcs, table), 0) if cqi_quantised else mcs
    se = np.asarray(spectral_efficiency(sent, table), dtype=np.float64)
    se_shannon = np.asarray(spectral_efficiency(mcs, table), dtype=np.float64)
    gap_db = float(np.mean(thr_all[:, 1] - 10.0 * np.log10(np.exp2(se_shannon) - 1.0)))
    thr = 10.0 ** (thr_db / 10.0)
    thr.setflags(write=False)
    se.setflags(write=False)
    return RateModel(10.0 ** (-gap_db / 10.0), thr, se)


@numba.njit(cache=True)
def step_rate(sinr, gap_inv, thr, se):  # pragma: no cover - jit
    """Rate (bit/s/Hz) at linear SINR ``sinr`` under the model ``(gap_inv, thr, se)``."""
    n = thr.shape[0]
    if n == 0:
        return np.log2(1.0 + sinr * gap_inv)
    if sinr < thr[0]:
        return 0.0
    if sinr >= thr[n - 1]:
        return se[n - 1]
    k = 0  # steps reached: a branch-free count (random SINRs defeat a bisection's branches)
    for i in range(n):
        k += thr[i] <= sinr
    return se[k - 1]


def rate_se(sinr, model: RateModel = SHANNON) -> np.ndarray:
    """Plain-NumPy rate (bit/s/Hz) at linear ``sinr`` under ``model`` (twin of
    :func:`step_rate`)."""
    s = np.asarray(sinr, dtype=np.float64)
    if model.thr.size == 0:
        return np.log2(1.0 + s * model.gap_inv)
    k = np.searchsorted(model.thr, s, side="right") - 1
    return np.where(k >= 0, model.se[np.maximum(k, 0)], 0.0)
