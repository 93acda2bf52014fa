"""Numba kernels of :mod:`rof.edge.coordinated` (the greedy joint PF scheduler).

The algorithm and its sources are described in :mod:`rof.edge.coordinated`; its
plain-NumPy reference is :func:`rof.edge.coordinated.coordinated_assign_ref`.
Gains arrive as ``(n_rb, n_ue, K)`` so that each RB's slab is contiguous.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["coordinated_kernel"]


@numba.njit(cache=True)
def _rate(sinr, gap_inv, se_max, se_min, x_hi, x_lo):
    """``min(log2(1 + x), se_max)``, 0 below ``se_min``, with ``x = sinr * gap_inv``;
    ``x_hi = 2^se_max - 1`` and ``x_lo = 2^se_min - 1`` skip the logarithm when saturated."""
    x = sinr * gap_inv
    if x >= x_hi:
        return se_max
    if x < x_lo:
        return 0.0
    return np.log2(1.0 + x)


@numba.njit(cache=True)
def _interference(b, u, skip, gain, link_cell, active, fac):
    """Power at UE ``u`` from the active cells of its top K other than ``skip``."""
    t = 0.0
    for k in range(link_cell.shape[1]):
        c = link_cell[u, k]
        if c >= 0 and c != skip and active[c] >= 0:
            t += gain[b, u, k] * fac[c]
    return t


@numba.njit(cache=True)
def _serve(c, u, link_cell, vhead, vnext, vue, vk, ne):
    """Register served UE ``u`` as a victim of each other cell in its top K."""
    for k in range(link_cell.shape[1]):
        j = link_cell[u, k]
        if j >= 0 and j != c:
            vue[ne] = u
            vk[ne] = k
            vnext[ne] = vhead[j]
            vhead[j] = ne
            ne += 1
    return ne


@numba.njit(cache=True)
def _own_rate(
    b, u, c, gain, serve_k, floor_w, fh_inv, p_w, itf, gap_inv, se_max, se_min, x_hi, x_lo
):
    s = gain[b, u, serve_k[u]] * p_w
    return _rate(s / (itf[u] + floor_w[u] + s * fh_inv[c]), gap_inv, se_max, se_min, x_hi, x_lo)


@numba.njit(cache=True)
def _victim_delta(
    b,
    c,
    sign,
    skip_u,
    gain,
    serve_k,
    floor_w,
    fh_inv,
    p_w,
    weight,
    served,
    itf,
    rcur,
    fac,
    vhead,
    vnext,
    vue,
    vk,
    gap_inv,
    se_max,
    se_min,
    x_hi,
    x_lo,
    apply,
):
    """Weighted-rate change of the served victims of cell ``c`` when it turns on
    (``sign = +1``) or off (``-1``); with ``apply`` update their interference and
    cached rates ``rcur`` instead."""
    delta = 0.0
    e = vhead[c]
    while e >= 0:
        v = vue[e]
        cv = served[v]
        if cv >= 0 and v != skip_u:
            x = sign * gain[b, v, vk[e]] * fac[c]
            sv = gain[b, v, serve_k[v]] * p_w
            r = _rate(
                sv / (itf[v] + x + floor_w[v] + sv * fh_inv[cv]),
                gap_inv,
                se_max,
                se_min,
                x_hi,
                x_lo,
            )
            if apply:
                itf[v] += x
                rcur[v] = r
            else:
                delta += weight[v] * (r - rcur[v])
        e = vnext[e]
    return delta


@numba.njit(cache=True)
def _prune(
    b,
    order,
    active,
    served,
    itf,
    rcur,
    gain,
    serve_k,
    floor_w,
    fh_inv,
    p_w,
    weight,
    fac,
    vhead,
    vnext,
    vue,
    vk,
    gap_inv,
    se_max,
    se_min,
    x_hi,
    x_lo,
):
    for oi in range(order.shape[0]):
        c = order[oi]
        u = active[c]
        if u < 0:
            continue
        own = weight[u] * rcur[u]
        args = (
            gain,
            serve_k,
            floor_w,
            fh_inv,
            p_w,
            weight,
            served,
            itf,
            rcur,
            fac,
            vhead,
            vnext,
            vue,
            vk,
            gap_inv,
            se_max,
            se_min,
            x_hi,
            x_lo,
        )
        relief = _victim_delta(b, c, -1.0, u, *args, False)
        if relief > own:
            active[c] = -1
            served[u] = -1
            _victim_delta(b, c, -1.0, u, *args, True)


@numba.njit(cache=True)
def _utility(active, rcur, weight):
    util = 0.0
    for c in range(active.shape[0]):
        u = active[c]
        if u >= 0:
            util += weight[u] * rcur[u]
    return util


@numba.njit(cache=True)
def coordinated_kernel(
    gain,
    link_cell,
    serve_k,
    floor_w,
    fh_inv,
    p_w,
    weight,
    cell_ptr,
    cell_ues,
    start,
    gap_inv,
    se_max,
    se_min,
    assign,
):
    n_rb, n_ue, n_k = gain.shape
    n_cells = cell_ptr.shape[0] - 1
    fac = p_w * (1.0 + fh_inv)
    x_hi = 2.0**se_max - 1.0
    x_lo = 2.0**se_min - 1.0
    itf = np.zeros(n_ue)
    rcur = np.zeros(n_ue)
    served = np.full(n_ue, -1, dtype=np.int64)
    active = np.full(n_cells, -1, dtype=np.int64)
    metric = np.empty(n_cells)
    n_ent = n_cells * n_k + 1
    vhead = np.full(n_cells, -1, dtype=np.int64)
    vnext = np.empty(n_ent, dtype=np.int64)
    vue = np.empty(n_ent, dtype=np.int64)
    vk = np.empty(n_ent, dtype=np.int64)
    for b in range(n_rb):
        served[:] = -1
        active[:] = -1
        vhead[:] = -1
        ne = 0
        # 1. stand-alone metric per cell
        for c in range(n_cells):
            best = -1.0
            for i in range(cell_ptr[c], cell_ptr[c + 1]):
                u = cell_ues[i]
                s = gain[b, u, serve_k[u]] * p_w
                m = weight[u] * _rate(
                    s / (s * fh_inv[c] + floor_w[u]), gap_inv, se_max, se_min, x_hi, x_lo
                )
                if m > best:
                    best = m
            metric[c] = -best
        order = np.argsort(metric, kind="mergesort")
        # 2. greedy add
        for oi in range(n_cells):
            c = order[oi]
            best = 0.0
            best_u = -1
            best_i = 0.0
            for i in range(cell_ptr[c], cell_ptr[c + 1]):
                u = cell_ues[i]
                iu = _interference(b, u, c, gain, link_cell, active, fac)
                s = gain[b, u, serve_k[u]] * p_w
                val = weight[u] * _rate(
                    s / (iu + s * fh_inv[c] + floor_w[u]), gap_inv, se_max, se_min, x_hi, x_lo
                )
                if val > best:
                    best = val
                    best_u = u
                    best_i = iu
            if best_u < 0:
                continue
            args = (
                gain,
                serve_k,
                floor_w,
                fh_inv,
                p_w,
                weight,
                served,
                itf,
                rcur,
                fac,
                vhead,
                vnext,
                vue,
                vk,
                gap_inv,
                se_max,
                se_min,
                x_hi,
                x_lo,
            )
            loss = _victim_delta(b, c, 1.0, -1, *args, False)
            if best + loss > 0.0:
                _victim_delta(b, c, 1.0, -1, *args, True)
                active[c] = best_u
                served[best_u] = c
                itf[best_u] = best_i
                rcur[best_u] = best / weight[best_u]
                ne = _serve(c, best_u, link_cell, vhead, vnext, vue, vk, ne)
        # 3. prune
        _prune(
            b,
            order,
            active,
            served,
            itf,
            rcur,
            gain,
            serve_k,
            floor_w,
            fh_inv,
            p_w,
            weight,
            fac,
            vhead,
            vnext,
            vue,
            vk,
            gap_inv,
            se_max,
            se_min,
            x_hi,
            x_lo,
        )
        u_add = _utility(active, rcur, weight)
        for c in range(n_cells):
            assign[c, b] = active[c]
        # 4. second candidate: every cell on with its own PF choice, then prune
        served[:] = -1
        vhead[:] = -1
        ne = 0
        for c in range(n_cells):
            u = start[c, b]
            active[c] = u
            if u >= 0:
                served[u] = c
                ne = _serve(c, u, link_cell, vhead, vnext, vue, vk, ne)
        for c in range(n_cells):
            u = active[c]
            if u >= 0:
                itf[u] = _interference(b, u, c, gain, link_cell, active, fac)
                rcur[u] = _own_rate(
                    b,
                    u,
                    c,
                    gain,
                    serve_k,
                    floor_w,
                    fh_inv,
                    p_w,
                    itf,
                    gap_inv,
                    se_max,
                    se_min,
                    x_hi,
                    x_lo,
                )
        _prune(
            b,
            order[::-1],
            active,
            served,
            itf,
            rcur,
            gain,
            serve_k,
            floor_w,
            fh_inv,
            p_w,
            weight,
            fac,
            vhead,
            vnext,
            vue,
            vk,
            gap_inv,
            se_max,
            se_min,
            x_hi,
            x_lo,
        )
        u_all = _utility(active, rcur, weight)
        if u_all > u_add:
            for c in range(n_cells):
                assign[c, b] = active[c]
