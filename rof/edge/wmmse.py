"""WMMSE weighted-sum-rate power control across cells, per RB.

For each RB, every cell first picks a UE (coordinated PF's choice where it serves,
per-cell proportional fairness at full power elsewhere); then the powers
``p_c = v_c^2`` maximise the weighted sum rate ``sum_c a_c log2(1 + gamma_c)`` by
the WMMSE algorithm of Shi, Razaviyayn, Luo and He, "An iteratively weighted MMSE
approach to distributed sum-utility maximization for a MIMO interfering broadcast
channel", IEEE Trans. Signal Process. 59(9), 2011, Sec. III, Table I, specialised to
single-antenna links (their eq. (9)-(11)
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
from rof.edge.rate_model import SHANNON, RateModel, rate_se, step_rate

__all__ = ["WMMSE", "wmmse_power", "wmmse_power_ref"]


@numba.njit(cache=True)
def _x(link_cell, gain, serve_k, floor_w, fh_inv, sel, p, b, c, gap_inv):
    """``SINR_c / gap`` of cell ``c``'s link on RB ``b`` (0 when idle)."""
    u = sel[c]
    if u < 0 or p[c] <= 0.0:
        return 0.0
    s = gain[b, u, serve_k[u]] * p[c]
    den = floor_w[u] + s * fh_inv[c]
    for k in range(link_cell.shape[1]):
        if k != serve_k[u]:
            j = link_cell[u, k]
            if sel[j] >= 0:
                den += gain[b, u, k] * p[j] * (1.0 + fh_inv[j])
    return gap_inv * s / den


@numba.njit(cache=True)
def _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p, b, rm):
    """Weighted sum rate under ``rm`` (:class:`rof.edge.rate_model.RateModel`): the MCS
    staircase, or ``log2(1 + SINR / gap)`` when ``rm.thr`` is empty (the surrogate)."""
    total = 0.0
    for c in range(sel.shape[0]):
        x = _x(link_cell, gain, serve_k, floor_w, fh_inv, sel, p, b, c, rm.gap_inv)
        if x <= 0.0:
            continue
        total += alpha[sel[c]] * step_rate(x / rm.gap_inv, rm.gap_inv, rm.thr, rm.se)
    return total


@numba.njit(cache=True)
def _trim(link_cell, gain, serve_k, floor_w, fh_inv, sel, p, b, rm, mute_floor):
    """Lower each saturated link's power to where it just reaches the cap and (with
    ``mute_floor``) mute each link below the floor: neither lowers that link's capped
    rate, and both lower the interference on the others, so the capped weighted sum
    rate never falls."""
    x_hi = rm.thr[-1] * rm.gap_inv  # the cap's SINR / gap
    x_lo = rm.thr[0] * rm.gap_inv  # the floor's
    for _ in range(sel.shape[0]):
        changed = False
        for c in range(sel.shape[0]):
            x = _x(link_cell, gain, serve_k, floor_w, fh_inv, sel, p, b, c, rm.gap_inv)
            if x <= 0.0:
                continue
            if x > x_hi * (1.0 + 1e-9):
                p[c] *= x_hi / x * (1.0 + 1e-12)
                changed = True
            elif mute_floor and x < x_lo:
                p[c] = 0.0
                changed = True
        if not changed:
            break


@numba.njit(cache=True)
def _polish(link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p, b, rm, p_max, levels, sweeps):
    """Coordinate ascent on the capped weighted sum rate: each active cell in turn tries
    ``levels`` equally spaced powers in ``[0, p_max]`` while the links at the cap track
    it (each set to the power that just reaches the cap, within ``p_max``); a move is
    kept only if it raises the objective, so the objective never falls."""
    n = sel.shape[0]
    x_hi = rm.thr[-1] * rm.gap_inv
    best_p = p.copy()
    at_cap = np.zeros(n, dtype=np.bool_)
    cur = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p, b, rm)
    for _ in range(sweeps):
        improved = False
        for c in range(n):
            if sel[c] < 0:
                continue
            for j in range(n):
                x = _x(link_cell, gain, serve_k, floor_w, fh_inv, sel, best_p, b, j, rm.gap_inv)
                at_cap[j] = j != c and x >= x_hi * (1.0 - 1e-6)
            base = best_p.copy()
            for lv in range(levels):
                p[:] = base
                p[c] = p_max * lv / (levels - 1)
                for _pass in range(3):  # the saturated links follow the move
                    for j in range(n):
                        if at_cap[j] and p[j] > 0.0:
                            x = _x(link_cell, gain, serve_k, floor_w, fh_inv, sel, p, b, j,
                                   rm.gap_inv)  # fmt: skip
                            p[j] = min(p_max, p[j] * x_hi / x * (1.0 + 1e-12))
                val = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, sel, p, b, rm)
                if val > cur * (1.0 + 1e-12):
                    cur = val
                    best_p[:] = p
                    improved = True
        if not improved:
            break
    p[:] = best_p
    return cur


