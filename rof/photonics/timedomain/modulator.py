"""Mach-Zehnder modulator on the optical field (time domain).

Balanced push-pull MZM (Cox, *Analog Optical Links*, 2004, ch. 2, the transfer
function of :class:`rof.photonics.MachZehnderModulator`), chirp-free:

.. math:: A_{out} = \\mathrm{sgn}\\big(\\cos\\tfrac{\\Delta}{2}\\big)
          \\sqrt{\\frac{P_I T}{2}\\big(1 + \\eta\\cos\\Delta\\big)}, \\qquad
          \\Delta(t) = \\frac{\\pi v_e(t)}{V_\\pi} + \\phi_B,

so the power is the exact sine transfer with the extinction ratio's fringe visibility
:math:`\\eta`, and the field is real (no chirp) and changes sign through the null like
the ideal device's :math:`\\cos(\\Delta/2)`. (Modelling the finite extinction ratio as
unequal arm amplitudes would add a residual chirp :math:`\\alpha \\approx \\mp 2/\\sqrt{\\epsilon}`,
which :class:`~rof.photonics.MachZehnderModulator` keeps in its own ``chirp_alpha``.)
:math:`v_e` is the
drive after the electrode's first-order response :math:`1/(1 + j f/f_e)`. A residual
chirp ``chirp_alpha`` adds the phase :math:`-\\frac{\\alpha}{2}\\ln(P/\\bar P)` (Koch &
Bowers 1984, :math:`\\dot\\phi = \\frac{\\alpha}{2}\\frac{d\\ln P}{dt}` in the field
convention of :mod:`rof.photonics.timedomain.fiber`).

Arcsine predistortion (e.g. Roselli et al., "Analog laser predistortion for multiservice
radio-over-fiber systems", J. Lightwave Technol. 21(5), 2003, for the principle):
at quadrature the power varies as :math:`\\sin(\\pi v/V_\\pi)`, so the drive
:math:`v' = \\frac{V_\\pi}{\\pi}\\arcsin(\\pi v / V_\\pi)` (clipped at :math:`\\pm V_\\pi/2`)
makes the power linear in :math:`v` with the same small-signal slope.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from rof._validate import check_finite, check_range
from rof.units import db_to_lin

__all__ = ["arcsine_predistort", "cw_source", "mzm_field"]


def arcsine_predistort(drive_v, v_pi_v: float) -> np.ndarray:
    """Arcsine predistortion :math:`\\frac{V_\\pi}{\\pi}\\arcsin(\\pi v/V_\\pi)`, clipped, V."""
    x = np.clip(np.pi * np.asarray(drive_v, dtype=float) / v_pi_v, -1.0, 1.0)
    return v_pi_v / np.pi * np.arcsin(x)


def _band_limited_phase(linewidth_hz: float, fs: float, n: int, rng) -> np.ndarray:
    """Samples of a laser's Wiener phase whose density equals the continuous one in band.

    The continuous phase of a laser of linewidth :math:`\\Delta\\nu` has the one-sided
    density :math:`S_\\phi(f) = \\Delta\\nu / (\\pi f^2)` (Henry, IEEE JQE 18(2),
    1982). Summing independent increments of variance :math:`2\\pi\\Delta\\nu/f_s`
    gives instead :math:`\\Delta\\nu\\,\\pi / (f_s^2 \\sin^2(\\pi f/f_s))`, which is
    every alias :math:`\\sum_k \\Delta\\nu / (\\pi (f + k f_s)^2)` folded into the band
    (Abramowitz & Stegun 4.3.92): about twice the true density near :math:`f_s/2`.
    Averaging the frequency noise over each sample interval, i.e. filtering the
    increments by :math:`\\operatorname{sinc}(f/f_s)`, removes exactly that factor
    :math:`(x/\\sin x)^2`, :math:`x = \\pi f/f_s`.
    """
    dphi = rng.normal(0.0, math.sqrt(2.0 * math.pi * linewidth_hz / fs), n)
    f = sfft.rfftfreq(n, 1.0 / fs)
    dphi = sfft.irfft(sfft.rfft(dphi, workers=-1) * np.sinc(f / fs), n=n, workers=-1)
    return np.cumsum(dphi)


def cw_source(power_w: float, rin_db_per_hz: float, linewidth_hz: float, n: int, fs: float, rng):
    """Field of a CW laser of ``power_w`` (W) over ``n`` samples at ``fs``, sqrt(W).

    With ``rng``: white RIN of one-sided density ``rin_db_per_hz`` over :math:`f_s/2`
    on the power, and Wiener phase noise of linewidth ``linewidth_hz``, increments of
    variance :math:`2\\pi\\Delta\\nu/f_s` (Henry, IEEE JQE 18(2), 1982) band-limited by
    :func:`_band_limited_phase`; None gives the noiseless laser.
    """
    src = np.full(n, math.sqrt(power_w), dtype=np.complex128)
    if rng is not None:
        rin = float(db_to_lin(rin_db_per_hz))
        src *= np.sqrt(np.maximum(1.0 + rng.normal(0.0, math.sqrt(rin * fs / 2.0), n), 0.0))
        src *= np.exp(1j * _band_limited_phase(linewidth_hz, fs, n, rng))
    return src


def mzm_field(
    modulator,
    drive_v,
    sample_rate_hz: float,
    rng: np.random.Generator | None = None,
    *,
    predistort: bool = False,
) -> np.ndarray:
    """Optical field at the output of a :class:`~rof.photonics.MachZehnderModulator`.

    Parameters
    ----------
    modulator : rof.photonics.MachZehnderModulator
        Uses its laser (power, RIN, linewidth), ``v_pi_v``, ``bias_rad``,
        ``insertion_loss_db``, ``extinction_ratio_db``, ``bandwidth_hz``, ``chirp_alpha``.
    drive_v : ndarray of float, shape (n,)
        RF voltage across the modulator input, V.
    sample_rate_hz : float
        Sample rate, Hz.
    rng : numpy.random.Generator or None
        Source of the laser's RIN and phase noise; None for a noiseless laser.
    predistort : bool
        Apply :func:`arcsine_predistort` to the drive (for quadrature bias).

    Returns
    -------
    ndarray of complex128, shape (n,)
        Field, sqrt(W).
    """
    v = check_finite("mzm_field.drive_v", drive_v)
    fs = check_range("mzm_field.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    if predistort:
        v = arcsine_predistort(v, modulator.v_pi_v)
    nf = sfft.next_fast_len(v.size, real=True)  # zero-padded: a fast FFT length
    f = sfft.rfftfreq(nf, 1.0 / fs)
    h = 1.0 / (1.0 + 1j * f / modulator.bandwidth_hz)
    v = sfft.irfft(sfft.rfft(v, n=nf, workers=-1) * h, n=nf, workers=-1)[: v.size]
    laser = modulator.laser
    p_in = laser.power_w * float(db_to_lin(-modulator.insertion_loss_db))
    src = cw_source(p_in, laser.rin_db_per_hz, laser.linewidth_hz, v.size, fs, rng)
    delta = math.pi * v / modulator.v_pi_v + modulator.bias_rad
    arms = np.sign(np.cos(0.5 * delta)) * np.sqrt(0.5 * (1.0 + modulator.eta * np.cos(delta)))
    out = src * arms
    if modulator.chirp_alpha != 0.0:
        p = np.abs(out) ** 2
        out *= np.exp(-0.5j * modulator.chirp_alpha * np.log(np.maximum(p, 1e-30) / np.mean(p)))
    return out
