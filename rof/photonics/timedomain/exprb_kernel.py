"""Third-order exponential Rosenbrock kernel (exprb32) of the DML rate equations (Numba).

Point values of the current and its slope per step; see :func:`exprb_kernel` and
:mod:`rof.photonics.timedomain.laser` for the equations and their sources. The plain
reference is :func:`rof.photonics.timedomain.laser.dml_exprb_reference`.
"""

from __future__ import annotations

import math

import numba

from rof.photonics._common import FAST_MATH
from rof.photonics.timedomain.phi_functions import phi123
from rof.photonics.timedomain.rate_kernel import _langevin_kick

__all__ = ["exprb_kernel"]


@numba.njit(cache=True, fastmath=FAST_MATH, inline="always")
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


@numba.njit(fastmath=FAST_MATH, inline="always")
def _exprb32_update(
    n, s, fn, fs, a11, a12, a21, a22, a1, b1, a2, b2, a3, b3, i1, di0, h,
    inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin,
):  # fmt: skip
    """The two stages of an exprb32 step given the phi-function coefficients
    (:math:`\\varphi_k(hJ) = a_k I + b_k hJ`); returns the new (N, S). Inlined (no branch),
    so that :func:`~rof.photonics.timedomain.exprb_lanes.exprb_lanes` vectorises it."""
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


@numba.njit(cache=True, fastmath=FAST_MATH)
def _exprb32_step(
    n, s, fn, fs, a11, a12, a21, a22, i1, di0, h, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin
):
    """One exprb32 step (see :func:`exprb_kernel`); returns the new (N, S)."""
    a1, b1, a2, b2, a3, b3 = phi123(h * (a11 + a22), h * h * (a11 * a22 - a12 * a21))
    return _exprb32_update(
        n, s, fn, fs, a11, a12, a21, a22, a1, b1, a2, b2, a3, b3, i1, di0, h,
        inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin,
    )  # fmt: skip


@numba.njit(cache=True, fastmath=FAST_MATH)
def _split_step(
    n, s, phi, i0, i1, d0, d1, h, a22, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin, half_ag, n_b
):
    """One step of length ``h`` split into sub-steps where the net modal gain
    :math:`a_{22}h > 0.5` (turn-on after clipping), the current and its slope from the
    cubic Hermite interpolant of the step's end values ``i0, i1`` and slopes ``d0, d1``;
    returns (N, S, phi) (see :func:`exprb_kernel`)."""
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
        fa, fb, c11, c12, c21, c22 = _rhs_jac(n, s, ia, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps)
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
    return n, s, phi


@numba.njit(cache=True, nogil=True, fastmath=FAST_MATH)
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
                n, s, phi = _split_step(
                    n,
                    s,
                    phi,
                    i0,
                    i1,
                    d0,
                    d1,
                    h,
                    a22,
                    inv_q,
                    inv_tp,
                    inv_tn,
                    b_tn,
                    g_n,
                    n0,
                    eps,
                    smin,
                    half_ag,
                    n_b,
                )
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