@numba.njit(cache=True)
def _wmmse_kernel(
    link_cell,
    gain,
    serve_k,
    floor_w,
    fh_inv,
    alpha,
    sel,
    p_max,
    init_p,
    n_iter,
    tol,
    rm,
    polish,
    out_p,
    trace,
):
    n_starts, n_cells, n_rb = init_p.shape
    n_k = link_cell.shape[1]
    v = np.zeros(n_cells)
    uu = np.zeros(n_cells)
    ww = np.zeros(n_cells)
    den = np.zeros(n_cells)
    p = np.zeros(n_cells)
    vmax = np.sqrt(p_max)
    gi = rm.gap_inv
    shannon = RateModel(gi, rm.thr[:0], rm.se[:0])  # the objective the iterations ascend
    capped = rm.thr.shape[0] > 0
    for b in range(n_rb):
        best = -1.0
        selb = sel[:, b]
        for st in range(n_starts):
            for c in range(n_cells):
                v[c] = np.sqrt(init_p[st, c, b]) if selb[c] >= 0 else 0.0
                p[c] = v[c] * v[c]
            cur = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b, shannon)
            trace[st, 0, b] = cur
            start = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b, rm)
            if start > best:  # a start is a candidate too: never worse than the best start
                best = start
                for c in range(n_cells):
                    out_p[c, b] = p[c]
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
                            own = gi if k == serve_k[u] else 1.0
                            r += gain[b, u, k] * (own + fh_inv[j]) * v[j] * v[j]
                    sq = np.sqrt(gi * gain[b, u, serve_k[u]])
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
                            own = gi if k == serve_k[u] else 1.0
                            den[j] += f * gain[b, u, k] * (own + fh_inv[j])
                for c in range(n_cells):
                    u = selb[c]
                    if u < 0:
                        continue
                    num = alpha[u] * ww[c] * uu[c] * np.sqrt(gi * gain[b, u, serve_k[u]])
                    vc = num / den[c] if den[c] > 0.0 else vmax
                    v[c] = min(vmax, max(0.0, vc))
                    p[c] = v[c] * v[c]
                new = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b, shannon)
                trace[st, it + 1, b] = new
                last = it + 1
                done = abs(new - cur) <= tol * max(abs(new), 1e-300)
                cur = new
                if done:
                    break
            for it in range(last + 1, n_iter + 1):
                trace[st, it, b] = cur
            if capped:  # the rate model: trim to the cap, mute below the floor
                _trim(link_cell, gain, serve_k, floor_w, fh_inv, selb, p, b, rm, polish[0] <= 1)
            if polish[0] > 1:
                _polish(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b, rm, p_max,
                        polish[0], polish[1])  # fmt: skip
            final = _wsr(link_cell, gain, serve_k, floor_w, fh_inv, alpha, selb, p, b, rm)
            if final > best:
                best = final
                for c in range(n_cells):
                    out_p[c, b] = p[c]
        if capped:  # the winner (a start may be one) sends no link below the floor
            for c in range(n_cells):
                p[c] = out_p[c, b]
            _trim(link_cell, gain, serve_k, floor_w, fh_inv, selb, p, b, rm, True)
            for c in range(n_cells):
                out_p[c, b] = p[c]


