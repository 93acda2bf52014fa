"""Numba kernels of the TR 38.901 section 7.5 channel coefficients (step 11).

Two kernels share the work of eq. 7.5-22/7.5-28 (NLOS) and 7.5-29/7.5-30 (LOS):

* :func:`ray_terms_kernel` (once per drop) evaluates, for every ray of every link,
  the time-invariant part of the ray's coefficient,

  .. math:: c_{m,a} = F_{rx,a}^T(\\theta_{ZOA}, \\phi_{AOA})
            \\begin{bmatrix} e^{j\\Phi^{\\theta\\theta}} & \\sqrt{\\kappa^{-1}}
            e^{j\\Phi^{\\theta\\phi}} \\\\ \\sqrt{\\kappa^{-1}} e^{j\\Phi^{\\phi\\theta}}
            & e^{j\\Phi^{\\phi\\phi}} \\end{bmatrix} F_{tx}(\\theta_{ZOD}, \\phi_{AOD})
            \\, e^{j 2\\pi \\hat r_{rx} \\cdot \\bar d_{rx,a} / \\lambda}

  (the BS element field ``F_tx`` of TR 38.901 Table 7.3-1 and eq. 7.3-4, model 2,
  which is the same for every element of the panel), the per-column and per-row
  phase steps ``exp(j psi_h)``, ``exp(j psi_v)`` of the BS panel,
  ``psi_h = 2 pi d_H sin(theta) sin(phi')`` and ``psi_v = 2 pi d_V cos(theta)``
  (the location term ``exp(j 2 pi r_tx . d_tx / lambda)`` of element (row i,
  column n) is ``exp(j (n psi_h + i psi_v))``), and the angular Doppler
  ``omega = 2 pi r_rx . v / lambda``;
* :func:`response_kernel` (per TTI) sums the rays of each (sub-)cluster tap with
  their Doppler phases ``exp(j omega t)`` and the panel phases into per-element tap
  coefficients, adds the LOS ray, and sums the taps into the frequency response
  ``H(f) = sum_taps h_tap exp(-j 2 pi f tau_tap)`` at each RB centre.

Their plain-NumPy twin, written from the equations with the panel's own
:meth:`~rof.radio.arrays.PanelArray.field_response`, is
:func:`rof.radio.spatial.model.response_reference`; the tests compare the two.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np
from numba import prange

__all__ = [
    "ArrayVec",
    "LosTerms",
    "RayInputs",
    "RayTerms",
    "Taps",
    "array_vec",
    "ray_terms_kernel",
    "response_kernel",
]

_TWO_PI = 2.0 * math.pi


class ArrayVec(NamedTuple):
    """An antenna (panel of Table 7.3-1 elements, or omni) as numbers for the kernels."""

    omni: bool
    phi_3db: float
    theta_3db: float
    a_max: float
    sla_v: float
    g_max: float
    downtilt: float
    rows: int
    cols: int
    d_v: float
    d_h: float
    cos_slant: float
    sin_slant: float


def array_vec(arr) -> ArrayVec:
    """:class:`ArrayVec` of a :class:`~rof.radio.arrays.PanelArray` (``None``: omni,
    an isotropic vertically polarised single element)."""
    if arr is None:
        return ArrayVec(True, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1, 1, 0.5, 0.5, 1.0, 0.0)
    e = arr.element
    z = math.radians(arr.slant_deg)
    return ArrayVec(
        False,
        float(e.phi_3db_deg),
        float(e.theta_3db_deg),
        float(e.a_max_db),
        float(e.sla_v_db),
        float(e.g_max_dbi),
        float(e.downtilt_deg),
        int(arr.rows),
        int(arr.cols),
        float(arr.spacing_wavelengths),
        float(arr.col_spacing_wavelengths),
        math.cos(z),
        math.sin(z),
    )


class RayInputs(NamedTuple):
    """Rays of L links (R = N M rays a link, cluster-major), angles in deg."""

    aoa: np.ndarray  # (L, R)
    aod: np.ndarray
    zoa: np.ndarray
    zod: np.ndarray
    xpr: np.ndarray  # (L, R) linear kappa
    phase: np.ndarray  # (L, R, 4) rad
    cell_az: np.ndarray  # (L,) BS panel bearing, deg
    ue_bearing: np.ndarray  # (L,) UE panel bearing, deg
    velocity: np.ndarray  # (L, 3) m/s
    inv_wavelength: float  # 1/m


class RayTerms(NamedTuple):
    """Time-invariant ray terms (output of :func:`ray_terms_kernel`)."""

    coef: np.ndarray  # (L, R, A) complex128
    step_h: np.ndarray  # (L, R) complex128, exp(j psi_h)
    step_v: np.ndarray  # (L, R) complex128, exp(j psi_v)
    omega: np.ndarray  # (L, R) rad/s


class Taps(NamedTuple):
    """(Sub-)cluster taps: the rays ``base + order[j0:j1]`` of the link, their delay
    and amplitude (``order`` lists a cluster's rays sub-cluster by sub-cluster)."""

    delay: np.ndarray  # (L, T) s
    amp: np.ndarray  # (L, T) sqrt(P_n / M) * path amplitude (0: unused)
    base: np.ndarray  # (L, T) int64, first ray of the cluster (n M)
    j0: np.ndarray  # (L, T) int64
    j1: np.ndarray  # (L, T) int64
    order: np.ndarray  # (M,) int64


class LosTerms(NamedTuple):
    """The LOS ray of each link (``on`` False on NLOS links), delay 0."""

    on: np.ndarray  # (L,) bool
    coef: np.ndarray  # (L, A) complex128, incl. sqrt(K/(K+1)), exp(-j 2 pi d3D/lambda)
    step_h: np.ndarray  # (L,) complex128
    step_v: np.ndarray  # (L,) complex128
    omega: np.ndarray  # (L,)


_LN10_20 = math.log(10.0) / 20.0


@numba.njit(cache=True, inline="always")
def _element_field(av, theta_deg, phi_deg):
    """(F_theta, F_phi) of one Table 7.3-1 element (eq. 7.3-4, model 2), LCS deg."""
    if av.omni:
        return 1.0, 0.0
    phi = (phi_deg + 180.0) % 360.0 - 180.0
    t = (theta_deg - 90.0 - av.downtilt) / av.theta_3db
    a_v = -min(12.0 * t * t, av.sla_v)
    a_h = -min(12.0 * (phi / av.phi_3db) ** 2, av.a_max)
    g_db = av.g_max - min(-(a_v + a_h), av.a_max)
    amp = math.exp(g_db * _LN10_20)
    return amp * av.cos_slant, amp * av.sin_slant


@numba.njit(cache=True, inline="always")
def _cis(x):
    return complex(math.cos(x), math.sin(x))


@numba.njit(cache=True, parallel=True, fastmath=True)
def ray_terms_kernel(rays, bs, ue, coef, step_h, step_v, omega):
    """Fill the :class:`RayTerms` arrays ``coef``, ``step_h``, ``step_v``, ``omega``.

    Parameters
    ----------
    rays : RayInputs
    bs, ue : ArrayVec
        BS panel and UE antenna (``ue.omni``: isotropic, vertical, one element).
    coef, step_h, step_v : complex128 (L, R, A), (L, R), (L, R); omega : float64 (L, R)
        Outputs.
    """
    n_l, n_r = rays.aoa.shape
    n_a = coef.shape[2]
    inv_lam = rays.inv_wavelength
    deg = math.pi / 180.0
    for l in prange(n_l):
        vx, vy, vz = rays.velocity[l, 0], rays.velocity[l, 1], rays.velocity[l, 2]
        for r in range(n_r):
            phi_t = rays.aod[l, r] - rays.cell_az[l]
            phi_r = rays.aoa[l, r] - rays.ue_bearing[l]
            tt, tp = _element_field(bs, rays.zod[l, r], phi_t)
            rt, rp = _element_field(ue, rays.zoa[l, r], phi_r)
            k = 1.0 / math.sqrt(rays.xpr[l, r])
            # F_rx^T [[e_tt, k e_tp], [k e_pt, e_pp]] F_tx (eq. 7.5-28)
            c0 = rt * tt * _cis(rays.phase[l, r, 0])
            if tp != 0.0:
                c0 += rt * k * tp * _cis(rays.phase[l, r, 1])
            if rp != 0.0:
                c0 += rp * (k * _cis(rays.phase[l, r, 2]) * tt + _cis(rays.phase[l, r, 3]) * tp)
            th_r = rays.zoa[l, r] * deg
            st_r, ct_r = math.sin(th_r), math.cos(th_r)
            if n_a == 1 and ue.omni:
                coef[l, r, 0] = c0
            else:  # UE location phases, eq. 7.5-22's exp(j 2 pi r_rx . d_rx / lambda)
                ue_h = _TWO_PI * ue.d_h * st_r * math.sin(phi_r * deg)
                ue_v = _TWO_PI * ue.d_v * ct_r
                for a in range(n_a):
                    i_row = a // ue.cols
                    coef[l, r, a] = c0 * _cis((a - i_row * ue.cols) * ue_h + i_row * ue_v)
            th_t = rays.zod[l, r] * deg
            step_h[l, r] = _cis(_TWO_PI * bs.d_h * math.sin(th_t) * math.sin(phi_t * deg))
            step_v[l, r] = _cis(_TWO_PI * bs.d_v * math.cos(th_t))
            # Doppler, eq. 7.5-22's exp(j 2 pi r_rx . v t / lambda), GCS
            ph_r = rays.aoa[l, r] * deg
            dot = st_r * (math.cos(ph_r) * vx + math.sin(ph_r) * vy) + ct_r * vz
            omega[l, r] = _TWO_PI * dot * inv_lam


@numba.njit(cache=True, parallel=True, fastmath=True)
def response_kernel(terms, taps, los, rows, cols, f0_hz, df_hz, t_s, out):
    """Per-element frequency responses of L links at time ``t_s`` into ``out``.

    Parameters
    ----------
    terms : RayTerms
    taps : Taps
    los : LosTerms
    rows, cols : int
        BS panel size (element index ``i * cols + n``).
    f0_hz, df_hz : float
        Frequency of the first RB centre relative to the carrier, and the RB spacing.
    t_s : float
        Time, s.
    out : complex64 (L, B, A, F)
        Output ``H[l, b, a, f]``, overwritten.
    """
    n_l, n_b, n_a, n_f = out.shape
    n_t = taps.delay.shape[1]
    n_p = n_b * n_a
    for l in prange(n_l):
        # active taps (plus the LOS ray as the last one)
        act = np.empty(n_t + 1, np.int64)
        n_act = 0
        for it in range(n_t):
            if taps.amp[l, it] != 0.0:
                act[n_act] = it
                n_act += 1
        if los.on[l]:
            act[n_act] = n_t
            n_act += 1
        acc_r = np.zeros((n_act, n_p), np.float32)
        acc_i = np.zeros((n_act, n_p), np.float32)
        rot_r = np.empty((n_act, n_f), np.float32)
        rot_i = np.empty((n_act, n_f), np.float32)
        col = np.empty(cols, np.complex128)
        row = np.empty(rows, np.complex128)
        hr = np.empty(n_b, np.float32)
        hi = np.empty(n_b, np.float32)
        for j in range(n_act):
            it = act[j]
            if it < n_t:
                amp, delay = taps.amp[l, it], taps.delay[l, it]
                base, j0, j1 = taps.base[l, it], taps.j0[l, it], taps.j1[l, it]
            else:
                amp, delay, base, j0, j1 = 1.0, 0.0, 0, 0, 1
            for jr in range(j0, j1):
                r = base + taps.order[jr]
                if it < n_t:
                    dop = _cis(terms.omega[l, r] * t_s)
                    step_h, step_v = terms.step_h[l, r], terms.step_v[l, r]
                else:
                    dop = _cis(los.omega[l] * t_s)
                    step_h, step_v = los.step_h[l], los.step_v[l]
                # panel phases exp(j (n psi_h + i psi_v)) = col[n] row[i]
                p = 1.0 + 0.0j
                for n in range(cols):
                    col[n] = p
                    p *= step_h
                p = 1.0 + 0.0j
                for i in range(rows):
                    row[i] = p
                    p *= step_v
                for i in range(rows):
                    for n in range(cols):
                        z = row[i] * col[n]
                        hr[i * cols + n] = z.real
                        hi[i * cols + n] = z.imag
                for a in range(n_a):
                    c = (terms.coef[l, r, a] if it < n_t else los.coef[l, a]) * dop
                    cr = np.float32(c.real)
                    ci = np.float32(c.imag)
                    for b in range(n_b):
                        acc_r[j, b * n_a + a] += cr * hr[b] - ci * hi[b]
                        acc_i[j, b * n_a + a] += cr * hi[b] + ci * hr[b]
            # tap -> RB centres: amp exp(-j 2 pi (f0 + i df) tau)
            p = amp * _cis(-_TWO_PI * f0_hz * delay)
            s = _cis(-_TWO_PI * df_hz * delay)
            for f in range(n_f):
                rot_r[j, f] = p.real
                rot_i[j, f] = p.imag
                p *= s
        res_r = np.zeros(n_f, np.float32)
        res_i = np.zeros(n_f, np.float32)
        for q in range(n_p):
            res_r[:] = 0.0
            res_i[:] = 0.0
            for j in range(n_act):
                ar = acc_r[j, q]
                ai = acc_i[j, q]
                for f in range(n_f):
                    res_r[f] += ar * rot_r[j, f] - ai * rot_i[j, f]
                    res_i[f] += ar * rot_i[j, f] + ai * rot_r[j, f]
            b = q // n_a
            a = q - b * n_a
            for f in range(n_f):
                out[l, b, a, f] = complex(res_r[f], res_i[f])
