"""Optical fiber in the time domain: dispersion filter and split-step Fourier solver.

Field convention (Agrawal, *Nonlinear Fiber Optics*, 6th ed., Academic Press 2019,
ch. 2): the optical field is :math:`\\mathrm{Re}\\{A(z,T) e^{i(\\beta_0 z - \\omega_0 t)}\\}`
with :math:`A` in :math:`\\sqrt{\\mathrm W}` and :math:`T` the retarded time, so a
frequency shift :math:`\\delta\\omega` of the light is :math:`-\\partial\\phi/\\partial T`.
The envelope obeys the non-linear Schroedinger equation (NLFO section 2.3)

.. math:: \\frac{\\partial A}{\\partial z} = -\\frac{\\alpha}{2} A
          - \\frac{i\\beta_2}{2}\\frac{\\partial^2 A}{\\partial T^2} + i\\gamma |A|^2 A,

with :math:`\\beta_2 = -D\\lambda^2 / (2\\pi c)` (NLFO section 1.2.3). With
:math:`\\gamma = 0` it is solved exactly in the frequency domain (NLFO section 3.2):
:math:`\\tilde A(L,\\omega) = \\tilde A(0,\\omega)\\exp(i\\beta_2\\omega^2 L/2 - \\alpha L/2)`
(numpy's FFT sign differs from Agrawal's, but :math:`\\omega^2` does not care).

The non-linear case uses the symmetric split-step Fourier method (NLFO section 2.4.1,
symmetric form): half a linear step, the full non-linear phase, half a linear step, with
consecutive linear half steps merged. The non-linear phase of a step of length
:math:`h` centred at the midpoint uses the exact effective length of the loss profile,
:math:`\\int_{-h/2}^{h/2} e^{-\\alpha z} dz = 2\\sinh(\\alpha h/2)/\\alpha`, so a CW field
gains exactly :math:`\\gamma P_0 L_{eff}`, :math:`L_{eff} = (1-e^{-\\alpha L})/\\alpha`
(NLFO section 4.1). Step size follows the non-linear phase-rotation criterion (Sinkin et
al., "Optimization of the split-step Fourier method in modeling optical-fiber
communications systems", J. Lightwave Technol. 21(1), 2003): the peak non-linear phase
per step is at most ``max_phase_rad``.

FFTs of 2^14 points or more use the four-step (Bailey) decomposition
:math:`n = n_1 n_2` (D. H. Bailey, "FFTs in external or hierarchical memory", J.
Supercomputing 4(1), 1990): :math:`n_2` transforms of length :math:`n_1`, a twiddle
multiply by :math:`e^{-2\\pi i k_1 j_2/n}`, :math:`n_1` transforms of length :math:`n_2`,
leaving the spectrum in transposed order :math:`X[k_1 + n_1 k_2]` at ``[k1, k2]``.
Diagonal frequency-domain operators are applied in that order, so the transpose is
never done; the shorter transforms stay in cache, and the pair is about twice as fast
as one long pocketfft transform of 2^16 or 2^20 points on the machine measured.
"""

from __future__ import annotations

import functools
import math
import os
from collections import OrderedDict

import numba
import numpy as np
from scipy import fft as sfft

from rof._validate import check_finite, check_int_range, check_range
from rof.errors import ParameterError
from rof.units import C_M_PER_S

__all__ = [
    "beta2_s2_per_m",
    "dispersion_operator",
    "kerr_column_step",
    "kerr_phase_inplace",
    "kerr_phase_reference",
    "propagate_linear",
    "ssfm",
]

_WORKERS = os.cpu_count() or 1
_FM = {"nsz", "arcp", "contract", "reassoc"}  # fast math, NaN/inf semantics kept


def beta2_s2_per_m(dispersion_ps_per_nm_km: float, wavelength_nm: float) -> float:
    """GVD :math:`\\beta_2 = -D\\lambda^2/(2\\pi c)`, s^2/m (NLFO section 1.2.3)."""
    d_si = dispersion_ps_per_nm_km * 1e-6  # ps/(nm km) -> s/m^2
    lam = wavelength_nm * 1e-9
    return -d_si * lam * lam / (2.0 * math.pi * C_M_PER_S)


#: Bytes that the cached FFT operators and twiddles of this module may hold together;
#: a result larger than this is computed afresh each call and not kept.
CACHE_BYTES = 1 << 30
_CACHE: OrderedDict = OrderedDict()


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    return 0


