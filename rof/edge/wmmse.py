"""WMMSE weighted-sum-rate power control across cells, per RB.

For each RB, every cell first picks a UE by per-cell proportional fairness at
full power; then the powers ``p_c = v_c^2`` maximise the weighted sum rate
``sum_c a_c log2(1 + gamma_c)`` by the WMMSE algorithm of Shi, Razaviyayn, Luo and
He, "An iteratively weighted MMSE approach to distributed sum-utility maximization
for a MIMO interfering broadcast channel", IEEE Trans. Signal Process. 59(9),
2011, Sec. III, Table I, specialised to single-antenna links (their eq. (9)-(11)
with scalar u, w, v)::

    R_c   = sum_j A_cj v_j^2 + sigma_c^2            received power incl. own signal
    u_c   = sqrt(S_c) v_c / R_c                      MMSE receiver
    w_c   = 1 / (1 - u_c sqrt(S_c) v_c)              MSE weight (= 1 + gamma_c)
    v_c   = min(sqrt(P_max), a_c w_c u_c sqrt(S_c) / sum_j a_j w_j u_j^2 A_jc)

with ``S_c = g_{u_c,c}`` the direct gain, ``A_cj = g_{u_c,j} (1 + 1/SNR_fh,j)``
the gain from cell ``j`` to cell ``c``'s UE inflated by ``j``'s fronthaul noise
(``A_cc`` carries the own-signal fronthaul distortion ``S_c / SNR_fh,c``, which
makes the own-power term of the MSE; with an ideal fronthaul ``A_cc = S_c``) and
``sigma_c^2`` the background interference plus noise. Each update minimises the
weighted MSE in one block, so the weighted sum rate never decreases from one
iteration to the next (Shi et al., Theorem 3); it converges to a stationary point,
not necessarily the optimum, so the scheduler runs several starts (full power, the
previous TTI's powers as a warm start, random powers) and keeps the best.
Interference is counted over each UE's top-K links only (O(n_cells K) per
iteration and RB).
"""

from __future__ import annotations

import numba
import numpy as np

from rof.edge._base import Scheduler, SchedulingInput
from rof.edge.percell import full_power_rate, pf_assign

__all__ = ["WMMSE", "wmmse_power", "wmmse_power_ref"]


@numba.njit(cache=True)
def _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p, b):
    n_cells = sel.shape[0]
    n_k = link_cell.shape[1]
    total = 0.0
    for c in range(n_cells):
        u = sel[c]
        if u < 0 or p[c] <= 0.0:
            continue
        s = gain[b, u, serve_k[u]] * p[c]
        den = floor_w[u] + s * fh_inv[c]
        for k in range(n_k):
            if k != serve_k[u]:
                j = link_cell[u, k]
                if sel[j] >= 0:
                    den += gain[b, u, k] * p[j] * (1.0 + fh_inv[j])
        total += alpha[u] * np.log2(1.0 + s / den)
    return total


