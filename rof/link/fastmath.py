"""Branch-free elementary functions for the link kernels (SIMD-friendly Numba code).

libm calls do not vectorise inside Numba loops; these do, with fdlibm's argument
reduction and minimax polynomials (Sun Microsystems fdlibm 5.3, 1993): :func:`cos_sq`,
:func:`cos_sin_sq` and :func:`ln`. The grid kernels of :mod:`rof.link.kernels` and
:mod:`rof.link.describing` inline them.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

__all__ = ["DB_PER_LN", "cos_sin_sq", "cos_sq", "ln"]

#: pi/2 split for Cody-Waite argument reduction (fdlibm ``__ieee754_rem_pio2`` constants).
_PIO2_1 = 1.57079632673412561417e00
_PIO2_2 = 6.07710050630396597660e-11
_PIO2_3 = 2.02226624871116645580e-21
_TWO_OVER_PI = 6.36619772367581382433e-01
#: dB per neper of power, :math:`10/\\ln 10`.
DB_PER_LN = 10.0 / math.log(10.0)
#: ln 2 split so that ``e * _LN2_HI`` is exact for |e| < 2^11 (fdlibm ``e_log.c``).
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_SQRT2 = 1.4142135623730951
#: fdlibm ``e_log.c`` minimax coefficients of :math:`R(z) \approx \sum_i L_i z^i`.
_LG1, _LG2, _LG3, _LG4, _LG5, _LG6, _LG7 = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
#: fdlibm ``k_sin.c`` / ``k_cos.c`` minimax coefficients on :math:`|r| \le \pi/4`.
_S1, _S2, _S3, _S4, _S5, _S6 = (
    -1.66666666666666324348e-01,
    8.33333333332248946124e-03,
    -1.98412698298579493134e-04,
    2.75573137070700676789e-06,
    -2.50507602534068634195e-08,
    1.58969099521155010221e-10,
)
_C1, _C2, _C3, _C4, _C5, _C6 = (
    4.16666666666666019037e-02,
    -1.38888888888741095749e-03,
    2.48015872894767294178e-05,
    -2.75573143513906633035e-07,
    2.08757232129817482790e-09,
    -1.13596475577881948265e-11,
)
_TINY = 2.2250738585072014e-308  # smallest normal double
_TWO54 = 18014398509481984.0


@numba.njit(cache=True, inline="always")
def cos_sq(x):
    r""":math:`\cos^2 x` for finite :math:`|x| \lesssim 10^6`, branch-free (SIMD-friendly).

    Cody-Waite reduction :math:`x = k\pi/2 + r`, :math:`|r| \le \pi/4`, with
    :math:`\pi/2` split in three parts (Cody & Waite, *Software Manual for the
    Elementary Functions*, 1980; constants of fdlibm ``e_rem_pio2.c``), then
    :math:`\cos^2 x = \cos^2 r` for even :math:`k` and :math:`\sin^2 r` for odd
    :math:`k` (the sign drops out), with the minimax polynomials of fdlibm
    ``k_cos.c`` (degree 14) and ``k_sin.c`` (degree 13) on :math:`|r| \le \pi/4`
    (Sun Microsystems fdlibm 5.3, 1993). Relative error below 1e-15, also next to
    the zeros that are the fading nulls; unlike libm ``cos`` the loop vectorises.
    """
    k = math.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
    z = r * r
    c = 1.0 - (0.5 * z - z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    sn = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    v = sn if (np.int64(k) & 1) == 1 else c
    return v * v


@numba.njit(cache=True, inline="always")
def cos_sin_sq(x):
    r""":math:`(\cos^2 x, \sin^2 x)` by the reduction and polynomials of :func:`cos_sq`.

    Both come from the same reduced argument, so each keeps its full relative accuracy
    next to its own zeros (no :math:`1 - \cos^2` cancellation); branch-free.
    """
    k = math.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - k * _PIO2_1) - k * _PIO2_2) - k * _PIO2_3
    z = r * r
    c = 1.0 - (0.5 * z - z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    sn = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    odd = (np.int64(k) & 1) == 1
    cc, ss = c * c, sn * sn
    return (ss if odd else cc), (cc if odd else ss)


@intrinsic
def _bits(typingctx, x):
    """Reinterpret a float64 as its int64 bit pattern (a no-op bitcast)."""

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return numba.types.int64(numba.types.float64), codegen


@intrinsic
def _float(typingctx, b):
    """Reinterpret an int64 bit pattern as a float64 (a no-op bitcast)."""

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return numba.types.float64(numba.types.int64), codegen


if numba.config.DISABLE_JIT:  # NUMBA_DISABLE_JIT=1 (debugging): plain-Python bitcasts

    def _bits(x):
        return int(np.float64(x).view(np.int64))

    def _float(b):
        return float(np.int64(b).view(np.float64))


@numba.njit(cache=True, inline="always")
def ln(x):
    r"""Natural logarithm of a float64, branch-free (SIMD-friendly); IEEE special values.

    fdlibm's ``e_log.c`` algorithm (Sun Microsystems fdlibm 5.3, 1993): split
    :math:`x = 2^k (1+f)` from the bit pattern with :math:`\sqrt{1/2} < 1+f \le
    \sqrt2` (subnormals pre-scaled by :math:`2^{54}`), :math:`s = f/(2+f)`, so that
    :math:`\ln(1+f) = 2\,\mathrm{artanh}\,s = 2s + \tfrac23 s^3 + \tfrac25 s^5 +
    \dots` (Abramowitz & Stegun, *Handbook of Mathematical Functions*, 1964, eq.
    4.1.27), whose tail is fdlibm's degree-14 minimax polynomial :math:`R(s^2)`, and
    :math:`\ln x = k \ln 2 + f - \tfrac12 f^2 + s(\tfrac12 f^2 + R)` with
    :math:`\ln 2` split in two. Error about 1 ulp; ``ln(0) = -inf``,
    ``ln(inf) = inf``, NaN for negative or NaN input, like ``math.log`` but without the
    exception and, unlike a libm call, vectorisable by LLVM.
    """
    sub = x < _TINY
    xs = x * _TWO54 if sub else x
    b = _bits(xs)
    k = ((b >> 52) & 0x7FF) - (1023 + 54 if sub else 1023)
    m = _float((b & 0xFFFFFFFFFFFFF) | 0x3FF0000000000000)  # [1, 2)
    hi = m > _SQRT2
    m = 0.5 * m if hi else m
    k = k + 1 if hi else k
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    rr = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7))) + w * (_LG2 + w * (_LG4 + w * _LG6))
    hfsq = 0.5 * f * f
    dk = float(k)
    r = dk * _LN2_HI - ((hfsq - (s * (hfsq + rr) + dk * _LN2_LO)) - f)
    r = r if x > 0.0 else (-math.inf if x == 0.0 else math.nan)
    return x if x == math.inf else r
