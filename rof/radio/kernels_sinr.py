"""Numba kernels of the SINR engine (plain-NumPy references live in :mod:`rof.radio.sinr`).

Both kernels evaluate, for a UE ``u`` on RB ``b`` served by cell ``s`` (TS-agnostic
downlink SINR with analog-fronthaul noise riding on every transmitted signal)::

    SINR = g_s P_s / ( sum_{c != s} g_c (P_c (1 + 1/SNR_fh,c) + F_c) + G_bg P_bg + N
                       + g_s (P_s / SNR_fh,s + F_s) )

where the sum runs over the UE's top-K cells (the link table), ``G_bg P_bg`` is the
background interference of all other cells, and ``F_c`` (W per RB) is fronthaul noise
cell ``c`` radiates whatever it transmits on the RB (:func:`sinr_scheduled_kernel` only).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["sinr_per_link_kernel", "sinr_scheduled_kernel"]


@numba.njit(cache=True)
def sinr_scheduled_kernel(
    link_cell, gain, background_gain, assign, power_w, inv_snr_fh, noise_w, bg_power_w, fh_w, out
):
    """SINR of the UE scheduled on each (cell, RB); streams over cells and the UE's K links.

    Parameters
    ----------
    link_cell : int, shape (n_ue, K)
        Cell index of each link (-1 for an unused link slot).
    gain : float, shape (n_ue, K, n_rb)
        Linear channel power gains (large-scale x small-scale).
    background_gain : float, shape (n_ue,)
    assign : int, shape (n_cells, n_rb)
        UE served by each cell on each RB, -1 where muted.
    power_w : float, shape (n_cells, n_rb)
    inv_snr_fh : float64, shape (n_cells,)
        ``1 / SNR_fh`` (0 for an ideal fronthaul).
    noise_w : float64, shape (n_ue,)
    bg_power_w : float64, shape (n_rb,)
    fh_w : float64, shape (n_cells,)
        Fronthaul noise each cell radiates on every RB whatever its power there, W.
    out : float64, shape (n_cells, n_rb)

    Returns
    -------
    int
        -1 on success, else ``c * n_rb + b`` of the first (cell, RB) whose UE does not have
        the cell among its links.
    """
    n_cells, n_rb = assign.shape
    n_k = link_cell.shape[1]
    for c in range(n_cells):
        for b in range(n_rb):
            u = assign[c, b]
            if u < 0:
                out[c, b] = np.nan
                continue
            sig = 0.0
            g_own = 0.0
            found = False
            interf = 0.0
            for k in range(n_k):
                cc = link_cell[u, k]
                if cc < 0:
                    continue
                g = float(gain[u, k, b])
                rx = g * float(power_w[cc, b])
                if cc == c:
                    sig = rx
                    g_own = g
                    found = True
                else:
                    interf += rx * (1.0 + inv_snr_fh[cc]) + g * fh_w[cc]
            if not found:
                return c * n_rb + b
            own = sig * inv_snr_fh[c] + g_own * fh_w[c]
            den = interf + background_gain[u] * bg_power_w[b] + noise_w[u] + own
            out[c, b] = sig / den
    return -1


# IEEE-safe subset of fastmath (no nnan/ninf: a zero denominator must still give inf)
@numba.njit(cache=True, fastmath={"contract", "arcp", "reassoc"})
def sinr_per_link_kernel(
    link_cell, gain, background_gain, power_w, inv_snr_fh, noise_w, bg_power_w, out
):
    """SINR a UE would see from each of its K cells on each RB, all cells at ``power_w``.

    Uses ``SINR_k = S_k / (T - S_k)`` with ``T = sum_k S_k (1 + 1/SNR_fh,k) + G_bg P_bg + N``
    (the serving cell's own fronthaul noise ``S_k / SNR_fh,k`` stays in the denominator),
    accumulated in float64.

    Parameters
    ----------
    link_cell, gain, background_gain, power_w, inv_snr_fh, noise_w, bg_power_w
        As in :func:`sinr_scheduled_kernel`.
    out : float32 or float64, shape (n_ue, K, n_rb)
        SINR (linear); 0 for unused link slots.
    """
    n_ue, n_k, n_rb = gain.shape
    tot = np.empty(n_rb, dtype=np.float64)
    for u in range(n_ue):
        base = background_gain[u]
        nu = noise_w[u]
        for b in range(n_rb):
            tot[b] = base * bg_power_w[b] + nu
        for k in range(n_k):
            cc = link_cell[u, k]
            if cc < 0:
                continue
            f = 1.0 + inv_snr_fh[cc]
            for b in range(n_rb):
                tot[b] += float(gain[u, k, b]) * float(power_w[cc, b]) * f
        for k in range(n_k):
            cc = link_cell[u, k]
            if cc < 0:
                for b in range(n_rb):
                    out[u, k, b] = 0.0
                continue
            for b in range(n_rb):
                s = float(gain[u, k, b]) * float(power_w[cc, b])
                out[u, k, b] = s / (tot[b] - s)
    return out
