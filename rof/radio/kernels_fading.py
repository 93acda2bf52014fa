"""Numba kernels of the small-scale fading process, each beside its plain-NumPy reference.

The model (see :mod:`rof.radio.fading` for the derivation and sources) evaluates, for UE
``u``, link ``k`` and resource block ``b`` at time ``t``::

    x_p(t)   = sum_n g[u, k, p, n] z[u, n](t),        z[u, n](t) = exp(j w[u, n] t)
    H_b(t)   = s[u, k](t) + sum_p x_p(t) B[p, b]
    gain     = |H_b(t)|^2

with ``g`` complex Gaussian sum-of-sinusoids weights, ``B`` the frequency basis of the TDL
profile (:func:`rof.radio.tdl.frequency_basis`; one row of ones for flat fading) and
``s`` the specular (LOS) component ``a exp(j (w_los t + phi))``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["fading_gain_kernel", "fading_gain_reference"]


@numba.njit(cache=True, fastmath=True)
def fading_gain_kernel(
    z_re, z_im, g_re, g_im, b_re, b_im, los_amp, los_w, los_phi, p_lo, p_hi, t_s, out
):
    """Power gains ``|H|^2`` of every UE, link and RB at time ``t_s`` (in place into ``out``).

    Parameters
    ----------
    z_re, z_im : float32, shape (n_ue, N)
        Per-UE sinusoid phasors ``exp(j w_n t)`` at ``t_s``.
    g_re, g_im : float32, shape (n_ue, K, r, N)
        Sum-of-sinusoids weights of each independent process.
    b_re, b_im : float32, shape (r, n_rb)
        Frequency basis.
    los_amp : float32, shape (n_ue, K)
        Amplitude of the specular component (0 where none).
    los_w, los_phi : float64, shape (n_ue, K)
        Angular Doppler (rad/s) and initial phase (rad) of the specular component.
    p_lo, p_hi : int64, shape (n_ue, K)
        Each link's processes ``p_lo <= p < p_hi`` hold all its non-zero weights (a
        LOS-aware process leaves the other state's rows zero; ``0, r`` for any other).
        The rows outside have ``x_p = +0`` and add nothing, so the basis sum starts at
        the group of four rows holding ``p_lo`` and stops after the last group that
        starts below ``p_hi``: every sum it forms is formed as over all ``r`` rows.
    t_s : float
        Time (s).
    out : float32, shape (n_ue, K, n_rb)
        Output power gains.
    """
    n_ue, n_k, n_p, n_s = g_re.shape
    n_rb = b_re.shape[1]
    hr = np.empty(n_rb, dtype=np.float32)
    hi = np.empty(n_rb, dtype=np.float32)
    xr = np.empty(n_p, dtype=np.float32)
    xi = np.empty(n_p, dtype=np.float32)
    for u in range(n_ue):
        for k in range(n_k):
            # independent processes x_p = sum_n g z_n
            for p in range(n_p):
                ar = np.float32(0.0)
                ai = np.float32(0.0)
                for n in range(n_s):
                    gr = g_re[u, k, p, n]
                    gi = g_im[u, k, p, n]
                    ar += gr * z_re[u, n] - gi * z_im[u, n]
                    ai += gr * z_im[u, n] + gi * z_re[u, n]
                xr[p] = ar
                xi[p] = ai
            # specular component (delay 0: same phase on every RB)
            a = los_amp[u, k]
            s_re = np.float32(0.0)
            s_im = np.float32(0.0)
            if a != 0.0:
                ph = los_w[u, k] * t_s + los_phi[u, k]
                s_re = np.float32(a * np.cos(ph))
                s_im = np.float32(a * np.sin(ph))
            for b in range(n_rb):
                hr[b] = s_re
                hi[b] = s_im
            # H_b += sum_p x_p B[p, b], four basis rows per pass (fewer loads/stores of h)
            r0 = p_lo[u, k]
            r1 = p_hi[u, k]
            p = r0 - r0 % 4  # the group holding row r0; earlier groups are all zero
            n_full = n_p - n_p % 4
            while p + 4 <= n_p and p < r1:
                x0r, x0i, x1r, x1i = xr[p], xi[p], xr[p + 1], xi[p + 1]
                x2r, x2i, x3r, x3i = xr[p + 2], xi[p + 2], xr[p + 3], xi[p + 3]
                for b in range(n_rb):
                    hr[b] += (
                        (x0r * b_re[p, b] - x0i * b_im[p, b])
                        + (x1r * b_re[p + 1, b] - x1i * b_im[p + 1, b])
                        + (x2r * b_re[p + 2, b] - x2i * b_im[p + 2, b])
                        + (x3r * b_re[p + 3, b] - x3i * b_im[p + 3, b])
                    )
                    hi[b] += (
                        (x0r * b_im[p, b] + x0i * b_re[p, b])
                        + (x1r * b_im[p + 1, b] + x1i * b_re[p + 1, b])
                        + (x2r * b_im[p + 2, b] + x2i * b_re[p + 2, b])
                        + (x3r * b_im[p + 3, b] + x3i * b_re[p + 3, b])
                    )
                p += 4
            p = max(n_full, r0)
            while p < min(n_p, r1):
                x0r, x0i = xr[p], xi[p]
                for b in range(n_rb):
                    hr[b] += x0r * b_re[p, b] - x0i * b_im[p, b]
                    hi[b] += x0r * b_im[p, b] + x0i * b_re[p, b]
                p += 1
            for b in range(n_rb):
                out[u, k, b] = hr[b] * hr[b] + hi[b] * hi[b]
    return out


def fading_gain_reference(z, g, basis, los_amp, los_w, los_phi, t_s):
    """Plain-NumPy reference of :func:`fading_gain_kernel` (complex arrays, float64).

    Parameters
    ----------
    z : complex, shape (n_ue, N)
    g : complex, shape (n_ue, K, r, N)
    basis : complex, shape (r, n_rb)
    los_amp, los_w, los_phi : shape (n_ue, K)
    t_s : float

    Returns
    -------
    ndarray, float64, shape (n_ue, K, n_rb)
    """
    x = np.einsum("ukpn,un->ukp", g, z)
    s = los_amp * np.exp(1j * (los_w * t_s + los_phi))
    h = s[..., None] + x @ basis
    return np.abs(h) ** 2
