"""phi-functions of real 2x2 matrices for the DML's exponential integrators (Numba).

:math:`\\varphi_k(Z) = a_k I + b_k Z` for a real 2x2 :math:`Z` of trace ``tr`` and
determinant ``det`` (Cayley-Hamilton; Hochbruck & Ostermann, "Exponential
integrators", Acta Numerica 19, 2010, section 2): closed forms from the eigenvalues,
and even Taylor series in the discriminant for the latency-bound common step (no
square root, trigonometry or branch on the eigenvalue type).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from rof.photonics._common import FAST_MATH

__all__ = ["dphi1_real", "phi1_coeffs", "phi1_coeffs_series", "phi1_real", "phi123"]


@numba.njit(cache=True, fastmath=FAST_MATH)
def phi1_coeffs(tr, det):
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
            return phi1_real(a) - dphi1_real(a) * a, dphi1_real(a)
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
        return phi1_real(h) - dphi1_real(h) * h, dphi1_real(h)
    f1 = phi1_real(m1)
    f2 = phi1_real(m2)
    return (m1 * f2 - m2 * f1) / (m1 - m2), (f1 - f2) / (m1 - m2)


# Taylor coefficients of C(q) = sum q^k/(2k)! (cosh sqrt q) and S(q) = sum q^k/(2k+1)!
# (sinh sqrt q / sqrt q), k = 0..11: truncation below 1e-17 for |q| <= 2.25.
_C_TAYLOR = tuple(1.0 / math.factorial(2 * k) for k in range(12))
_S_TAYLOR = tuple(1.0 / math.factorial(2 * k + 1) for k in range(12))


@numba.njit(cache=True, fastmath=FAST_MATH)
def phi1_coeffs_series(tr, det):
    """(c0, c1) of :func:`phi1_coeffs` without square roots or trigonometry.

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
        return phi1_coeffs(tr, det)
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


@numba.njit(cache=True, fastmath=FAST_MATH)
def phi1_real(z):
    if abs(z) < 1e-5:
        return 1.0 + z / 2.0 + z * z / 6.0
    return math.expm1(z) / z


@numba.njit(cache=True, fastmath=FAST_MATH)
def dphi1_real(z):
    if abs(z) < 1e-3:
        return 0.5 + z / 3.0 + z * z / 8.0 + z * z * z / 30.0
    e = math.exp(z)
    return (z * e - e + 1.0) / (z * z)


_INV_FACT = (1.0, 1.0, 0.5, 1.0 / 6.0)


@numba.njit(cache=True, fastmath=FAST_MATH)
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


@numba.njit(cache=True, fastmath=FAST_MATH)
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


#: Widest :math:`|q|` of the branch-free series path of :func:`phi123`, and its Taylor
#: coefficients of C and S, k = 0..22: truncation below 1e-19 at :math:`|q| = 40`, and for
#: :math:`q < 0` a cancellation of the terms (largest about 90) to about 1e-14 absolute.
_Q_WIDE = 40.0
_CW = tuple(1.0 / math.factorial(2 * k) for k in range(23))
_SW = tuple(1.0 / math.factorial(2 * k + 1) for k in range(23))


@numba.njit(cache=True, fastmath=FAST_MATH)
def _phi123_recurrence(tr, det, t, c, sv):
    """(a1, b1, a2, b2, a3, b3) of :func:`phi123` from :math:`e^Z = e^t(C I + S(Z - tI))`
    by :math:`\\varphi_{k+1}(Z) = Z^{-1}(\\varphi_k(Z) - I/k!)`."""
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


@numba.njit(cache=True, fastmath=FAST_MATH)
def phi123(tr, det):
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
    if det >= 0.01 and tr * tr <= 1e4 * det and abs(q) <= _Q_WIDE:
        # the common case, one branch-free path (a branch that flips with the state
        # stalls the latency-bound kernels): C and S by their series in q, each split
        # into even and odd powers (two independent Horner chains in q^2 of half depth)
        q2 = q * q
        ce = _CW[22]
        se = _SW[22]
        for kk in range(20, -1, -2):
            ce = ce * q2 + _CW[kk]
            se = se * q2 + _SW[kk]
        co = _CW[21]
        so = _SW[21]
        for kk in range(19, 0, -2):
            co = co * q2 + _CW[kk]
            so = so * q2 + _SW[kk]
        c = ce + q * co
        sv = se + q * so
        return _phi123_recurrence(tr, det, t, c, sv)
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
    return _phi123_recurrence(tr, det, t, c, sv)
