"""Kerr phase of the split-step Fourier solver: plain, fused with the four-step FFT.

:func:`kerr_phase_inplace` applies :math:`A \\to A e^{i\\gamma L_{eff}|A|^2}` (Agrawal,
*Nonlinear Fiber Optics*, 6th ed., 2019, section 2.4.1), with a series for small phases
and the trigonometric form otherwise; :func:`kerr_column_step` fuses the inverse column
transforms, the Kerr phase and the forward column transforms of the four-step FFT
(:mod:`rof.photonics.timedomain.fft4`) in radix-4 16-point DFTs per cache block;
:func:`kerr_phase_reference` is the plain NumPy reference.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from rof.photonics._common import FAST_MATH

__all__ = ["W16", "kerr_column_step", "kerr_phase_inplace", "kerr_phase_reference", "max_power"]


@numba.njit(cache=True, fastmath=True)
def max_power(a):
    m = 0.0
    for i in range(a.size):
        v = a[i]
        m = max(m, v.real * v.real + v.imag * v.imag)
    return m


@numba.njit(cache=True, fastmath=True)
def _kerr_small(a, gamma_leff):
    # |phi| < 0.25: Taylor series of sin and cos to phi^9 / phi^10 (remainder < 1e-14),
    # branch-free so the loop vectorises.
    for i in range(a.size):
        v = a[i]
        x = v.real
        y = v.imag
        p = gamma_leff * (x * x + y * y)
        p2 = p * p
        s = p * (1.0 - p2 * (1.0 / 6 - p2 * (1.0 / 120 - p2 * (1.0 / 5040 - p2 / 362880.0))))
        c = 1.0 - p2 * (
            0.5 - p2 * (1.0 / 24 - p2 * (1.0 / 720 - p2 * (1.0 / 40320 - p2 / 3628800.0)))
        )
        a[i] = complex(x * c - y * s, x * s + y * c)


@numba.njit(cache=True)
def _kerr_trig(a, gamma_leff):
    for i in range(a.size):
        v = a[i]
        phi = gamma_leff * (v.real * v.real + v.imag * v.imag)
        c = math.cos(phi)
        s = math.sin(phi)
        a[i] = complex(v.real * c - v.imag * s, v.real * s + v.imag * c)


@numba.njit(cache=True)
def kerr_phase_inplace(a, gamma_leff):
    """Apply :math:`A \\leftarrow A e^{i\\gamma L_{eff}|A|^2}` in place (numba kernel).

    Where the largest phase is below 0.25 rad (always, under the step-size rule of
    :func:`ssfm`) the rotation uses the Taylor series of sine and cosine, exact to
    :math:`10^{-14}` and vectorisable; otherwise ``math.sin``/``math.cos``.

    Parameters
    ----------
    a : ndarray of complex128, shape (n,)
        Field, sqrt(W); modified in place.
    gamma_leff : float
        :math:`\\gamma L_{eff}` of the step, 1/W.
    """
    if gamma_leff * max_power(a) < 0.25:
        _kerr_small(a, gamma_leff)
    else:
        _kerr_trig(a, gamma_leff)


_COL_BLOCK = 128  # columns per cache block of the fused column step
#: The 16 roots of unity of the column DFTs.
W16 = np.exp(-2j * np.pi * np.arange(16) / 16)


@numba.njit(cache=True, fastmath=FAST_MATH, inline="always")
def _bfly4(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, s):
    # 4-point DFT with kernel exp(s i pi/2 n k), s = -1 forward, +1 inverse.
    t0r, t0i, t1r, t1i = a0r + a2r, a0i + a2i, a0r - a2r, a0i - a2i
    t2r, t2i = a1r + a3r, a1i + a3i
    t3r, t3i = -s * (a1i - a3i), s * (a1r - a3r)
    return (t0r + t2r, t0i + t2i, t1r + t3r, t1i + t3i, t0r - t2r, t0i - t2i, t1r - t3r, t1i - t3i)


@numba.njit(cache=True, fastmath=FAST_MATH)
def _dft16_columns(sr, si, tr, ti, dr, di, wr, wi, s, nb):
    """16-point DFT down the first ``nb`` columns of (16, B) real/imaginary blocks.

    Radix 4 x 4, decimation in time (Cooley-Tukey): rows ``4 n_a + n_b`` of the input,
    ``X[k_a + 4 k_b]`` in row ``k_a + 4 k_b`` of ``dr``/``di``; ``w = exp(s 2 pi i m/16)``.
    """
    for b in range(4):
        w1r, w1i, w2r, w2i, w3r, w3i = wr[b], wi[b], wr[2 * b], wi[2 * b], wr[3 * b], wi[3 * b]
        for j in range(nb):
            y0r, y0i, y1r, y1i, y2r, y2i, y3r, y3i = _bfly4(
                sr[b, j], si[b, j], sr[4 + b, j], si[4 + b, j],
                sr[8 + b, j], si[8 + b, j], sr[12 + b, j], si[12 + b, j], s,
            )  # fmt: skip
            tr[b, j], ti[b, j] = y0r, y0i
            tr[4 + b, j], ti[4 + b, j] = y1r * w1r - y1i * w1i, y1r * w1i + y1i * w1r
            tr[8 + b, j], ti[8 + b, j] = y2r * w2r - y2i * w2i, y2r * w2i + y2i * w2r
            tr[12 + b, j], ti[12 + b, j] = y3r * w3r - y3i * w3i, y3r * w3i + y3i * w3r
    for a in range(4):
        r = 4 * a
        for j in range(nb):
            x0r, x0i, x1r, x1i, x2r, x2i, x3r, x3i = _bfly4(
                tr[r, j], ti[r, j], tr[r + 1, j], ti[r + 1, j],
                tr[r + 2, j], ti[r + 2, j], tr[r + 3, j], ti[r + 3, j], s,
            )  # fmt: skip
            dr[a, j], di[a, j], dr[a + 4, j], di[a + 4, j] = x0r, x0i, x1r, x1i
            dr[a + 8, j], di[a + 8, j], dr[a + 12, j], di[a + 12, j] = x2r, x2i, x3r, x3i


@numba.njit(cache=True, fastmath=FAST_MATH)
def kerr_column_step(y, tw, gamma_leff, w16):
    """Inverse column stage, Kerr phase and forward column stage of a 16-row four-step FFT.

    In place on ``y`` (16, n2) after the row inverse FFTs: multiply by ``conj(tw)``,
    inverse 16-point DFT down each column, :math:`A \\leftarrow A e^{i\\gamma L_{eff}|A|^2}`
    (Taylor series below 0.25 rad of peak phase per block, as :func:`kerr_phase_inplace`,
    else sine and cosine), forward 16-point DFT, multiply by ``tw``; one pass over memory
    in cache blocks instead of five. ``w16 = exp(-2 pi i m / 16)``.
    """
    n2 = y.shape[1]
    ar, ai = np.empty((16, _COL_BLOCK)), np.empty((16, _COL_BLOCK))
    br, bi = np.empty((16, _COL_BLOCK)), np.empty((16, _COL_BLOCK))
    cr, ci = np.empty((16, _COL_BLOCK)), np.empty((16, _COL_BLOCK))
    wfr, wfi = w16.real.copy(), w16.imag.copy()
    wir, wii = wfr.copy(), -wfi
    for j0 in range(0, n2, _COL_BLOCK):
        nb = min(_COL_BLOCK, n2 - j0)
        for r in range(16):
            for j in range(nb):
                v, w = y[r, j0 + j], tw[r, j0 + j]
                ar[r, j] = v.real * w.real + v.imag * w.imag
                ai[r, j] = v.imag * w.real - v.real * w.imag
        _dft16_columns(ar, ai, br, bi, cr, ci, wir, wii, 1.0, nb)
        m = 0.0
        for r in range(16):
            for j in range(nb):
                x, z = cr[r, j] * 0.0625, ci[r, j] * 0.0625
                cr[r, j], ci[r, j] = x, z
                m = max(m, x * x + z * z)
        if gamma_leff > 0.0:
            small = gamma_leff * m < 0.25
            for r in range(16):
                for j in range(nb):
                    x, z = cr[r, j], ci[r, j]
                    p = gamma_leff * (x * x + z * z)
                    if small:
                        p2 = p * p
                        sn = p * (
                            1.0 - p2 * (1 / 6 - p2 * (1 / 120 - p2 * (1 / 5040 - p2 / 362880)))
                        )
                        cs = 1.0 - p2 * (
                            0.5 - p2 * (1 / 24 - p2 * (1 / 720 - p2 * (1 / 40320 - p2 / 3628800)))
                        )
                    else:
                        sn, cs = math.sin(p), math.cos(p)
                    cr[r, j], ci[r, j] = x * cs - z * sn, x * sn + z * cs
        _dft16_columns(cr, ci, br, bi, ar, ai, wfr, wfi, -1.0, nb)
        for r in range(16):
            for j in range(nb):
                w = tw[r, j0 + j]
                y[r, j0 + j] = complex(
                    ar[r, j] * w.real - ai[r, j] * w.imag, ar[r, j] * w.imag + ai[r, j] * w.real
                )


def kerr_phase_reference(a: np.ndarray, gamma_leff: float) -> np.ndarray:
    """Plain-NumPy reference of :func:`kerr_phase_inplace` (returns a new array)."""
    return a * np.exp(1j * gamma_leff * np.abs(a) ** 2)