@numba.njit(cache=True)
def _wmmse_kernel(
    link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p_max, init_p, n_iter, tol, out_p, trace
):
    n_starts, n_cells, n_rb = init_p.shape
    n_k = link_cell.shape[1]
    v = np.zeros(n_cells)
    uu = np.zeros(n_cells)
    ww = np.zeros(n_cells)
    den = np.zeros(n_cells)
    p = np.zeros(n_cells)
    vmax = np.sqrt(p_max)
    for b in range(n_rb):
        best = -1.0
        selb = sel[:, b]
        for st in range(n_starts):
            for c in range(n_cells):
                v[c] = np.sqrt(init_p[st, c, b]) if selb[c] >= 0 else 0.0
                p[c] = v[c] * v[c]
            cur = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b)
            trace[st, 0, b] = cur
            last = 0
            for it in range(n_iter):
                # receivers u_c and weights w_c
                for c in range(n_cells):
                    u = selb[c]
                    if u < 0:
                        continue
                    r = floor_w[u]
                    for k in range(n_k):
                        j = link_cell[u, k]
                        if selb[j] >= 0:
                            r += gain[b, u, k] * (1.0 + fh_inv[j]) * v[j] * v[j]
                    sq = np.sqrt(gain[b, u, serve_k[u]])
                    uu[c] = sq * v[c] / r
                    ww[c] = 1.0 / (1.0 - uu[c] * sq * v[c])
                # transmitter update: den_j = sum_c a_c w_c u_c^2 A_cj
                den[:] = 0.0
                for c in range(n_cells):
                    u = selb[c]
                    if u < 0:
                        continue
                    f = alpha[u] * ww[c] * uu[c] * uu[c]
                    for k in range(n_k):
                        j = link_cell[u, k]
                        if selb[j] >= 0:
                            den[j] += f * gain[b, u, k] * (1.0 + fh_inv[j])
                for c in range(n_cells):
                    u = selb[c]
                    if u < 0:
                        continue
                    num = alpha[u] * ww[c] * uu[c] * np.sqrt(gain[b, u, serve_k[u]])
                    vc = num / den[c] if den[c] > 0.0 else vmax
                    v[c] = min(vmax, max(0.0, vc))
                    p[c] = v[c] * v[c]
                new = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b)
                trace[st, it + 1, b] = new
                last = it + 1
                done = abs(new - cur) <= tol * max(abs(new), 1e-300)
                cur = new
                if done:
                    break
            for it in range(last + 1, n_iter + 1):
                trace[st, it, b] = cur
            if cur > best:
                best = cur
                for c in range(n_cells):
                    out_p[c, b] = p[c]


def wmmse_power(
    link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p_max_w, init_p, n_iter=20, tol=1e-6
):
    """Multi-start WMMSE power control per RB.

    Parameters
    ----------
    link_cell : ndarray (n_ue, K) int
    gain : ndarray (n_ue, K, n_rb)
        Linear power gains.
    serve_k : ndarray (n_ue,) int
        Column of each UE's serving cell in ``link_cell``.
    floor_w : ndarray (n_ue,)
        Background interference plus noise per RB, W.
    fh_inv : ndarray (n_cells,)
        ``1 / SNR_fh`` (0 for an ideal fronthaul).
    alpha : ndarray (n_ue,)
        Rate weights (PF weights).
    sel : ndarray (n_cells, n_rb) int
        UE selected by each cell on each RB (-1: cell idle).
    p_max_w : float
        Power limit per cell per RB, W.
    init_p : ndarray (n_starts, n_cells, n_rb)
        Starting powers, W.
    n_iter : int
        Maximum iterations per start.
    tol : float
        Relative change of the weighted sum rate that stops a start early.

    Returns
    -------
    power_w : ndarray (n_cells, n_rb)
        Powers of the best start per RB.
    trace : ndarray (n_starts, n_iter + 1, n_rb)
        Weighted sum rate (bit/s/Hz, weighted) after each iteration of each start
        (held constant after early stopping).
    """
    init_p = np.ascontiguousarray(init_p, dtype=np.float64)
    n_starts, n_cells, n_rb = init_p.shape
    out_p = np.zeros((n_cells, n_rb))
    trace = np.zeros((n_starts, int(n_iter) + 1, n_rb))
    _wmmse_kernel(
        np.ascontiguousarray(link_cell, dtype=np.int64),
        np.ascontiguousarray(np.moveaxis(gain, 2, 0), dtype=np.float64),  # (n_rb, n_ue, K)
        np.ascontiguousarray(serve_k, dtype=np.int64),
        np.ascontiguousarray(floor_w, dtype=np.float64),
        np.ascontiguousarray(fh_inv, dtype=np.float64),
        np.ascontiguousarray(alpha, dtype=np.float64),
        np.ascontiguousarray(sel, dtype=np.int64),
        float(p_max_w),
        init_p,
        int(n_iter),
        float(tol),
        out_p,
        trace,
    )
    return out_p, trace


