"""Step 11 of TR 38.901 section 7.5: channel coefficients and frequency responses.

For link (u, s) the NLOS coefficient of cluster n is (TR 38.901 V17.1.0 eq. 7.5-22)

.. math:: H_{u,s,n}(t) = \\sqrt{P_n/M} \\sum_{m=1}^{M} F_{rx,u}^T
          \\begin{bmatrix} e^{j\\Phi^{\\theta\\theta}_{n,m}} &
          \\sqrt{\\kappa_{n,m}^{-1}} e^{j\\Phi^{\\theta\\phi}_{n,m}} \\\\
          \\sqrt{\\kappa_{n,m}^{-1}} e^{j\\Phi^{\\phi\\theta}_{n,m}} &
          e^{j\\Phi^{\\phi\\phi}_{n,m}} \\end{bmatrix} F_{tx,s}
          e^{j2\\pi \\hat r_{rx,n,m}^T \\bar d_{rx,u}/\\lambda_0}
          e^{j2\\pi \\hat r_{tx,n,m}^T \\bar d_{tx,s}/\\lambda_0}
          e^{j2\\pi \\hat r_{rx,n,m}^T \\bar v\\, t/\\lambda_0}

where the two strongest clusters are split into three sub-clusters of rays
R_1 = {1..8, 19, 20}, R_2 = {9..12, 17, 18}, R_3 = {13..16} at delays
``tau_n + {0, 1.28, 2.56} c_DS`` (eq. 7.5-28). On LOS links (eq. 7.5-29/7.5-30)

.. math:: H = \\sqrt{\\frac{1}{K_R+1}} H^{NLOS} + \\sqrt{\\frac{K_R}{K_R+1}}
          F_{rx}^T(\\theta_{LOS,ZOA}, \\phi_{LOS,AOA})
          \\begin{bmatrix}1 & 0\\\\ 0 & -1\\end{bmatrix}
          F_{tx}(\\theta_{LOS,ZOD}, \\phi_{LOS,AOD}) e^{-j2\\pi d_{3D}/\\lambda_0}
          e^{j2\\pi \\hat r_{rx,LOS}^T \\bar d_{rx}/\\lambda_0}
          e^{j2\\pi \\hat r_{tx,LOS}^T \\bar d_{tx}/\\lambda_0}
          e^{j2\\pi \\hat r_{rx,LOS}^T \\bar v\\, t/\\lambda_0}

added at the first cluster's delay (0). The frequency response at offset f from the
carrier is ``H(f) = sum_taps H_tap exp(-j 2 pi f tau_tap)`` (the Fourier transform of
eq. 7.5-27's tapped delay line), times the link's path amplitude.

The panels are rotated about the vertical by their bearing only (no mechanical
tilt), so LCS and GCS field components coincide (TR 38.901 eq. 7.1-11 with
beta = gamma = 0) and the LCS azimuth is ``phi - bearing``.

:func:`response_reference` evaluates these equations in plain NumPy, with the BS
panel's own :meth:`~rof.radio.arrays.PanelArray.field_response`;
:func:`kernel_inputs` and :func:`response` do the same with the numba kernels of
:mod:`rof.radio.spatial.kernels`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rof.radio.spatial.clusters import SUBCLUSTER_DELAYS, SUBCLUSTER_RAYS, Clusters
from rof.radio.spatial.kernels import (
    LosTerms,
    RayInputs,
    RayTerms,
    Taps,
    array_vec,
    ray_terms_kernel,
    response_kernel,
)

__all__ = [
    "KernelInputs",
    "LinkGeometry",
    "kernel_inputs",
    "rb_frequencies_hz",
    "response",
    "response_reference",
    "subcluster_order",
]


class LinkGeometry(NamedTuple):
    """Per-link quantities step 11 needs besides the rays (L links).

    Attributes
    ----------
    los_aoa_deg, los_aod_deg, los_zoa_deg, los_zod_deg : (L,)
        LOS directions (GCS), deg.
    d3d_m : (L,)
        3-D distance, m (LOS phase ``exp(-j 2 pi d3D / lambda)``).
    cell_az_deg : (L,)
        Bearing of the BS panel (sector boresight), deg.
    ue_bearing_deg : (L,)
        Bearing of the UE antenna, deg.
    velocity_mps : (L, 3)
        UE velocity (GCS), m/s.
    path_gain : (L,)
        Linear path gain (path loss, shadowing, O2I), multiplies the power.
    """

    los_aoa_deg: np.ndarray
    los_aod_deg: np.ndarray
    los_zoa_deg: np.ndarray
    los_zod_deg: np.ndarray
    d3d_m: np.ndarray
    cell_az_deg: np.ndarray
    ue_bearing_deg: np.ndarray
    velocity_mps: np.ndarray
    path_gain: np.ndarray


def rb_frequencies_hz(n_rb: int, subcarrier_spacing_hz: float) -> np.ndarray:
    """RB centre frequencies relative to the carrier, ``(i - (n_rb - 1)/2) 12 SCS``."""
    return (np.arange(n_rb) - (n_rb - 1) / 2.0) * 12.0 * subcarrier_spacing_hz


def _unit(theta_deg, phi_deg):
    th, ph = np.radians(theta_deg), np.radians(phi_deg)
    return np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=-1)


def _fields(arr, phi_lcs, theta):
    """(F_theta, F_phi) per element (..., E); ``None`` is an isotropic vertical omni."""
    if arr is None:
        one = np.ones((*np.shape(phi_lcs), 1), complex)
        return one, np.zeros_like(one)
    return arr.field_response(phi_lcs, theta)


def response_reference(
    cl: Clusters,
    geo: LinkGeometry,
    bs,
    ue,
    wavelength_m: float,
    freqs_hz,
    t_s: float = 0.0,
    subclusters: bool = True,
) -> np.ndarray:
    """Eq. 7.5-22/7.5-28/7.5-29/7.5-30 in plain NumPy (module docstring).

    Parameters
    ----------
    cl : Clusters
        L links' clusters and rays (steps 5-10).
    geo : LinkGeometry
    bs : PanelArray
        BS panel (its elements are the ports).
    ue : PanelArray or None
        UE antenna (``None``: isotropic, vertically polarised, one element).
    wavelength_m : float
    freqs_hz : (F,) array
        Frequencies relative to the carrier, Hz.
    t_s : float
        Time, s.
    subclusters : bool
        Split the two strongest clusters (eq. 7.5-28); needs M = 20 rays.

    Returns
    -------
    complex128 ndarray, (L, B, A, F)
    """
    freqs = np.asarray(freqs_hz, float)
    n_l, n_c, n_m = cl.aoa_deg.shape
    ftt, ftp = _fields(bs, cl.aod_deg - geo.cell_az_deg[:, None, None], cl.zod_deg)
    frt, frp = _fields(ue, cl.aoa_deg - geo.ue_bearing_deg[:, None, None], cl.zoa_deg)
    kap = 1.0 / np.sqrt(cl.xpr)
    e = np.exp(1j * cl.phase)
    # (L, N, M, B) for each receive polarisation
    to_t = e[..., 0, None] * ftt + (kap * e[..., 1])[..., None] * ftp
    to_p = (kap * e[..., 2])[..., None] * ftt + e[..., 3, None] * ftp
    r_rx = _unit(cl.zoa_deg, cl.aoa_deg)
    dop = np.exp(
        2j * np.pi * np.einsum("lnmk,lk->lnm", r_rx, geo.velocity_mps) * t_s / wavelength_m
    )
    h_ray = (frt[..., None, :] * to_t[..., :, None] + frp[..., None, :] * to_p[..., :, None]) * dop[
        ..., None, None
    ]  # (L, N, M, B, A)
    n_b, n_a = h_ray.shape[3], h_ray.shape[4]
    out = np.zeros((n_l, n_b, n_a, freqs.size), complex)
    for l in range(n_l):
        k = cl.k_r[l] if cl.los[l] else 0.0
        scale = np.sqrt(geo.path_gain[l])
        nlos = scale / np.sqrt(k + 1.0)
        for n in range(n_c):
            if cl.power[l, n] <= 0.0:
                continue
            a = nlos * np.sqrt(cl.power[l, n] / n_m)
            if subclusters and n in cl.strongest[l]:
                sets = [np.array(r) - 1 for r in SUBCLUSTER_RAYS]
                delays = [cl.delay_s[l, n] + d * cl.c_ds_s[l] for d in SUBCLUSTER_DELAYS]
            else:
                sets, delays = [np.arange(n_m)], [cl.delay_s[l, n]]
            for idx, tau in zip(sets, delays, strict=True):
                h = a * h_ray[l, n, idx].sum(axis=0)
                out[l] += h[..., None] * np.exp(-2j * np.pi * freqs * tau)
        if cl.los[l]:
            a_los = scale * np.sqrt(k / (k + 1.0))
            ftt_l, ftp_l = _fields(bs, geo.los_aod_deg[l] - geo.cell_az_deg[l], geo.los_zod_deg[l])
            frt_l, frp_l = _fields(
                ue, geo.los_aoa_deg[l] - geo.ue_bearing_deg[l], geo.los_zoa_deg[l]
            )
            h = frt_l[None, :] * ftt_l[:, None] - frp_l[None, :] * ftp_l[:, None]
            r = _unit(geo.los_zoa_deg[l], geo.los_aoa_deg[l])
            ph = -geo.d3d_m[l] + (r @ geo.velocity_mps[l]) * t_s
            h = a_los * h * np.exp(2j * np.pi * ph / wavelength_m)
            out[l] += h[..., None]
    return out


def subcluster_order(n_rays: int, subclusters: bool) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """A cluster's rays sub-cluster by sub-cluster, and each sub-cluster's range in it.

    With sub-clusters (M = 20) the order is R_1, R_2, R_3 (eq. 7.5-28, 0-based), so
    each sub-cluster is a contiguous range of the order; otherwise one range of all.
    """
    if not subclusters:
        return np.arange(n_rays), [(0, n_rays)]
    order = np.concatenate([np.array(r) - 1 for r in SUBCLUSTER_RAYS])
    bounds = np.cumsum([0] + [len(r) for r in SUBCLUSTER_RAYS])
    return order, [(int(bounds[i]), int(bounds[i + 1])) for i in range(3)]


class KernelInputs(NamedTuple):
    """Everything :func:`response` needs, prepared once per drop."""

    terms: RayTerms
    taps: Taps
    los: LosTerms
    rows: int
    cols: int
    n_ue_ant: int


def kernel_inputs(
    cl: Clusters, geo: LinkGeometry, bs, ue, wavelength_m: float, subclusters: bool = True
) -> KernelInputs:
    """Flatten the rays, build the taps and run :func:`ray_terms_kernel` (per drop)."""
    n_l, n_c, n_m = cl.aoa_deg.shape
    if subclusters and n_m != len(sum(SUBCLUSTER_RAYS, ())):
        raise ValueError("sub-clusters need M = 20 rays per cluster")
    order, ranges = subcluster_order(n_m, subclusters)

    def flat(a):
        return np.ascontiguousarray(a, float).reshape(n_l, n_c * n_m)

    bv, uv = array_vec(bs), array_vec(ue)
    n_a = 1 if ue is None else ue.n_elements
    inv_lam = 1.0 / wavelength_m
    rays = RayInputs(
        flat(cl.aoa_deg),
        flat(cl.aod_deg),
        flat(cl.zoa_deg),
        flat(cl.zod_deg),
        flat(cl.xpr),
        np.ascontiguousarray(cl.phase, float).reshape(n_l, n_c * n_m, 4),
        np.ascontiguousarray(geo.cell_az_deg, float),
        np.ascontiguousarray(geo.ue_bearing_deg, float),
        np.ascontiguousarray(geo.velocity_mps, float),
        inv_lam,
    )
    n_r = n_c * n_m
    terms = RayTerms(
        np.empty((n_l, n_r, n_a), np.complex128),
        np.empty((n_l, n_r), np.complex128),
        np.empty((n_l, n_r), np.complex128),
        np.empty((n_l, n_r)),
    )
    ray_terms_kernel(rays, bv, uv, *terms)
    # taps: (cluster n, sub-cluster i) -> rays n M + [r0, r1)
    k = np.where(cl.los, cl.k_r, 0.0)
    scale = np.sqrt(geo.path_gain) / np.sqrt(k + 1.0)
    a_n = scale[:, None] * np.sqrt(cl.power / n_m)
    strong = np.zeros((n_l, n_c), bool)
    if subclusters:
        np.put_along_axis(strong, cl.strongest, True, axis=1)
    base = np.broadcast_to((np.arange(n_c) * n_m)[None, :, None], (n_l, n_c, 3))
    amp, delay = np.zeros((n_l, n_c, 3)), np.zeros((n_l, n_c, 3))
    j0, j1 = np.zeros((n_l, n_c, 3), np.int64), np.zeros((n_l, n_c, 3), np.int64)
    for i in range(3):
        lo, hi = ranges[i] if subclusters else (0, 0)
        full = (0, n_m) if i == 0 else (0, 0)  # an unsplit cluster is sub-cluster 0
        j0[:, :, i] = np.where(strong, lo, full[0])
        j1[:, :, i] = np.where(strong, hi, full[1])
        delay[:, :, i] = (
            cl.delay_s + np.where(strong, SUBCLUSTER_DELAYS[i], 0.0) * cl.c_ds_s[:, None]
        )
        amp[:, :, i] = np.where(strong | (i == 0), a_n, 0.0)
    taps = Taps(
        np.ascontiguousarray(delay.reshape(n_l, -1)),
        np.ascontiguousarray(amp.reshape(n_l, -1)),
        np.ascontiguousarray(base.reshape(n_l, -1), np.int64),
        np.ascontiguousarray(j0.reshape(n_l, -1)),
        np.ascontiguousarray(j1.reshape(n_l, -1)),
        np.ascontiguousarray(order, np.int64),
    )
    # the LOS ray through the same kernel: kappa = inf, phases (0, 0, 0, pi) give the
    # polarisation matrix [[1, 0], [0, -1]] of eq. 7.5-29
    one = np.ones((n_l, 1))
    los_rays = RayInputs(
        geo.los_aoa_deg[:, None] * one,
        geo.los_aod_deg[:, None] * one,
        geo.los_zoa_deg[:, None] * one,
        geo.los_zod_deg[:, None] * one,
        np.full((n_l, 1), np.inf),
        np.tile(np.array([0.0, 0.0, 0.0, np.pi]), (n_l, 1, 1)),
        rays.cell_az,
        rays.ue_bearing,
        rays.velocity,
        inv_lam,
    )
    lt = RayTerms(
        np.empty((n_l, 1, n_a), np.complex128),
        np.empty((n_l, 1), np.complex128),
        np.empty((n_l, 1), np.complex128),
        np.empty((n_l, 1)),
    )
    ray_terms_kernel(los_rays, bv, uv, *lt)
    a_los = np.sqrt(geo.path_gain) * np.sqrt(k / (k + 1.0))
    los_coef = lt.coef[:, 0, :] * (a_los * np.exp(-2j * np.pi * geo.d3d_m * inv_lam))[:, None]
    los = LosTerms(
        np.ascontiguousarray(cl.los & (k > 0)),
        np.ascontiguousarray(los_coef),
        np.ascontiguousarray(lt.step_h[:, 0]),
        np.ascontiguousarray(lt.step_v[:, 0]),
        np.ascontiguousarray(lt.omega[:, 0]),
    )
    return KernelInputs(terms, taps, los, bv.rows, bv.cols, n_a)


def response(
    inp: KernelInputs, n_rb: int, subcarrier_spacing_hz: float, t_s: float, out=None
) -> np.ndarray:
    """Per-element responses at the RB centres at time ``t_s`` (numba kernel).

    Returns (or fills ``out``) complex64 (L, B, A, n_rb).
    """
    n_l = inp.taps.delay.shape[0]
    shape = (n_l, inp.rows * inp.cols, inp.n_ue_ant, n_rb)
    if out is None:
        out = np.empty(shape, np.complex64)
    f0 = -(n_rb - 1) / 2.0 * 12.0 * subcarrier_spacing_hz
    response_kernel(
        inp.terms,
        inp.taps,
        inp.los,
        inp.rows,
        inp.cols,
        f0,
        12.0 * subcarrier_spacing_hz,
        float(t_s),
        out,
    )
    return out
