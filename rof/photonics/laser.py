"""Laser sources: a CW laser (for external modulation) and a directly modulated laser.

Both are frozen dataclasses validated in ``__post_init__``. :class:`DirectLaser`
implements the :class:`rof.photonics.protocols.Transmitter` protocol; a
:class:`CWLaser` becomes a transmitter through
:class:`rof.photonics.modulator.MachZehnderModulator`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.photonics._common import check_wavelength
from rof.photonics.protocols import SmallSignal
from rof.units import dbm_to_w

__all__ = ["CWLaser", "DirectLaser"]


@dataclass(frozen=True)
class CWLaser:
    """Continuous-wave laser feeding an external modulator.

    Parameters
    ----------
    power_dbm : float
        Optical output power, dBm (-20 to 30).
    wavelength_nm : float
        Emission wavelength, nm (1260 to 1675).
    rin_db_per_hz : float
        One-sided relative intensity noise, dB/Hz (-200 to -100): the power spectral
        density of :math:`\\delta P / P` (Cox 2004, ch. 5).
    linewidth_hz : float
        Lorentzian linewidth, Hz (>= 0); carried for the waveform model, unused by the
        analytic budget (IM/DD detection is phase-insensitive to first order).

    Examples
    --------
    >>> CWLaser(power_dbm=10.0).power_w
    0.01
    """

    power_dbm: float = 10.0
    wavelength_nm: float = 1550.0
    rin_db_per_hz: float = -155.0
    linewidth_hz: float = 1e6

    def __post_init__(self):
        check_range("CWLaser.power_dbm", self.power_dbm, -20.0, 30.0)
        check_wavelength("CWLaser.wavelength_nm", self.wavelength_nm)
        check_range("CWLaser.rin_db_per_hz", self.rin_db_per_hz, -200.0, -100.0)
        check_range("CWLaser.linewidth_hz", self.linewidth_hz, 0.0)

    @property
    def power_w(self) -> float:
        """Optical output power, W."""
        return float(dbm_to_w(self.power_dbm))


@functools.lru_cache(maxsize=4096)
def _tone_row(laser, rf_hz: float, amplitude_v: float, points: int):
    """One amplitude of :meth:`DirectLaser.tone_field`, cached: budgets over lengths,
    drives and sweeps ask again for the same tones (the rate equations dominate)."""
    from rof.photonics.timedomain.laser import dml_field

    periods = 1 << max(0, math.ceil(math.log2(1.0 + 42.0 * rf_hz / laser.damping_rate_per_s)))
    t = np.arange(max(periods, 2) * points) / points
    e = dml_field(
        laser,
        amplitude_v * np.cos(2.0 * np.pi * t),
        rf_hz * points,
        None,
        constants=_rate_constants(laser),
    )
    phase = np.unwrap(np.angle(e[-points - 1 :]))
    ramp = phase[-1] - phase[0]
    row = e[-points:] * np.exp(-1j * ramp * (np.arange(points) / points))
    row.setflags(write=False)
    return row, ramp * rf_hz


@functools.lru_cache(maxsize=64)
def _rate_constants(laser):
    from rof.photonics.timedomain.rate_constants import rate_constants

    return rate_constants(laser)


@functools.lru_cache(maxsize=64)
def _small_signal_chirp(laser) -> tuple[float, float]:
    from rof.errors import ParameterError
    from rof.photonics.timedomain.rate_constants import chirp_response

    try:
        a_t, f_c = chirp_response(_rate_constants(laser))
    except ParameterError:
        if laser.adiabatic_corner_hz is not None:
            raise
        return float(laser.chirp_alpha), 0.0
    return float(a_t), float(f_c)


@dataclass(frozen=True)
class DirectLaser:
    """Directly modulated semiconductor laser (DML) with a resistively matched input.

    Static light-current curve above threshold and the rate-equation small-signal
    response:

    .. math::

        P(t) = s_l\\,\\max(I_b - I_{th} + i(t),\\ 0), \\qquad
        i(t) = v(t) / R_{in},

        H(f) = \\frac{f_r^2}{f_r^2 - f^2 + j f \\gamma / (2\\pi)},

    with slope efficiency :math:`s_l` (W/A), bias :math:`I_b`, threshold
    :math:`I_{th}`, relaxation-oscillation frequency :math:`f_r` and damping rate
    :math:`\\gamma` (1/s). :math:`H` is the two-pole small-signal intensity
    modulation response of the single-mode rate equations (Coldren, Corzine &
    Mašanović, *Diode Lasers and Photonic Integrated Circuits*, 2nd ed., Wiley 2012,
    Sec. 5.3, the transfer function :math:`\\omega_R^2/(\\omega_R^2-\\omega^2+j\\omega\\gamma)`;
    Cox, *Analog Optical Links*, 2004, ch. 2, direct modulation). The matched input is a series
    resistor bringing the laser's resistance up to :math:`R_{in}` (Cox 2004,
    ch. 3, resistive matching), so the laser current is the input voltage over :math:`R_{in}`.

    Parameters
    ----------
    wavelength_nm : float
        Emission wavelength, nm (1260 to 1675).
    bias_current_ma, threshold_current_ma : float
        Bias and threshold currents, mA; bias must exceed threshold.
    slope_efficiency_w_per_a : float
        Fiber-coupled slope efficiency, W/A (0 to 1).
    rin_db_per_hz : float
        One-sided RIN at the bias point, dB/Hz (-200 to -100).
    chirp_alpha : float
        Linewidth-enhancement (Henry) factor :math:`\\alpha_H` (-20 to 20); positive means
        the optical frequency rises with the power (transient chirp
        :math:`\\Delta\\nu = \\frac{\\alpha}{4\\pi}\\frac{d\\ln P}{dt}`, Koch & Bowers 1984).
    relaxation_frequency_hz : float
        Relaxation-oscillation frequency :math:`f_r`, Hz (> 0).
    damping_rate_per_s : float
        Damping rate :math:`\\gamma`, 1/s (> 0).
    input_impedance_ohm : float
        Matched RF input impedance, ohm (> 0).
    adiabatic_corner_hz : float or None
        Corner :math:`f_c` of the adiabatic chirp, Hz (> 0): the small-signal chirp is
        :math:`\\Delta\\nu = \\frac{\\alpha_t}{4\\pi}\\big(\\frac{d\\ln P}{dt}
        + 2\\pi f_c\\,\\frac{\\delta P}{P_0}\\big)` (Koch & Bowers, Electron. Lett. 20,
        1984), so frequency modulation dominates below :math:`f_c`. It is a property of
        the rate equations behind :math:`f_r` and :math:`\\gamma` (gain compression,
        :math:`2\\pi f_c \\approx \\epsilon S_0/\\tau_p`); None (default) takes what
        :func:`rof.photonics.timedomain.rate_constants` fits with a 2 ps photon
        lifetime (about 5 GHz for the defaults), a value makes that fit choose the
        photon lifetime to give it. See :meth:`small_signal_chirp`.

    Notes
    -----
    The L-I curve above threshold is taken as linear, so the Taylor coefficients
    :math:`a_2 = a_3 = 0` and the two-tone IIP3 is infinite; distortion enters the
    budget through clipping at threshold (:meth:`envelope_response_w`), the limit of
    a DML carrying many subcarriers (Saleh, Electron. Lett. 25(12), 776-777, 1989).
    """

    wavelength_nm: float = 1550.0
    bias_current_ma: float = 40.0
    threshold_current_ma: float = 10.0
    slope_efficiency_w_per_a: float = 0.3
    rin_db_per_hz: float = -150.0
    chirp_alpha: float = 3.0
    relaxation_frequency_hz: float = 10e9
    damping_rate_per_s: float = 4e10
    input_impedance_ohm: float = 50.0
    adiabatic_corner_hz: float | None = None

    def __post_init__(self):
        check_wavelength("DirectLaser.wavelength_nm", self.wavelength_nm)
        if self.adiabatic_corner_hz is not None:
            check_range(
                "DirectLaser.adiabatic_corner_hz", self.adiabatic_corner_hz, 0.0, 1e12, lo_open=True
            )
        check_range("DirectLaser.threshold_current_ma", self.threshold_current_ma, 0.0, 1000.0)
        check_range(
            "DirectLaser.bias_current_ma",
            self.bias_current_ma,
            self.threshold_current_ma,
            1000.0,
            lo_open=True,
        )
        check_range(
            "DirectLaser.slope_efficiency_w_per_a",
            self.slope_efficiency_w_per_a,
            0.0,
            1.0,
            lo_open=True,
        )
        check_range("DirectLaser.rin_db_per_hz", self.rin_db_per_hz, -200.0, -100.0)
        check_range("DirectLaser.chirp_alpha", self.chirp_alpha, -20.0, 20.0)
        check_range(
            "DirectLaser.relaxation_frequency_hz", self.relaxation_frequency_hz, 0.0, lo_open=True
        )
        check_range("DirectLaser.damping_rate_per_s", self.damping_rate_per_s, 0.0, lo_open=True)
        check_range("DirectLaser.input_impedance_ohm", self.input_impedance_ohm, 0.0, lo_open=True)

    @property
    def bias_above_threshold_a(self) -> float:
        """:math:`I_b - I_{th}`, A."""
        return (self.bias_current_ma - self.threshold_current_ma) * 1e-3

    @property
    def clipping_amplitude_v(self) -> float:
        """Input voltage amplitude at which the current touches threshold, V."""
        return self.bias_above_threshold_a * self.input_impedance_ohm

    def mean_power_w(self) -> float:
        """Mean launched optical power :math:`s_l (I_b - I_{th})`, W."""
        return self.slope_efficiency_w_per_a * self.bias_above_threshold_a

    def modulation_response(self, rf_hz) -> np.ndarray:
        """Magnitude :math:`|H(f)|` of the rate-equation response (1 at DC), linear."""
        f = np.asarray(rf_hz, dtype=float)
        fr2 = self.relaxation_frequency_hz**2
        damp = f * self.damping_rate_per_s / (2.0 * math.pi)
        return fr2 / np.sqrt((fr2 - f * f) ** 2 + damp * damp)

    def slope_w_per_v(self, rf_hz) -> np.ndarray:
        """Small-signal slope :math:`|dP/dv| = s_l |H(f)| / R_{in}`, W/V."""
        return (
            self.slope_efficiency_w_per_a
            / self.input_impedance_ohm
            * self.modulation_response(rf_hz)
        )

    def small_signal_chirp(self) -> tuple[float, float]:
        """Transient chirp factor and adiabatic-chirp corner ``(alpha_t, corner_hz)``.

        Those of the single-mode rate equations fitted to this laser
        (:func:`rof.photonics.timedomain.rate_constants.chirp_response`, the model the waveform
        simulation integrates): :math:`\\alpha_t = \\alpha\\,G_N S_0/a_{21}` (a few per cent
        above ``chirp_alpha`` through gain compression) and :math:`f_c`. Cached per laser.
        Where the rate equations cannot reach :math:`f_r` and :math:`\\gamma` (the
        waveform model refuses such a laser too) and no corner is given, it is
        ``(chirp_alpha, 0.0)``: transient chirp only.
        """
        return _small_signal_chirp(self)

    def has_rate_model(self) -> bool:
        """Whether the rate equations reach this laser's :math:`f_r` and damping.

        Where they cannot (the waveform model refuses such a laser too), the budget uses
        the static L-I curve and the RIN as given (:meth:`small_signal`), without
        :meth:`tone_field` and :meth:`rin_dispersion_factor`.
        """
        from rof.errors import ParameterError

        try:
            _rate_constants(self)
        except ParameterError:
            return False
        return True

    def small_signal(self) -> SmallSignal:
        """The link-budget contract (:class:`rof.photonics.protocols.SmallSignal`).

        Chirp: the rate equations' transient factor and adiabatic corner
        (:meth:`small_signal_chirp`). Where the rate equations reach the laser, its RIN
        moves with its chirp behind fiber (``rin_dispersion_factor``, not
        ``rin_fades``: the carrier fluctuations behind the intensity noise also move the
        optical frequency) and its distortion is the link's describing function from
        :meth:`tone_field` (``distortion = "link_tone"``); otherwise the static L-I
        curve with clipping (``"envelope"``) and the RIN as given.
        """
        rate = self.has_rate_model()
        alpha, corner = self.small_signal_chirp()
        return SmallSignal(
            wavelength_nm=self.wavelength_nm,
            mean_power_w=self.mean_power_w(),
            input_impedance_ohm=self.input_impedance_ohm,
            taylor_w_per_vn=self.taylor_w_per_vn(),
            slope_w_per_v=self.slope_w_per_v,
            envelope_response_w=self.envelope_response_w,
            full_scale_v=self.clipping_amplitude_v,
            chirp_alpha=float(alpha),
            adiabatic_corner_hz=float(corner),
            rin_db_per_hz=self.rin_db_per_hz,
            rin_fades=False,
            rin_dispersion_factor=self.rin_dispersion_factor if rate else None,
            distortion="link_tone" if rate else "envelope",
            tone_field=self.tone_field if rate else None,
        )

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None):
        """Sampled output field for a sampled drive, sqrt(W): the noisy rate equations
        (:func:`rof.photonics.timedomain.dml_field`); no predistortion."""
        from rof.errors import ParameterError
        from rof.photonics.timedomain.laser import dml_field

        if predistort:
            raise ParameterError(
                "simulate_link.predistort = True needs a MachZehnderModulator; allowed: False"
            )
        return dml_field(self, drive_v, sample_rate_hz, rng, substeps=substeps)

    def tone_field(self, rf_hz: float, amplitudes_v, points: int = 64):
        """Periodic steady-state field over one period of the drive :math:`A\\cos\\omega t`.

        The single-mode rate equations (:func:`rof.photonics.timedomain.dml_field`,
        noiseless) are integrated from the bias point for :math:`P` periods, with
        :math:`P` the power of two at or above :math:`1 + 42 f/\\gamma`: the
        linearised transient decays as :math:`e^{-\\gamma t/2}`, below :math:`10^{-9}`
        after :math:`42/\\gamma`. The last period is returned with its mean optical
        frequency offset :math:`\\Omega` (the unwrapped phase advance over
        the period; the drive shifts the mean carrier density) taken out, so the
        field is periodic; the fiber must see it at :math:`\\omega_k + \\Omega`.

        Parameters
        ----------
        rf_hz : float
            Drive frequency, Hz.
        amplitudes_v : array_like, shape (n,)
            Drive amplitudes across ``input_impedance_ohm``, V.
        points : int
            Samples per period (a power of two keeps the step averaging exact; the
            phase is unwrapped between samples, so keep them below a few ps apart).

        Returns
        -------
        field : ndarray of complex128, shape (n, points)
            :math:`\\sqrt{P}e^{i(\\phi - \\Omega t)}`, sqrt(W), at
            :math:`t_k = k/(f\\,\\mathrm{points})`.
        offset : ndarray of float, shape (n,)
            :math:`\\Omega`, rad/s, in the numpy FFT sign of
            :mod:`rof.photonics.timedomain.fiber`.
        """
        amps = np.atleast_1d(np.asarray(amplitudes_v, dtype=float))
        rows = [_tone_row(self, float(rf_hz), float(a), int(points)) for a in amps]
        field = np.array([r[0] for r in rows]).reshape(amps.size, int(points))
        return field, np.array([r[1] for r in rows], dtype=float)

    def rin_dispersion_factor(self, rf_hz, theta) -> np.ndarray:
        """Factor by which a dispersive fiber changes the RIN a detector sees, linear.

        :math:`\\mathrm{RIN}_{det}(f, \\theta)/\\mathrm{RIN}_{det}(f, 0)` of this laser's
        rate equations (:func:`rof.photonics.timedomain.rate_constants.rin_dispersion_factor`,
        where the model and its sources are), so that ``rin_db_per_hz`` stays the
        laser's RIN at the signal frequency; ``theta`` is the dispersion phase
        :math:`\\pi L D\\lambda^2 f^2/c`, rad, broadcasting with ``rf_hz`` (Hz).
        """
        from rof.photonics.timedomain.rate_constants import rin_dispersion_factor

        return rin_dispersion_factor(_rate_constants(self), rf_hz, theta)

    def taylor_w_per_vn(self) -> tuple[float, float, float]:
        """Taylor coefficients :math:`(s_l/R_{in}, 0, 0)` of the L-I curve above threshold."""
        return (self.slope_efficiency_w_per_a / self.input_impedance_ohm, 0.0, 0.0)

    def envelope_response_w(self, amplitude_v) -> np.ndarray:
        """First-harmonic optical-power amplitude for a drive :math:`A\\cos\\omega t`, W.

        Below clipping (:math:`m = A/(R_{in}(I_b-I_{th})) \\le 1`) it is
        :math:`s_l A/R_{in}`. Above, the current is half-wave clipped at threshold for
        :math:`|\\omega t| > \\theta_c = \\arccos(-1/m)`, and the Fourier cosine
        coefficient of :math:`\\max(a + b\\cos\\theta, 0)` gives

        .. math:: c_1 = \\frac{s_l A}{\\pi R_{in}}\\,(\\theta_c - \\sin\\theta_c\\cos\\theta_c),

        which tends to :math:`s_l A/(2 R_{in})` (half-wave rectifier) as
        :math:`m \\to \\infty` (e.g. Saleh, "Fundamental limit on number of channels in
        subcarrier-multiplexed lightwave CATV system", Electron. Lett. 25, 1989, for the
        clipping model).
        """
        a = np.abs(np.asarray(amplitude_v, dtype=float))
        i_amp = a / self.input_impedance_ohm
        m = i_amp / self.bias_above_threshold_a
        with np.errstate(divide="ignore", invalid="ignore"):
            theta_c = np.arccos(-1.0 / np.maximum(m, 1.0))
        frac = np.where(m <= 1.0, 1.0, (theta_c - np.sin(theta_c) * np.cos(theta_c)) / math.pi)
        return self.slope_efficiency_w_per_a * i_amp * frac
