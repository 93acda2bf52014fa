"""Mach-Zehnder intensity modulator driven by a CW laser."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.laser import CWLaser
from rof.photonics.protocols import SmallSignal, external_modulator_small_signal
from rof.units import db_to_lin

__all__ = ["MachZehnderModulator"]


@dataclass(frozen=True)
class MachZehnderModulator:
    """Push-pull Mach-Zehnder modulator (MZM) with its CW laser: a :class:`Transmitter`.

    Exact sine transfer function with finite extinction ratio (Cox, *Analog Optical
    Links*, Cambridge 2004, ch. 2, external modulation: MZM transfer function):

    .. math::

        P(v) = \\frac{P_I T}{2}\\left[1 + \\eta\\cos\\left(\\frac{\\pi v}{V_\\pi}
        + \\phi_B\\right)\\right], \\qquad \\eta = \\frac{\\epsilon - 1}{\\epsilon + 1},

    with laser power :math:`P_I`, insertion transmission :math:`T`, extinction ratio
    :math:`\\epsilon` (linear), RF half-wave voltage :math:`V_\\pi` and bias phase
    :math:`\\phi_B` (:math:`\\pi/2` = quadrature). Writing :math:`\\beta = \\pi/V_\\pi`,
    the Taylor coefficients of :math:`\\Delta P = P(v) - P(0)` are

    .. math::

        a_1 = -\\tfrac{P_I T \\eta}{2}\\beta\\sin\\phi_B,\\quad
        a_2 = -\\tfrac{P_I T \\eta}{4}\\beta^2\\cos\\phi_B,\\quad
        a_3 = \\tfrac{P_I T \\eta}{12}\\beta^3\\sin\\phi_B .

    The electrode's electrical bandwidth is a first-order roll-off
    :math:`|H_e(f)|^2 = 1/(1 + (f/f_e)^2)` of the drive. It acts on the voltage that
    reaches the optical interaction region, i.e. *before* the sine non-linearity
    (the travelling-wave electrode's velocity-mismatch and microwave-loss roll-off
    reduce the phase modulation itself; Cox 2004, ch. 2, travelling-wave
    modulators): a drive of
    available power :math:`P_{in}` at frequency :math:`f` sees the transfer with the
    power :math:`|H_e(f)|^2 P_{in}` (:meth:`drive_response`), so in-band distortion
    falls and the input-referred IIP3 rises by :math:`1/|H_e|^2` at high frequency.

    Noise of the laser: its intensity noise multiplies both arms alike and carries no
    phase, so dispersion fades it like a chirp-free intensity modulation
    (:math:`\\cos^2\\theta`, whatever the modulator's own ``chirp_alpha``, which ties
    the phase to the drive only); its phase noise (``laser.linewidth_hz``) is
    converted to intensity noise (:func:`rof.photonics.fiber.pm_to_im_rin`).

    Parameters
    ----------
    laser : CWLaser
        The optical source.
    v_pi_v : float
        RF half-wave voltage :math:`V_\\pi`, V (> 0).
    bias_rad : float
        Bias phase :math:`\\phi_B`, rad, in (0, pi); default pi/2 (quadrature). Phases in
        (pi, 2 pi) mirror these with the opposite slope sign and give the same budget.
    insertion_loss_db : float
        Optical insertion loss, dB (0 to 30).
    extinction_ratio_db : float
        DC extinction ratio :math:`10\\log_{10}\\epsilon`, dB (> 0, up to 80).
    bandwidth_hz : float
        Electrical 3-dB bandwidth :math:`f_e`, Hz (> 0).
    chirp_alpha : float
        Small-signal chirp parameter (0 for balanced push-pull; a z-cut single-drive
        device has about +-0.7), same sign convention as :class:`DirectLaser`.
    input_impedance_ohm : float
        Matched (terminated) RF input impedance, ohm (> 0).
    """

    laser: CWLaser = field(default_factory=CWLaser)
    v_pi_v: float = 3.5
    bias_rad: float = math.pi / 2
    insertion_loss_db: float = 5.0
    extinction_ratio_db: float = 30.0
    bandwidth_hz: float = 20e9
    chirp_alpha: float = 0.0
    input_impedance_ohm: float = 50.0

    def __post_init__(self):
        if not isinstance(self.laser, CWLaser):
            raise ParameterError(
                f"MachZehnderModulator.laser = {self.laser!r} is not known; allowed: a CWLaser"
            )
        check_range("MachZehnderModulator.v_pi_v", self.v_pi_v, 0.0, 100.0, lo_open=True)
        check_range(
            "MachZehnderModulator.bias_rad", self.bias_rad, 0.0, math.pi, lo_open=True, hi_open=True
        )
        check_range("MachZehnderModulator.insertion_loss_db", self.insertion_loss_db, 0.0, 30.0)
        check_range(
            "MachZehnderModulator.extinction_ratio_db",
            self.extinction_ratio_db,
            0.0,
            80.0,
            lo_open=True,
        )
        check_range("MachZehnderModulator.bandwidth_hz", self.bandwidth_hz, 0.0, lo_open=True)
        check_range("MachZehnderModulator.chirp_alpha", self.chirp_alpha, -20.0, 20.0)
        check_range(
            "MachZehnderModulator.input_impedance_ohm", self.input_impedance_ohm, 0.0, lo_open=True
        )

    # -- attributes the Transmitter protocol reads --------------------------------
    @property
    def wavelength_nm(self) -> float:
        """Optical wavelength of the laser, nm."""
        return self.laser.wavelength_nm

    @property
    def rin_db_per_hz(self) -> float:
        """RIN of the laser, dB/Hz (the modulator adds none)."""
        return self.laser.rin_db_per_hz

    @property
    def eta(self) -> float:
        """Fringe visibility :math:`\\eta = (\\epsilon-1)/(\\epsilon+1)` from the extinction."""
        er = float(db_to_lin(self.extinction_ratio_db))
        return (er - 1.0) / (er + 1.0)

    @property
    def peak_power_w(self) -> float:
        """:math:`P_I T / 2`, W."""
        return self.laser.power_w * float(db_to_lin(-self.insertion_loss_db)) / 2.0

    def transfer_w(self, v) -> np.ndarray:
        """Exact output optical power for an input voltage ``v`` (V, any shape), W."""
        v = np.asarray(v, dtype=float)
        return self.peak_power_w * (
            1.0 + self.eta * np.cos(math.pi * v / self.v_pi_v + self.bias_rad)
        )

    def mean_power_w(self) -> float:
        """Launched power at the bias point :math:`\\frac{P_I T}{2}(1+\\eta\\cos\\phi_B)`, W."""
        return self.peak_power_w * (1.0 + self.eta * math.cos(self.bias_rad))

    def small_signal(self) -> SmallSignal:
        """The link-budget contract (:class:`rof.photonics.protocols.SmallSignal`).

        The laser's RIN fades (``rin_fades``): its intensity noise multiplies both arms
        alike and carries no phase, so dispersion fades it like a chirp-free intensity
        modulation, and its phase noise (``laser.linewidth_hz``) converts to intensity
        noise. The electrode sits ahead of the sine transfer (``drive_response``). A
        chirp-free device behind fiber distorts like the back-to-back link at the drive
        times :math:`\\cos\\theta` (``distortion = "dispersed_drive"``,
        :func:`rof.link.dispersed.dispersed_drive_distortion`); a chirped one keeps the
        back-to-back AM/AM curve (``"envelope"``).
        """
        return external_modulator_small_signal(
            self,
            chirp_alpha=float(self.chirp_alpha),
            distortion="dispersed_drive" if self.chirp_alpha == 0.0 else "envelope",
        )

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None):
        """Sampled output field for a sampled drive, sqrt(W)
        (:func:`rof.photonics.timedomain.mzm_field`; ``substeps`` does not apply)."""
        from rof.photonics.timedomain.modulator import mzm_field

        return mzm_field(self, drive_v, sample_rate_hz, rng, predistort=predistort)

    def modulation_response(self, rf_hz) -> np.ndarray:
        """Electrode response :math:`|H_e(f)| = (1 + (f/f_e)^2)^{-1/2}`, linear."""
        f = np.asarray(rf_hz, dtype=float) / self.bandwidth_hz
        return 1.0 / np.sqrt(1.0 + f * f)

    def slope_w_per_v(self, rf_hz) -> np.ndarray:
        """Small-signal slope :math:`|a_1|\\,|H_e(f)|`, W/V."""
        return abs(self.taylor_w_per_vn()[0]) * self.modulation_response(rf_hz)

    def taylor_w_per_vn(self) -> tuple[float, float, float]:
        """Taylor coefficients :math:`(a_1, a_2, a_3)` of the sine transfer, W/V^n."""
        p = self.peak_power_w * self.eta
        beta = math.pi / self.v_pi_v
        s, c = math.sin(self.bias_rad), math.cos(self.bias_rad)
        return (-p * beta * s, -p * beta**2 * c / 2.0, p * beta**3 * s / 6.0)

    def envelope_response_w(self, amplitude_v) -> np.ndarray:
        """First-zone optical-power amplitude for a drive :math:`A\\cos\\omega t`, W.

        From the Jacobi-Anger expansion
        :math:`\\sin(z\\cos\\theta) = 2\\sum_k (-1)^k J_{2k+1}(z)\\cos((2k+1)\\theta)`
        (Abramowitz & Stegun 9.1.43), the fundamental of :math:`P(A\\cos\\theta)` has
        amplitude

        .. math:: c_1(A) = P_I T \\eta \\sin\\phi_B \\, J_1(\\pi A / V_\\pi),

        signed: negative values (beyond the first zero of :math:`J_1`) mean the
        fundamental flips phase. Small :math:`A` gives :math:`|a_1| A`.
        """
        from scipy.special import j1

        a = np.abs(np.asarray(amplitude_v, dtype=float))
        return (
            2.0
            * self.peak_power_w
            * self.eta
            * math.sin(self.bias_rad)
            * j1(math.pi * a / self.v_pi_v)
        )
