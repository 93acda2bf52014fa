"""Dual-drive MZM and phase modulator on the optical field (time domain).

The fields of :class:`rof.photonics.DualDriveMZM` (Smith, Novak & Ahmed, IEEE Trans.
Microwave Theory Tech. 45(8), 1997) and :class:`rof.photonics.PhaseModulator`:

.. math::

    E = \\frac{E_{CW}}{1 + \\gamma}\\big[e^{i\\Phi_1} + \\gamma e^{i\\Phi_2}\\big],\\quad
    \\Phi_k = \\phi_k + \\frac{\\pi}{\\sqrt2 V_\\pi}\\mathrm{Re}\\{(v_e + i\\mathcal{H}v_e)
    e^{i\\psi_k}\\};
    \\qquad E = E_{CW}\\,e^{i\\pi v_e/V_\\pi},

:math:`E_{CW}` the laser's field after the insertion loss (with its RIN and phase
noise, :func:`rof.photonics.timedomain.modulator.cw_source`) and :math:`v_e` the drive
after the electrode's response :math:`1/(1 + jf/f_e)`. The drive phase
:math:`\\psi_k` of the 3-dB hybrid is applied in the frequency domain: positive
frequencies times :math:`e^{i\\psi}`, DC and Nyquist times :math:`\\cos\\psi` (the
analytic signal rotated by :math:`\\psi`, real part).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft

from rof._validate import check_finite, check_range
from rof.photonics.timedomain.modulator import cw_source
from rof.units import db_to_lin

__all__ = ["dual_drive_field", "pm_field"]


def _electrode_spectrum(v, fs: float, bandwidth_hz: float):
    """rfft of the drive after the first-order electrode response (fast length)."""
    nf = sfft.next_fast_len(v.size, real=True)
    f = sfft.rfftfreq(nf, 1.0 / fs)
    return sfft.rfft(v, n=nf, workers=-1) * (1.0 / (1.0 + 1j * f / bandwidth_hz)), nf


def _phase_shifted(spec, nf: int, n: int, psi: float) -> np.ndarray:
    """:math:`\\mathrm{Re}\\{(v + i\\mathcal Hv) e^{i\\psi}\\}` from the drive's rfft."""
    rot = np.full(spec.size, np.exp(1j * psi))
    rot[0] = math.cos(psi)
    if nf % 2 == 0:
        rot[-1] = math.cos(psi)
    return sfft.irfft(spec * rot, n=nf, workers=-1)[:n]


def dual_drive_field(modulator, drive_v, sample_rate_hz: float, rng=None) -> np.ndarray:
    """Optical field at the output of a :class:`~rof.photonics.DualDriveMZM`, sqrt(W).

    Parameters
    ----------
    modulator : rof.photonics.DualDriveMZM
        Its laser, arm biases, drive phases, :math:`V_\\pi`, extinction and electrode.
    drive_v : ndarray of float, shape (n,)
        RF voltage at the hybrid's input, V.
    sample_rate_hz : float
        Sample rate, Hz.
    rng : numpy.random.Generator or None
        Source of the laser's RIN and phase noise; None for a noiseless laser.

    Returns
    -------
    ndarray of complex128, shape (n,)
    """
    v = check_finite("dual_drive_field.drive_v", drive_v)
    fs = check_range("dual_drive_field.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    spec, nf = _electrode_spectrum(v, fs, modulator.bandwidth_hz)
    k = modulator.arm_index_per_v
    phi1 = modulator.bias1_rad + k * _phase_shifted(spec, nf, v.size, modulator.drive_phase1_rad)
    phi2 = modulator.bias2_rad + k * _phase_shifted(spec, nf, v.size, modulator.drive_phase2_rad)
    g = modulator.gamma
    laser = modulator.laser
    p_in = laser.power_w * float(db_to_lin(-modulator.insertion_loss_db))
    src = cw_source(p_in, laser.rin_db_per_hz, laser.linewidth_hz, v.size, fs, rng)
    return src * ((np.exp(1j * phi1) + g * np.exp(1j * phi2)) / (1.0 + g))


def pm_field(modulator, drive_v, sample_rate_hz: float, rng=None) -> np.ndarray:
    """Optical field at the output of a :class:`~rof.photonics.PhaseModulator`, sqrt(W).

    Arguments as :func:`dual_drive_field`; :math:`E = E_{CW} e^{i\\pi v_e/V_\\pi}`.
    """
    v = check_finite("pm_field.drive_v", drive_v)
    fs = check_range("pm_field.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
    spec, nf = _electrode_spectrum(v, fs, modulator.bandwidth_hz)
    ve = sfft.irfft(spec, n=nf, workers=-1)[: v.size]
    laser = modulator.laser
    src = cw_source(
        modulator.mean_power_w(), laser.rin_db_per_hz, laser.linewidth_hz, v.size, fs, rng
    )
    return src * np.exp(1j * math.pi / modulator.v_pi_v * ve)
