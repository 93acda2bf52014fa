"""Dual-drive Mach-Zehnder modulator: DSB, single-sideband and carrier-suppressed DSB.

Each arm of the interferometer is a phase modulator with its own DC bias phase and its
own RF drive phase; the RF input feeds both arms through an ideal 3-dB hybrid. With a
CW laser of power :math:`P_I`, insertion transmission :math:`T` and arm amplitude
ratio :math:`\\gamma = (\\sqrt\\epsilon - 1)/(\\sqrt\\epsilon + 1)` (finite extinction
ratio :math:`\\epsilon`), the output field is (Smith, Novak & Ahmed, "Overcoming
chromatic-dispersion effects in fiber-wireless systems incorporating external
modulators", IEEE Trans. Microwave Theory Tech. 45(8), 1410-1415, 1997, eqs. 1-4)

.. math::

    E(t) = \\frac{\\sqrt{P_I T}}{1 + \\gamma}\\Big[e^{i\\Phi_1(t)} + \\gamma
    e^{i\\Phi_2(t)}\\Big],\\qquad
    \\Phi_k(t) = \\phi_k + \\frac{\\pi}{V_\\pi}\\,\\frac{v_{\\psi_k}(t)}{\\sqrt 2},

with arm bias phases :math:`\\phi_k`, the per-arm half-wave voltage :math:`V_\\pi` and
:math:`v_{\\psi}(t) = \\mathrm{Re}\\{(v + i\\mathcal{H}v)e^{i\\psi}\\}` the drive
shifted by the arm's drive phase :math:`\\psi_k` (:math:`v = V\\cos\\omega t` gives
:math:`V\\cos(\\omega t + \\psi)`), after the electrode's first-order response. The
formats of Smith et al. are settings of the same device:

* DSB (push-pull): :math:`\\psi_2 - \\psi_1 = \\pi`, :math:`\\phi_1 - \\phi_2 = \\pi/2`;
  behind fiber the first-order sidebands beat with the carrier as
  :math:`\\cos^2\\theta` (the nulls of :meth:`rof.photonics.Fiber.power_fading`).
* SSB: :math:`\\psi_2 - \\psi_1 = \\pi/2`, :math:`\\phi_1 - \\phi_2 = \\pi/2`; one
  first-order sideband cancels and the detected RF power no longer fades.
* CS-DSB: push-pull at null bias :math:`\\phi_1 - \\phi_2 = \\pi`; the carrier and the
  even sidebands cancel, the :math:`\\pm1` sidebands beat at twice the drive frequency
  (optical frequency doubling, O'Reilly et al., "Optical generation of very narrow
  linewidth millimetre wave signals", Electron. Lett. 28(25), 2309-2311, 1992).

The analytic budget reads the device through :meth:`small_signal`: the first-order
sidebands give the reference slope and the dispersion fading
(:func:`rof.photonics.protocols.sideband_fading`); back to back the detected power
depends only on :math:`\\Phi_1 - \\Phi_2`, i.e. the device is a push-pull MZM of the
differential drive, so its AM/AM curve and Taylor coefficients are those of
:class:`~rof.photonics.MachZehnderModulator` with :math:`\\pi/V_\\pi` replaced by
:math:`k_d = \\frac{\\pi}{V_\\pi}\\sqrt2\\,|\\sin\\frac{\\psi_1-\\psi_2}{2}|` (exact at
0 km). Behind fiber, the chirp-free DSB distorts like the back-to-back device at the
drive times :math:`\\cos\\theta` (``"dispersed_drive"``); every other setting (SSB, an
unbalanced DSB) uses the whole link's single-tone describing function of its exact
two-arm field through the fiber (``"link_tone"``, :meth:`tone_field`,
:func:`rof.link.describing.link_distortion`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.laser import CWLaser
from rof.photonics.protocols import SmallSignal, external_modulator_small_signal, sideband_fading
from rof.units import db_to_lin

__all__ = ["FORMATS", "DualDriveMZM", "tone_harmonic_w"]

#: Arm settings of the named formats: (bias1, bias2, drive phase1, drive phase2), rad.
FORMATS: dict[str, tuple[float, float, float, float]] = {
    "dsb": (math.pi / 2, 0.0, 0.0, math.pi),
    "ssb": (math.pi / 2, 0.0, 0.0, math.pi / 2),
    "cs-dsb": (math.pi, 0.0, 0.0, math.pi),
}


def tone_harmonic_w(coeffs, theta, harmonic: int) -> np.ndarray:
    """Amplitude of the detected optical power at ``harmonic`` times the tone, W.

    For a field with lines :math:`c_n e^{in\\omega t}` (``coeffs``: dict n -> c_n,
    sqrt(W)) behind a fiber that multiplies line :math:`n` by
    :math:`e^{-in^2\\theta}` (quadratic dispersion, :math:`\\theta` the phase at
    :math:`\\omega`), the power :math:`|E|^2` has at :math:`k\\omega` the amplitude

    .. math:: 2\\Big|\\sum_n c_n c_{n-k}^* e^{-i(n^2 - (n-k)^2)\\theta}\\Big|,

    the square-law beat of every pair of lines :math:`k` apart (Schmuck, Electron.
    Lett. 31(21), 1995; with Bessel line amplitudes this is the closed form of Smith
    et al. 1997 for every format). ``theta`` may be an array.
    """
    th = np.asarray(theta, dtype=float)
    acc = np.zeros(th.shape, dtype=complex)
    for n, c in coeffs.items():
        d = coeffs.get(n - harmonic)
        if d is not None:
            acc = acc + c * np.conj(d) * np.exp(-1j * (n * n - (n - harmonic) ** 2) * th)
    return 2.0 * np.abs(acc)


@dataclass(frozen=True)
class DualDriveMZM:
    """Dual-drive MZM with its CW laser: a :class:`~rof.photonics.protocols.Transmitter`.

    See the module docstring for the field and the formats; :meth:`from_format` sets the
    arms of a named format.

    Parameters
    ----------
    laser : CWLaser
        The optical source.
    v_pi_v : float
        Half-wave voltage of one arm (phase :math:`\\pi`), V (> 0, up to 100). Through
        the hybrid, push-pull DSB equals a :class:`~rof.photonics.MachZehnderModulator`
        of :math:`V_\\pi/\\sqrt 2`.
    bias1_rad, bias2_rad : float
        DC bias phase of each arm, rad (0 to 2 pi).
    drive_phase1_rad, drive_phase2_rad : float
        RF drive phase of each arm (the hybrid's outputs), rad (-2 pi to 2 pi).
    insertion_loss_db : float
        Optical insertion loss, dB (0 to 30).
    extinction_ratio_db : float
        DC extinction ratio, dB (> 0, up to 80): arm amplitude ratio :math:`\\gamma`.
    bandwidth_hz : float
        Electrode 3-dB bandwidth, Hz (> 0), first order, ahead of the phase modulation.
    input_impedance_ohm : float
        Matched RF input impedance, ohm (> 0).

    Examples
    --------
    >>> ssb = DualDriveMZM.from_format("ssb", CWLaser(power_dbm=16.0))
    >>> ssb.small_signal().sideband_fading
    (0.0, -0.0, 1.0)
    """

    laser: CWLaser = field(default_factory=CWLaser)
    v_pi_v: float = 5.0
    bias1_rad: float = math.pi / 2
    bias2_rad: float = 0.0
    drive_phase1_rad: float = 0.0
    drive_phase2_rad: float = math.pi / 2
    insertion_loss_db: float = 5.0
    extinction_ratio_db: float = 30.0
    bandwidth_hz: float = 40e9
    input_impedance_ohm: float = 50.0

    def __post_init__(self):
        name = "DualDriveMZM"
        if not isinstance(self.laser, CWLaser):
            raise ParameterError(f"{name}.laser = {self.laser!r} is not known; allowed: a CWLaser")
        check_range(f"{name}.v_pi_v", self.v_pi_v, 0.0, 100.0, lo_open=True)
        for k in ("bias1_rad", "bias2_rad"):
            check_range(f"{name}.{k}", getattr(self, k), 0.0, 2.0 * math.pi)
        for k in ("drive_phase1_rad", "drive_phase2_rad"):
            check_range(f"{name}.{k}", getattr(self, k), -2.0 * math.pi, 2.0 * math.pi)
        check_range(f"{name}.insertion_loss_db", self.insertion_loss_db, 0.0, 30.0)
        check_range(
            f"{name}.extinction_ratio_db", self.extinction_ratio_db, 0.0, 80.0, lo_open=True
        )
        check_range(f"{name}.bandwidth_hz", self.bandwidth_hz, 0.0, lo_open=True)
        check_range(f"{name}.input_impedance_ohm", self.input_impedance_ohm, 0.0, lo_open=True)

    @classmethod
    def from_format(cls, fmt: str, laser: CWLaser | None = None, **kw) -> DualDriveMZM:
        """The device set for ``fmt`` (``"dsb"``, ``"ssb"``, ``"cs-dsb"``; :data:`FORMATS`)."""
        if fmt not in FORMATS:
            raise ParameterError(
                f"DualDriveMZM format = {fmt!r} is not known; allowed: "
                + ", ".join(map(repr, FORMATS))
            )
        b1, b2, p1, p2 = FORMATS[fmt]
        kw = {"bias1_rad": b1, "bias2_rad": b2, "drive_phase1_rad": p1, "drive_phase2_rad": p2} | kw
        return cls(laser=laser if laser is not None else CWLaser(), **kw)

    # -- protocol attributes ---------------------------------------------------------
    @property
    def wavelength_nm(self) -> float:
        """Optical wavelength of the laser, nm."""
        return self.laser.wavelength_nm

    @property
    def rin_db_per_hz(self) -> float:
        """RIN of the laser, dB/Hz."""
        return self.laser.rin_db_per_hz

    @property
    def gamma(self) -> float:
        """Arm amplitude ratio :math:`\\gamma = (\\sqrt\\epsilon-1)/(\\sqrt\\epsilon+1)`."""
        r = math.sqrt(float(db_to_lin(self.extinction_ratio_db)))
        return (r - 1.0) / (r + 1.0)

    @property
    def field_scale(self) -> float:
        """:math:`\\sqrt{P_I T}/(1+\\gamma)`, sqrt(W)."""
        p = self.laser.power_w * float(db_to_lin(-self.insertion_loss_db))
        return math.sqrt(p) / (1.0 + self.gamma)

    @property
    def arm_index_per_v(self) -> float:
        """Phase per volt of RF input in each arm, :math:`\\pi/(\\sqrt2 V_\\pi)`, rad/V."""
        return math.pi / (math.sqrt(2.0) * self.v_pi_v)

    @property
    def differential_index_per_v(self) -> float:
        """:math:`k_d`: amplitude of :math:`\\Phi_1-\\Phi_2` per volt of tone, rad/V."""
        d = self.drive_phase1_rad - self.drive_phase2_rad
        return self.arm_index_per_v * 2.0 * abs(math.sin(0.5 * d))

    def mean_power_w(self) -> float:
        """Launched power without drive, :math:`A^2|e^{i\\phi_1}+\\gamma e^{i\\phi_2}|^2`, W."""
        g = self.gamma
        return self.field_scale**2 * (
            1.0 + g * g + 2.0 * g * math.cos(self.bias1_rad - self.bias2_rad)
        )

    def line_amplitudes(self, amplitude_v, n_max: int = 12, rf_hz: float = 0.0) -> dict:
        """Field lines :math:`c_n` (sqrt(W)) for the drive :math:`A\\cos\\omega t`.

        Jacobi-Anger per arm (Abramowitz & Stegun 9.1.41):
        :math:`e^{i(\\phi + m\\cos(x+\\psi))} = e^{i\\phi}\\sum_n i^n J_n(m)e^{in(x+\\psi)}`,
        :math:`m = \\pi A |H_e(f)| / (\\sqrt 2 V_\\pi)`; ``n`` from -n_max to n_max.
        """
        from scipy.special import jv

        m = self.arm_index_per_v * float(amplitude_v) * float(self.modulation_response(rf_hz))
        a, g = self.field_scale, self.gamma
        out = {}
        for n in range(-n_max, n_max + 1):
            jn = (1j**n) * jv(n, m)
            out[n] = (
                a
                * jn
                * (
                    np.exp(1j * (self.bias1_rad + n * self.drive_phase1_rad))
                    + g * np.exp(1j * (self.bias2_rad + n * self.drive_phase2_rad))
                )
            )
        return out

    def _sidebands(self):
        """``(u, w)`` per volt of tone: upper and lower sideband-carrier beats, W/V."""
        a, g, k = self.field_scale, self.gamma, self.arm_index_per_v
        e = [np.exp(1j * b) for b in (self.bias1_rad, self.bias2_rad)]
        c0 = a * (e[0] + g * e[1])
        cp = (
            a
            * 0.5j
            * k
            * (
                e[0] * np.exp(1j * self.drive_phase1_rad)
                + g * e[1] * np.exp(1j * self.drive_phase2_rad)
            )
        )
        cm = (
            a
            * 0.5j
            * k
            * (
                e[0] * np.exp(-1j * self.drive_phase1_rad)
                + g * e[1] * np.exp(-1j * self.drive_phase2_rad)
            )
        )
        return cp * np.conj(c0), c0 * np.conj(cm)

    def tone_field(self, rf_hz: float, amplitudes_v, points: int):
        """Field over one period of the drive :math:`A\\cos\\omega t` at the arms (the
        electrode's response is the budget's ``drive_response``), sqrt(W): the exact
        two-arm field of the module docstring, shape (n_amp, points), and zero frequency
        offsets (the link's describing function, :mod:`rof.link.describing`)."""
        amp = np.atleast_1d(np.asarray(amplitudes_v, dtype=float))
        x = 2.0 * np.pi * np.arange(points) / points
        m = self.arm_index_per_v * amp[:, None]
        arm1 = np.exp(1j * (self.bias1_rad + m * np.cos(x + self.drive_phase1_rad)))
        arm2 = np.exp(1j * (self.bias2_rad + m * np.cos(x + self.drive_phase2_rad)))
        return self.field_scale * (arm1 + self.gamma * arm2), np.zeros(amp.size)

    def modulation_response(self, rf_hz) -> np.ndarray:
        """Electrode response :math:`|H_e(f)| = (1 + (f/f_e)^2)^{-1/2}`, linear."""
        f = np.asarray(rf_hz, dtype=float) / self.bandwidth_hz
        return 1.0 / np.sqrt(1.0 + f * f)

    def slope_w_per_v(self, rf_hz) -> np.ndarray:
        """Reference slope :math:`2(|u| + |w|)|H_e(f)|`, W/V (the fading maximum)."""
        return self._reference_slope() * self.modulation_response(rf_hz)

    def _reference_slope(self) -> float:
        return 2.0 * sideband_fading(*self._sidebands())[3]

    def taylor_w_per_vn(self) -> tuple[float, float, float]:
        """Back-to-back Taylor coefficients of the differential transfer, W/V^n.

        :math:`\\Delta P = 2\\gamma A^2[\\cos(\\phi_B + k_d v) - \\cos\\phi_B]`,
        :math:`\\phi_B = \\phi_1 - \\phi_2`.
        """
        p = 2.0 * self.gamma * self.field_scale**2
        k = self.differential_index_per_v
        b = self.bias1_rad - self.bias2_rad
        s, c = math.sin(b), math.cos(b)
        return (-p * k * s, -p * k * k * c / 2.0, p * k**3 * s / 6.0)

    def envelope_response_w(self, amplitude_v) -> np.ndarray:
        """Back-to-back fundamental for :math:`A\\cos\\omega t`:
        :math:`4\\gamma A^2 \\sin\\phi_B J_1(k_d A)`, W (Jacobi-Anger, A&S 9.1.43)."""
        from scipy.special import j1

        a = np.abs(np.asarray(amplitude_v, dtype=float))
        b = self.bias1_rad - self.bias2_rad
        p = 4.0 * self.gamma * self.field_scale**2 * abs(math.sin(b))
        return p * j1(self.differential_index_per_v * a)

    def small_signal(self) -> SmallSignal:
        """The link-budget contract.

        Fading from the first-order sidebands (:func:`~rof.photonics.protocols.sideband_fading`);
        the laser's RIN fades and its phase noise converts as behind any external
        modulator (``rin_fades``). A setting without a back-to-back first-order signal
        (CS-DSB's null bias, a bias difference of 0 or pi; equal drive phases, a pure
        phase modulation) has no small-signal budget here and raises
        :class:`~rof.errors.ParameterError` (use :class:`~rof.photonics.PhaseModulator`
        for the latter).
        """
        w_f, ph, c_f, scale = sideband_fading(*self._sidebands())
        s_bias = abs(math.sin(self.bias1_rad - self.bias2_rad))
        s_drive = abs(math.sin(0.5 * (self.drive_phase1_rad - self.drive_phase2_rad)))
        if min(s_bias, s_drive) < 1e-9 or scale == 0.0:
            raise ParameterError(
                "DualDriveMZM: bias1_rad - bias2_rad = "
                f"{self.bias1_rad - self.bias2_rad:g} with drive phases "
                f"{self.drive_phase1_rad:g}, {self.drive_phase2_rad:g} carries no first-order "
                "intensity signal (carrier-suppressed: the tone comes out at twice the drive "
                "frequency, see tone_harmonic_w); allowed: a bias difference other than "
                "0 or pi and unequal drive phases"
            )
        chirp_free_dsb = abs(w_f - 1.0) < 1e-12 and abs(ph) < 1e-12
        return external_modulator_small_signal(
            self,
            distortion="dispersed_drive" if chirp_free_dsb else "link_tone",
            sideband_fading=None if chirp_free_dsb else (w_f, ph, c_f),
            tone_field=None if chirp_free_dsb else self.tone_field,
        )

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None):
        """Sampled output field, sqrt(W) (:func:`rof.photonics.timedomain.dual_drive_field`;
        ``predistort`` and ``substeps`` do not apply)."""
        from rof.photonics.timedomain.dualdrive import dual_drive_field

        if predistort:
            raise ParameterError(
                "DualDriveMZM.field predistort = True is not supported; allowed: False"
            )
        return dual_drive_field(self, drive_v, sample_rate_hz, rng)
