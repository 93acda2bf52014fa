"""Per-cell proportional-fair uplink scheduling with power-headroom-aware rate estimates.

Each cell gives each RB to one of its users (Jalali, Padovani & Pankaj, VTC 2000: the
largest :math:`r_{u,b}/\\bar R_u`). A user's rate estimate on an RB uses the power it
would have there after taking it: TS 38.213 clause 7.1.1 spreads
:math:`\\min\\{P_{CMAX}, P_O + 10\\log_{10}(2^\\mu M) + \\alpha PL\\}` over its
:math:`M` RBs, so the per-RB power is the open-loop density
:math:`P_O + 10\\log_{10}2^\\mu + \\alpha PL` until the cap, then :math:`P_{CMAX}/M`
(a power-limited cell-edge user gains little from more RBs):

.. math::

    r_{u,b} = \\log_2\\!\\Big(1 + \\frac{g_{u,b}\\,\\min(\\rho_u, P_{CMAX}/(M_u + 1))}{N_u}\\Big),

with :math:`g_{u,b}` its gain to the serving cell on RB :math:`b`, :math:`\\rho_u` its
open-loop power per RB and :math:`N_u` the cell's floor plus its mean interference.
RBs are visited in order; a user holds at most ``max_rb`` RBs, and at most as many as
its power headroom allows at its open-loop density, :math:`\\max(1, \\lfloor P_{CMAX} /
\\rho_u \\rfloor)` (the gNB knows the headroom from the UE's power headroom report,
TS 38.213 clause 7.7), so a power-limited user is not spread thinner than the
open-loop target.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["pf_uplink", "pf_uplink_reference"]


@numba.njit(cache=True)
def _pf_kernel(order, starts, gain_own, weight, psd_w, pcmax_w, noise_w, max_rb, assign, count):
    n_cells, n_rb = assign.shape
    for c in range(n_cells):
        lo, hi = starts[c], starts[c + 1]
        for b in range(n_rb):
            best, best_m = -1, 0.0
            for i in range(lo, hi):
                u = order[i]
                limit = min(max_rb, max(1.0, np.floor(pcmax_w / psd_w[u])))
                if weight[u] <= 0.0 or count[u] >= limit:
                    continue
                p = min(psd_w[u], pcmax_w / (count[u] + 1.0))
                m = weight[u] * np.log2(1.0 + gain_own[u, b] * p / noise_w[u])
                if m > best_m:
                    best, best_m = u, m
            assign[c, b] = best
            if best >= 0:
                count[best] += 1


def _groups(serving, n_cells):
    order = np.argsort(serving, kind="stable").astype(np.int64)
    starts = np.searchsorted(serving[order], np.arange(n_cells + 1)).astype(np.int64)
    return order, starts


def pf_uplink(serving, n_cells, gain_own, weight, psd_w, pcmax_w, noise_w, max_rb=275):
    """Per-cell PF assignment of the uplink RBs (module docstring).

    Parameters
    ----------
    serving : int array (n_ue,)
        Serving cell of each user.
    n_cells : int
    gain_own : float array (n_ue, n_rb)
        Power gain to the serving cell per RB.
    weight : float array (n_ue,)
        PF weight :math:`1/\\bar R_u` (0: nothing to send).
    psd_w : float array (n_ue,)
        Open-loop power per RB, W (before the cap).
    pcmax_w : float
        Maximum UE power, W.
    noise_w : float array (n_ue,)
        Noise plus mean interference the user's serving cell sees per RB, W.
    max_rb : int
        Most RBs per user.

    Returns
    -------
    assign : int64 array (n_cells, n_rb)
        User per cell and RB (-1: none).
    count : int64 array (n_ue,)
        RBs per user.
    """
    serving = np.asarray(serving, dtype=np.int64)
    order, starts = _groups(serving, n_cells)
    n_rb = np.shape(gain_own)[1]
    assign = np.full((n_cells, n_rb), -1, dtype=np.int64)
    count = np.zeros(serving.size, dtype=np.int64)
    _pf_kernel(
        order,
        starts,
        np.ascontiguousarray(gain_own, dtype=np.float64),
        np.ascontiguousarray(weight, dtype=np.float64),
        np.ascontiguousarray(psd_w, dtype=np.float64),
        float(pcmax_w),
        np.ascontiguousarray(noise_w, dtype=np.float64),
        int(max_rb),
        assign,
        count,
    )
    return assign, count


def pf_uplink_reference(serving, n_cells, gain_own, weight, psd_w, pcmax_w, noise_w, max_rb=275):
    """Plain-NumPy twin of :func:`pf_uplink` (for the tests)."""
    serving = np.asarray(serving)
    n_rb = np.shape(gain_own)[1]
    assign = np.full((n_cells, n_rb), -1, dtype=np.int64)
    count = np.zeros(serving.size, dtype=np.int64)
    for c in range(n_cells):
        mine = np.flatnonzero(serving == c)
        for b in range(n_rb):
            limit = np.minimum(max_rb, np.maximum(1.0, np.floor(pcmax_w / psd_w[mine])))
            ok = mine[(weight[mine] > 0) & (count[mine] < limit)]
            if ok.size == 0:
                continue
            p = np.minimum(psd_w[ok], pcmax_w / (count[ok] + 1.0))
            m = weight[ok] * np.log2(1.0 + gain_own[ok, b] * p / noise_w[ok])
            if np.max(m) > 0.0:
                best = ok[np.argmax(m)]
                assign[c, b] = best
                count[best] += 1
    return assign, count
