"""Microring modulator on the optical field (time domain): coupled-mode theory.

The ring's mode amplitude :math:`a` (:math:`|a|^2` its energy) in the frame of the
laser obeys (Haus, *Waves and Fields in Optoelectronics*, 1984, ch. 7; Sacher & Poon,
"Dynamics of microring resonator modulators", Opt. Express 16, 15741, 2008, eqs. 1-2)

.. math:: \\frac{da}{dt} = (i\\delta(t) - \\gamma)\\,a - i\\kappa\\,s(t), \\qquad
          y(t) = s(t) - i\\kappa\\,a(t), \\qquad \\kappa^2 = 2\\gamma_e,

with :math:`s` the laser's field into the bus, :math:`y` the through-port field,
:math:`\\gamma` the amplitude decay rate (loss and coupling), :math:`\\gamma_e` its
coupling part and :math:`\\delta = \\omega_{res} - \\omega_L` the detuning, which the
junction moves with the drive after its RC response: a reverse voltage :math:`v_j`
red-shifts the resonance by ``shift_pm_per_v`` :math:`v_j`, so
:math:`\\delta(t) = \\delta_0 - 2\\pi c\\,s_v v_j(t)/\\lambda^2`. The constants are those
of :meth:`rof.photonics.siph.MicroringModulator._cmt_response` (the budget's small-signal
response), so a slow drive reproduces the steady state
:math:`y = s\\,(1 - 2\\gamma_e/(\\gamma - i\\delta))` and a small one that response.

Each sample step is the exact solution of the linear equation with :math:`\\delta` and
:math:`s` held at their mid-step values (second order in the step;
:func:`ring_cmt_kernel`, Numba, beside the plain loop :func:`ring_cmt_reference`).
The laser brings the same RIN and Wiener phase noise as the MZM's
(:func:`rof.photonics.timedomain.modulator.cw_source`).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy import fft as sfft

from rof._validate import check_finite, check_range
from rof.photonics.timedomain.modulator import cw_source
from rof.units import C_M_PER_S, dbm_to_w

__all__ = ["cmt_constants", "ring_cmt_kernel", "ring_cmt_reference", "ring_field"]


def cmt_constants(modulator) -> tuple[float, float, float, float]:
    """``(gamma, kappa, delta0, ddelta_dv)`` of a microring modulator, 1/s, 1/(s V).

    :math:`\\gamma = -\\ln(r_1 r_2 a)/t_{rt}`, :math:`\\gamma_e = -\\ln r_1/t_{rt}` with
    the round-trip time :math:`t_{rt} = n_g L/c`, :math:`\\kappa = \\sqrt{2\\gamma_e}`,
    :math:`\\delta_0 = 2\\pi c\\,\\Delta\\lambda/\\lambda^2` at the laser's detuning and
    :math:`d\\delta/dv = -2\\pi c\\,s_v/\\lambda^2`.
    """
    ring = modulator.ring
    r1, _, x, _ = modulator._ring_coeffs
    t_rt = ring.n_g * ring.circumference_um * 1e-6 / C_M_PER_S
    gamma = -math.log(x) / t_rt
    kappa = math.sqrt(-2.0 * math.log(r1) / t_rt)
    lam = modulator.wavelength_nm * 1e-9
    k = 2.0 * math.pi * C_M_PER_S / lam**2
    return gamma, kappa, k * modulator.detuning_nm * 1e-9, -k * modulator.shift_pm_per_v * 1e-12


@numba.njit(cache=True)
def ring_cmt_kernel(s_in, delta, h, gamma, kappa, out):
    """Through-port field ``out`` of the coupled-mode ring for input ``s_in`` (complex)
    and detuning ``delta`` (rad/s) per sample, step ``h`` (s); starts in steady state."""
    n = s_in.size
    lam0 = complex(-gamma, delta[0])
    a = 1j * kappa * s_in[0] / lam0  # da/dt = 0
    out[0] = s_in[0] - 1j * kappa * a
    for i in range(n - 1):
        lam = complex(-gamma, 0.5 * (delta[i] + delta[i + 1]))
        b = -1j * kappa * 0.5 * (s_in[i] + s_in[i + 1])
        e = np.exp(lam * h)
        a = a * e + b * (e - 1.0) / lam
        out[i + 1] = s_in[i + 1] - 1j * kappa * a


def ring_cmt_reference(s_in, delta, h: float, gamma: float, kappa: float) -> np.ndarray:
    """Plain-Python reference of :func:`ring_cmt_kernel` (same steps, ``cmath``)."""
    import cmath

    out = np.empty(len(s_in), dtype=complex)
    lam0 = complex(-gamma, delta[0])
    a = 1j * kappa * complex(s_in[0]) / lam0
    out[0] = s_in[0] - 1j * kappa * a
    for i in range(len(s_in) - 1):
        lam = complex(-gamma, 0.5 * (delta[i] + delta[i + 1]))
        b = -1j * kappa * 0.5 * (complex(s_in[i]) + complex(s_in[i + 1]))
        e = cmath.exp(lam * h)
        a = a * e + b * (e - 1.0) / lam
        out[i + 1] = s_in[i + 1] - 1j * kappa * a
    return out


def ring_field(modulator, drive_v, sample_rate_hz: float, rng=None) -> np.ndarray:
    """Optical field at the through port of a :class:`~rof.photonics.siph.MicroringModulator`.

    Parameters
    ----------
    modulator : rof.photonics.siph.MicroringModulator
        Its ring, laser power and insertion loss, detuning, ``shift_pm_per_v``,
        ``rc_bandwidth_hz``, RIN and linewidth.
    drive_v : ndarray of float, shape (n,)
        RF voltage across the junction's driver, V.
    sample_rate_hz : float
        Sample rate, Hz.
    rng : numpy.random.Generator or None
        Source of the laser's RIN and phase noise; None for a noiseless laser.

    Returns
    -------
    ndarray of complex128, shape (n,)
        Field, sqrt(W).
    """
    v = check_finite("ring_field.drive_v", drive_v)
    fs = check_range("ring_field.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    nf = sfft.next_fast_len(v.size, real=True)
    f = sfft.rfftfreq(nf, 1.0 / fs)
    h_rc = 1.0 / (1.0 + 1j * f / modulator.rc_bandwidth_hz)
    v = sfft.irfft(sfft.rfft(v, n=nf, workers=-1) * h_rc, n=nf, workers=-1)[: v.size]
    p_in = float(dbm_to_w(modulator.laser_power_dbm)) * 10.0 ** (
        -modulator.insertion_loss_db / 10.0
    )
    src = cw_source(p_in, modulator.rin_db_per_hz, modulator.linewidth_hz, v.size, fs, rng)
    gamma, kappa, delta0, d_dv = cmt_constants(modulator)
    out = np.empty(v.size, dtype=np.complex128)
    ring_cmt_kernel(src, delta0 + d_dv * v, 1.0 / fs, gamma, kappa, out)
    return out
