"""Numba kernels of the DML rate equations (exponential Rosenbrock-Euler integrator).

See :mod:`rof.photonics.timedomain.laser` for the equations and their sources. The
plain reference, :func:`rof.photonics.timedomain.laser.dml_step_reference`, evaluates
:math:`\\varphi_1` with ``scipy.linalg.expm`` instead of the closed 2x2 form used here.

The kernel is latency-bound (each step needs the previous state), so the common step
shares one Jacobian between the step-splitting test and the update, takes the
:math:`\\varphi_1` coefficients from even Taylor series in the discriminant
(:func:`_phi1_coeffs_series`: no square root, trigonometry or branch on the eigenvalue
type) and is compiled with reassociation, reciprocal and FMA contraction allowed (NaN and
infinity semantics kept); the output agrees with the plain closed form to about 1e-14.
"""

from __future__ import annotations

import math

import numba

__all__ = ["rate_equation_kernel"]

# Reassociation, reciprocals and FMA contraction, but NaN/inf semantics kept.
_FAST = {"nsz", "arcp", "contract", "reassoc"}


@numba.njit(cache=True, fastmath=_FAST)
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


# Taylor coefficients of C(q) = sum q^k/(2k)! (cosh sqrt q) and S(q) = sum q^k/(2k+1)!
# (sinh sqrt q / sqrt q), k = 0..11: truncation below 1e-17 for |q| <= 2.25.
_C_TAYLOR = tuple(1.0 / math.factorial(2 * k) for k in range(12))
_S_TAYLOR = tuple(1.0 / math.factorial(2 * k + 1) for k in range(12))


@numba.njit(cache=True, fastmath=_FAST)
def _phi1_coeffs_series(tr, det):
    """(c0, c1) of :func:`_phi1_coeffs` without square roots or trigonometry.

    With :math:`t = \\mathrm{tr}/2`, :math:`q = t^2 - \\det` and the eigenvalues
    :math:`t \\pm \\sqrt q`, the divided differences of :math:`\\varphi_1(z) =
    (e^z - 1)/z` reduce to :math:`c_1 = (t e^t S - e^t C + 1)/\\det` and
    :math:`c_0 = (2t(e^t C - 1) - e^t S (t^2 + q))/\\det`, with :math:`C = \\cosh\\sqrt q`
    and :math:`S = \\sinh\\sqrt q/\\sqrt q` even in :math:`\\sqrt q` (Taylor series in
    :math:`q`), so both real and complex eigenvalue pairs take the same branch-free path.
    Used where :math:`|q| \\le 2.25` and :math:`\\det \\ge 0.01` (no cancellation worse
    than :math:`10^{-13}`); elsewhere :func:`_phi1_coeffs`.
    """
    t = 0.5 * tr
    q = t * t - det
    if abs(q) > 2.25 or det < 0.01:
        return _phi1_coeffs(tr, det)
    c = _C_TAYLOR[11]
    sv = _S_TAYLOR[11]
    c = c * q + _C_TAYLOR[10]
    sv = sv * q + _S_TAYLOR[10]
    c = c * q + _C_TAYLOR[9]
    sv = sv * q + _S_TAYLOR[9]
    c = c * q + _C_TAYLOR[8]
    sv = sv * q + _S_TAYLOR[8]
    c = c * q + _C_TAYLOR[7]
    sv = sv * q + _S_TAYLOR[7]
    c = c * q + _C_TAYLOR[6]
    sv = sv * q + _S_TAYLOR[6]
    c = c * q + _C_TAYLOR[5]
    sv = sv * q + _S_TAYLOR[5]
    c = c * q + _C_TAYLOR[4]
    sv = sv * q + _S_TAYLOR[4]
    c = c * q + _C_TAYLOR[3]
    sv = sv * q + _S_TAYLOR[3]
    c = c * q + _C_TAYLOR[2]
    sv = sv * q + _S_TAYLOR[2]
    c = c * q + _C_TAYLOR[1]
    sv = sv * q + _S_TAYLOR[1]
    c = c * q + _C_TAYLOR[0]
    sv = sv * q + _S_TAYLOR[0]
    et = math.exp(t)
    inv_det = 1.0 / det
    etc1 = et * c - 1.0
    ets = et * sv
    return (2.0 * t * etc1 - ets * (t * t + q)) * inv_det, (t * ets - etc1) * inv_det


@numba.njit(cache=True, fastmath=_FAST)
def _phi1_real(z):
    if abs(z) < 1e-5:
        return 1.0 + z / 2.0 + z * z / 6.0
    return math.expm1(z) / z


@numba.njit(cache=True, fastmath=_FAST)
def _dphi1_real(z):
    if abs(z) < 1e-3:
        return 0.5 + z / 3.0 + z * z / 8.0 + z * z * z / 30.0
    e = math.exp(z)
    return (z * e - e + 1.0) / (z * z)


@numba.njit(cache=True, fastmath=_FAST)
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


@numba.njit(cache=True, fastmath=_FAST)
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
    inv_tp = 1.0 / tau_p
    inv_tn = 1.0 / tau_n
    b_tn = beta * inv_tn
    inv_q = 1.0 / 1.602176634e-19
    dphi = 0.5 * alpha * g_n * dt  # phase slope times the step
    n = state[0]
    s = state[1]
    phi = state[2]
    for i in range(p_out.size):
        for j in range(substeps):
            cur = current_a[i * substeps + j]
            ic = 1.0 / (1.0 + eps * s)
            g = g_n * (n - n0)
            gic2 = g * ic * ic
            # a22 of the Jacobian is the net modal gain: split the step where the photon
            # number grows fast (turn-on after clipping); there the linearisation over a
            # whole step would overshoot.
            a22 = gic2 - inv_tp
            if a22 * dt > 0.5:
                m = min(math.ceil(a22 * dt / 0.5), 4096)
                h = dt / m
                for _ in range(m):
                    n_new, s_new = _er_step(n, s, cur, h, tau_p, tau_n, beta, g_n, n0, eps)
                    phi -= 0.5 * alpha * g_n * (0.5 * (n + n_new) - n_th) * h
                    n = n_new
                    s = max(s_new, 1e-3)
                continue
            # One step of length dt: _er_step inlined with the Jacobian shared.
            gsn = g_n * s * ic
            gs = g * s * ic
            fn = cur * inv_q - n * inv_tn - gs
            fs = gs - s * inv_tp + b_tn * n
            a11 = -inv_tn - gsn
            a21 = gsn + b_tn
            c0, c1 = _phi1_coeffs_series(dt * (a11 + a22), dt * dt * (a11 * a22 + gic2 * a21))
            n_new = n + dt * (c0 * fn + c1 * dt * (a11 * fn - gic2 * fs))
            s_new = s + dt * (c0 * fs + c1 * dt * (a21 * fn + a22 * fs))
            phi -= dphi * (0.5 * (n + n_new) - n_th)
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
