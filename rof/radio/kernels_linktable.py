"""Numba kernel of the link table: streams over UTs, keeps a running top-K per UT.

Each scalar function here re-implements, for one link, a vectorised NumPy function
of :mod:`rof.radio.pathloss`, :mod:`rof.radio.los`, :mod:`rof.radio.antenna` and
:mod:`rof.radio.shadowing`; :func:`rof.radio.linktable.link_table_reference` builds
the same table densely from those NumPy functions and the tests compare the two.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from rof.radio.shadowing import sample_one

__all__ = ["SCENARIO_CODES", "link_table_kernel", "link_uniform", "link_uniform_np"]

#: Integer codes of the propagation models inside the kernel.
SCENARIO_CODES = {"UMa": 0, "UMi": 1, "InH": 2, "RMa": 3, "power_law": 4}

_C = 3.0e8  # TR 38.901 Table 7.4.1-1 note 1
_LN10_10 = math.log(10.0) / 10.0
_CHUNK = 64
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@numba.njit(cache=True, inline="always")
def _splitmix64(x):  # pragma: no cover - jit
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@numba.njit(cache=True, error_model="numpy")
def link_uniform(seed, ue, site):  # pragma: no cover - jit
    """Uniform [0, 1) number of link (ue, site): SplitMix64 (Steele et al., OOPSLA 2014)
    applied twice to ``seed ^ (ue << 32) ^ site`` (a counter-based generator)."""
    x = np.uint64(seed) ^ (np.uint64(ue) << np.uint64(32)) ^ np.uint64(site)
    return float(_splitmix64(_splitmix64(x)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def link_uniform_np(seed, ue, site):
    """NumPy reference of :func:`link_uniform` (broadcasts ``ue`` and ``site``)."""
    ue, site = np.broadcast_arrays(np.asarray(ue, np.uint64), np.asarray(site, np.uint64))
    x = np.uint64(seed) ^ (ue << np.uint64(32)) ^ site
    for _ in range(2):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        x = z ^ (z >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True, error_model="numpy")
def _los_prob(code, d, h_ut, inh_open):  # pragma: no cover - jit
    """TR 38.901 Table 7.4.2-1 for one link (see rof.radio.los)."""
    if code == 3:
        return 1.0 if d <= 10.0 else math.exp(-(d - 10.0) / 1000.0)
    # exp(-d/36) and exp(-d/63) are skipped where below exp(-40) = 4e-18 (the
    # probability then differs from Table 7.4.2-1 by < 4e-18, far below one ulp of
    # the uniform it is compared with)
    if code == 1:
        if d <= 18.0:
            return 1.0
        e = math.exp(-d / 36.0) if d < 1440.0 else 0.0
        return 18.0 / d + e * (1.0 - 18.0 / d)
    if code == 0:
        if d <= 18.0:
            return 1.0
        c = 0.0 if h_ut <= 13.0 else ((h_ut - 13.0) / 10.0) ** 1.5
        e = math.exp(-d / 63.0) if d < 2520.0 else 0.0
        base = 18.0 / d + e * (1.0 - 18.0 / d)
        p = base * (1.0 + c * 1.25 * (d / 100.0) ** 3 * math.exp(-d / 150.0))
        return min(p, 1.0)
    if code == 2:
        if inh_open:
            if d <= 5.0:
                return 1.0
            if d <= 49.0:
                return math.exp(-(d - 5.0) / 70.8)
            return 0.54 * math.exp(-(d - 49.0) / 211.7)
        if d <= 1.2:
            return 1.0
        if d < 6.5:
            return math.exp(-(d - 1.2) / 4.7)
        return 0.32 * math.exp(-(d - 6.5) / 32.6)
    return 0.0


@numba.njit(cache=True, error_model="numpy")
def _rma_pl1(d, fc, h):  # pragma: no cover - jit
    return (
        20.0 * math.log10(40.0 * math.pi * d * fc / 3.0)
        + min(0.03 * h**1.72, 10.0) * math.log10(d)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * math.log10(h) * d
    )


@numba.njit(cache=True, error_model="numpy")
def _pathloss(code, d2d, d3d, fc, lf, h_bs, h_ut, los, d_min, h, w, bpc):  # pragma: no cover - jit
    """Path loss (dB) and after-breakpoint flag of one link (see rof.radio.pathloss).

    ``bpc`` (4 floats) caches log10(d'BP^2 + (h_BS - h_UT)^2) for the last
    (h_BS, h_UT, h_E), which repeats across the sites of one UT.
    """
    if code == 2:
        if d3d < d_min:
            dv2 = max(d3d * d3d - d2d * d2d, 0.0)
            d3d = d_min
            d2d = math.sqrt(max(d3d * d3d - dv2, 0.0))
    elif d2d < d_min:
        dv2 = max(d3d * d3d - d2d * d2d, 0.0)
        d2d = d_min
        d3d = math.sqrt(d2d * d2d + dv2)
    lg = math.log10(d3d)
    after = False
    if code == 0 or code == 1:
        if code == 0:
            g = 1.25 * (d2d / 100.0) ** 3 * math.exp(-d2d / 150.0) if d2d > 18.0 else 0.0
            c = ((min(h_ut, 23.0) - 13.0) / 10.0) ** 1.5 * g if h_ut >= 13.0 else 0.0
            n = max(math.floor((h_ut - 1.5 - 12.0) / 3.0), 0.0) + 1.0
            h_e = (1.0 + c * 0.5 * (12.0 + 12.0 + 3.0 * (n - 1.0))) / (1.0 + c)
            a, b, cc = 28.0, 22.0, 9.0
        else:
            h_e = 1.0
            a, b, cc = 32.4, 21.0, 9.5
        dbp = 4.0 * max(h_bs - h_e, 0.0) * max(h_ut - h_e, 0.0) * fc * 1e9 / _C
        if d2d <= dbp:
            pl_los = a + b * lg + 20.0 * lf
        else:
            after = True
            if bpc[0] != h_bs or bpc[1] != h_ut or bpc[2] != h_e:
                bpc[0], bpc[1], bpc[2] = h_bs, h_ut, h_e
                bpc[3] = math.log10(max(dbp * dbp + (h_bs - h_ut) ** 2, 1e-12))
            pl_los = a + 40.0 * lg + 20.0 * lf - cc * bpc[3]
        if los:
            return pl_los, after
        if code == 0:
            pl_n = 13.54 + 39.08 * lg + 20.0 * lf - 0.6 * (h_ut - 1.5)
        else:
            pl_n = 35.3 * lg + 22.4 + 21.3 * lf - 0.3 * (h_ut - 1.5)
        return max(pl_los, pl_n), after
    if code == 2:
        pl_los = 32.4 + 17.3 * lg + 20.0 * lf
        if los:
            return pl_los, False
        return max(pl_los, 38.3 * lg + 17.30 + 24.9 * lf), False
    # RMa
    dbp = 2.0 * math.pi * h_bs * h_ut * fc * 1e9 / _C
    if d2d <= dbp:
        pl_los = _rma_pl1(d3d, fc, h)
    else:
        after = True
        pl_los = _rma_pl1(dbp, fc, h) + 40.0 * math.log10(d3d / dbp)
    if los:
        return pl_los, after
    pl_n = (
        161.04
        - 7.1 * math.log10(w)
        + 7.5 * math.log10(h)
        - (24.37 - 3.7 * (h / h_bs) ** 2) * math.log10(h_bs)
        + (43.42 - 3.1 * math.log10(h_bs)) * (lg - 3.0)
        + 20.0 * lf
        - (3.2 * math.log10(11.75 * h_ut) ** 2 - 4.97)
    )
    return max(pl_los, pl_n), after


@numba.njit(cache=True, parallel=True, error_model="numpy")
def link_table_kernel(
    order, ue_xy, ue_h, ue_o2i_db, ue_d_in, ue_o2i_state,
    site_xy, site_h, site_cell_ptr, cell_az_deg, shifts, r_safe2, torus_side,
    code, fc, d_min, rma_h, rma_w, inh_open, pl_ref_db, pl_exp, pl_d0,
    sigma, shadow, f_los, f_nlos, f_o2i, spacing, map_index, offset,
    ant, seed, k,
    out_cell, out_gain, out_los, out_d3d, out_bg,
):  # fmt: skip  # pragma: no cover - jit
    """Top-K cells per UT by large-scale gain, plus the background sum.

    Gain of cell c at site s for UT u (dB): ``G_ant(c) - PL(s, u) - sigma X_s(u) -
    O2I(u)``; LOS state ``link_uniform(seed, u, s) < P_LOS``. ``sigma`` holds
    (LOS, LOS after breakpoint, NLOS) shadowing stds in dB; ``ant`` holds (phi_3dB,
    theta_3dB, A_max, SLA_V, G_max, downtilt) in deg/dB. Outputs are filled in
    place: ``out_*[u, :k]`` sorted by descending gain and ``out_bg[u]`` = sum of
    linear gains of all other cells. UTs are visited in the order ``order`` (a
    spatial sort keeps the shadowing-map reads in cache); ``shifts[0]`` must be the
    zero shift and ``r_safe2`` the squared half-length of the shortest other shift
    (a site nearer than that is its own nearest copy); ``torus_side > 0`` replaces
    the copies by the per-axis nearest image of a square torus of that side.
    """
    n_ue = ue_xy.shape[0]
    n_sites = site_xy.shape[0]
    n_img = shifts.shape[0]
    n_chunks = (n_ue + _CHUNK - 1) // _CHUNK
    lf = math.log10(fc)
    inv_side = 1.0 / torus_side if torus_side > 0.0 else 0.0
    for ch in prange(n_chunks):
        bg_ = np.empty(k)
        bc = np.empty(k, np.int64)
        bl = np.empty(k, np.bool_)
        bd = np.empty(k)
        bpc = np.full(4, np.nan)
        sdx = np.empty(n_sites)
        sdy = np.empty(n_sites)
        sz0 = np.zeros(n_sites)
        sz1 = np.zeros(n_sites)
        for i_u in range(ch * _CHUNK, min(n_ue, (ch + 1) * _CHUNK)):
            u = order[i_u]
            ux, uy, hu = ue_xy[u, 0], ue_xy[u, 1], ue_h[u]
            o2i = ue_o2i_state[u]
            # pass 1: nearest copies and shadowing reads; a short loop of independent
            # loads, so the CPU overlaps the cache misses of the map reads
            for s in range(n_sites):
                dx = ux - site_xy[s, 0]
                dy = uy - site_xy[s, 1]
                if torus_side > 0.0:  # square torus: nearest copy per axis
                    dx -= torus_side * math.floor(dx * inv_side + 0.5)
                    dy -= torus_side * math.floor(dy * inv_side + 0.5)
                best = dx * dx + dy * dy
                if best > r_safe2:  # a wrap-around copy may be nearer (shifts[0] is 0)
                    for i in range(1, n_img):
                        ex = ux - site_xy[s, 0] - shifts[i, 0]
                        ey = uy - site_xy[s, 1] - shifts[i, 1]
                        dd = ex * ex + ey * ey
                        if dd < best:
                            best, dx, dy = dd, ex, ey
                sdx[s] = dx
                sdy[s] = dy
                if shadow:
                    m = map_index[s]
                    ox = offset[s, 0]
                    oy = offset[s, 1]
                    if o2i:
                        sz0[s] = sample_one(f_o2i, spacing[2], m, ox, oy, ux, uy)
                    else:
                        sz0[s] = sample_one(f_los, spacing[0], m, ox, oy, ux, uy)
                        sz1[s] = sample_one(f_nlos, spacing[1], m, ox, oy, ux, uy)
            # pass 2: path loss, LOS, antenna and the running top-K
            nfill = 0
            bg = 0.0
            for s in range(n_sites):
                dx = sdx[s]
                dy = sdy[s]
                best = dx * dx + dy * dy
                d2d = math.sqrt(best)
                dz = site_h[s] - hu
                d3d = math.sqrt(best + dz * dz)
                los = False
                if code == 4:
                    pl = pl_ref_db + 10.0 * pl_exp * math.log10(max(d3d, 0.01) / pl_d0)
                    after = False
                else:
                    p = _los_prob(code, max(d2d - ue_d_in[u], 0.0), hu, inh_open)
                    los = link_uniform(seed, u, s) < p
                    pl, after = _pathloss(
                        code, d2d, d3d, fc, lf, site_h[s], hu, los, d_min, rma_h, rma_w, bpc
                    )
                base = -pl - ue_o2i_db[u]
                if shadow:
                    sig = sigma[2]
                    if los:
                        sig = sigma[1] if after else sigma[0]
                    base -= sig * (sz0[s] if (o2i or los) else sz1[s])
                c0 = site_cell_ptr[s]
                c1 = site_cell_ptr[s + 1]
                az_u = 0.0
                a_v = 0.0
                if not math.isnan(cell_az_deg[c0]):
                    az_u = math.degrees(math.atan2(dy, dx))
                    theta = 90.0 + math.degrees(math.atan2(dz, d2d))
                    t = (theta - 90.0 - ant[5]) / ant[1]
                    a_v = -min(12.0 * t * t, ant[3])
                for c in range(c0, c1):
                    g = base
                    if not math.isnan(cell_az_deg[c]):
                        phi = az_u - cell_az_deg[c]
                        while phi < -180.0:
                            phi += 360.0
                        while phi >= 180.0:
                            phi -= 360.0
                        a_h = -min(12.0 * (phi / ant[0]) ** 2, ant[2])
                        g += ant[4] - min(-(a_v + a_h), ant[2])
                    if nfill < k:
                        j = nfill
                        nfill += 1
                    elif g > bg_[k - 1]:
                        bg += math.exp(bg_[k - 1] * _LN10_10)
                        j = k - 1
                    else:
                        bg += math.exp(g * _LN10_10)
                        continue
                    while j > 0 and bg_[j - 1] < g:
                        bg_[j] = bg_[j - 1]
                        bc[j] = bc[j - 1]
                        bl[j] = bl[j - 1]
                        bd[j] = bd[j - 1]
                        j -= 1
                    bg_[j] = g
                    bc[j] = c
                    bl[j] = los
                    bd[j] = d3d
            for j in range(k):
                out_cell[u, j] = bc[j]
                out_gain[u, j] = bg_[j]
                out_los[u, j] = bl[j]
                out_d3d[u, j] = bd[j]
            out_bg[u] = bg
