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
per step is at most ``max_phase_rad`` (:func:`phase_steps`); :func:`ssfm_local_error`
is the same paper's local-error method (step doubling, local Richardson extrapolation,
fourth order), which reaches a given accuracy in several times fewer FFTs.

Long FFTs use the four-step decomposition of :mod:`rof.photonics.timedomain.fft4`, and
the non-linear step its fused column kernel (:mod:`rof.photonics.timedomain.kerr`).
"""

from __future__ import annotations

import math
import os

import numba
import numpy as np
from scipy import fft as sfft

from rof._validate import check_finite, check_int_range, check_range
from rof.errors import ParameterError
from rof.photonics.timedomain.fft4 import (
    bounded_cache,
    fft_forward,
    fft_inverse,
    four_step_plan,
)
from rof.photonics.timedomain.kerr import (
    W16,
    kerr_column_step,
    kerr_phase_inplace,
)
from rof.units import C_M_PER_S

__all__ = [
    "beta2_s2_per_m",
    "dispersion_operator",
    "phase_steps",
    "propagate_linear",
    "ssfm",
    "ssfm_local_error",
]

_WORKERS = os.cpu_count() or 1
#: Ratio of the step ladder of the automatic (phase-criterion) steps: at most 9 % shorter
#: than the criterion allows, about 26 distinct steps over 10 dB of loss.
_LADDER = 2.0 ** (1.0 / 8.0)


def beta2_s2_per_m(dispersion_ps_per_nm_km: float, wavelength_nm: float) -> float:
    """GVD :math:`\\beta_2 = -D\\lambda^2/(2\\pi c)`, s^2/m (NLFO section 1.2.3)."""
    d_si = dispersion_ps_per_nm_km * 1e-6  # ps/(nm km) -> s/m^2
    lam = wavelength_nm * 1e-9
    return -d_si * lam * lam / (2.0 * math.pi * C_M_PER_S)


@bounded_cache
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


@bounded_cache
def _operator_in_fft_order(
    n: int, sample_rate_hz: float, beta2: float, length_m: float, alpha: float
) -> np.ndarray:
    """:func:`dispersion_operator` laid out as :func:`fft_forward` returns spectra."""
    plan = four_step_plan(n)
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
    plan = four_step_plan(nf)
    spec = fft_forward(a, plan)
    spec *= _operator_in_fft_order(nf, float(fs), b2, length_m, alpha)
    return fft_inverse(spec, plan)[:n]


def phase_steps(
    length_m: float, alpha: float, phi_total: float, max_phase_rad: float, ratio: float
) -> np.ndarray:
    """Step lengths, m, of the non-linear phase-rotation criterion under loss.

    The non-linear phase a step :math:`[z, z + h]` gives the peak power,
    :math:`\\gamma P_{peak}e^{-\\alpha z}(1 - e^{-\\alpha h})/\\alpha`, is held at or below
    ``max_phase_rad`` (Sinkin et al., J. Lightwave Technol. 21(1), 61-68, 2003,
    section III-B, the non-linear phase rotation method): the steps lengthen as the
    power decays, :math:`h^*(z) = -\\ln(1 - \\phi_{max}e^{\\alpha z}\\alpha/(\\gamma
    P_{peak}))/\\alpha`, and each is rounded down to the ladder :math:`h_0\\rho^j`
    (:math:`h_0 = h^*(0)`, :math:`\\rho` = ``ratio``) so that few distinct dispersion
    operators serve the whole fiber; the last step ends at ``length_m``.

    Parameters
    ----------
    length_m, alpha : float
        Length, m, and power loss, Np/m.
    phi_total : float
        :math:`\\gamma P_{peak}L_{eff}`, rad, over the whole length.
    max_phase_rad : float
        Peak non-linear phase per step, rad.
    ratio : float
        Ladder ratio :math:`\\rho > 1`.
    """
    leff = length_m if alpha == 0.0 else -math.expm1(-alpha * length_m) / alpha
    gp = phi_total / leff  # gamma * P_peak, 1/m

    def ideal(z):
        if alpha == 0.0:
            return max_phase_rad / gp
        x = max_phase_rad * math.exp(alpha * z) * alpha / gp
        return math.inf if x >= 1.0 else -math.log1p(-x) / alpha

    h0 = min(ideal(0.0), length_m)
    steps = []
    z = 0.0
    while length_m - z > 1e-9 * length_m:
        h = min(ideal(z), length_m)
        j = 0 if h <= h0 else math.floor(math.log(h / h0) / math.log(ratio) + 1e-12)
        h = min(h0 * ratio**j, length_m - z)
        steps.append(h)
        z += h
    return np.array(steps)


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
        Number of equal steps. Default: steps that keep the peak non-linear phase per
        step at or below ``max_phase_rad`` and lengthen as the loss lowers the power
        (:func:`phase_steps`; fourth-order accuracy with error control:
        :func:`ssfm_local_error`). A given ``n_steps`` whose steps exceed
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
        if gamma * p_peak == 0.0:
            steps = np.array([length_m])
        else:
            steps = phase_steps(
                length_m, alpha, gamma * p_peak * leff_total, max_phase_rad, _LADDER
            )
    else:
        n_steps = check_int_range("ssfm.n_steps", n_steps, 1)
        h = length_m / n_steps
        if gamma * p_peak * h > 0.1:
            need = math.ceil(gamma * p_peak * length_m / 0.1)
            raise ParameterError(
                f"ssfm.n_steps = {n_steps} gives {h / 1e3:g} km steps, longer than 0.1 L_NL "
                f"(L_NL = {1e-3 / (gamma * p_peak):g} km at {p_peak:g} W peak); allowed: >= {need}"
            )
        steps = np.full(n_steps, h)
    n = a.size
    n_steps = steps.size

    def op(length):
        return _operator_in_fft_order(n, fs, b2, float(length), alpha)

    def between(i):
        """Linear operators after the non-linear phase of step i (merged half steps)."""
        if i == n_steps - 1:
            return (op(steps[i] / 2.0),)
        if steps[i] == steps[i + 1]:
            return (op(steps[i]),)
        return op(steps[i] / 2.0), op(steps[i + 1] / 2.0)

    def leff(h):
        return h if alpha == 0.0 else 2.0 * math.sinh(alpha * h / 2.0) / alpha

    plan = four_step_plan(n)
    spec = fft_forward(a, plan)
    spec *= op(steps[0] / 2.0)
    if plan is not None and plan[0] == 16:
        # Row stages by pocketfft; column stages, twiddles and Kerr fused in one kernel.
        n1, n2, tw = plan
        y = spec.reshape(n1, n2)
        for i in range(n_steps):
            y = sfft.ifft(y, axis=1, overwrite_x=True, workers=_WORKERS)
            kerr_column_step(y, tw, gamma * leff(steps[i]), W16)
            y = sfft.fft(y, axis=1, overwrite_x=True, workers=_WORKERS)
            for d in between(i):
                y *= d.reshape(n1, n2)
        return fft_inverse(y.reshape(-1), plan)
    for i in range(n_steps):
        a = fft_inverse(spec, plan)
        if gamma > 0.0:
            kerr_phase_inplace(a, gamma * leff(steps[i]))
        spec = fft_forward(a, plan)
        for d in between(i):
            spec *= d
    return fft_inverse(spec, plan)


@numba.njit(cache=True, fastmath=True)
def _diff_energy(a, b):
    """:math:`\\sum |a - b|^2` without a temporary array."""
    acc = 0.0
    for i in range(a.size):
        d = a[i] - b[i]
        acc += d.real * d.real + d.imag * d.imag
    return acc


def ssfm_local_error(
    field,
    sample_rate_hz: float,
    fiber,
    *,
    gamma_per_w_km: float = 1.3,
    local_error: float = 1e-6,
    max_phase_rad: float = 0.05,
    length_km: float | None = None,
    return_steps: bool = False,
):
    """Split-step Fourier solution of the NLSE with the local-error step control.

    The local error method of Sinkin et al. (J. Lightwave Technol. 21(1), 61-68, 2003,
    section III-D): each step of length :math:`2h` is taken once as one symmetric step
    (:math:`u_c`) and once as two of :math:`h` (:math:`u_f`); the relative local error
    :math:`\\delta = \\|u_f - u_c\\|/\\|u_f\\|` decides: above :math:`2\\delta_G` the step
    is redone at half the length; else it is kept as the local Richardson extrapolation
    :math:`u = \\tfrac43 u_f - \\tfrac13 u_c` (local error :math:`O(h^5)`, fourth order
    globally; the symmetric step's error expands in odd powers of :math:`h`), and the
    next :math:`h` is divided by :math:`2^{1/3}` if :math:`\\delta > \\delta_G`, multiplied
    by it if :math:`\\delta < \\delta_G/2`. The first step keeps the peak non-linear phase
    at ``max_phase_rad``. The symmetric step, its loss-weighted non-linear length and the
    dispersion operator are those of :func:`ssfm`; the step lengths stay on the ladder
    :math:`h_0 2^{j/3}` (but the last), so their operators are cached. Six FFTs per
    :math:`2h` (the step's spectrum is kept between steps), as many as two plain steps of
    :math:`h` and an extrapolation of them.

    Parameters
    ----------
    field : ndarray of complex, shape (n,)
        Input envelope, sqrt(W).
    sample_rate_hz : float
        Sample rate, Hz.
    fiber : rof.photonics.Fiber
        Length, loss, dispersion and wavelength.
    gamma_per_w_km : float
        Non-linear coefficient, 1/(W km).
    local_error : float
        :math:`\\delta_G`, the target relative local error per step (0 < local_error < 1).
    max_phase_rad : float
        Peak non-linear phase of the first step, rad (0 < max_phase_rad <= 1).
    length_km : float, optional
        Overrides ``fiber.length_km``.
    return_steps : bool
        Also return the accepted coarse step lengths, m.

    Returns
    -------
    ndarray of complex128, shape (n,), or (field, steps)
    """
    a = _check_field(field)
    fs = float(check_range("sample_rate_hz", sample_rate_hz, 0.0, lo_open=True))
    gamma = check_range("ssfm_local_error.gamma_per_w_km", gamma_per_w_km, 0.0) / 1e3
    d_g = check_range(
        "ssfm_local_error.local_error", local_error, 0.0, 1.0, lo_open=True, hi_open=True
    )
    max_phase_rad = check_range(
        "ssfm_local_error.max_phase_rad", max_phase_rad, 0.0, 1.0, lo_open=True
    )
    length_m, alpha, b2 = _fiber_constants(fiber, length_km)
    n = a.size
    plan = four_step_plan(n)
    p_peak = float(np.max(np.abs(a) ** 2))
    accepted = []
    if length_m == 0.0 or gamma * p_peak == 0.0:
        out = propagate_linear(a, fs, fiber, length_km=length_m / 1e3) if length_m else a
        return (out, np.array([length_m])) if return_steps else out

    def op(length):
        return _operator_in_fft_order(n, fs, b2, float(length), alpha)

    def leff(h):
        return h if alpha == 0.0 else 2.0 * math.sinh(alpha * h / 2.0) / alpha

    def kerr(spec, h):
        """Time domain, Kerr phase of a step of length h, back (in place where it can)."""
        if plan is not None and plan[0] == 16:  # column stages fused with the Kerr phase
            n1, n2, tw = plan
            y = sfft.ifft(spec.reshape(n1, n2), axis=1, overwrite_x=True, workers=_WORKERS)
            kerr_column_step(y, tw, gamma * leff(h), W16)
            return sfft.fft(y, axis=1, overwrite_x=True, workers=_WORKERS).reshape(-1)
        x = fft_inverse(spec, plan)
        kerr_phase_inplace(x, gamma * leff(h))
        return fft_forward(x, plan)

    h0 = min(max_phase_rad / (gamma * p_peak) / 2.0, length_m / 2.0)
    j = 0  # fine step h = h0 * 2^(j/3)
    z = 0.0
    spec = fft_forward(a, plan)
    ladder = 2.0 ** (1.0 / 3.0)
    while length_m - z > 1e-9 * length_m:
        h = h0 * ladder**j
        if z + 2.0 * h > length_m:
            h = (length_m - z) / 2.0
        fine = spec * op(h / 2.0)
        fine = kerr(fine, h)
        fine *= op(h)
        fine = kerr(fine, h)
        fine *= op(h / 2.0)
        coarse = spec * op(h)
        coarse = kerr(coarse, 2.0 * h)
        coarse *= op(h)
        delta = math.sqrt(_diff_energy(fine, coarse) / float(np.vdot(fine, fine).real))
        if delta > 2.0 * d_g and h > 1e-6 * length_m:
            j -= 3  # halve and redo
            continue
        fine *= 4.0 / 3.0
        coarse *= 1.0 / 3.0
        fine -= coarse
        spec = fine
        z += 2.0 * h
        accepted.append(2.0 * h)
        if delta > d_g:
            j -= 1
        elif delta < 0.5 * d_g:
            j += 1
    out = fft_inverse(spec, plan)
    return (out, np.array(accepted)) if return_steps else out