def _bounded_cache(fn):
    """Least-recently-used cache of ``fn`` within :data:`CACHE_BYTES`, shared by the
    module's operators (at a high optical rate one operator of a record can hold GBs)."""

    @functools.wraps(fn)
    def wrapper(*args):
        key = (fn.__name__, *args)
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit[0]
        value = fn(*args)
        size = _nbytes(value)
        if size <= CACHE_BYTES:
            _CACHE[key] = (value, size)
            total = sum(v[1] for v in _CACHE.values())
            while total > CACHE_BYTES:
                total -= _CACHE.popitem(last=False)[1][1]
        return value

    wrapper.cache_clear = _CACHE.clear
    return wrapper


@_bounded_cache
def dispersion_operator(
    n: int, sample_rate_hz: float, beta2_s2_per_m: float, length_m: float, alpha_np_per_m: float
) -> np.ndarray:
    """Frequency response :math:`\\exp(i\\beta_2\\omega^2 L/2 - \\alpha L/2)` on an FFT grid.

    Cached (least recently used, within :data:`CACHE_BYTES` shared with the module's
    other operators) per argument set; the returned array is read-only.
    ``alpha_np_per_m`` is the power attenuation in neper/m.

    Returns
    -------
    ndarray of complex128, shape (n,), in numpy FFT bin order.
    """
    w = 2.0 * np.pi * sfft.fftfreq(n, 1.0 / sample_rate_hz)
    h = np.exp(1j * (0.5 * beta2_s2_per_m * length_m) * w * w - 0.5 * alpha_np_per_m * length_m)
    h.setflags(write=False)
    return h


_FOUR_STEP_MIN = 1 << 14