def wmmse_power(
    link_cell,
    gain,
    serve_k,
    floor_w,
    fh_inv,
    alpha,
    sel,
    p_max_w,
    init_p,
    n_iter=20,
    tol=1e-6,
    *,
    rate: RateModel = SHANNON,
    polish_levels=0,
    polish_sweeps=2,
):
    """Multi-start WMMSE power control per RB under the schedulers' rate model.

    The iterations ascend ``sum_c a_c log2(1 + SINR_c / gap)`` with the surrogate gap of
    ``rate`` (:mod:`rof.edge.rate_model`): the WMMSE of the module docstring on the
    channel whose direct gains are ``S_c / gap`` (the gap scales the signal, not the
    interference). Each start's result is then fitted to the rate model ``rate``, the
    MCS staircase :func:`rof.edge.percell.full_power_rate` and coordinated PF use (its
    cap the top MCS's threshold, its floor MCS 0's): a saturated link's
    power is lowered to where it just reaches the cap and, without polish, a link below
    the floor is muted (neither lowers the capped weighted sum rate); with
    ``polish_levels > 1``,
    coordinate ascent on the capped objective polishes it (each cell tries
    ``polish_levels`` powers in ``[0, P_max]``, up to ``polish_sweeps`` sweeps; the
    capped objective is not concave, so WMMSE alone can stop short of it), and the
    start with the highest capped weighted sum rate wins (each start's own point is a
    candidate too, so the result is never worse than the best start, e.g. coordinated
    PF's on/off decision). The winner is trimmed once more, so no link below the floor
    transmits (a start such as full power may have some; muting them only lowers the
    others' interference).

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
    rate : rof.edge.rate_model.RateModel
        Rate model: the surrogate's gap and the MCS staircase; default plain Shannon
        (no gap, cap or floor).
    polish_levels, polish_sweeps : int
        Coordinate-ascent polish of each start (0: none).

    Returns
    -------
    power_w : ndarray (n_cells, n_rb)
        Powers of the best start per RB.
    trace : ndarray (n_starts, n_iter + 1, n_rb)
        Weighted ``log2(1 + SINR / gap)`` sum (bit/s/Hz, weighted) after each iteration
        of each start (held constant after early stopping), before the fit to the cap.
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
        rate,
        np.array([int(polish_levels), int(polish_sweeps)], dtype=np.int64),
        out_p,
        trace,
    )
    return out_p, trace


def wmmse_power_ref(
    link_cell,
    gain,
    serve_k,
    floor_w,
    fh_inv,
    alpha,
    sel,
    p_max_w,
    init_p,
    n_iter=20,
    tol=1e-6,
    *,
    rate: RateModel = SHANNON,
    polish_levels=0,
    polish_sweeps=2,
):
    """Plain-NumPy reference of :func:`wmmse_power` on a dense cell x cell gain matrix."""
    gi, capped = rate.gap_inv, rate.thr.size > 0
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
        s = g[ue, idx] * gi  # direct gains scaled by the gap
        a_mat[np.arange(idx.size), np.arange(idx.size)] += s - g[ue, idx]
        sig = floor_w[ue]
        al = alpha[ue]

        def x_of(pw, a_mat=a_mat, s=s, sig=sig):
            return np.where(pw > 0, s * pw / (a_mat @ pw + sig - s * pw), 0.0)

        def wsr(pw, cap=False, al=al):
            x = x_of(pw)
            r = rate_se(x / gi, rate) if cap else np.log2(1.0 + x)
            return float(np.sum(np.where(x > 0, al * r, 0.0)))

        def trim(pw, mute, x_of=x_of):
            x_hi, x_lo = rate.thr[-1] * gi, rate.thr[0] * gi
            for _ in range(pw.size):  # one cell at a time, as the kernel
                changed = False
                for c in range(pw.size):
                    x = x_of(pw)[c]
                    if x <= 0.0:
                        continue
                    if x > x_hi * (1.0 + 1e-9):
                        pw[c] *= x_hi / x * (1.0 + 1e-12)
                        changed = True
                    elif mute and x < x_lo:
                        pw[c] = 0.0
                        changed = True
                if not changed:
                    break

        best = -1.0
        for st in range(n_starts):
            v = np.sqrt(init_p[st, idx, b])
            cur = wsr(v**2)
            trace[st, 0, b] = cur
            if wsr(v**2, cap=True) > best:
                best = wsr(v**2, cap=True)
                out_p[:, b] = 0.0
                out_p[idx, b] = v**2
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
            pw = v**2
            if capped:
                trim(pw, polish_levels <= 1)  # polish handles the floor
            if polish_levels > 1:
                x_hi = rate.thr[-1] * gi
                cur_c = wsr(pw, cap=True)
                for _ in range(polish_sweeps):
                    improved = False
                    for c in range(idx.size):
                        at_cap = (x_of(pw) >= x_hi * (1.0 - 1e-6)) & (np.arange(idx.size) != c)
                        base = pw.copy()
                        for lv in range(polish_levels):
                            q = base.copy()
                            q[c] = p_max_w * lv / (polish_levels - 1)
                            for _pass in range(3):
                                for j in np.flatnonzero(at_cap & (q > 0)):
                                    q[j] = min(p_max_w, q[j] * x_hi / x_of(q)[j] * (1 + 1e-12))
                            val = wsr(q, cap=True)
                            if val > cur_c * (1.0 + 1e-12):
                                cur_c, pw, improved = val, q, True
                    if not improved:
                        break
            final = wsr(pw, cap=True)
            if final > best:
                best = final
                out_p[:, b] = 0.0
                out_p[idx, b] = pw
        if capped:  # the winner sends no link below the floor
            pw = out_p[idx, b].copy()
            trim(pw, True)
            out_p[idx, b] = pw
    return out_p, trace


class WMMSE(Scheduler):
    """Per-cell PF user selection plus WMMSE power control across cells per RB.

    Parameters
    ----------
    wmmse_iterations : int
        Iteration bound per start.
    wmmse_starts : int
        Starts per RB: coordinated PF's on/off decision (its users, full power where it
        serves, zero where it mutes), full power, the previous TTI's powers (muted
        cells restarted at 1 % of the maximum since zero power is a fixed point of the
        update; a random start on the first TTI), then random uniform powers. Users
        are coordinated PF's where it serves, per-cell PF's elsewhere; the rate model
        is the other schedulers' (the MCS staircase of :mod:`rof.edge.rate_model`;
        :func:`wmmse_power`).
    wmmse_polish_levels : int
        Powers each cell tries in the coordinate-ascent polish of :func:`wmmse_power`
        (0: none; 5 costs about ten times the scheduler time and gained 1 % mean
        throughput on coordination.toml).
    """

    name = "wmmse"
    coordinated = True
    #: Power below this share of the maximum counts as muted.
    mute_fraction = 1e-3

    def __init__(
        self,
        wmmse_iterations: int = 20,
        wmmse_starts: int = 3,
        wmmse_polish_levels: int = 0,
        **_options,
    ):
        self.n_iter = int(wmmse_iterations)
        self.n_starts = max(1, int(wmmse_starts))
        self.polish_levels = int(wmmse_polish_levels)
        self._prev: np.ndarray | None = None

    def reset(self) -> None:
        self._prev = None

    def __call__(self, inp: SchedulingInput):
        from rof.edge.coordinated import coordinated_assign

        fh_inv = inp.fh_factor()
        floor_w = inp.interference_floor_w()
        model = {"rate": inp.rate_model()}
        rate = full_power_rate(
            inp.link_cell, inp.gain, inp.serve_k, floor_w, fh_inv, inp.p_max_w, **model
        )
        sel = pf_assign(inp.serving, rate, inp.weight, inp.n_cells)
        coord = coordinated_assign(
            inp.link_cell, inp.gain, inp.serving, inp.serve_k, floor_w, fh_inv, inp.p_max_w,
            inp.weight, inp.n_cells, **model,
        )  # fmt: skip
        sel = np.where(coord >= 0, coord, sel)  # coordinated PF's users where it serves
        shape = (self.n_starts, inp.n_cells, inp.n_rb)
        init = inp.rng.uniform(0.0, inp.p_max_w, size=shape)
        init[0] = np.where(coord >= 0, inp.p_max_w, 0.0)  # coordinated PF's on/off decision
        if self.n_starts > 1:
            init[1] = inp.p_max_w
        if self.n_starts > 2 and self._prev is not None and self._prev.shape == shape[1:]:
            init[2] = np.maximum(self._prev, 0.01 * inp.p_max_w)
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
            polish_levels=self.polish_levels,
            **model,
        )
        muted = (sel < 0) | (power <= self.mute_fraction * inp.p_max_w)
        assign = np.where(muted, -1, sel).astype(np.int32)
        power = np.where(muted, 0.0, power)
        self._prev = power
        return assign, power
