"""Numba kernel of the link table: streams over UTs, keeps a running top-K per UT.

The kernel computes each link with the scalar functions of
:mod:`rof.radio.kernels_channel` (path loss, LOS) and inline antenna and shadowing
reads, the twins of :mod:`rof.radio.pathloss`, :mod:`rof.radio.los`,
:mod:`rof.radio.antenna` and :mod:`rof.radio.shadowing`;
:func:`rof.radio.linktable_reference.link_table_reference` builds the same table
densely from those NumPy functions and the tests compare the two. Both read the
scenario's :class:`~rof.radio.tr38901.model.Formulas`; the kernel's other inputs
come grouped in the NamedTuples :class:`UeArrays`, :class:`SiteArrays`,
:class:`Wrap`, :class:`Propagation`, :class:`ShadowingArrays` and :class:`Outputs`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np
from numba import prange

from rof.radio.kernels_channel import link_uniform, los_probability, pathloss
from rof.radio.shadowing import sample_one

__all__ = [
    "Outputs",
    "Propagation",
    "ShadowingArrays",
    "SiteArrays",
    "UeArrays",
    "Wrap",
    "link_table_kernel",
]


class UeArrays(NamedTuple):
    """Per-UT inputs: visiting order, position (n, 2) m, height m, O2I loss dB,
    indoor distance d_2D-in m, O2I shadowing state (bool)."""

    order: np.ndarray
    xy_m: np.ndarray
    height_m: np.ndarray
    o2i_db: np.ndarray
    d_in_m: np.ndarray
    o2i_state: np.ndarray


class SiteArrays(NamedTuple):
    """Per-site inputs: position (n, 2) m, height m, CSR pointer to its cells and the
    cells' boresight azimuths, deg (NaN for omni)."""

    xy_m: np.ndarray
    height_m: np.ndarray
    cell_ptr: np.ndarray
    cell_az_deg: np.ndarray


class Wrap(NamedTuple):
    """Wrap-around copies: ``shifts`` (n_img, 2) m with the zero shift first,
    ``r_safe2`` the squared half-length of the shortest other shift (m^2) and
    ``torus_side`` (m) > 0 for a square torus (per-axis nearest image)."""

    shifts: np.ndarray
    r_safe2: float
    torus_side: float


class Propagation(NamedTuple):
    """The large-scale model besides a TR 38.901 scenario's formulas.

    ``power_law`` selects ``PL = pl_ref_db + 10 pl_exponent log10(d / pl_d0_m)``
    instead of the scenario; ``d_min_m`` and ``d_min_3d`` are the scenario's minimum
    distance (Table 7.4.1-1); ``building_height_m`` and ``street_width_m`` RMa's h
    and W; ``inh_open`` the InH open-office variant; ``h_e_random`` draws UMa's
    effective environment height per link (Table 7.4.1-1 note 1) from
    ``link_uniform(h_e_seed, u, s)`` instead of taking its expected value.
    """

    power_law: bool
    fc_ghz: float
    d_min_m: float
    d_min_3d: bool
    building_height_m: float
    street_width_m: float
    inh_open: bool
    pl_ref_db: float
    pl_exponent: float
    pl_d0_m: float
    h_e_random: bool = False
    h_e_seed: int = 0


class ShadowingArrays(NamedTuple):
    """Shadowing maps as the kernel reads them (:class:`rof.radio.shadowing.ShadowingMaps`):
    ``on``; ``sigma_db`` (LOS, LOS after breakpoint, NLOS); int16 fields per state;
    grid spacing per state, m; map index and offset (grid cells) per site."""

    on: bool
    sigma_db: np.ndarray
    f_los: np.ndarray
    f_nlos: np.ndarray
    f_o2i: np.ndarray
    spacing_m: np.ndarray
    map_index: np.ndarray
    offset: np.ndarray


class Outputs(NamedTuple):
    """Filled in place: ``cell``, ``gain`` (dB), ``los``, ``d3d`` (m), each (n_ue, k),
    and ``background`` (n_ue,), the summed linear gain of the cells not kept."""

    cell: np.ndarray
    gain: np.ndarray
    los: np.ndarray
    d3d: np.ndarray
    background: np.ndarray


_LN10_10 = math.log(10.0) / 10.0
_CHUNK = 64
_TWO_PI = 2.0 * math.pi


@numba.njit(cache=True, inline="always", error_model="numpy")
def _af_power(psi, k):  # pragma: no cover - jit
    """sin^2(k psi / 2) / sin^2(psi / 2), k^2 at multiples of 2 pi (rof.radio.arrays)."""
    s = math.sin(0.5 * psi)
    if abs(s) < 1e-9:
        return float(k * k)
    r = math.sin(0.5 * k * psi) / s
    return r * r


