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
import numpy as np

__all__ = ["exprb_kernel", "langevin_shaping_kernel", "rate_equation_kernel"]

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
def _langevin_kick(n, s, phi, z0, z1, z2, kick, beta, s_sp_per_n, n_b, s_b):
    """(N, S, phi) after the Langevin kick of one sample, scaled to the state (Itô).

    ``kick`` is :func:`~rof.photonics.timedomain.laser_noise.noise_increment`: the Cholesky
    factor :math:`C` of the kick covariance at the bias point :math:`(N_b, S_b)` and, in
    ``kick[6]``, the share :math:`w` of :math:`c_{\\phi\\phi}^2` that is the phase
    diffusion :math:`D_{\\phi\\phi}h` (the rest is carrier noise turned into phase within
    the sample). The components of :math:`Cz` are scaled by the square roots of their
    diffusion coefficients at the state over those at bias (Coldren et al. ch. 5):

    .. math:: f_N^2 = \\frac{N(1 + \\beta S)}{N_b(1 + \\beta S_b)}, \\quad
              f_S^2 = \\frac{NS}{N_b S_b}, \\quad
              f_\\phi^2 = (1 - w)f_N^2 + w\\frac{N S_b}{N_b \\max(S, \\beta N\\tau_p/\\tau_n)}

    on :math:`c_{NN}z_0`, :math:`c_{SN}z_0 + c_{SS}z_1` and :math:`c_{\\phi\\phi}z_2`; the
    phase's parts correlated with the carrier and photon kicks take :math:`f_N`. ``S``
    is floored at the cold-cavity spontaneous photon number :math:`R_{sp}\\tau_p`
    (``s_sp_per_n`` is :math:`\\beta\\tau_p/\\tau_n`). Plain reference and the reasons:
    :func:`~rof.photonics.timedomain.laser_noise.kick_scales`.
    """
    rn = max(n, 0.0) / n_b
    fn = math.sqrt(rn * (1.0 + beta * s) / (1.0 + beta * s_b))
    fs = math.sqrt(rn * s / s_b)
    w = kick[6]
    fp = math.sqrt((1.0 - w) * fn * fn + w * rn * s_b / max(s, s_sp_per_n * n))
    n_new = n + fn * kick[0] * z0
    s_new = max(s + fs * (kick[1] * z0 + kick[2] * z1), 1e-6)
    phi_new = phi + fn * (kick[3] * z0 + kick[4] * z1) + fp * kick[5] * z2
    return n_new, s_new, phi_new


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
        :meth:`~rof.photonics.timedomain.rate_constants.RateConstants.as_tuple`.
    state : ndarray of float64, shape (3,)
        (N, S, phi) at the start; updated in place to the end state.
    noise : ndarray of float64, shape (n, 3)
        Draws :math:`z` for the Langevin kicks, one set per output sample: white
        standard normals give the exactly point-sampled linearised process;
        :func:`~rof.photonics.timedomain.laser_noise.langevin_draws` the band-limited one.
    noise_scale : float
        0 for a noiseless run; otherwise the kicks are added.
    chol : ndarray of float64, shape (7,)
        ``(c_NN, c_SN, c_SS, c_phiN, c_phiS, c_phiphi, w_phi)``: lower-triangular
        Cholesky factor :math:`C` of the covariance of the (N, S, phi) Langevin increment
        over one sample at the bias point, propagated through the linearised dynamics
        (:func:`~rof.photonics.timedomain.laser_noise.noise_increment`, Van Loan 1978,
        Thm. 1), and the share of :math:`c_{\\phi\\phi}^2` that is phase diffusion. At
        the end of each output sample :math:`(N, S, \\phi) \\mathrel{+}= FCz`, :math:`F`
        diagonal, the square roots of the diffusion coefficients at the current state
        over those at bias (:func:`_langevin_kick`): a laser turned off on an RF trough
        gets the kicks of its few photons, not those of the bias point.
        Read only when ``noise_scale > 0``.
    p_out, phi_out : ndarray of float64, shape (n,)
        Written: optical power, W, and phase, rad, at the end of each sample.
    """
    tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_b, s_b = consts
    s_sp = beta * tau_p / tau_n  # cold-cavity spontaneous photons per carrier
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
                    phi -= 0.5 * alpha * g_n * (0.5 * (n + n_new) - n_b) * h
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
            phi -= dphi * (0.5 * (n + n_new) - n_b)
            n = n_new
            s = max(s_new, 1e-3)
        if noise_scale > 0.0:
            n, s, phi = _langevin_kick(
                n, s, phi, noise[i, 0], noise[i, 1], noise[i, 2], chol, beta, s_sp, n_b, s_b
            )
        p_out[i] = k * s
        phi_out[i] = phi
    state[0] = n
    state[1] = s
    state[2] = phi


# --------------------------------------------------------------------------------------
# Third-order exponential Rosenbrock kernel (point values of the current and its slope)
# --------------------------------------------------------------------------------------

_INV_FACT = (1.0, 1.0, 0.5, 1.0 / 6.0)


@numba.njit(cache=True, fastmath=_FAST)
def _phi_scalar(z, k):
    """:math:`\\varphi_k(z)` of a complex scalar, k = 1..4 (series below |z| = 1/2)."""
    if abs(z) < 0.5:
        fac = 1.0
        for j in range(2, k + 1):
            fac *= j
        term = 1.0 / fac + 0j
        acc = 0j
        for j in range(18):
            acc += term
            term = term * z / (j + k + 1)
        return acc
    p = np.exp(z)
    fac = 1.0
    for j in range(1, k + 1):
        p = (p - 1.0 / fac) / z
        fac *= j
    return p


@numba.njit(cache=True, fastmath=_FAST)
def _phi123_eig(tr, det):
    """(a_k, b_k), k = 1..3, with :math:`\\varphi_k(Z) = a_k I + b_k Z`, from the eigenvalues.

    Divided differences of :math:`\\varphi_k` on :math:`t \\pm r` (Higham 2008, eq. 1.8)
    in complex arithmetic; at a (nearly) double eigenvalue the derivative
    :math:`\\varphi_k' = \\varphi_k - k\\varphi_{k+1}`. The robust, slower path.
    """
    t = 0.5 * tr
    r = np.sqrt(complex(t * t - det))
    out = np.empty(6)
    for k in range(1, 4):
        if abs(r) > 1e-4 * (1.0 + abs(t)):
            fp = _phi_scalar(t + r, k)
            fm = _phi_scalar(t - r, k)
            b = (fp - fm) / (2.0 * r)
            a = fp - b * (t + r)
        else:
            tt = complex(t)
            f = _phi_scalar(tt, k)
            d = f - k * _phi_scalar(tt, k + 1)
            # second-order correction of the divided difference in r
            b = d
            a = f - d * tt
        out[2 * k - 2] = a.real
        out[2 * k - 1] = b.real
    return out[0], out[1], out[2], out[3], out[4], out[5]


@numba.njit(cache=True, fastmath=_FAST)
def _phi123(tr, det):
    """(a1, b1, a2, b2, a3, b3): :math:`\\varphi_k(Z) = a_k I + b_k Z` for a real 2x2 Z.

    Three paths, all exact to rounding: spectral radius :math:`\\rho \\le 1`: the Taylor
    series :math:`\\varphi_k(Z) = \\sum_j Z^j/(j+k)!` with the powers reduced by
    Cayley-Hamilton (:math:`Z^2 = \\mathrm{tr}\\,Z - \\det I`); :math:`|q| \\le 2.25`,
    :math:`\\det \\ge 0.01` (:math:`q = t^2 - \\det`, :math:`t = \\mathrm{tr}/2`): the
    exponential :math:`e^Z = e^t(C I + S(Z - tI))` with :math:`C = \\cosh\\sqrt q`,
    :math:`S = \\sinh\\sqrt q/\\sqrt q` (even series in :math:`q` for :math:`|q| \\le
    2.25`, else cosh/sinh or cos/sin), then the recurrence
    :math:`\\varphi_{k+1}(Z) = Z^{-1}(\\varphi_k(Z) - I/k!)` with
    :math:`Z^{-1} = (\\mathrm{tr}\\,I - Z)/\\det` (Hochbruck & Ostermann, Acta Numerica 19,
    2010, eq. 2.10), where :math:`\\det \\ge 0.01` and :math:`\\mathrm{tr}^2 \\le 10^4
    \\det` (no harmful cancellation); otherwise :func:`_phi123_eig`.
    """
    t = 0.5 * tr
    q = t * t - det
    rho = abs(t) + math.sqrt(abs(q))
    if rho <= 1.0:
        # Z^j = p I + r Z; accumulate sum_j Z^j / (j + k)! for k = 1, 2, 3.
        p = 1.0
        r = 0.0
        a1 = 0.0
        b1 = 0.0
        a2 = 0.0
        b2 = 0.0
        a3 = 0.0
        b3 = 0.0
        c1 = 1.0  # 1/(j+1)!
        c2 = 0.5  # 1/(j+2)!
        c3 = 1.0 / 6.0  # 1/(j+3)!
        for j in range(20):
            a1 += c1 * p
            b1 += c1 * r
            a2 += c2 * p
            b2 += c2 * r
            a3 += c3 * p
            b3 += c3 * r
            p, r = -r * det, p + r * tr
            c1 /= j + 2
            c2 /= j + 3
            c3 /= j + 4
        return a1, b1, a2, b2, a3, b3
    if det < 0.01 or tr * tr > 1e4 * det:
        return _phi123_eig(tr, det)
    if q > 2.25:
        rq = math.sqrt(q)
        c = math.cosh(rq)
        sv = math.sinh(rq) / rq
    elif q < -2.25:
        rq = math.sqrt(-q)
        c = math.cos(rq)
        sv = math.sin(rq) / rq
    else:
        c = _C_TAYLOR[11]
        sv = _S_TAYLOR[11]
        for kk in range(10, -1, -1):
            c = c * q + _C_TAYLOR[kk]
            sv = sv * q + _S_TAYLOR[kk]
    et = math.exp(t)
    a0 = et * (c - t * sv)
    b0 = et * sv
    inv_det = 1.0 / det
    x = a0 - 1.0
    a1 = x * tr * inv_det + b0
    b1 = -x * inv_det
    x = a1 - 1.0
    a2 = x * tr * inv_det + b1
    b2 = -x * inv_det
    x = a2 - 0.5
    a3 = x * tr * inv_det + b2
    b3 = -x * inv_det
    return a1, b1, a2, b2, a3, b3


@numba.njit(cache=True, fastmath=_FAST)
def _rhs_jac(n, s, cur, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps):
    """Right-hand side (f_N, f_S) and Jacobian (a11, a12, a21, a22) of the rate equations."""
    ic = 1.0 / (1.0 + eps * s)
    g = g_n * (n - n0)
    gs = g * s * ic
    gsn = g_n * s * ic
    a12 = -g * ic * ic
    return (
        cur * inv_q - n * inv_tn - gs,
        gs - s * inv_tp + b_tn * n,
        -inv_tn - gsn,
        a12,
        gsn + b_tn,
        -a12 - inv_tp,
    )


@numba.njit(cache=True, fastmath=_FAST)
def _exprb32_step(
    n, s, fn, fs, a11, a12, a21, a22, i1, di0, h, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin
):
    """One exprb32 step (see :func:`exprb_kernel`); returns the new (N, S)."""
    a1, b1, a2, b2, a3, b3 = _phi123(h * (a11 + a22), h * h * (a11 * a22 - a12 * a21))
    vn = di0 * inv_q  # dF/dt: only the carrier equation sees the current
    # h phi1(hJ) F + h^2 phi2(hJ) v
    x1 = h * (a1 * fn + b1 * h * (a11 * fn + a12 * fs)) + h * h * vn * (a2 + b2 * h * a11)
    x2 = h * (a1 * fs + b1 * h * (a21 * fn + a22 * fs)) + h * h * vn * b2 * h * a21
    n2 = n + x1
    s2 = max(s + x2, smin)
    ic = 1.0 / (1.0 + eps * s2)
    g = g_n * (n2 - n0) * s2 * ic
    # D = F(t + h, U2) - F(t, y) - J (U2 - y) - v h
    dn = i1 * inv_q - n2 * inv_tn - g - fn - (a11 * x1 + a12 * x2) - vn * h
    ds = g - s2 * inv_tp + b_tn * n2 - fs - (a21 * x1 + a22 * x2)
    n_new = n2 + 2.0 * h * (a3 * dn + b3 * h * (a11 * dn + a12 * ds))
    s_new = s2 + 2.0 * h * (a3 * ds + b3 * h * (a21 * dn + a22 * ds))
    return n_new, max(s_new, smin)


@numba.njit(cache=True, fastmath=_FAST)
def exprb_kernel(
    current_a, dcurrent_a, substeps, dt, consts, state, noise, noise_scale, chol, p_out, phi_out
):
    """Integrate the rate equations with the third-order exponential Rosenbrock method.

    exprb32 of Hochbruck, Ostermann & Schweitzer (SIAM J. Numer. Anal. 47(1), 2009,
    Sect. 5.1; Hochbruck & Ostermann, Acta Numerica 19, 2010, Sect. 2.4), for the
    non-autonomous system with :math:`J_n = \\partial_y F`, :math:`v_n = \\partial_t F`
    (the current's slope enters the carrier equation):

    .. math:: U = y_n + h\\varphi_1(hJ_n)F(t_n, y_n) + h^2\\varphi_2(hJ_n)v_n, \\qquad
              y_{n+1} = U + 2h\\varphi_3(hJ_n)\\big(F(t_{n+1}, U) - F(t_n, y_n)
              - J_n(U - y_n) - h v_n\\big).

    Exact for the linearised dynamics at any step, and third order in the step for the
    non-linear part and the drive, so the step is set by the signal frequency, not by
    the relaxation oscillation. The phase
    :math:`\\phi_{n+1} = \\phi_n - \\tfrac{\\alpha}{2}G_N\\int (N - N_{ref})\\,dt` uses the
    corrected trapezoid rule :math:`\\int N\\,dt \\approx \\tfrac h2(N_n + N_{n+1}) +
    \\tfrac{h^2}{12}(\\dot N_n - \\dot N_{n+1})` (fourth order; the derivatives are the
    right-hand sides the steps evaluate anyway). Steps where the net modal gain
    :math:`a_{22} h > 0.5` (turn-on after clipping) are split, with the current taken
    from the cubic Hermite interpolant of the step's end values and slopes.

    Parameters
    ----------
    current_a, dcurrent_a : ndarray of float64, shape (n * substeps + 1,)
        Laser current, A, and its time derivative, A/s, at the step boundaries
        (band-limited values; point ``i * substeps`` is the start of output sample ``i``).
    substeps, dt, consts, state, noise, noise_scale, chol, p_out, phi_out :
        As :func:`rate_equation_kernel`; ``p_out[i]`` and ``phi_out[i]`` are the state at
        point ``(i + 1) * substeps``.
    """
    tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_b, s_b = consts
    s_sp = beta * tau_p / tau_n  # cold-cavity spontaneous photons per carrier
    inv_tp = 1.0 / tau_p
    inv_tn = 1.0 / tau_n
    b_tn = beta * inv_tn
    inv_q = 1.0 / 1.602176634e-19
    half_ag = 0.5 * alpha * g_n
    smin = 1e-3
    n = state[0]
    s = state[1]
    phi = state[2]
    h = dt
    fn, fs, a11, a12, a21, a22 = _rhs_jac(
        n, s, current_a[0], inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
    )
    for i in range(p_out.size):
        for j in range(substeps):
            m = i * substeps + j
            i0 = current_a[m]
            i1 = current_a[m + 1]
            d0 = dcurrent_a[m]
            d1 = dcurrent_a[m + 1]
            if a22 * h > 0.5:
                ms = min(math.ceil(a22 * h / 0.5), 4096)
                hs = h / ms
                for r in range(ms):
                    # cubic Hermite current and slope at the sub-step ends
                    ta = r / ms
                    tb = (r + 1) / ms
                    ia = (
                        ((2 * ta - 3) * ta * ta + 1) * i0
                        + ((ta - 2) * ta + 1) * ta * h * d0
                        + (3 - 2 * ta) * ta * ta * i1
                        + (ta - 1) * ta * ta * h * d1
                    )
                    ib = (
                        ((2 * tb - 3) * tb * tb + 1) * i0
                        + ((tb - 2) * tb + 1) * tb * h * d0
                        + (3 - 2 * tb) * tb * tb * i1
                        + (tb - 1) * tb * tb * h * d1
                    )
                    da = (
                        (6 * (ta - 1) * ta) / h * (i0 - i1)
                        + ((3 * ta - 4) * ta + 1) * d0
                        + (3 * ta - 2) * ta * d1
                    )
                    fa, fb, c11, c12, c21, c22 = _rhs_jac(
                        n, s, ia, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
                    )
                    n_new, s = _exprb32_step(
                        n,
                        s,
                        fa,
                        fb,
                        c11,
                        c12,
                        c21,
                        c22,
                        ib,
                        da,
                        hs,
                        inv_q,
                        inv_tp,
                        inv_tn,
                        b_tn,
                        g_n,
                        n0,
                        eps,
                        smin,
                    )
                    phi -= half_ag * (0.5 * (n + n_new) - n_b) * hs
                    n = n_new
                fn, fs, a11, a12, a21, a22 = _rhs_jac(
                    n, s, i1, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
                )
                continue
            n_new, s = _exprb32_step(
                n,
                s,
                fn,
                fs,
                a11,
                a12,
                a21,
                a22,
                i1,
                d0,
                h,
                inv_q,
                inv_tp,
                inv_tn,
                b_tn,
                g_n,
                n0,
                eps,
                smin,
            )
            fn_old = fn
            fn, fs, a11, a12, a21, a22 = _rhs_jac(
                n_new, s, i1, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
            )
            phi -= half_ag * ((0.5 * (n + n_new) - n_b) * h + h * h / 12.0 * (fn_old - fn))
            n = n_new
        if noise_scale > 0.0:
            n, s, phi = _langevin_kick(
                n, s, phi, noise[i, 0], noise[i, 1], noise[i, 2], chol, beta, s_sp, n_b, s_b
            )
            fn, fs, a11, a12, a21, a22 = _rhs_jac(
                n, s, current_a[(i + 1) * substeps], inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
            )
        p_out[i] = k * s
        phi_out[i] = phi
    state[0] = n
    state[1] = s
    state[2] = phi


@numba.njit(cache=True, fastmath=_FAST)
def langevin_shaping_kernel(xi, h, m, jac, prop, c_inv, d_half, scale, out):
    """Spectrum of band-limited Langevin draws: ``out[:, k] = scale * C^-1 M_k D^1/2 xi[k]``.

    :math:`M_k = (z_k I - A)(j\\omega_k I - J)^{-1}` with :math:`\\omega_k = 2\\pi k/(mh)`,
    :math:`z_k = e^{j\\omega_k h}`, for the (N, S, phi) system whose phase row of
    :math:`J` is :math:`(J_{31}, 0, 0)`: the 2x2 carrier-photon block is inverted in
    closed form and the phase row uses :math:`(z-1)/(j\\omega) = h e^{j\\omega h/2}
    \\sin(\\omega h/2)/(\\omega h/2)`, finite at :math:`\\omega = 0`. See
    :func:`~rof.photonics.timedomain.laser_noise.langevin_draws`.

    Parameters
    ----------
    xi : ndarray of complex128, shape (k, 3)
        Complex standard-normal draws per FFT bin ``0 .. k-1``.
    h : float
        Sample length, s.
    m : int
        FFT length (bin ``k`` is :math:`k/(mh)` Hz).
    jac, prop : ndarray of float64, shape (3, 3)
        :math:`J` and :math:`A = e^{Jh}`.
    c_inv, d_half : ndarray of float64, shape (3, 3)
        :math:`C^{-1}` (inverse Cholesky factor of the kick covariance) and
        :math:`D^{1/2}` (Cholesky factor of the diffusion matrix).
    scale : float
        Common factor.
    out : ndarray of complex128, shape (3, k)
        Written.
    """
    a11 = jac[0, 0]
    a12 = jac[0, 1]
    a21 = jac[1, 0]
    a22 = jac[1, 1]
    c31 = jac[2, 0]
    for k in range(xi.shape[0]):
        wh = 2.0 * math.pi * k / m
        jw = 1j * wh / h
        z = complex(math.cos(wh), math.sin(wh))
        half = 0.5 * wh
        sinc = math.sin(half) / half if k > 0 else 1.0
        r = h * sinc * complex(math.cos(half), math.sin(half))
        inv_det = 1.0 / ((jw - a11) * (jw - a22) - a12 * a21)
        g11 = (jw - a22) * inv_det
        g12 = a12 * inv_det
        g21 = a21 * inv_det
        g22 = (jw - a11) * inv_det
        m11 = (z - prop[0, 0]) * g11 - prop[0, 1] * g21
        m12 = (z - prop[0, 0]) * g12 - prop[0, 1] * g22
        m21 = (z - prop[1, 1]) * g21 - prop[1, 0] * g11
        m22 = (z - prop[1, 1]) * g22 - prop[1, 0] * g12
        m31 = (r * c31 - prop[2, 0]) * g11 - prop[2, 1] * g21
        m32 = (r * c31 - prop[2, 0]) * g12 - prop[2, 1] * g22
        x0 = xi[k, 0]
        x1 = xi[k, 1]
        x2 = xi[k, 2]
        v0 = d_half[0, 0] * x0 + d_half[0, 1] * x1 + d_half[0, 2] * x2
        v1 = d_half[1, 0] * x0 + d_half[1, 1] * x1 + d_half[1, 2] * x2
        v2 = d_half[2, 0] * x0 + d_half[2, 1] * x1 + d_half[2, 2] * x2
        u0 = m11 * v0 + m12 * v1
        u1 = m21 * v0 + m22 * v1
        u2 = m31 * v0 + m32 * v1 + r * v2
        out[0, k] = scale * (c_inv[0, 0] * u0 + c_inv[0, 1] * u1 + c_inv[0, 2] * u2)
        out[1, k] = scale * (c_inv[1, 0] * u0 + c_inv[1, 1] * u1 + c_inv[1, 2] * u2)
        out[2, k] = scale * (c_inv[2, 0] * u0 + c_inv[2, 1] * u1 + c_inv[2, 2] * u2)