def wmmse_power_ref(
    link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p_max_w, init_p, n_iter=20, tol=1e-6
):
    """Plain-NumPy reference of :func:`wmmse_power` on a dense cell x cell gain matrix."""
    n_starts, n_cells, n_rb = init_p.shape
    n_ue, n_k = link_cell.shape
    out_p = np.zeros((n_cells, n_rb))
    trace = np.zeros((n_starts, n_iter + 1, n_rb))
    rows = np.repeat(np.arange(n_ue), n_k)
    for b in range(n_rb):
        g = np.zeros((n_ue, n_cells))
        g[rows, np.asarray(link_cell).ravel()] = np.asarray(gain[:, :, b], float).ravel()
        on = sel[:, b] >= 0
        idx = np.flatnonzero(on)
        ue = sel[idx, b]
        a_mat = g[np.ix_(ue, idx)] * (1.0 + fh_inv[idx])[None, :]  # A_cj over active cells
        s = g[ue, idx]
        sig = floor_w[ue]
        al = alpha[ue]

        def wsr(pw, a_mat=a_mat, s=s, sig=sig, al=al, idx=idx):
            rx = a_mat @ pw + sig
            sinr = s * pw / (rx - s * pw)
            return float(np.sum(np.where(pw > 0, al * np.log2(1.0 + sinr), 0.0)))

        best = -1.0
        for st in range(n_starts):
            v = np.sqrt(init_p[st, idx, b])
            cur = wsr(v**2)
            trace[st, 0, b] = cur
            last = 0
            for it in range(n_iter):
                rx = a_mat @ v**2 + sig
                u = np.sqrt(s) * v / rx
                w = 1.0 / (1.0 - u * np.sqrt(s) * v)
                den = (al * w * u**2) @ a_mat
                v = np.clip(al * w * u * np.sqrt(s) / den, 0.0, np.sqrt(p_max_w))
                new = wsr(v**2)
                trace[st, it + 1, b] = new
                last = it + 1
                done = abs(new - cur) <= tol * max(abs(new), 1e-300)
                cur = new
                if done:
                    break
            trace[st, last + 1 :, b] = cur
            if cur > best:
                best = cur
                out_p[:, b] = 0.0
                out_p[idx, b] = v**2
    return out_p, trace


class WMMSE(Scheduler):
    """Per-cell PF user selection plus WMMSE power control across cells per RB.

    Parameters
    ----------
    wmmse_iterations : int
        Iteration bound per start.
    wmmse_starts : int
        Starts per RB: full power, the previous TTI's powers (warm start, muted
        cells restarted at 1 % of the maximum since zero power is a fixed point of
        the update; a random start on the first TTI), then random uniform powers.
    """

    name = "wmmse"
    coordinated = True
    #: Power below this share of the maximum counts as muted.
    mute_fraction = 1e-3

    def __init__(self, wmmse_iterations: int = 20, wmmse_starts: int = 3, **_options):
        self.n_iter = int(wmmse_iterations)
        self.n_starts = max(1, int(wmmse_starts))
        self._prev: np.ndarray | None = None

    def reset(self) -> None:
        self._prev = None

    def __call__(self, inp: SchedulingInput):
        fh_inv = inp.fh_factor()
        floor_w = inp.interference_floor_w()
        rate = full_power_rate(inp.link_cell, inp.gain, inp.serve_k, floor_w, fh_inv, inp.p_max_w)
        sel = pf_assign(inp.serving, rate, inp.weight, inp.n_cells)
        shape = (self.n_starts, inp.n_cells, inp.n_rb)
        init = inp.rng.uniform(0.0, inp.p_max_w, size=shape)
        init[0] = inp.p_max_w
        if self.n_starts > 1 and self._prev is not None and self._prev.shape == shape[1:]:
            init[1] = np.maximum(self._prev, 0.01 * inp.p_max_w)
        power, _ = wmmse_power(
            inp.link_cell,
            inp.gain,
            inp.serve_k,
            floor_w,
            fh_inv,
            inp.weight,
            sel,
            inp.p_max_w,
            init,
            self.n_iter,
        )
        muted = (sel < 0) | (power <= self.mute_fraction * inp.p_max_w)
        assign = np.where(muted, -1, sel).astype(np.int32)
        power = np.where(muted, 0.0, power)
        self._prev = power
        return assign, power
