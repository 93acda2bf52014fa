"""The contract between an optical transmitter and :class:`rof.link.RoFLink`.

Every intensity-modulated transmitter (directly modulated laser, CW laser plus
Mach-Zehnder modulator, microring modulator) states its behaviour in two methods and
nothing else; the link never probes for attributes.

``small_signal() -> SmallSignal``
    A frozen description of the transmitter around its bias point: the optical-power
    transfer :math:`P(t) = P_0 + \\Delta P(v(t))` for the RF voltage :math:`v(t)`
    across ``input_impedance_ohm``, its frequency response, its chirp, its laser's
    noise and how that noise behaves behind a dispersive fiber, and which describing
    function gives its in-band distortion (Cox, *Analog Optical Links*, Cambridge
    Univ. Press, 2004, ch. 2-6, for the small-signal link figures).
``field(drive_v, sample_rate_hz, rng, *, predistort=False, substeps=None)``
    The sampled optical field, sqrt(W), for a sampled drive voltage: the waveform
    model (:func:`rof.link.waveform.simulate_link`). The drive comes as float64, or as
    float32 where the simulator interpolated it in single precision; a transmitter reads
    it as float64 (``rof._validate.check_finite``) unless it works in single precision.

Adding a transmitter means one class with these two methods and one line in the
link-file registry (:data:`rof.link.config.TRANSMITTERS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from rof.errors import ParameterError

__all__ = [
    "DISTORTION_MODELS",
    "SmallSignal",
    "Transmitter",
    "external_modulator_small_signal",
    "sideband_fading",
]

#: How the budget finds a transmitter's in-band distortion (see :class:`SmallSignal`).
DISTORTION_MODELS = ("envelope", "dispersed_drive", "link_tone")


@dataclass(frozen=True)
class SmallSignal:
    """What a transmitter tells the link budget about itself (frozen, no hooks).

    Attributes
    ----------
    wavelength_nm : float
        Optical wavelength of the launched carrier, nm.
    mean_power_w : float
        :math:`P_0`, W, launched into the fiber (after insertion loss).
    input_impedance_ohm : float
        Matched RF input impedance :math:`R_S`, ohm.
    taylor_w_per_vn : tuple of 3 floats
        :math:`(a_1, a_2, a_3)` of :math:`\\Delta P = a_1 v + a_2 v^2 + a_3 v^3 + \\dots`
        at low frequency, W/V^n (two-tone IIP3 from :math:`a_1, a_3`).
    slope_w_per_v : callable ``f_hz -> ndarray``
        Small-signal slope :math:`|dP/dv|` at the RF frequency, W/V, including the
        transmitter's whole modulation response.
    drive_response : callable ``f_hz -> ndarray`` or None
        :math:`|H_{pre}(f)|` of an electrical network *ahead of* the non-linearity (an
        MZM's travelling-wave electrode): distortion and IIP3 are computed on the
        drive that reaches the transfer. None: no such network (1 at all frequencies).
    envelope_response_w : callable ``amplitude_v -> ndarray``
        First-zone (in-band) optical-power amplitude for a drive :math:`A\\cos\\omega t`,
        W: the AM/AM curve of the OFDM distortion (:func:`rof.link.budget.ofdm_distortion`).
    full_scale_v : float
        Drive amplitude at which the transfer is fully used, V (an MZM's
        :math:`V_\\pi`, a DML's clipping amplitude, a ring's half-linewidth shift):
        the scale of the small probe tones of the describing-function IIP3.
    chirp_alpha : float
        Small-signal transient chirp factor of the signal (Henry's convention,
        :math:`\\Delta\\nu = \\frac{\\alpha}{4\\pi}\\frac{d\\ln P}{dt}`); sets the fading
        :meth:`rof.photonics.Fiber.power_fading`.
    adiabatic_corner_hz : float
        Corner :math:`f_c` of the adiabatic chirp (a DML), Hz; 0 for none.
    rin_db_per_hz : float
        The laser's relative intensity noise at the transmitter output, dB/Hz.
    rin_fades : bool
        True: the laser's intensity noise rides on the optical carrier as a pure,
        chirp-free intensity modulation that the drive does not touch (a CW laser
        behind an external modulator), so behind a fiber of dispersion phase
        :math:`\\theta` the detector sees :math:`\\mathrm{RIN}\\cos^2\\theta`, plus the
        laser's phase noise converted to intensity noise,
        :math:`4\\sin^2\\theta\\,\\Delta\\nu/(\\pi f^2)` (Wang & Petermann, J. Lightwave
        Technol. 10(1), 96-100, 1992). False: a directly modulated laser, whose
        intensity noise is tied to its own chirp (see ``rin_dispersion_factor``).
    linewidth_hz : float
        The laser's Lorentzian linewidth :math:`\\Delta\\nu`, Hz (with ``rin_fades``).
    rin_dispersion_factor : callable ``(f_hz, theta) -> ndarray`` or None
        Without ``rin_fades``: :math:`\\mathrm{RIN}_{det}(f,\\theta)/\\mathrm{RIN}` of a
        laser whose intensity and phase noise are correlated through its rate
        equations (:meth:`rof.photonics.DirectLaser.rin_dispersion_factor`); None keeps
        the RIN as given at every length.
    distortion : {"envelope", "dispersed_drive", "link_tone"}
        The describing function of the in-band distortion: ``"envelope"``, the
        back-to-back AM/AM curve (scaled with the faded signal behind fiber);
        ``"dispersed_drive"``, a chirp-free push-pull MZM, whose distortion behind
        fiber is the back-to-back one at the drive times :math:`\\cos\\theta`
        (:func:`rof.link.dispersed.dispersed_drive_distortion`); ``"link_tone"``, the
        whole link's single-tone describing function from ``tone_field``
        (:func:`rof.link.describing.link_distortion`).
    tone_field : callable ``(rf_hz, amplitudes_v, points) -> (field, offset)`` or None
        Periodic steady-state field over one period of a tone drive (required by
        ``distortion = "link_tone"``, e.g. :meth:`rof.photonics.DirectLaser.tone_field`).
    sideband_fading : (weight, phase_rad, flat) or None
        The small-signal RF power behind a fiber of dispersion phase :math:`\\theta`
        relative to ``slope_w_per_v`` squared,
        :math:`F(\\theta) = w\\cos^2(\\theta + \\varphi) + c`, from the transmitter's
        first-order optical sidebands (:func:`sideband_fading`): a dual-drive MZM's
        single sideband (:math:`w = 0, c = 1`), a phase modulator
        (:math:`\\sin^2\\theta`). None: the chirp form of
        :meth:`rof.photonics.Fiber.power_fading` with ``chirp_alpha`` and
        ``adiabatic_corner_hz``.
    dispersed_drive_sin : bool
        With ``distortion = "dispersed_drive"``: the non-linearity behind fiber sees
        the drive times :math:`\\sin\\theta` (a phase modulator, whose describing
        function is :math:`J_1(2\\beta A\\sin\\theta)`) instead of :math:`\\cos\\theta`
        (a chirp-free push-pull MZM).
    ofdm_inv_sdr : callable ``scs_hz -> ndarray`` or None
        OFDM error over signal power that the transmitter's RF carrier brings itself,
        per subcarrier spacing (an optical heterodyne's laser phase noise and frequency
        error, :meth:`rof.photonics.OpticalHeterodyne.ofdm_inv_sdr`); the budget adds it
        to the in-band distortion. None: the RF carrier is the drive's own.
    """

    wavelength_nm: float
    mean_power_w: float
    input_impedance_ohm: float
    taylor_w_per_vn: tuple[float, float, float]
    slope_w_per_v: Callable[[np.ndarray], np.ndarray]
    envelope_response_w: Callable[[np.ndarray], np.ndarray]
    full_scale_v: float
    chirp_alpha: float
    rin_db_per_hz: float
    rin_fades: bool
    drive_response: Callable[[np.ndarray], np.ndarray] | None = None
    adiabatic_corner_hz: float = 0.0
    linewidth_hz: float = 0.0
    rin_dispersion_factor: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    distortion: Literal["envelope", "dispersed_drive", "link_tone"] = "envelope"
    tone_field: Callable | None = None
    sideband_fading: tuple[float, float, float] | None = None
    dispersed_drive_sin: bool = False
    ofdm_inv_sdr: Callable[[np.ndarray], np.ndarray] | None = None

    def __post_init__(self):
        object.__setattr__(self, "taylor_w_per_vn", tuple(float(a) for a in self.taylor_w_per_vn))
        if len(self.taylor_w_per_vn) != 3:
            raise ParameterError("SmallSignal.taylor_w_per_vn must hold (a1, a2, a3)")
        if self.distortion not in DISTORTION_MODELS:
            raise ParameterError(
                f"SmallSignal.distortion = {self.distortion!r} is not known; "
                f"allowed: {', '.join(map(repr, DISTORTION_MODELS))}"
            )
        if self.distortion == "link_tone" and self.tone_field is None:
            raise ParameterError("SmallSignal.distortion = 'link_tone' needs a tone_field")
        if self.rin_fades and self.rin_dispersion_factor is not None:
            raise ParameterError(
                "SmallSignal.rin_dispersion_factor is for a laser whose RIN does not fade "
                "(rin_fades = False); allowed: None with rin_fades = True"
            )
        if not (self.mean_power_w >= 0.0 and math.isfinite(self.mean_power_w)):
            raise ParameterError(f"SmallSignal.mean_power_w = {self.mean_power_w!r}; allowed: >= 0")
        if not self.input_impedance_ohm > 0.0:
            raise ParameterError(
                f"SmallSignal.input_impedance_ohm = {self.input_impedance_ohm!r}; allowed: > 0"
            )
        if self.linewidth_hz < 0.0 or self.adiabatic_corner_hz < 0.0:
            raise ParameterError("SmallSignal.linewidth_hz and adiabatic_corner_hz must be >= 0")
        if self.sideband_fading is not None:
            w, ph, c = (float(x) for x in self.sideband_fading)
            if not (w >= 0.0 and c >= 0.0 and math.isfinite(ph) and w + c > 0.0):
                raise ParameterError(
                    f"SmallSignal.sideband_fading = {self.sideband_fading!r}; allowed: "
                    "(weight >= 0, finite phase, flat >= 0), weight + flat > 0"
                )
            if self.adiabatic_corner_hz != 0.0:
                raise ParameterError(
                    "SmallSignal.sideband_fading replaces the chirp fading; allowed: "
                    "adiabatic_corner_hz = 0 with it"
                )
            object.__setattr__(self, "sideband_fading", (w, ph, c))

    def fading_terms(self) -> tuple[float, float, float]:
        """``(weight, phase, flat)`` of :math:`F(\\theta) = w\\cos^2(\\theta+\\varphi) + c`
        (without the adiabatic term): ``sideband_fading``, or the chirp form
        :math:`(1 + \\alpha^2, \\arctan\\alpha, 0)`."""
        if self.sideband_fading is not None:
            return self.sideband_fading
        a = self.chirp_alpha
        return 1.0 + a * a, math.atan(a), 0.0

    def drive_response_sq(self, rf_hz) -> np.ndarray:
        """:math:`|H_{pre}(f)|^2` ahead of the non-linearity (ones without a network)."""
        rf = np.asarray(rf_hz, dtype=float)
        if self.drive_response is None:
            return np.ones_like(rf)
        return np.asarray(self.drive_response(rf), dtype=float) ** 2


def external_modulator_small_signal(device, **fields) -> SmallSignal:
    r"""The contract of an external modulator of a CW laser (MZM, dual-drive MZM, PM).

    What these share: the laser's wavelength, RIN and linewidth (its RIN fades,
    ``rin_fades``: the intensity noise multiplies every arm alike and carries no
    phase, Wang & Petermann 1992), the electrode ahead of the transfer
    (``drive_response = device.modulation_response``), full scale :math:`V_\pi`, and
    the device's mean power, impedance, Taylor coefficients, slope and envelope
    response. ``fields`` gives the rest (``chirp_alpha``, ``distortion``,
    ``sideband_fading``, ...), and may override any of these.
    """
    base = dict(
        wavelength_nm=device.laser.wavelength_nm,
        mean_power_w=device.mean_power_w(),
        input_impedance_ohm=device.input_impedance_ohm,
        taylor_w_per_vn=device.taylor_w_per_vn(),
        slope_w_per_v=device.slope_w_per_v,
        drive_response=device.modulation_response,
        envelope_response_w=device.envelope_response_w,
        full_scale_v=device.v_pi_v,
        chirp_alpha=0.0,
        rin_db_per_hz=device.laser.rin_db_per_hz,
        rin_fades=True,
        linewidth_hz=device.laser.linewidth_hz,
    )
    return SmallSignal(**(base | fields))


def sideband_fading(upper, lower) -> tuple[float, float, float, float]:
    """Small-signal dispersion fading of a field's first-order sidebands.

    A field :math:`E = c_0 + c_+ e^{i\\omega t} + c_- e^{-i\\omega t}` (numpy's
    :math:`e^{+i\\omega t}` basis of :mod:`rof.photonics.timedomain`) behind a fiber
    whose quadratic dispersion multiplies both sidebands by :math:`e^{-i\\theta}`
    (:func:`rof.photonics.timedomain.propagate_linear`) detects, at :math:`\\omega`,
    the photocurrent phasor :math:`2(u e^{-i\\theta} + w e^{i\\theta})` with
    :math:`u = c_+ c_0^*` (``upper``) and :math:`w = c_0 c_-^*` (``lower``), so

    .. math::

        |u e^{-i\\theta} + w e^{i\\theta}|^2
        = (|u| + |w|)^2 \\big[w_F\\cos^2(\\theta - \\chi/2) + c_F\\big],\\quad
        w_F = \\frac{4|u||w|}{(|u|+|w|)^2},\\ c_F = \\frac{(|u|-|w|)^2}{(|u|+|w|)^2},

    :math:`\\chi = \\arg(u w^*)` (the beat of each sideband with the carrier, as in
    Schmuck, "Comparison of optical millimetre-wave system concepts with regard to
    chromatic dispersion", Electron. Lett. 31(21), 1848-1849, 1995, and Smith, Novak &
    Ahmed, IEEE Trans. Microwave Theory Tech. 45(8), 1410-1415, 1997). Equal sidebands
    (intensity modulation) give :math:`\\cos^2\\theta`, opposite ones (phase
    modulation) :math:`\\sin^2\\theta`, one sideband (SSB) no fading at all.

    Returns
    -------
    weight, phase_rad, flat, scale : float
        :math:`w_F`, :math:`-\\chi/2`, :math:`c_F` and :math:`|u| + |w|` (the
        phasor's magnitude at the fading maximum).
    """
    u, w = complex(upper), complex(lower)
    au, aw = abs(u), abs(w)
    s = au + aw
    if s == 0.0:
        return 0.0, 0.0, 1.0, 0.0
    chi = math.atan2((u * w.conjugate()).imag, (u * w.conjugate()).real)
    return 4.0 * au * aw / (s * s), -0.5 * chi, (au - aw) ** 2 / (s * s), s


@runtime_checkable
class Transmitter(Protocol):
    """Structural type of an intensity-modulating optical transmitter (see module doc)."""

    wavelength_nm: float
    input_impedance_ohm: float

    def small_signal(self) -> SmallSignal: ...

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None): ...
