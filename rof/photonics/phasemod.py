"""Optical phase modulator with its CW laser, detected through fiber dispersion.

The field :math:`E(t) = \\sqrt{P_I T}\\,e^{i\\pi v_e(t)/V_\\pi}` carries no intensity
modulation; a photodiode sees the drive only after dispersion has turned the phase
modulation into intensity modulation (PM-to-IM conversion). For a tone
:math:`v = A\\cos\\omega t` (index :math:`m = \\pi A |H_e|/V_\\pi`) behind a fiber of
dispersion phase :math:`\\theta = \\pi L D \\lambda^2 f^2/c`, the :math:`k`-th harmonic
of the detected power has the amplitude

.. math:: P_k = 2 P_0 \\, |J_k(2m\\sin k\\theta)|

(Jacobi-Anger and Graf's addition theorem, Abramowitz & Stegun 9.1.41 and 9.1.79;
the same result as Wang & Petermann, J. Lightwave Technol. 10(1), 96-100, 1992, for the
small-signal FM-to-IM term), so the fundamental grows as :math:`\\sin\\theta`
(:math:`\\sin^2\\theta` in power, the complement of the intensity modulator's
:math:`\\cos^2\\theta` fading; Smith et al., IEEE Trans. Microwave Theory Tech. 45(8),
1997) and its describing function is the back-to-back one of an MZM at the drive
times :math:`\\sin\\theta`: the budget uses ``distortion = "dispersed_drive"`` with
``dispersed_drive_sin``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.laser import CWLaser
from rof.photonics.protocols import SmallSignal, external_modulator_small_signal
from rof.units import db_to_lin

__all__ = ["PhaseModulator"]


@dataclass(frozen=True)
class PhaseModulator:
    """Phase modulator (PM) with its CW laser: a :class:`~rof.photonics.protocols.Transmitter`.

    Its :meth:`small_signal` states the reference slope :math:`2P_0\\pi/V_\\pi` (the
    fundamental at :math:`\\sin\\theta = 1`), the fading :math:`\\sin^2\\theta` and the
    describing function :math:`2P_0J_1(2\\pi A/V_\\pi)` looked up at
    :math:`A\\sin\\theta`; back to back the link detects nothing (gain :math:`-\\infty`
    dB).

    Parameters
    ----------
    laser : CWLaser
        The optical source.
    v_pi_v : float
        Half-wave voltage, V (> 0, up to 100).
    insertion_loss_db : float
        Optical insertion loss, dB (0 to 30).
    bandwidth_hz : float
        Electrode 3-dB bandwidth, Hz (> 0), first order.
    input_impedance_ohm : float
        Matched RF input impedance, ohm (> 0).
    """

    laser: CWLaser = field(default_factory=CWLaser)
    v_pi_v: float = 3.5
    insertion_loss_db: float = 3.0
    bandwidth_hz: float = 40e9
    input_impedance_ohm: float = 50.0

    def __post_init__(self):
        if not isinstance(self.laser, CWLaser):
            raise ParameterError(
                f"PhaseModulator.laser = {self.laser!r} is not known; allowed: a CWLaser"
            )
        check_range("PhaseModulator.v_pi_v", self.v_pi_v, 0.0, 100.0, lo_open=True)
        check_range("PhaseModulator.insertion_loss_db", self.insertion_loss_db, 0.0, 30.0)
        check_range("PhaseModulator.bandwidth_hz", self.bandwidth_hz, 0.0, lo_open=True)
        check_range(
            "PhaseModulator.input_impedance_ohm", self.input_impedance_ohm, 0.0, lo_open=True
        )

    @property
    def wavelength_nm(self) -> float:
        """Optical wavelength of the laser, nm."""
        return self.laser.wavelength_nm

    def mean_power_w(self) -> float:
        """Launched power :math:`P_0 = P_I T`, W."""
        return self.laser.power_w * float(db_to_lin(-self.insertion_loss_db))

    def modulation_response(self, rf_hz) -> np.ndarray:
        """Electrode response :math:`|H_e(f)| = (1 + (f/f_e)^2)^{-1/2}`, linear."""
        f = np.asarray(rf_hz, dtype=float) / self.bandwidth_hz
        return 1.0 / np.sqrt(1.0 + f * f)

    def slope_w_per_v(self, rf_hz) -> np.ndarray:
        """Reference slope :math:`2P_0\\pi/V_\\pi\\,|H_e(f)|`, W/V (at :math:`\\sin\\theta=1`)."""
        return 2.0 * self.mean_power_w() * math.pi / self.v_pi_v * self.modulation_response(rf_hz)

    def taylor_w_per_vn(self) -> tuple[float, float, float]:
        """Coefficients of the equivalent memoryless transfer of :meth:`envelope_response_w`:
        :math:`a_1 = 2P_0\\beta`, :math:`a_2 = 0`, :math:`a_3 = -\\tfrac43 P_0\\beta^3`
        (:math:`J_1(x) = x/2 - x^3/16 + \\dots`, :math:`\\beta = \\pi/V_\\pi`), W/V^n."""
        p, b = self.mean_power_w(), math.pi / self.v_pi_v
        return (2.0 * p * b, 0.0, -4.0 / 3.0 * p * b**3)

    def envelope_response_w(self, amplitude_v) -> np.ndarray:
        """Fundamental at :math:`\\sin\\theta = 1`: :math:`2P_0J_1(2\\pi A/V_\\pi)`, W."""
        from scipy.special import j1

        a = np.abs(np.asarray(amplitude_v, dtype=float))
        return 2.0 * self.mean_power_w() * j1(2.0 * math.pi * a / self.v_pi_v)

    def tone_harmonic_w(self, amplitude_v, theta, harmonic: int = 1, rf_hz: float = 0.0):
        """Closed form :math:`2P_0|J_k(2m\\sin k\\theta)|` of the detected harmonic, W."""
        from scipy.special import jv

        m = math.pi * float(amplitude_v) * float(self.modulation_response(rf_hz)) / self.v_pi_v
        th = np.asarray(theta, dtype=float)
        return 2.0 * self.mean_power_w() * np.abs(jv(harmonic, 2.0 * m * np.sin(harmonic * th)))

    def small_signal(self) -> SmallSignal:
        """The link-budget contract (see the class docstring)."""
        return external_modulator_small_signal(
            self,
            distortion="dispersed_drive",
            sideband_fading=(1.0, 0.5 * math.pi, 0.0),
            dispersed_drive_sin=True,
        )

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None):
        """Sampled output field, sqrt(W) (:func:`rof.photonics.timedomain.pm_field`)."""
        from rof.photonics.timedomain.dualdrive import pm_field

        if predistort:
            raise ParameterError(
                "PhaseModulator.field predistort = True is not supported; allowed: False"
            )
        return pm_field(self, drive_v, sample_rate_hz, rng)
