"""Optical heterodyne generation of millimetre waves: a data line beating with an LO laser.

The signal laser carries the RF signal as a single, carrier-suppressed optical line (an
optical IQ modulator, each of its two MZMs biased at null); a second, free-running laser
(the optical LO, or the other line of a comb pair) sits the RF carrier frequency away.
The photodiode's square law makes their beat the RF signal (Goldberg et al.,
"Microwave signal generation with injection-locked laser diodes", Electron. Lett.
19(13), 491-493, 1983, for the architecture; the field below is the textbook
square-law beat of two lines, Agrawal, *Fiber-Optic Communication Systems*, 4th ed.,
Wiley 2010, sec. 10.1):

.. math::

    E(t) = \\sqrt{P_1}\\big[\\sin(\\beta v) + i\\sin(\\beta\\mathcal Hv)\\big]
    e^{i\\phi_1(t)} + \\sqrt{P_2}\\,e^{i\\phi_2(t) - i2\\pi(\\delta f t + \\dot f t^2/2)},
    \\qquad \\beta = \\frac{\\pi}{2V_\\pi},

so that :math:`|E|^2 \\ni 2\\sqrt{P_1P_2}\\,\\mathrm{Re}\\{\\beta(v + i\\mathcal Hv)
e^{i(\\phi_1 - \\phi_2 + 2\\pi\\delta f t + \\pi\\dot f t^2)}\\}`: the drive, shifted by
the lasers' frequency error :math:`\\delta f` and drift :math:`\\dot f`, with the phase
noise of *both* lasers. Independent Wiener phases of linewidths :math:`\\Delta\\nu_1,
\\Delta\\nu_2` (Henry, IEEE JQE 18(2), 1982) make the beat's phase a Wiener process of
variance :math:`2\\pi(\\Delta\\nu_1 + \\Delta\\nu_2)\\tau` over :math:`\\tau`: the RF line
is a Lorentzian of width :math:`\\Delta\\nu_1 + \\Delta\\nu_2` (:attr:`rf_linewidth_hz`).
A single line beating with a line has no dispersion fading (``sideband_fading`` flat).

In OFDM this phase noise rotates every symbol (common phase error, removed by the NR
receiver's per-symbol pilots) and leaks between subcarriers (ICI). For a Wiener phase
of total linewidth :math:`\\beta_\\Sigma` over the useful symbol :math:`T = 1/\\Delta f`
(Petrovic, Rave & Fettweis, "Effects of phase noise on OFDM systems with and without PLL:
characterization and compensation", IEEE Trans. Commun. 55(8), 1607-1616, 2007; Pollet
et al., IEEE Trans. Commun. 43(2/3/4), 1995, for its small-linewidth limit
:math:`\\pi\\beta_\\Sigma/3\\Delta f`):

.. math::

    E|J_0|^2 = \\frac{2(a - 1 + e^{-a})}{a^2},\\quad a = \\pi\\beta_\\Sigma T,\\qquad
    \\mathrm{EVM}^2_{PN} = \\frac{1 - E|J_0|^2}{E|J_0|^2}

(:func:`phase_noise_inv_sdr`); a frequency error :math:`\\epsilon = \\delta f/\\Delta f`
adds :math:`(1 - \\mathrm{sinc}^2\\epsilon)/\\mathrm{sinc}^2\\epsilon` (Moose, IEEE
Trans. Commun. 42(10), 1994).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.laser import CWLaser
from rof.photonics.protocols import SmallSignal

__all__ = ["OpticalHeterodyne", "cfo_inv_sdr", "phase_noise_inv_sdr"]


def phase_noise_inv_sdr(rf_linewidth_hz, scs_hz) -> np.ndarray:
    """OFDM error over signal power from Wiener phase noise after CPE removal, linear.

    :math:`(1 - E|J_0|^2)/E|J_0|^2` with :math:`E|J_0|^2 = 2(a - 1 + e^{-a})/a^2`,
    :math:`a = \\pi\\beta_\\Sigma/\\Delta f` (Petrovic et al. 2007; module docstring).
    """
    a = math.pi * np.asarray(rf_linewidth_hz, dtype=float) / np.asarray(scs_hz, dtype=float)
    small = a < 1e-4
    with np.errstate(divide="ignore", invalid="ignore"):
        j0 = np.where(small, 1.0 - a / 3.0 + a * a / 12.0, 2.0 * (a + np.expm1(-a)) / (a * a))
    return (1.0 - j0) / j0


def cfo_inv_sdr(offset_hz, scs_hz) -> np.ndarray:
    """ICI over signal from a carrier frequency error :math:`\\epsilon = \\delta f/\\Delta f`:
    :math:`(1 - \\mathrm{sinc}^2\\epsilon)/\\mathrm{sinc}^2\\epsilon` (Moose 1994)."""
    s2 = np.sinc(np.asarray(offset_hz, dtype=float) / np.asarray(scs_hz, dtype=float)) ** 2
    return (1.0 - s2) / s2


@dataclass(frozen=True)
class OpticalHeterodyne:
    """Two-laser heterodyne transmitter: a :class:`~rof.photonics.protocols.Transmitter`.

    Parameters
    ----------
    signal_laser : CWLaser
        Carries the data line (its ``linewidth_hz`` enters the RF linewidth).
    lo_laser : CWLaser
        The optical LO, one RF carrier away (its power sets the beat's strength).
    v_pi_v : float
        Half-wave voltage of the IQ modulator's MZMs, V (> 0, up to 100).
    insertion_loss_db : float
        The IQ modulator's optical insertion loss, dB (0 to 30).
    frequency_error_hz : float
        Offset of the lasers' spacing from the nominal RF carrier, Hz (-1e9 to 1e9).
    drift_hz_per_s : float
        Linear drift of that spacing, Hz/s (-1e12 to 1e12; time domain only).
    input_impedance_ohm : float
        Matched RF input impedance, ohm (> 0).
    """

    signal_laser: CWLaser = field(default_factory=lambda: CWLaser(power_dbm=16.0))
    lo_laser: CWLaser = field(default_factory=lambda: CWLaser(power_dbm=3.0))
    v_pi_v: float = 3.5
    insertion_loss_db: float = 6.0
    frequency_error_hz: float = 0.0
    drift_hz_per_s: float = 0.0
    input_impedance_ohm: float = 50.0

    def __post_init__(self):
        for k in ("signal_laser", "lo_laser"):
            if not isinstance(getattr(self, k), CWLaser):
                raise ParameterError(
                    f"OpticalHeterodyne.{k} = {getattr(self, k)!r} is not known; allowed: a CWLaser"
                )
        check_range("OpticalHeterodyne.v_pi_v", self.v_pi_v, 0.0, 100.0, lo_open=True)
        check_range("OpticalHeterodyne.insertion_loss_db", self.insertion_loss_db, 0.0, 30.0)
        check_range("OpticalHeterodyne.frequency_error_hz", self.frequency_error_hz, -1e9, 1e9)
        check_range("OpticalHeterodyne.drift_hz_per_s", self.drift_hz_per_s, -1e12, 1e12)
        check_range(
            "OpticalHeterodyne.input_impedance_ohm", self.input_impedance_ohm, 0.0, lo_open=True
        )

    @property
    def wavelength_nm(self) -> float:
        """The LO laser's wavelength (the two differ by the RF carrier), nm."""
        return self.lo_laser.wavelength_nm

    @property
    def rf_linewidth_hz(self) -> float:
        """Lorentzian linewidth of the RF carrier, :math:`\\Delta\\nu_1+\\Delta\\nu_2`, Hz."""
        return self.signal_laser.linewidth_hz + self.lo_laser.linewidth_hz

    @property
    def data_power_w(self) -> float:
        """:math:`P_1`: the signal laser's power after the IQ modulator's loss, W."""
        return self.signal_laser.power_w * 10.0 ** (-self.insertion_loss_db / 10.0)

    @property
    def beta_per_v(self) -> float:
        """Field per volt of each MZM at null, :math:`\\pi/2V_\\pi`, rad/V."""
        return math.pi / (2.0 * self.v_pi_v)

    def taylor_w_per_vn(self) -> tuple[float, float, float]:
        """Beat :math:`2\\sqrt{P_1P_2}\\sin(\\beta v)`: :math:`a_1 = 2\\sqrt{P_1P_2}\\beta`,
        :math:`a_3 = -a_1\\beta^2/6`, W/V^n (per quadrature)."""
        a1 = 2.0 * math.sqrt(self.data_power_w * self.lo_laser.power_w) * self.beta_per_v
        return (a1, 0.0, -a1 * self.beta_per_v**2 / 6.0)

    def slope_w_per_v(self, rf_hz) -> np.ndarray:
        """:math:`a_1` at every frequency (no electrode model), W/V."""
        return np.full(np.shape(rf_hz), self.taylor_w_per_vn()[0])

    def envelope_response_w(self, amplitude_v) -> np.ndarray:
        """Fundamental of :math:`2\\sqrt{P_1P_2}\\sin(\\beta A\\cos x)`:
        :math:`4\\sqrt{P_1P_2}J_1(\\beta A)`, W."""
        from scipy.special import j1

        a = np.abs(np.asarray(amplitude_v, dtype=float))
        return 4.0 * math.sqrt(self.data_power_w * self.lo_laser.power_w) * j1(self.beta_per_v * a)

    def ofdm_inv_sdr(self, scs_hz) -> np.ndarray:
        """Phase-noise ICI plus frequency-error ICI over signal, linear (module docstring)."""
        return phase_noise_inv_sdr(self.rf_linewidth_hz, scs_hz) + cfo_inv_sdr(
            self.frequency_error_hz, scs_hz
        )

    def small_signal(self) -> SmallSignal:
        """The link-budget contract: flat fading, the LO's RIN and phase noise (the larger
        line), mean power :math:`P_2` (the data line's power, small at the drive levels
        of a linear link, is left out), and ``ofdm_inv_sdr`` for the RF phase noise."""
        return SmallSignal(
            wavelength_nm=self.wavelength_nm,
            mean_power_w=self.lo_laser.power_w,
            input_impedance_ohm=self.input_impedance_ohm,
            taylor_w_per_vn=self.taylor_w_per_vn(),
            slope_w_per_v=self.slope_w_per_v,
            envelope_response_w=self.envelope_response_w,
            full_scale_v=self.v_pi_v,
            chirp_alpha=0.0,
            rin_db_per_hz=self.lo_laser.rin_db_per_hz,
            rin_fades=True,
            linewidth_hz=self.lo_laser.linewidth_hz,
            distortion="envelope",
            sideband_fading=(0.0, 0.0, 1.0),
            ofdm_inv_sdr=self.ofdm_inv_sdr,
        )

    def field(self, drive_v, sample_rate_hz: float, rng, *, predistort=False, substeps=None):
        """Sampled field of both lines, sqrt(W) (module docstring)."""
        from scipy import fft as sfft

        from rof._validate import check_finite
        from rof.photonics.timedomain.modulator import cw_source

        if predistort:
            raise ParameterError(
                "OpticalHeterodyne.field predistort = True is not supported; allowed: False"
            )
        v = check_finite("OpticalHeterodyne.field drive_v", drive_v)
        fs = check_range(
            "OpticalHeterodyne.field sample_rate_hz", sample_rate_hz, 0.0, lo_open=True
        )
        n = v.size
        spec = sfft.rfft(v, workers=-1)
        spec[1 : (n + 1) // 2] *= -1j  # Hilbert transform: cos -> sin
        spec[0] = 0.0
        if n % 2 == 0:
            spec[-1] = 0.0
        hv = sfft.irfft(spec, n=n, workers=-1)
        b = self.beta_per_v
        s1, s2 = self.signal_laser, self.lo_laser
        e1 = cw_source(self.data_power_w, s1.rin_db_per_hz, s1.linewidth_hz, n, fs, rng)
        e2 = cw_source(s2.power_w, s2.rin_db_per_hz, s2.linewidth_hz, n, fs, rng)
        t = np.arange(n) / fs
        sweep = 2.0 * math.pi * (self.frequency_error_hz * t + 0.5 * self.drift_hz_per_s * t * t)
        return e1 * (np.sin(b * v) + 1j * np.sin(b * hv)) + e2 * np.exp(-1j * sweep)