@_bounded_cache
def _four_step_plan(n: int):
    """``(n1, n2, twiddle)`` of the four-step FFT of length ``n``, or None (direct FFT).

    ``n1`` is the divisor of ``n`` nearest ``max(16, n / 2**16)``: few short strided
    column transforms and long contiguous rows of at most about 2^16 points (1 MiB, an
    L2 cache), the fastest split measured for 2^16 and 2^20 points.
    ``twiddle[k1, j2] = exp(-2 pi i k1 j2 / n)``, shape (n1, n2), with the exponent
    reduced modulo ``n`` for accuracy. Read-only.
    """
    if n < _FOUR_STEP_MIN:
        return None
    target = max(16.0, n / 65536.0)
    best = 1
    for d in range(1, math.isqrt(n) + 1):
        if n % d == 0:
            for c in (d, n // d):
                if abs(math.log(c / target)) < abs(math.log(best / target)):
                    best = c
    n1, n2 = best, n // best
    if n1 < 8 or n2 < 16:  # (nearly) prime length: nothing to gain
        return None
    k1 = np.arange(n1, dtype=np.int64)[:, None]
    j2 = np.arange(n2, dtype=np.int64)[None, :]
    tw = np.exp((-2j * np.pi / n) * ((k1 * j2) % n))
    tw.setflags(write=False)
    return n1, n2, tw


def _fft_fwd(a: np.ndarray, plan) -> np.ndarray:
    """Forward FFT in place of a contiguous complex128 array (transposed order if planned)."""
    if plan is None:
        return sfft.fft(a, overwrite_x=True, workers=_WORKERS)
    n1, n2, tw = plan
    y = sfft.fft(a.reshape(n1, n2), axis=0, overwrite_x=True, workers=_WORKERS)
    y *= tw
    return sfft.fft(y, axis=1, overwrite_x=True, workers=_WORKERS).reshape(-1)


def _fft_inv(spec: np.ndarray, plan) -> np.ndarray:
    """Inverse of :func:`_fft_fwd`, in place; returns the time samples in natural order."""
    if plan is None:
        return sfft.ifft(spec, overwrite_x=True, workers=_WORKERS)
    n1, n2, _ = plan
    y = sfft.ifft(spec.reshape(n1, n2), axis=1, overwrite_x=True, workers=_WORKERS)
    y *= _conj_twiddle(n1 * n2)
    return sfft.ifft(y, axis=0, overwrite_x=True, workers=_WORKERS).reshape(-1)


@_bounded_cache
def _conj_twiddle(n: int) -> np.ndarray:
    """Complex conjugate of the four-step twiddle of length ``n`` (read-only, cached)."""
    c = np.conj(_four_step_plan(n)[2])
    c.setflags(write=False)
    return c


@_bounded_cache
def _operator_in_fft_order(
    n: int, sample_rate_hz: float, beta2: float, length_m: float, alpha: float
) -> np.ndarray:
    """:func:`dispersion_operator` laid out as :func:`_fft_fwd` returns spectra."""
    plan = _four_step_plan(n)
    if plan is None:
        return dispersion_operator(n, sample_rate_hz, beta2, length_m, alpha)
    n1, n2, _ = plan
    # Not through dispersion_operator's cache: only the reordered copy is kept.
    h = dispersion_operator.__wrapped__(n, sample_rate_hz, beta2, length_m, alpha)
    hp = np.ascontiguousarray(h.reshape(n2, n1).T).reshape(-1)
    hp.setflags(write=False)
    return hp


def _fiber_constants(fiber, length_km):
    length_km = fiber.length_km if length_km is None else length_km
    length_km = check_range("length_km", length_km, 0.0)
    alpha = fiber.attenuation_db_per_km * math.log(10.0) / 10.0 / 1e3  # Np/m (power)
    b2 = beta2_s2_per_m(fiber.dispersion_ps_per_nm_km, fiber.wavelength_nm)
    return length_km * 1e3, alpha, b2


def _check_field(field) -> np.ndarray:
    a = np.asarray(field)
    # The sum (the FFT's DC bin) is finite when every sample is; if it overflows, the
    # full check below decides.
    if a.ndim != 1 or not np.isfinite(a.sum()):
        check_finite("field", np.stack((a.real, a.imag)) if np.iscomplexobj(a) else a)
        if a.ndim != 1:
            raise ParameterError(f"field has shape {a.shape}; allowed: 1-D array")
    return a.astype(np.complex128, copy=True)


def propagate_linear(field, sample_rate_hz: float, fiber, *, length_km=None) -> np.ndarray:
    """Propagate an optical field through linear fiber (dispersion and loss).

    Parameters
    ----------
    field : ndarray of complex, shape (n,)
        Envelope :math:`A(0,T)`, sqrt(W), sampled at ``sample_rate_hz`` (treated as periodic).
    sample_rate_hz : float
        Sample rate, Hz.
    fiber : rof.photonics.Fiber
        Uses ``length_km``, ``attenuation_db_per_km``, ``dispersion_ps_per_nm_km`` and
        ``wavelength_nm``.
    length_km : float, optional
        Overrides ``fiber.length_km``.

    Returns
    -------
    ndarray of complex128, shape (n,)
        :math:`A(L,T)` in the retarded frame (group delay removed). The field is treated
        as periodic when ``n`` is a fast FFT length (5-smooth); otherwise it is extended
        with its last sample (a CW continuation) to the next fast length first.
    """
    a = _check_field(field)
    fs = check_range("sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    length_m, alpha, b2 = _fiber_constants(fiber, length_km)
    n = a.size
    nf = sfft.next_fast_len(n)
    if nf != n:  # continue the end samples (CW) up to a fast FFT length
        a = np.pad(a, (0, nf - n), mode="edge")
    plan = _four_step_plan(nf)
    spec = _fft_fwd(a, plan)
    spec *= _operator_in_fft_order(nf, float(fs), b2, length_m, alpha)
    return _fft_inv(spec, plan)[:n]


@numba.njit(cache=True, fastmath=True)
def _max_power(a):
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
    if gamma_leff * _max_power(a) < 0.25:
        _kerr_small(a, gamma_leff)
    else:
        _kerr_trig(a, gamma_leff)


_COL_BLOCK = 128  # columns per cache block of the fused column step
_W16 = np.exp(-2j * np.pi * np.arange(16) / 16)


@numba.njit(cache=True, fastmath=_FM, inline="always")
def _bfly4(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, s):
    # 4-point DFT with kernel exp(s i pi/2 n k), s = -1 forward, +1 inverse.
    t0r, t0i, t1r, t1i = a0r + a2r, a0i + a2i, a0r - a2r, a0i - a2i
    t2r, t2i = a1r + a3r, a1i + a3i
    t3r, t3i = -s * (a1i - a3i), s * (a1r - a3r)
    return (t0r + t2r, t0i + t2i, t1r + t3r, t1i + t3i, t0r - t2r, t0i - t2i, t1r - t3r, t1i - t3i)


@numba.njit(cache=True, fastmath=_FM)
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


@numba.njit(cache=True, fastmath=_FM)
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


def ssfm(
    field,
    sample_rate_hz: float,
    fiber,
    *,
    gamma_per_w_km: float = 1.3,
    n_steps: int | None = None,
    max_phase_rad: float = 0.005,
    length_km: float | None = None,
) -> np.ndarray:
    """Symmetric split-step Fourier solution of the NLSE (NLFO section 2.4.1).

    Parameters
    ----------
    field : ndarray of complex, shape (n,)
        Input envelope, sqrt(W).
    sample_rate_hz : float
        Sample rate, Hz.
    fiber : rof.photonics.Fiber
        Length, loss, dispersion and wavelength.
    gamma_per_w_km : float
        Non-linear coefficient :math:`\\gamma`, 1/(W km) (about 1.3 for standard SMF).
    n_steps : int, optional
        Number of equal steps. Default: the fewest that keep the peak non-linear phase
        per step at or below ``max_phase_rad``. A given ``n_steps`` whose steps exceed
        a tenth of the non-linear length :math:`L_{NL} = 1/(\\gamma P_{peak})` (peak
        phase > 0.1 rad per step) is rejected.
    max_phase_rad : float
        Target peak non-linear phase per step, rad, for the automatic step count.
    length_km : float, optional
        Overrides ``fiber.length_km``.

    Returns
    -------
    ndarray of complex128, shape (n,)
    """
    a = _check_field(field)
    fs = float(check_range("sample_rate_hz", sample_rate_hz, 0.0, lo_open=True))
    gamma = check_range("ssfm.gamma_per_w_km", gamma_per_w_km, 0.0) / 1e3  # 1/(W m)
    max_phase_rad = check_range("ssfm.max_phase_rad", max_phase_rad, 0.0, 0.1, lo_open=True)
    length_m, alpha, b2 = _fiber_constants(fiber, length_km)
    if length_m == 0.0:
        return a
    p_peak = float(np.max(np.abs(a) ** 2))
    leff_total = length_m if alpha == 0.0 else -math.expm1(-alpha * length_m) / alpha
    if n_steps is None:
        n_steps = max(1, math.ceil(gamma * p_peak * leff_total / max_phase_rad))
    else:
        n_steps = check_int_range("ssfm.n_steps", n_steps, 1)
        h = length_m / n_steps
        if gamma * p_peak * h > 0.1:
            need = math.ceil(gamma * p_peak * length_m / 0.1)
            raise ParameterError(
                f"ssfm.n_steps = {n_steps} gives {h / 1e3:g} km steps, longer than 0.1 L_NL "
                f"(L_NL = {1e-3 / (gamma * p_peak):g} km at {p_peak:g} W peak); allowed: >= {need}"
            )
    h = length_m / n_steps
    leff_step = h if alpha == 0.0 else 2.0 * math.sinh(alpha * h / 2.0) / alpha
    plan = _four_step_plan(a.size)
    d_half = _operator_in_fft_order(a.size, fs, b2, h / 2.0, alpha)
    d_full = _operator_in_fft_order(a.size, fs, b2, h, alpha)
    spec = _fft_fwd(a, plan)
    spec *= d_half
    if plan is not None and plan[0] == 16:
        # Row stages by pocketfft; column stages, twiddles and Kerr fused in one kernel.
        n1, n2, tw = plan
        y = spec.reshape(n1, n2)
        for i in range(n_steps):
            y = sfft.ifft(y, axis=1, overwrite_x=True, workers=_WORKERS)
            kerr_column_step(y, tw, gamma * leff_step, _W16)
            y = sfft.fft(y, axis=1, overwrite_x=True, workers=_WORKERS)
            y *= (d_full if i < n_steps - 1 else d_half).reshape(n1, n2)
        return _fft_inv(y.reshape(-1), plan)
    for i in range(n_steps):
        a = _fft_inv(spec, plan)
        if gamma > 0.0:
            kerr_phase_inplace(a, gamma * leff_step)
        spec = _fft_fwd(a, plan)
        spec *= d_full if i < n_steps - 1 else d_half
    return _fft_inv(spec, plan)
