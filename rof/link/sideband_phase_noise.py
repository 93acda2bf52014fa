"""Laser phase noise that dispersion turns into signal-proportional error of the RF sidebands.

Behind dispersive fiber the two sidebands of an intensity-modulated carrier arrive
:math:`\\tau = \\beta_2 L\\Omega = \\theta/(\\pi f)` before and after the optical carrier
(group delay, Agrawal, *Nonlinear Fiber Optics*, 6th ed., 2019, section 3.2;
:math:`\\theta = \\beta_2 L\\Omega^2/2` the dispersion phase of
:meth:`rof.photonics.Fiber.power_fading`). The detected RF signal is the sum of the two
carrier-sideband beats, :math:`u\\,e^{i\\Delta_1(t)} + v\\,e^{i\\Delta_2(t)}`, each carrying
the laser phase accumulated over its delay, :math:`\\Delta_1 = \\phi(t - \\tau) -
\\phi(t)` and :math:`\\Delta_2 = \\phi(t) - \\phi(t + \\tau)`: increments of the laser's
Wiener phase over adjacent intervals, so independent, each of one-sided spectral density
:math:`S_\\phi(f)\\,4\\sin^2(\\pi f\\tau) \\approx 4\\pi\\Delta\\nu\\tau^2` for
:math:`f \\ll 1/\\tau` (:math:`S_\\phi = \\Delta\\nu/(\\pi f^2)`, Henry, IEEE J. Quantum
Electron. 18(2), 259-264, 1982). A multiplicative noise of flat density much wider than
the signal leaves in the signal band of width :math:`B` the error
:math:`i(u\\Delta_1 + v\\Delta_2)s(t)` of power :math:`(|u|^2 + |v|^2)\\,2\\pi\\Delta\\nu
\\tau^2B` per unit signal power, against the signal :math:`|u + v|^2`. With the sideband
weights of the transmitter's contract, :math:`|u + v|^2 = w\\cos^2(\\theta + \\varphi) + c`
(:attr:`rof.photonics.SmallSignal.sideband_fading`), :math:`|u|^2 + |v|^2 = w/2 + c`, so

.. math:: \\frac{E}{S} = 2\\pi\\Delta\\nu\\,\\tau^2 B\\,
          \\frac{w/2 + c}{w\\cos^2(\\theta + \\varphi) + c}
          = \\frac{2\\Delta\\nu\\,\\theta^2 B}{\\pi f^2}\\,
          \\frac{w/2 + c}{w\\cos^2(\\theta + \\varphi) + c},

:math:`\\pi\\Delta\\nu\\tau^2B/\\cos^2\\theta` for double sideband (:math:`w = 1`) and
:math:`2\\pi\\Delta\\nu\\tau^2B` for single sideband. It is the error the budget had
left out: at 28 GHz, 30 and 40 km, 0 dBm (50 MHz NR, 1 MHz linewidth) the waveform read
+1.1 dB above the budget, the same with the dual-drive SSB, and with zero linewidth the
two agree (``tests/link/test_sideband_phase_noise.py``). The budget's additive phase
noise, :func:`rof.photonics.fiber.pm_to_im_rin` (the laser's phase noise near the RF
frequency turned into intensity noise), is a different term and stays. Per-symbol
common-phase correction removes only the part within a subcarrier spacing of the
carrier, a fraction :math:`\\Delta f/B` of it, which is left in.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sideband_phase_noise_inv_sdr"]


def sideband_phase_noise_inv_sdr(theta, rf_hz, bandwidth_hz, linewidth_hz, fading=(1.0, 0.0, 0.0)):
    """Error over signal of the sidebands' dispersion-delayed laser phase noise, linear.

    Parameters
    ----------
    theta : array_like
        Dispersion phase :math:`\\theta = \\beta_2 L\\Omega^2/2` at the carrier, rad.
    rf_hz : array_like
        RF carrier, Hz (> 0).
    bandwidth_hz : array_like
        Signal bandwidth :math:`B`, Hz.
    linewidth_hz : float
        Lorentzian linewidth :math:`\\Delta\\nu` of the optical carrier, Hz.
    fading : (float, float, float)
        Sideband weights :math:`(w, \\varphi, c)` of the transmitter's contract
        (double sideband ``(1, 0, 0)``, single sideband ``(0, 0, 1)``).

    Returns
    -------
    ndarray
        :math:`E/S` (module docstring), broadcast over the inputs; ``inf`` at a fading
        null of a double-sideband signal.
    """
    w, phi, c = (float(x) for x in fading)
    th = np.asarray(theta, dtype=float)
    f = np.asarray(rf_hz, dtype=float)
    base = 2.0 * float(linewidth_hz) * th * th * np.asarray(bandwidth_hz, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return base / (np.pi * f * f) * (0.5 * w + c) / (w * np.cos(th + phi) ** 2 + c)
