"""Carrier-depletion microring modulator as an RoF transmitter."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.photonics.protocols import SmallSignal
from rof.photonics.siph.microring import Microring
from rof.units import C_M_PER_S, dbm_to_w

__all__ = ["MicroringModulator", "default_modulator_ring"]

#: Samples per period for the first-zone Fourier component of the AM/AM curve.
_N_ENVELOPE = 512


def default_modulator_ring() -> Microring:
    """All-pass depletion ring at 1550 nm: R = 5 um, r = 0.988, 15 dB/cm (doped), Q ~ 15,000."""
    return Microring(
        radius_um=5.0,
        n_eff=2.4,
        n_g=4.2,
        self_coupling=0.988,
        loss_db_per_cm=15.0,
        resonance_nm=1550.0,
    )


@dataclass(frozen=True)
class MicroringModulator:
    """Microring intensity modulator driven by an RF voltage (``Transmitter`` protocol).

    Static transfer. A reverse voltage v red-shifts the resonance by
    ``shift_pm_per_v`` * v (plasma dispersion in the depleted PN junction; Reed et
    al., Nat. Photonics 4, 518 (2010)), so the round-trip phase at the laser is
    :math:`\\theta(v) = 2\\pi (s v - \\Delta\\lambda)/FSR` and the launched power is

    .. math:: P(v) = P_L\\,\\eta\\,T(\\theta(v)),\\qquad
              T(\\theta) = 1 - \\frac{(1 - r_1^2)(1 - r_2^2a^2)}
                              {1 - 2r_1r_2a\\cos\\theta + (r_1r_2a)^2},

    the through-port Airy function of Bogaerts et al., Laser Photonics Rev. 6, 47
    (2012), sec. 2 (a Lorentzian of width FWHM near resonance).
    :math:`\\Delta\\lambda` (``detuning_pm``) is the laser wavelength minus the
    ring's resonance at its design temperature; the laser is wavelength-locked,
    so a ring at a temperature offset (``ring.temperature_offset_k``) sees the
    detuning :attr:`detuning_nm`. Default detuning: :math:`-FWHM/(2\\sqrt3)`, the
    largest slope of the Lorentzian on its blue side.

    Link figures (``rof.photonics.protocols.Transmitter``): Taylor coefficients
    :math:`a_n = P_L\\eta\\,T^{(n)}(\\theta_0)(d\\theta/dv)^n/n!` from the analytic
    derivatives of :math:`1/D(\\theta)`; the first-zone AM/AM curve
    :math:`\\frac{1}{\\pi}\\int_0^{2\\pi} P(\\theta_0 + A\\theta_v\\cos\\psi)\\cos\\psi\\,d\\psi`
    by the periodic trapezoidal rule; the small-signal response from
    coupled-mode theory (Haus, *Waves and Fields in Optoelectronics*, 1984, ch. 7;
    Sacher & Poon, "Dynamics of microring resonator modulators", Opt. Express 16,
    15741 (2008), sec. 2), whose detuned cavity shows the two poles at
    :math:`\\pm\\Delta\\omega + i\\gamma` (photon lifetime :math:`1/(2\\gamma)`), times
    the junction's single-pole RC response; and the small-signal chirp
    :math:`\\alpha = -2P\\,(d\\psi/dv)/(dP/dv)` of the through field
    :math:`t = |t|e^{i\\psi}` (Henry's convention: :math:`\\Delta\\nu = (\\alpha/4\\pi)
    d\\ln P/dt`, with this package's :math:`e^{i(\\beta z - \\omega t)}` phasors). It
    changes sign across the resonance and diverges at zero detuning.

    Parameters
    ----------
    ring : Microring
        The modulator ring (all-pass, or add-drop used at its through port).
    laser_power_dbm : float
        CW laser power into the ring bus, dBm.
    detuning_pm : float, optional
        Laser minus design resonance, pm.
    shift_pm_per_v : float
        Resonance shift per volt of reverse bias, pm/V (> 0; typical 10-50 pm/V).
    rc_bandwidth_hz : float
        3-dB bandwidth of the junction's RC response, Hz (> 0).
    insertion_loss_db : float
        Extra optical loss (grating couplers, bus), dB (>= 0).
    rin_db_per_hz : float
        Laser relative intensity noise, dB/Hz.
    input_impedance_ohm : float
        Drive impedance (matched driver), ohm.
    linewidth_hz : float
        Lorentzian linewidth of the CW laser, Hz (>= 0); its phase noise becomes
        intensity noise behind dispersive fiber. 0 (default) leaves that out.

    Notes
    -----
    Laser noise behind fiber (:meth:`small_signal`, ``rin_fades``). The ring is an
    external modulator of a CW laser: at a fixed bias it multiplies the laser's field
    by the constant complex through-port transmission :math:`t(\\theta_0)`, so the
    laser's intensity noise :math:`\\delta P_L/P_L` leaves the ring as a pure intensity
    modulation with no phase attached (only the *drive* moves the resonance and so the
    phase: the ring's ``chirp_alpha`` belongs to the signal alone). A fiber of
    dispersion phase :math:`\\theta` detects a chirp-free intensity modulation with the
    transfer :math:`\\cos\\theta` (Wang & Petermann, J. Lightwave Technol. 10(1),
    96-100, 1992, small-signal IM-to-IM), so the detected RIN is
    :math:`\\mathrm{RIN}\\cos^2\\theta`, as for a CW laser behind an MZM (Cox, *Analog
    Optical Links*, 2004, ch. 5: the external modulator passes the laser's RIN
    unchanged in relative terms). A directly modulated laser differs: its intensity
    noise comes from carrier fluctuations that also move its frequency (Henry's
    :math:`\\alpha`), and dispersion converts that correlated phase back into
    intensity. This holds for noise frequencies well inside the ring's optical
    bandwidth (:attr:`optical_bandwidth_hz`, about 13 GHz for the default ring), where
    the noise sidebands see :math:`t(\\theta_0)`; the ring's own conversion of the
    laser's frequency noise into intensity noise on its slope is not modelled.
    """

    ring: Microring = field(default_factory=default_modulator_ring)
    laser_power_dbm: float = 10.0
    detuning_pm: float | None = None
    shift_pm_per_v: float = 25.0
    rc_bandwidth_hz: float = 40e9
    insertion_loss_db: float = 0.0
    rin_db_per_hz: float = -155.0
    input_impedance_ohm: float = 50.0
    linewidth_hz: float = 0.0

    def __post_init__(self):
        if not isinstance(self.ring, Microring):
            from rof.errors import ParameterError

            raise ParameterError(f"MicroringModulator.ring = {self.ring!r} is not a Microring")
        check_range("MicroringModulator.laser_power_dbm", self.laser_power_dbm, -30.0, 30.0)
        if self.detuning_pm is not None:
            check_range(
                "MicroringModulator.detuning_pm",
                self.detuning_pm,
                -500.0 * self.ring.fsr_nm,
                500.0 * self.ring.fsr_nm,
            )
        check_range(
            "MicroringModulator.shift_pm_per_v", self.shift_pm_per_v, 0.0, None, lo_open=True
        )
        check_range(
            "MicroringModulator.rc_bandwidth_hz", self.rc_bandwidth_hz, 0.0, None, lo_open=True
        )
        check_range("MicroringModulator.insertion_loss_db", self.insertion_loss_db, 0.0, None)
        check_range("MicroringModulator.rin_db_per_hz", self.rin_db_per_hz, -200.0, -80.0)
        check_range("MicroringModulator.linewidth_hz", self.linewidth_hz, 0.0, None)
        check_range(
            "MicroringModulator.input_impedance_ohm",
            self.input_impedance_ohm,
            0.0,
            None,
            lo_open=True,
        )

    # ------------------------------------------------------------------ operating point
    @property
    def design_detuning_nm(self) -> float:
        """Laser minus design resonance, nm (default: max-slope point, blue side)."""
        if self.detuning_pm is None:
            design = dataclasses.replace(self.ring, temperature_offset_k=0.0)
            return -design.fwhm_nm / (2.0 * math.sqrt(3.0))
        return self.detuning_pm * 1e-3

    @property
    def wavelength_nm(self) -> float:
        """Laser wavelength, nm."""
        design = dataclasses.replace(self.ring, temperature_offset_k=0.0)
        return design.resonance_wavelength_nm + self.design_detuning_nm

    @property
    def detuning_nm(self) -> float:
        """Laser minus the ring's present resonance (incl. temperature offset), nm."""
        return self.wavelength_nm - self.ring.resonance_wavelength_nm

    @property
    def _ring_coeffs(self) -> tuple[float, float, float, float]:
        r1 = self.ring.self_coupling
        b = self.ring._r2 * self.ring.round_trip_amplitude
        return r1, b, r1 * b, (1.0 - r1 * r1) * (1.0 - b * b)

    @property
    def theta0_rad(self) -> float:
        """Round-trip phase from resonance at the bias point, rad."""
        return -2.0 * math.pi * self.detuning_nm / self.ring.fsr_nm

    @property
    def dtheta_dv(self) -> float:
        """:math:`d\\theta/dv = 2\\pi s/FSR`, rad/V."""
        return 2.0 * math.pi * self.shift_pm_per_v * 1e-3 / self.ring.fsr_nm

    @property
    def _p0_w(self) -> float:
        return float(dbm_to_w(self.laser_power_dbm)) * 10.0 ** (-self.insertion_loss_db / 10.0)

    def transmission(self, theta_rad) -> np.ndarray:
        """Through-port power transmission :math:`T(\\theta)` (exact Airy form)."""
        _, _, x, kk = self._ring_coeffs
        return 1.0 - kk / (1.0 - 2.0 * x * np.cos(theta_rad) + x * x)

    def _t_derivatives(self, theta: float) -> tuple[float, float, float]:
        """:math:`T', T'', T'''` at theta: :math:`T = 1 - K f`, :math:`f = 1/D`."""
        _, _, x, kk = self._ring_coeffs
        d = 1.0 - 2.0 * x * math.cos(theta) + x * x
        d1 = 2.0 * x * math.sin(theta)
        d2 = 2.0 * x * math.cos(theta)
        d3 = -2.0 * x * math.sin(theta)
        f1 = -d1 / d**2
        f2 = -d2 / d**2 + 2.0 * d1 * d1 / d**3
        f3 = -d3 / d**2 + 6.0 * d1 * d2 / d**3 - 6.0 * d1**3 / d**4
        return -kk * f1, -kk * f2, -kk * f3

    # ------------------------------------------------------------------ Transmitter contract
    def small_signal(self) -> SmallSignal:
        """The link-budget contract (:class:`rof.photonics.protocols.SmallSignal`).

        The laser's RIN fades like a chirp-free modulation (``rin_fades``, see the
        class notes); the in-band distortion is the back-to-back AM/AM curve of the
        Airy transfer (``distortion = "envelope"``); the drive scale is the shift of
        half a linewidth.
        """
        return SmallSignal(
            wavelength_nm=self.wavelength_nm,
            mean_power_w=self.mean_power_w(),
            input_impedance_ohm=self.input_impedance_ohm,
            taylor_w_per_vn=self.taylor_w_per_vn(),
            slope_w_per_v=self.slope_w_per_v,
            envelope_response_w=self.envelope_response_w,
            full_scale_v=self.ring.fwhm_nm / (2e-3 * self.shift_pm_per_v),
            chirp_alpha=float(self.chirp_alpha),
            rin_db_per_hz=self.rin_db_per_hz,
            rin_fades=True,
            linewidth_hz=self.linewidth_hz,
            distortion="envelope",
        )

    def mean_power_w(self) -> float:
        """Mean launched optical power :math:`P_L\\eta T(\\theta_0)`, W."""
        return self._p0_w * float(self.transmission(self.theta0_rad))

    def taylor_w_per_vn(self) -> tuple[float, float, float]:
        """:math:`(a_1, a_2, a_3)` of :math:`\\Delta P = a_1v + a_2v^2 + a_3v^3`, W/V^n."""
        t1, t2, t3 = self._t_derivatives(self.theta0_rad)
        c = self.dtheta_dv
        p = self._p0_w
        return p * t1 * c, p * t2 * c * c / 2.0, p * t3 * c**3 / 6.0

    def _cmt_response(self, omega) -> np.ndarray:
        """Coupled-mode small-signal power response :math:`F(\\Omega)`, per unit detuning."""
        ring = self.ring
        r1, _, x, _ = self._ring_coeffs
        t_rt = ring.n_g * ring.circumference_um * 1e-6 / C_M_PER_S
        gamma = -math.log(x) / t_rt
        gamma_e = -math.log(r1) / t_rt
        lam = self.wavelength_nm * 1e-9
        delta = 2.0 * math.pi * C_M_PER_S * self.detuning_nm * 1e-9 / lam**2
        t0 = 1.0 - 2.0 * gamma_e / (gamma - 1j * delta)
        g = -1j * gamma_e * np.conj(t0) / (gamma - 1j * delta)
        return g / (gamma + 1j * (omega - delta)) + np.conj(g) / (gamma + 1j * (omega + delta))

    def slope_w_per_v(self, rf_hz) -> np.ndarray:
        """Small-signal slope :math:`|dP/dv|` at ``rf_hz``, W/V (cavity and RC response).

        :math:`|a_1|\\,|F(\\Omega)/F(0)|\\,|1 + j f/f_{RC}|^{-1}`. Exactly on resonance
        both the static slope and the first-order coupled-mode response vanish
        (:math:`F \\equiv 0`), so the slope is 0 at every frequency.
        """
        f = np.asarray(rf_hz, dtype=float)
        resp = np.abs(self._cmt_response(2.0 * np.pi * f))
        f0 = float(np.abs(self._cmt_response(0.0)))
        a1 = abs(self.taylor_w_per_vn()[0])
        cavity = a1 * resp / f0 if f0 > 0.0 else 0.0 * resp
        rc = 1.0 / np.sqrt(1.0 + (f / self.rc_bandwidth_hz) ** 2)
        return cavity * rc

    def envelope_response_w(self, amplitude_v) -> np.ndarray:
        """First-zone optical-power amplitude for a drive ``A cos(wt)``, W (>= 0).

        :math:`|\\frac{2}{N}\\sum_n P(\\theta_0 + A\\,\\theta_v\\cos\\psi_n)\\cos\\psi_n|`,
        :math:`\\psi_n = 2\\pi n/N`, N = 512 (exact for trigonometric polynomials of
        degree < N - 1, spectrally accurate for the smooth Airy function).
        """
        amp = np.asarray(amplitude_v, dtype=float)
        psi = 2.0 * np.pi * np.arange(_N_ENVELOPE) / _N_ENVELOPE
        cos_psi = np.cos(psi)
        theta = self.theta0_rad + self.dtheta_dv * amp[..., None] * cos_psi
        p = self._p0_w * self.transmission(theta)
        return np.abs(2.0 / _N_ENVELOPE * (p @ cos_psi))

    @property
    def chirp_alpha(self) -> float:
        """Small-signal chirp (Henry's convention, see class doc); ``inf`` on resonance."""
        r1, b, x, _ = self._ring_coeffs
        e = complex(math.cos(self.theta0_rad), math.sin(self.theta0_rad))
        t = (r1 - b * e) / (1.0 - x * e)
        dt = 1j * e * b * (r1 * r1 - 1.0) / (1.0 - x * e) ** 2
        prod = np.conj(t) * dt
        if prod.real == 0.0:
            return math.copysign(math.inf, -prod.imag)
        return float(-prod.imag / prod.real)

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None):
        """Sampled through-port field for a sampled drive, sqrt(W): the coupled-mode ring
        (:func:`rof.photonics.timedomain.ring.ring_field`); no predistortion or substeps."""
        from rof.errors import ParameterError
        from rof.photonics.timedomain.ring import ring_field

        if predistort:
            raise ParameterError(
                "simulate_link.predistort = True needs a MachZehnderModulator; allowed: False"
            )
        return ring_field(self, drive_v, sample_rate_hz, rng)

    # ------------------------------------------------------------------ derived figures
    def modulation_depth(self, amplitude_v) -> np.ndarray:
        """Optical modulation depth: first-zone amplitude over mean power."""
        return self.envelope_response_w(amplitude_v) / self.mean_power_w()

    @property
    def iip3_v(self) -> float:
        """Two-tone input intercept amplitude per tone :math:`\\sqrt{4|a_1|/(3|a_3|)}`, V.

        Where the fundamental :math:`a_1A` meets the IMD3 :math:`\\tfrac34 a_3A^3`
        (Cox, *Analog Optical Links*, 2004, sec. 5.2); ``inf`` where :math:`a_3 = 0`.
        """
        a1, _, a3 = self.taylor_w_per_vn()
        return math.inf if a3 == 0.0 else math.sqrt(4.0 * abs(a1) / (3.0 * abs(a3)))

    @property
    def iip3_dbm(self) -> float:
        """Input IP3 as available power :math:`A^2/(2R)` per tone, dBm."""
        v = self.iip3_v
        if math.isinf(v):
            return math.inf
        return 10.0 * math.log10(v * v / (2.0 * self.input_impedance_ohm) * 1e3)

    @property
    def photon_lifetime_s(self) -> float:
        """Cavity energy lifetime :math:`\\tau = Q_L/\\omega_0 = Q_L\\lambda/(2\\pi c)`, s."""
        lam = self.ring.resonance_wavelength_nm * 1e-9
        return self.ring.loaded_q * lam / (2.0 * math.pi * C_M_PER_S)

    @property
    def optical_bandwidth_hz(self) -> float:
        """Resonance FWHM in frequency, :math:`c\\,FWHM/\\lambda^2`, Hz."""
        lam = self.ring.resonance_wavelength_nm * 1e-9
        return C_M_PER_S * self.ring.fwhm_nm * 1e-9 / lam**2
