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

from rof.photonics._common import FAST_MATH
from rof.photonics.timedomain.phi_functions import (
    phi1_coeffs,
    phi1_coeffs_series,
)

__all__ = ["rate_equation_kernel"]


@numba.njit(cache=True, fastmath=FAST_MATH)
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
    c0, c1 = phi1_coeffs(h * (a11 + a22), h * h * (a11 * a22 - a12 * a21))
    n_new = n + h * (c0 * fn + c1 * h * (a11 * fn + a12 * fs))
    s_new = s + h * (c0 * fs + c1 * h * (a21 * fn + a22 * fs))
    return n_new, s_new


@numba.njit(cache=True, fastmath=FAST_MATH, inline="always")
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


@numba.njit(cache=True, fastmath=FAST_MATH)
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
            c0, c1 = phi1_coeffs_series(dt * (a11 + a22), dt * dt * (a11 * a22 + gic2 * a21))
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
