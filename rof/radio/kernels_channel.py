"""One link's large-scale channel in numba: the scalar twins of the NumPy models.

Each function here computes, for one (UT, site) link, what a vectorised NumPy
function computes for many: :func:`los_probability` is
:func:`rof.radio.los.los_probability_38901`, :func:`pathloss` is
:func:`rof.radio.pathloss.pathloss_38901` (distances below the minimum clamped,
beyond the maximum extrapolated), both reading the scenario's
:class:`~rof.radio.tr38901.model.Formulas`; :func:`link_uniform` is the
counter-based uniform that draws each link's LOS state, with its NumPy reference
:func:`link_uniform_np`. The link-table kernel (:mod:`rof.radio.kernels_linktable`)
calls them; the tests compare them through
:func:`rof.radio.linktable_reference.link_table_reference`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from rof.radio.tr38901.model import LOS_EXPONENTIAL, LOS_STREET, PL_RMA

__all__ = ["link_uniform", "link_uniform_np", "los_probability", "pathloss"]

_C = 3.0e8  # TR 38.901 Table 7.4.1-1 note 1
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
def los_probability(f, d, h_ut, inh_open):  # pragma: no cover - jit
    """TR 38.901 Table 7.4.2-1 for one link (see rof.radio.los)."""
    if f.los_form == LOS_EXPONENTIAL:
        return 1.0 if d <= f.los_d1_m else math.exp(-(d - f.los_d1_m) / f.los_d2_m)
    if f.los_form == LOS_STREET:
        d1 = f.los_d1_m
        if d <= d1:
            return 1.0
        # exp(-d/d2) is skipped where below exp(-40) = 4e-18 (the probability then
        # differs from Table 7.4.2-1 by < 4e-18, far below one ulp of the uniform it
        # is compared with)
        e = math.exp(-d / f.los_d2_m) if d < 40.0 * f.los_d2_m else 0.0
        base = d1 / d + e * (1.0 - d1 / d)
        if not f.los_h_ut_factor:
            return base
        c = 0.0 if h_ut <= 13.0 else ((h_ut - 13.0) / 10.0) ** 1.5
        p = base * (1.0 + c * 1.25 * (d / 100.0) ** 3 * math.exp(-d / 150.0))
        return min(p, 1.0)
    # InH office
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


@numba.njit(cache=True, error_model="numpy")
def _rma_pl1(d, fc, h):  # pragma: no cover - jit
    return (
        20.0 * math.log10(40.0 * math.pi * d * fc / 3.0)
        + min(0.03 * h**1.72, 10.0) * math.log10(d)
        - min(0.044 * h**1.72, 14.77)
        + 0.002 * math.log10(h) * d
    )


@numba.njit(cache=True, error_model="numpy")
def _uma_effective_height(d2d, h_ut):  # pragma: no cover - jit
    """Expected h_E of TR 38.901 Table 7.4.1-1 note 1 (rof.radio.pathloss)."""
    g = 1.25 * (d2d / 100.0) ** 3 * math.exp(-d2d / 150.0) if d2d > 18.0 else 0.0
    c = ((min(h_ut, 23.0) - 13.0) / 10.0) ** 1.5 * g if h_ut >= 13.0 else 0.0
    n = max(math.floor((h_ut - 1.5 - 12.0) / 3.0), 0.0) + 1.0
    return (1.0 + c * 0.5 * (12.0 + 12.0 + 3.0 * (n - 1.0))) / (1.0 + c)


@numba.njit(cache=True, error_model="numpy")
def _uma_effective_height_draw(d2d, h_ut, u):  # pragma: no cover - jit
    """h_E of Table 7.4.1-1 note 1 from one uniform (rof.radio.pathloss twin:
    uma_effective_height_from_uniform_m)."""
    g = 1.25 * (d2d / 100.0) ** 3 * math.exp(-d2d / 150.0) if d2d > 18.0 else 0.0
    c = ((min(h_ut, 23.0) - 13.0) / 10.0) ** 1.5 * g if h_ut >= 13.0 else 0.0
    p1 = 1.0 / (1.0 + c)
    if u < p1:
        return 1.0
    n = max(math.floor((h_ut - 1.5 - 12.0) / 3.0), 0.0) + 1.0
    k = min(math.floor((u - p1) / max(1.0 - p1, 1e-300) * n), n - 1.0)
    return 12.0 + 3.0 * max(k, 0.0)


@numba.njit(cache=True, error_model="numpy")
def _rma(d2d, d3d, fc, lf, lg, h_bs, h_ut, los, h, w):  # pragma: no cover - jit
    """RMa path loss (dB) and after-breakpoint flag of one link."""
    dbp = 2.0 * math.pi * h_bs * h_ut * fc * 1e9 / _C
    after = False
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


# inlined: the call with two NamedTuples cost 10 % of the link table (measured)
@numba.njit(cache=True, error_model="numpy", inline="always")
def pathloss(f, prop, d2d, d3d, lf, h_bs, h_ut, los, bpc, u_he=-1.0):  # pragma: no cover - jit
    """Path loss (dB) and after-breakpoint flag of one link (see rof.radio.pathloss).

    ``bpc`` (4 floats) caches log10(d'BP^2 + (h_BS - h_UT)^2) for the last
    (h_BS, h_UT, h_E), which repeats across the sites of one UT. ``u_he`` in [0, 1)
    draws UMa's h_E of the link (:func:`_uma_effective_height_draw`); negative takes
    its expected value.
    """
    fc = prop.fc_ghz
    d_min = prop.d_min_m
    if prop.d_min_3d:
        if d3d < d_min:
            dv2 = max(d3d * d3d - d2d * d2d, 0.0)
            d3d = d_min
            d2d = math.sqrt(max(d3d * d3d - dv2, 0.0))
    elif d2d < d_min:
        dv2 = max(d3d * d3d - d2d * d2d, 0.0)
        d2d = d_min
        d3d = math.sqrt(d2d * d2d + dv2)
    lg = math.log10(d3d)
    if f.pathloss_form == PL_RMA:
        return _rma(
            d2d, d3d, fc, lf, lg, h_bs, h_ut, los, prop.building_height_m, prop.street_width_m
        )
    after = False
    if f.breakpoint:
        if not f.h_e_uma:
            h_e = f.h_e_m
        elif u_he >= 0.0:
            h_e = _uma_effective_height_draw(d2d, h_ut, u_he)
        else:
            h_e = _uma_effective_height(d2d, h_ut)
        dbp = 4.0 * max(h_bs - h_e, 0.0) * max(h_ut - h_e, 0.0) * fc * 1e9 / _C
        if d2d <= dbp:
            pl_los = f.los_a + f.los_b * lg + f.los_c * lf
        else:
            after = True
            if bpc[0] != h_bs or bpc[1] != h_ut or bpc[2] != h_e:
                bpc[0], bpc[1], bpc[2] = h_bs, h_ut, h_e
                bpc[3] = math.log10(max(dbp * dbp + (h_bs - h_ut) ** 2, 1e-12))
            pl_los = f.los_a + 40.0 * lg + f.los_c * lf - f.bp_coef * bpc[3]
    else:
        pl_los = f.los_a + f.los_b * lg + f.los_c * lf
    if los:
        return pl_los, after
    pl_n = f.nlos_a + f.nlos_b * lg + f.nlos_c * lf - f.nlos_e * (h_ut - 1.5)
    return max(pl_los, pl_n), after
