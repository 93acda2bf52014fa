"""Numba kernels of the DML rate equations (exponential Rosenbrock-Euler integrator).

See :mod:`rof.photonics.timedomain.laser` for the equations and their sources. The
plain reference, :func:`rof.photonics.timedomain.laser.dml_step_reference`, evaluates
:math:`\\varphi_1` with ``scipy.linalg.expm`` instead of the closed 2x2 form used here.
"""

from __future__ import annotations

import math

import numba

__all__ = ["rate_equation_kernel"]


@numba.njit(cache=True)
def _phi1_coeffs(tr, det):
    """(c0, c1) with phi1(Z) = c0 I + c1 Z for a real 2x2 Z of trace tr and determinant det.

    Sylvester/Lagrange interpolation on the eigenvalues (Higham, *Functions of
    Matrices*, 2008, eq. 1.8), in real arithmetic: a complex pair a +/- ib gives
    c1 = Im phi1(a+ib) / b, c0 = Re phi1(a+ib) - c1 a.
    """
    h = 0.5 * tr
    q = h * h - det
    if q < 0.0:
        b = math.sqrt(-q)
        a = h
        if b < 1e-6 * (1.0 + abs(a)):
            return _phi1_real(a) - _dphi1_real(a) * a, _dphi1_real(a)
        ea = math.exp(a)
        er = ea * math.cos(b) - 1.0
        ei = ea * math.sin(b)
        den = a * a + b * b
        pr = (er * a + ei * b) / den
        pi = (ei * a - er * b) / den
        c1 = pi / b
        return pr - c1 * a, c1
    r = math.sqrt(q)
    m1 = h + r
    m2 = h - r
    if r < 1e-6 * (1.0 + abs(m1)):
        return _phi1_real(h) - _dphi1_real(h) * h, _dphi1_real(h)
    f1 = _phi1_real(m1)
    f2 = _phi1_real(m2)
    return (m1 * f2 - m2 * f1) / (m1 - m2), (f1 - f2) / (m1 - m2)


@numba.njit(cache=True)
def _phi1_real(z):
    if abs(z) < 1e-5:
        return 1.0 + z / 2.0 + z * z / 6.0
    return math.expm1(z) / z


@numba.njit(cache=True)
def _dphi1_real(z):
    if abs(z) < 1e-3:
        return 0.5 + z / 3.0 + z * z / 8.0 + z * z * z / 30.0
    e = math.exp(z)
    return (z * e - e + 1.0) / (z * z)


@numba.njit(cache=True)
def _er_step(n, s, cur, h, tau_p, tau_n, beta, g_n, n0, eps):
    """One exponential Rosenbrock-Euler step of (N, S) over ``h`` at current ``cur``."""
    c = 1.0 + eps * s
    g = g_n * (n - n0)
    fn = cur / 1.602176634e-19 - n / tau_n - g * s / c
    fs = g * s / c - s / tau_p + beta * n / tau_n
    a11 = -1.0 / tau_n - g_n * s / c
    a12 = -g / (c * c)
    a21 = g_n * s / c + beta / tau_n
    a22 = g / (c * c) - 1.0 / tau_p
    c0, c1 = _phi1_coeffs(h * (a11 + a22), h * h * (a11 * a22 - a12 * a21))
    n_new = n + h * (c0 * fn + c1 * h * (a11 * fn + a12 * fs))
    s_new = s + h * (c0 * fs + c1 * h * (a21 * fn + a22 * fs))
    return n_new, s_new


@numba.njit(cache=True)
def rate_equation_kernel(
    current_a, substeps, dt, consts, state, noise, noise_scale, chol, p_out, phi_out
):
    """Integrate the rate equations, ``substeps`` steps per output sample (numba kernel).

    Parameters
    ----------
    current_a : ndarray of float64, shape (n * substeps,)
        Laser current averaged over each step, A.
    substeps : int
        Steps per output sample.
    dt : float
        Step, s.
    consts : tuple
        :meth:`RateConstants.as_tuple`.
    state : ndarray of float64, shape (3,)
        (N, S, phi) at the start; updated in place to the end state.
    noise : ndarray of float64, shape (n, 3)
        Standard normal draws for the Langevin forces, one set per output sample.
    noise_scale : float
        0 for a noiseless run; otherwise the kicks ``chol`` are added.
    chol : ndarray of float64, shape (4,)
        ``(c_NN, c_SN, c_SS, sigma_phi)``: Cholesky factor of the covariance of the
        Langevin increment over one sample, propagated through the linearised dynamics
        (see :func:`noise_increment`), and the phase-diffusion standard deviation.
    p_out, phi_out : ndarray of float64, shape (n,)
        Written: optical power, W, and phase, rad, at the end of each sample.
    """
    tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_th = consts
    n = state[0]
    s = state[1]
    phi = state[2]
    for i in range(p_out.size):
        for j in range(substeps):
            cur = current_a[i * substeps + j]
            # Split the step where the photon number grows fast (turn-on after clipping):
            # there the linearisation over a whole step would overshoot.
            g_net = g_n * (n - n0) / ((1.0 + eps * s) ** 2) - 1.0 / tau_p
            m = 1
            if g_net * dt > 0.5:
                m = min(math.ceil(g_net * dt / 0.5), 4096)
            h = dt / m
            for _ in range(m):
                n_new, s_new = _er_step(n, s, cur, h, tau_p, tau_n, beta, g_n, n0, eps)
                phi -= 0.5 * alpha * g_n * (0.5 * (n + n_new) - n_th) * h
                n = n_new
                s = max(s_new, 1e-3)
        if noise_scale > 0.0:
            n += chol[0] * noise[i, 0]
            s = max(s + chol[1] * noise[i, 0] + chol[2] * noise[i, 1], 1e-6)
            phi += chol[3] * noise[i, 2]
        p_out[i] = k * s
        phi_out[i] = phi
    state[0] = n
    state[1] = s
    state[2] = phi