@numba.njit(cache=True, parallel=True, error_model="numpy")
def link_table_kernel(ue, site, wrap, f, prop, shadow, ant, seed, k, out):  # pragma: no cover - jit
    """Top-K cells per UT by large-scale gain, plus the background sum.

    ``f`` are the TR 38.901 scenario's :class:`~rof.radio.tr38901.model.Formulas`
    (unread for the power law): an argument of its own, as numba's parallel loops
    take NamedTuple arguments but not NamedTuples read from another one. The arrays
    are unpacked before the parallel loop, which then sees plain arrays.

    Gain of cell c at site s for UT u (dB): ``G_ant(c) - PL(s, u) - sigma X_s(u) -
    O2I(u)``; LOS state ``link_uniform(seed, u, s) < P_LOS``. ``shadow.sigma_db``
    holds (LOS, LOS after breakpoint, NLOS) shadowing stds in dB; ``ant`` holds
    (phi_3dB, theta_3dB, A_max, SLA_V, G_max, downtilt) in deg/dB, then the panel's
    rows M, columns N, spacings d_V, d_H (wavelengths) and cos(theta_tilt)
    (:func:`rof.radio.arrays.antenna_vector`; a 1 x 1 panel is the bare element). Outputs are filled
    in place: ``out.*[u, :k]`` sorted by descending gain and ``out.background[u]`` =
    sum of linear gains of all other cells. UTs are visited in the order
    ``ue.order`` (a spatial sort keeps the shadowing-map reads in cache);
    ``wrap.shifts[0]`` must be the zero shift and ``wrap.r_safe2`` the squared
    half-length of the shortest other shift (a site nearer than that is its own
    nearest copy); ``wrap.torus_side > 0`` replaces the copies by the per-axis
    nearest image of a square torus of that side.
    """
    order, ue_xy, ue_h, ue_o2i_db, ue_d_in, ue_o2i_state = ue
    site_xy, site_h, site_cell_ptr, cell_az_deg = site
    shifts, r_safe2, torus_side = wrap
    shadow_on, sigma, f_los, f_nlos, f_o2i, spacing, map_index, offset = shadow
    out_cell, out_gain, out_los, out_d3d, out_bg = out
    n_ue = ue_xy.shape[0]
    n_sites = site_xy.shape[0]
    n_img = shifts.shape[0]
    n_chunks = (n_ue + _CHUNK - 1) // _CHUNK
    lf = math.log10(prop.fc_ghz)
    power_law, inh_open = prop.power_law, prop.inh_open
    pl_ref_db, pl_exponent, pl_d0_m = prop.pl_ref_db, prop.pl_exponent, prop.pl_d0_m
    inv_side = 1.0 / torus_side if torus_side > 0.0 else 0.0
    n_rows = int(ant[6])
    n_cols = int(ant[7])
    array = n_rows > 1 or n_cols > 1
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
                if shadow_on:
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
                if power_law:
                    pl = pl_ref_db + 10.0 * pl_exponent * math.log10(max(d3d, 0.01) / pl_d0_m)
                    after = False
                else:
                    p = los_probability(f, max(d2d - ue_d_in[u], 0.0), hu, inh_open)
                    los = link_uniform(seed, u, s) < p
                    u_he = link_uniform(prop.h_e_seed, u, s) if prop.h_e_random else -1.0
                    pl, after = pathloss(f, prop, d2d, d3d, lf, site_h[s], hu, los, bpc, u_he)
                base = -pl - ue_o2i_db[u]
                if shadow_on:
                    sig = sigma[2]
                    if los:
                        sig = sigma[1] if after else sigma[0]
                    base -= sig * (sz0[s] if (o2i or los) else sz1[s])
                c0 = site_cell_ptr[s]
                c1 = site_cell_ptr[s + 1]
                az_u = 0.0
                a_v = 0.0
                af_v = 1.0
                sin_th = 1.0
                if not math.isnan(cell_az_deg[c0]):
                    az_u = math.degrees(math.atan2(dy, dx))
                    theta = 90.0 + math.degrees(math.atan2(dz, d2d))
                    t = (theta - 90.0 - ant[5]) / ant[1]
                    a_v = -min(12.0 * t * t, ant[3])
                    if n_rows > 1:  # vertical array factor toward the zenith angle
                        cos_th = -dz / max(d3d, 1e-9)
                        af_v = _af_power(_TWO_PI * ant[8] * (cos_th - ant[10]), n_rows)
                        af_v /= n_rows
                    sin_th = d2d / max(d3d, 1e-9)
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
                        if array:
                            af = af_v
                            if n_cols > 1:
                                psi_h = _TWO_PI * ant[9] * sin_th * math.sin(math.radians(phi))
                                af *= _af_power(psi_h, n_cols) / n_cols
                            g += 10.0 * math.log10(max(af, 1e-30))
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
