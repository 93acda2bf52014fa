"""The DML's exprb32 kernel for many chains at once, one chain per SIMD lane (Numba).

:func:`~rof.photonics.timedomain.exprb_kernel.exprb_kernel` is latency-bound: each step
needs the previous state, and one step (the :math:`\\varphi`-functions of the 2x2
Jacobian, the two stages, the next Jacobian) is a chain of some 200 dependent
floating-point operations, so one chain leaves most of the core idle (about 90 ns a
step on this machine). :func:`exprb_lanes` advances ``K`` independent chains (the
overlapping chunks of one record, :mod:`~rof.photonics.timedomain.laser_chunks`) in
lock step, with the chains in the innermost loop: the compiler vectorises that loop
(AVX2/AVX-512), so ``K`` steps cost little more than one (about 15 ns a chain-step at
``K = 16``).

Each lane computes what :func:`~rof.photonics.timedomain.exprb_kernel.exprb_kernel`
computes over its range, in the same order of operations up to rounding (they agree to
about 1e-13, tested), by one branch-free path for the common step:

* :math:`\\varphi_k(hJ) = a_k I + b_k hJ` from :math:`e^{hJ} = e^t(C I + S(hJ - tI))`,
  :math:`t = \\mathrm{tr}/2`, :math:`q = t^2 - \\det`, :math:`C = \\cosh\\sqrt q`,
  :math:`S = \\sinh\\sqrt q/\\sqrt q` by their Taylor series in :math:`q` (23 terms, valid
  to rounding for :math:`|q| \\le 40`) and :math:`e^t = (e^{t/8})^8` by its Taylor series
  (21 terms, :math:`|t| \\le 8`), then the recurrence
  :math:`\\varphi_{k+1}(Z) = Z^{-1}(\\varphi_k(Z) - I/k!)` (Hochbruck & Ostermann, Acta
  Numerica 19, 2010, eq. 2.10), as :func:`~rof.photonics.timedomain.phi_functions.phi123`
  does where :math:`\\det \\ge 0.01` and :math:`\\mathrm{tr}^2 \\le 10^4 \\det`;
* the Langevin kick of :func:`~rof.photonics.timedomain.rate_kernel._langevin_kick`.

A lane whose step leaves that path (net modal gain :math:`a_{22}h > 0.5`, i.e. turn-on
after clipping, where the step is split; or a Jacobian outside the series' range) keeps
its state, and the step is then taken by the scalar code of ``exprb_kernel`` for that
lane alone. Numba's ``error_model="numpy"`` (IEEE division, no zero test) lets the loop
vectorise; the flags keep any lane that could divide by a tiny determinant off the
vector result.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from rof.photonics._common import FAST_MATH
from rof.photonics.timedomain.exprb_kernel import (
    _exprb32_step,
    _exprb32_update,
    _rhs_jac,
    _split_step,
)
from rof.photonics.timedomain.phi_functions import _CW, _Q_WIDE, _SW
from rof.photonics.timedomain.rate_kernel import _langevin_kick

__all__ = [
    "LANES",
    "Q_NARROW",
    "Q_WIDE",
    "T_NARROW",
    "T_WIDE",
    "bias_state",
    "exprb_lanes",
    "use_narrow",
]

#: Chains per kernel call, about: 16 (four AVX2 vectors, so that the vector units stay
#: busy while each chain waits for its own previous result). Measured per optical sample
#: (u = 2, with the draws and interpolation, 2e7 samples, two threads): 117, 134 and
#: 132 ns of CPU at 16, 32 and 48 lanes; one thread on 4e6 samples preferred 32 (129 ns
#: against 146), the larger work arrays costing more in cache once both cores run.
LANES = 16
#: Largest :math:`|q|` and :math:`|t|` of the vectorised path, and of its shorter
#: series (:func:`exprb_lanes` with ``narrow``: 14 instead of 23 terms of C and S, 17
#: instead of 21 of the exponential; taken where the bias point's values are at most a
#: quarter of these, e.g. 3.5 GHz at 39 GS/s and two steps a sample, q = -0.57).
Q_WIDE = _Q_WIDE  # the same range as phi123's branch-free path
T_WIDE = 8.0
Q_NARROW = 4.0
T_NARROW = 2.0
# Taylor coefficients of cosh sqrt q and sinh sqrt q/sqrt q: phi123's (_CW, _SW, 23 terms);
# e^x = sum x^k/k! (k = 0..20: below 2e-20 at |x| = 1).
_EX = tuple(1.0 / math.factorial(k) for k in range(21))


@numba.njit(fastmath=FAST_MATH, inline="always")
def _cosh_sinhc(q):
    """(cosh sqrt q, sinh sqrt q / sqrt q), any sign of q, |q| <= 40: the series in q,
    even and odd powers as two Horner chains in q^2 (half the latency)."""
    q2 = q * q
    ce = _CW[22]
    se = _SW[22]
    co = _CW[21]
    so = _SW[21]
    ce = ce * q2 + _CW[20]
    se = se * q2 + _SW[20]
    co = co * q2 + _CW[19]
    so = so * q2 + _SW[19]
    ce = ce * q2 + _CW[18]
    se = se * q2 + _SW[18]
    co = co * q2 + _CW[17]
    so = so * q2 + _SW[17]
    ce = ce * q2 + _CW[16]
    se = se * q2 + _SW[16]
    co = co * q2 + _CW[15]
    so = so * q2 + _SW[15]
    ce = ce * q2 + _CW[14]
    se = se * q2 + _SW[14]
    co = co * q2 + _CW[13]
    so = so * q2 + _SW[13]
    ce = ce * q2 + _CW[12]
    se = se * q2 + _SW[12]
    co = co * q2 + _CW[11]
    so = so * q2 + _SW[11]
    ce = ce * q2 + _CW[10]
    se = se * q2 + _SW[10]
    co = co * q2 + _CW[9]
    so = so * q2 + _SW[9]
    ce = ce * q2 + _CW[8]
    se = se * q2 + _SW[8]
    co = co * q2 + _CW[7]
    so = so * q2 + _SW[7]
    ce = ce * q2 + _CW[6]
    se = se * q2 + _SW[6]
    co = co * q2 + _CW[5]
    so = so * q2 + _SW[5]
    ce = ce * q2 + _CW[4]
    se = se * q2 + _SW[4]
    co = co * q2 + _CW[3]
    so = so * q2 + _SW[3]
    ce = ce * q2 + _CW[2]
    se = se * q2 + _SW[2]
    co = co * q2 + _CW[1]
    so = so * q2 + _SW[1]
    ce = ce * q2 + _CW[0]
    se = se * q2 + _SW[0]
    return ce + q * co, se + q * so


@numba.njit(fastmath=FAST_MATH, inline="always")
def _cosh_sinhc_narrow(q):
    """:func:`_cosh_sinhc` for :math:`|q| \\le 4` (14 terms: truncation below 2e-19)."""
    q2 = q * q
    ce = _CW[12]
    se = _SW[12]
    co = _CW[13]
    so = _SW[13]
    ce = ce * q2 + _CW[10]
    se = se * q2 + _SW[10]
    co = co * q2 + _CW[11]
    so = so * q2 + _SW[11]
    ce = ce * q2 + _CW[8]
    se = se * q2 + _SW[8]
    co = co * q2 + _CW[9]
    so = so * q2 + _SW[9]
    ce = ce * q2 + _CW[6]
    se = se * q2 + _SW[6]
    co = co * q2 + _CW[7]
    so = so * q2 + _SW[7]
    ce = ce * q2 + _CW[4]
    se = se * q2 + _SW[4]
    co = co * q2 + _CW[5]
    so = so * q2 + _SW[5]
    ce = ce * q2 + _CW[2]
    se = se * q2 + _SW[2]
    co = co * q2 + _CW[3]
    so = so * q2 + _SW[3]
    ce = ce * q2 + _CW[0]
    se = se * q2 + _SW[0]
    co = co * q2 + _CW[1]
    so = so * q2 + _SW[1]
    return ce + q * co, se + q * so


@numba.njit(fastmath=FAST_MATH, inline="always")
def _exp4(t):
    """:math:`e^t = (e^{t/4})^4` for :math:`|t| \\le 2` (17 terms: below 1e-18)."""
    x = 0.25 * t
    e = _EX[16]
    e = e * x + _EX[15]
    e = e * x + _EX[14]
    e = e * x + _EX[13]
    e = e * x + _EX[12]
    e = e * x + _EX[11]
    e = e * x + _EX[10]
    e = e * x + _EX[9]
    e = e * x + _EX[8]
    e = e * x + _EX[7]
    e = e * x + _EX[6]
    e = e * x + _EX[5]
    e = e * x + _EX[4]
    e = e * x + _EX[3]
    e = e * x + _EX[2]
    e = e * x + _EX[1]
    e = e * x + _EX[0]
    e = e * e
    return e * e


@numba.njit(fastmath=FAST_MATH, inline="always")
def _exp8(t):
    """:math:`e^t = (e^{t/8})^8` for :math:`|t| \\le 8` (Taylor series, no branch)."""
    x = 0.125 * t
    e = _EX[20]
    e = e * x + _EX[19]
    e = e * x + _EX[18]
    e = e * x + _EX[17]
    e = e * x + _EX[16]
    e = e * x + _EX[15]
    e = e * x + _EX[14]
    e = e * x + _EX[13]
    e = e * x + _EX[12]
    e = e * x + _EX[11]
    e = e * x + _EX[10]
    e = e * x + _EX[9]
    e = e * x + _EX[8]
    e = e * x + _EX[7]
    e = e * x + _EX[6]
    e = e * x + _EX[5]
    e = e * x + _EX[4]
    e = e * x + _EX[3]
    e = e * x + _EX[2]
    e = e * x + _EX[1]
    e = e * x + _EX[0]
    e = e * e
    e = e * e
    return e * e


@numba.njit(cache=True, nogil=True, fastmath=FAST_MATH, error_model="numpy")
def exprb_lanes(
    current_a,
    dcurrent_a,
    substeps,
    dt,
    consts,
    noise,
    noise_scale,
    chol,
    state,
    count,
    p_out,
    phi_out,
    narrow=False,
):
    """Integrate ``K`` independent chains of the rate equations, one per lane.

    Lane ``c`` is :func:`~rof.photonics.timedomain.exprb_kernel.exprb_kernel` on
    ``current_a[:, c]``, ``dcurrent_a[:, c]`` and ``noise[:, :, c]``, from the state
    ``state[:, c]`` (:func:`bias_state` for the bias point with phase 0), over its first
    ``count[c]`` samples; the state is updated in place, so that a long record runs
    in blocks. The lanes are the arrays' last, contiguous axis, so that
    one vector load reads a value of every lane (with the lanes as rows the compiler
    does not vectorise the loop: measured 10x slower;
    :mod:`~rof.photonics.timedomain.laser_chunks` fills and reads this layout).

    Parameters
    ----------
    current_a, dcurrent_a : ndarray of float64, shape (T * substeps + 1, K)
        Current, A, and its slope, A/s, at the step boundaries of each lane.
    substeps, dt, consts, noise_scale, chol :
        As :func:`~rof.photonics.timedomain.exprb_kernel.exprb_kernel`.
    noise : ndarray of float64, shape (T, 3, K)
        Draws of each lane's Langevin kicks (read when ``noise_scale > 0``).
    state : ndarray of float64, shape (9, K)
        Per lane (N, S, phi) and the right-hand side and Jacobian at them and the
        current of the first step point, (f_N, f_S, a11, a12, a21, a22); updated.
    count : ndarray of int64, shape (K,)
        Samples each lane advances (at most T); past them its state is held.
    p_out, phi_out : ndarray of float64, shape (T, K)
        Written: power, W, and phase, rad, at the end of each sample (rows past a
        lane's ``count`` hold its last state).
    narrow : bool
        The shorter series (:data:`Q_NARROW`, :data:`T_NARROW`): steps outside them
        take the scalar path, so the result is the same either way.
    """
    tau_p, tau_n, beta, g_n, n0, eps, alpha, k, n_b, s_b = consts
    inv_tp = 1.0 / tau_p
    inv_tn = 1.0 / tau_n
    b_tn = beta * inv_tn
    inv_q = 1.0 / 1.602176634e-19
    half_ag = 0.5 * alpha * g_n
    s_sp = beta * tau_p / tau_n
    smin = 1e-3
    h = dt
    lanes = current_a.shape[1]
    n_ = state[0]
    s_ = state[1]
    p_ = state[2]
    fn_ = state[3]
    fs_ = state[4]
    j11 = state[5]
    j12 = state[6]
    j21 = state[7]
    j22 = state[8]
    bad = np.zeros(lanes, dtype=np.int64)
    kick = noise_scale > 0.0
    q_lim = Q_NARROW if narrow else Q_WIDE
    t_lim = T_NARROW if narrow else T_WIDE
    for i in range(p_out.shape[0]):
        for j in range(substeps):
            m = i * substeps + j
            nbad = 0
            for c in range(lanes):  # the vectorised common step
                n = n_[c]
                s = s_[c]
                fn = fn_[c]
                fs = fs_[c]
                a11 = j11[c]
                a12 = j12[c]
                a21 = j21[c]
                a22 = j22[c]
                i1 = current_a[m + 1, c]
                tr = h * (a11 + a22)
                det = h * h * (a11 * a22 - a12 * a21)
                t = 0.5 * tr
                q = t * t - det
                hold = i >= count[c]
                off = (
                    (a22 * h > 0.5)
                    | (det < 0.01)
                    | (tr * tr > 1e4 * det)
                    | (abs(q) > q_lim)
                    | (abs(t) > t_lim)
                )
                if narrow:  # loop-invariant: the compiler makes two loops
                    cc, sv = _cosh_sinhc_narrow(q)
                    et = _exp4(t)
                else:
                    cc, sv = _cosh_sinhc(q)
                    et = _exp8(t)
                inv_det = 1.0 / det
                x = et * (cc - t * sv) - 1.0
                a1 = x * tr * inv_det + et * sv
                b1 = -x * inv_det
                x = a1 - 1.0
                a2 = x * tr * inv_det + b1
                b2 = -x * inv_det
                x = a2 - 0.5
                a3 = x * tr * inv_det + b2
                b3 = -x * inv_det
                n_new, s_new = _exprb32_update(
                    n, s, fn, fs, a11, a12, a21, a22, a1, b1, a2, b2, a3, b3, i1,
                    dcurrent_a[m, c], h, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin,
                )  # fmt: skip
                f_n, f_s, b11, b12, b21, b22 = _rhs_jac(
                    n_new, s_new, i1, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
                )
                ph = p_[c] - half_ag * ((0.5 * (n + n_new) - n_b) * h + h * h / 12.0 * (fn - f_n))
                # commit where the lane stayed on the common path
                keep = off | hold
                n_[c] = n if keep else n_new
                s_[c] = s if keep else s_new
                p_[c] = p_[c] if keep else ph
                fn_[c] = fn if keep else f_n
                fs_[c] = fs if keep else f_s
                j11[c] = a11 if keep else b11
                j12[c] = a12 if keep else b12
                j21[c] = a21 if keep else b21
                j22[c] = a22 if keep else b22
                bad[c] = off & ~hold
                nbad += off & ~hold
            if nbad:
                for c in range(lanes):
                    if bad[c]:
                        _scalar_step(
                            c, m, h, current_a, dcurrent_a, n_, s_, p_, fn_, fs_, j11, j12, j21,
                            j22, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin, half_ag, n_b,
                        )  # fmt: skip
        if kick:
            m = (i + 1) * substeps
            for c in range(lanes):  # the Langevin kick, vectorised (inlined)
                hold = i >= count[c]
                n = n_[c]
                s = s_[c]
                n1, s1, ph1 = _langevin_kick(
                    n, s, p_[c], noise[i, 0, c], noise[i, 1, c], noise[i, 2, c], chol,
                    beta, s_sp, n_b, s_b,
                )  # fmt: skip
                f_n, f_s, b11, b12, b21, b22 = _rhs_jac(
                    n1, s1, current_a[m, c], inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
                )
                n_[c] = n if hold else n1
                s_[c] = s if hold else s1
                p_[c] = p_[c] if hold else ph1
                fn_[c] = fn_[c] if hold else f_n
                fs_[c] = fs_[c] if hold else f_s
                j11[c] = j11[c] if hold else b11
                j12[c] = j12[c] if hold else b12
                j21[c] = j21[c] if hold else b21
                j22[c] = j22[c] if hold else b22
        for c in range(lanes):
            p_out[i, c] = k * s_[c]
            phi_out[i, c] = p_[c]


@numba.njit(cache=True, fastmath=FAST_MATH)
def bias_state(current0, consts):
    """The (9, K) lane state of :func:`exprb_lanes` at the bias point, phase 0, with
    the first step point's current ``current0[c]``."""
    tau_p, tau_n, beta, g_n, n0, eps, _, _, n_b, s_b = consts
    out = np.empty((9, current0.size))
    for c in range(current0.size):
        out[0, c] = n_b
        out[1, c] = s_b
        out[2, c] = 0.0
        f = _rhs_jac(
            n_b, s_b, current0[c], 1.0 / 1.602176634e-19, 1.0 / tau_p, 1.0 / tau_n,
            beta / tau_n, g_n, n0, eps,
        )  # fmt: skip
        for j in range(6):
            out[3 + j, c] = f[j]
    return out


@numba.njit(cache=True, fastmath=FAST_MATH)
def _scalar_step(
    c, m, h, cur, dcur, n_, s_, p_, fn_, fs_, j11, j12, j21, j22,
    inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin, half_ag, n_b,
):  # fmt: skip
    """Step ``m`` of lane ``c`` by the scalar code of ``exprb_kernel`` (split step, or
    the general :func:`~rof.photonics.timedomain.phi_functions.phi123`), in place."""
    n = n_[c]
    s = s_[c]
    phi = p_[c]
    i1 = cur[m + 1, c]
    if j22[c] * h > 0.5:
        n, s, phi = _split_step(
            n, s, phi, cur[m, c], i1, dcur[m, c], dcur[m + 1, c], h, j22[c],
            inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin, half_ag, n_b,
        )  # fmt: skip
        fn, fs, a11, a12, a21, a22 = _rhs_jac(n, s, i1, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps)
    else:
        n_new, s = _exprb32_step(
            n, s, fn_[c], fs_[c], j11[c], j12[c], j21[c], j22[c], i1, dcur[m, c], h,
            inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps, smin,
        )  # fmt: skip
        fn, fs, a11, a12, a21, a22 = _rhs_jac(
            n_new, s, i1, inv_q, inv_tp, inv_tn, b_tn, g_n, n0, eps
        )
        phi -= half_ag * ((0.5 * (n + n_new) - n_b) * h + h * h / 12.0 * (fn_[c] - fn))
        n = n_new
    n_[c] = n
    s_[c] = s
    p_[c] = phi
    fn_[c] = fn
    fs_[c] = fs
    j11[c] = a11
    j12[c] = a12
    j21[c] = a21
    j22[c] = a22


def use_narrow(consts, dt: float) -> bool:
    """Whether :func:`exprb_lanes` should take the shorter series: the bias point's
    :math:`|q|` and :math:`|t|` (of :math:`hJ`) at most a quarter of :data:`Q_NARROW` and
    :data:`T_NARROW`, so that only large excursions (turn-on after clipping) fall back."""
    tau_p, tau_n, beta, g_n, n0, eps, _, _, n_b, s_b = consts
    f = _rhs_jac(n_b, s_b, 0.0, 1.0, 1.0 / tau_p, 1.0 / tau_n, beta / tau_n, g_n, n0, eps)
    a11, a12, a21, a22 = f[2], f[3], f[4], f[5]
    tr = dt * (a11 + a22)
    det = dt * dt * (a11 * a22 - a12 * a21)
    t = 0.5 * tr
    return abs(t * t - det) <= 0.25 * Q_NARROW and abs(t) <= 0.25 * T_NARROW
