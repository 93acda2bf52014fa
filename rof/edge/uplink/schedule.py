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

__all__ = ["coordinated_pf_uplink", "pf_uplink", "pf_uplink_reference"]


@numba.njit(cache=True)
def _pf_kernel(order, starts, gain_own, weight, psd_w, pcmax_w, noise_w, max_rb, assign, count):
    n_cells, n_rb = assign.shape
    limit = np.empty(psd_w.size)
    for u in range(psd_w.size):
        limit[u] = min(max_rb, max(1.0, np.floor(pcmax_w / psd_w[u])))
    for c in range(n_cells):
        lo, hi = starts[c], starts[c + 1]
        for b in range(n_rb):
            best, best_m = -1, 0.0
            for i in range(lo, hi):
                u = order[i]
                if weight[u] <= 0.0 or count[u] >= limit[u]:
                    continue
                p = min(psd_w[u], pcmax_w / (count[u] + 1.0))
                m = weight[u] * np.log2(1.0 + gain_own[u, b] * (p / noise_w[u]))
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
            m = weight[ok] * np.log2(1.0 + gain_own[ok, b] * (p / noise_w[ok]))
            if np.max(m) > 0.0:
                best = ok[np.argmax(m)]
                assign[c, b] = best
                count[best] += 1
    return assign, count


@numba.njit(cache=True)
def _mute_kernel(link_cell, gain, assign, count, weight, p_rb_w, in_w, floor_w):
    """One muting pass per RB over the cells, weakest PF metric first (coordinated PF)."""
    n_cells, n_rb = assign.shape
    k = link_cell.shape[1]
    metric = np.zeros(n_cells)
    sig = np.zeros(n_cells)
    for b in range(n_rb):
        for c in range(n_cells):
            u = assign[c, b]
            metric[c] = -1.0
            if u < 0:
                continue
            sig[c] = gain[u, 0, b] * p_rb_w[u]
            metric[c] = weight[u] * np.log2(1.0 + sig[c] / in_w[c])
        for c in np.argsort(metric):
            u = assign[c, b]
            if u < 0:
                continue
            benefit = 0.0
            for j in range(1, k):
                c2 = link_cell[u, j]
                if c2 < 0 or assign[c2, b] < 0:
                    continue
                v = assign[c2, b]
                i_w = gain[u, j, b] * p_rb_w[u]
                n_with = in_w[c2]
                n_without = max(n_with - i_w, floor_w[c2])
                benefit += weight[v] * (
                    np.log2(1.0 + sig[c2] / n_without) - np.log2(1.0 + sig[c2] / n_with)
                )
            if benefit > metric[c]:
                assign[c, b] = -1
                count[u] -= 1


def coordinated_pf_uplink(
    serving, link_cell, gain, weight, psd_w, pcmax_w, in_cell_w, floor_w, max_rb=275
):
    """Per-cell PF, then the edge mutes a cell's user on an RB where the PF-weighted rate
    its interference costs the neighbours exceeds its own.

    The edge sees every site, so it can price interference (Huang, Berry & Honig,
    "Distributed interference compensation for wireless networks", IEEE J. Sel. Areas
    Commun. 24(5), 2006): per RB, cells in order of increasing PF metric
    :math:`w_u \\log_2(1 + S_u/N_c)`; a user is muted if the neighbours it reaches
    (its link table) gain more,
    :math:`\\sum_{c'} w_{v'}[\\log_2(1 + S_{v'}/\\max(N_{c'} - I_{u c'}, F_{c'}))
    - \\log_2(1 + S_{v'}/N_{c'})]`, with :math:`N_c` each cell's interference-plus-noise
    estimate and :math:`F_c` its floor (thermal and fronthaul noise). Power per RB as
    :func:`pf_uplink` would give it.

    Parameters
    ----------
    serving, weight, psd_w, pcmax_w, max_rb
        As :func:`pf_uplink`.
    link_cell : int array (n_ue, K)
    gain : float array (n_ue, K, n_rb)
        Power gains to every cell of the table (column 0: the serving cell).
    in_cell_w : float array (n_cells,)
        Each cell's interference-plus-noise estimate per RB, W.
    floor_w : float array (n_cells,)
        Each cell's noise floor per RB, W.

    Returns
    -------
    assign, count
        As :func:`pf_uplink`.
    """
    serving = np.asarray(serving, dtype=np.int64)
    n_cells = np.shape(in_cell_w)[0]
    g = np.ascontiguousarray(gain, dtype=np.float64)
    in_w = np.ascontiguousarray(in_cell_w, dtype=np.float64)
    assign, count = pf_uplink(
        serving, n_cells, g[:, 0, :], weight, psd_w, pcmax_w, in_w[serving], max_rb
    )
    first = count.copy()
    p_rb = np.where(first > 0, np.minimum(psd_w, pcmax_w / np.maximum(first, 1)), 0.0)
    _mute_kernel(
        np.ascontiguousarray(link_cell, dtype=np.int64),
        g,
        assign,
        count,
        np.ascontiguousarray(weight, dtype=np.float64),
        np.ascontiguousarray(p_rb, dtype=np.float64),
        in_w,
        np.ascontiguousarray(floor_w, dtype=np.float64),
    )
    return assign, count
