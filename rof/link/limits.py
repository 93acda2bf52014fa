"""Launch-power limits in the link budget: SBS depletion and backscatter noise.

:class:`LaunchLimits` attached to a :class:`~rof.link.RoFLink` (``limits=``) makes its
budget account for what a high launch power and a shared bidirectional fiber do
(models and sources in :mod:`rof.photonics.backscatter`):

* SBS depletes the optical carrier beyond the threshold (Smith 1972), raised by the
  source linewidth (Cotter 1983) and by the modulation, which moves the share
  :math:`1-\\kappa` of the power into sidebands farther apart than the Brillouin
  bandwidth (Aoki et al. 1988). For a small-signal drive of mean power
  :math:`P_{in}` the carrier share is
  :math:`\\kappa = \\exp\\big(-(1+\\alpha^2)s_0^2R_SP_{in}/(4P_0^2)\\big)`: the sidebands
  of the field :math:`\\sqrt{P_0}(1 + \\Delta P/2P_0)e^{i\\alpha\\Delta P/2P_0}` hold
  :math:`(1+\\alpha^2)\\langle\\Delta P^2\\rangle/4P_0^2` (exact for a Gaussian phase
  modulation, :math:`e^{-\\sigma^2}`; first order for intensity modulation).
  Depleting the carrier by :math:`d` (the coupled equations of
  :meth:`~rof.photonics.backscatter.Brillouin.transmitted_w`) leaves the sidebands, so
  the RF beat falls by :math:`d` in power and the mean photocurrent by
  :math:`1 - \\kappa(1 - d)`.
* Backscatter noise at the photodiode: the double-Rayleigh copy of the signal and, on a
  bidirectional fiber, the Rayleigh backscatter and the Brillouin Stokes wave of the
  counter-propagating launch (``counter_launch_dbm`` at the far end), each beating with
  the received signal as an incoherent Lorentzian
  (:func:`~rof.photonics.backscatter.beat_noise_a2_per_hz`): the Stokes wave sits
  ``Brillouin.shift_hz`` below the counter laser.

:func:`launch_power_scan` evaluates the budget over launch powers (a noiseless booster or
attenuator at the transmitter output) and reports the optimum.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.backscatter import Brillouin, Rayleigh, beat_noise_a2_per_hz
from rof.units import Q_C, dbm_to_w

__all__ = ["LaunchLimits", "ScaledTransmitter", "apply_limits", "launch_power_scan"]


@dataclass(frozen=True)
class LaunchLimits:
    """What limits the launch power of one link (see the module docstring).

    Parameters
    ----------
    brillouin : Brillouin
        The fiber's SBS parameters.
    rayleigh : Rayleigh or None
        The fiber's Rayleigh backscatter; None: no backscatter noise.
    counter_launch_dbm : float or None
        Launch power of the opposite direction on the same fiber, entering at the far
        end, dBm (-40 to 40); None: a unidirectional fiber.
    counter_linewidth_hz : float
        Linewidth of the opposite direction's laser, Hz (>= 0).
    counter_offset_hz : float
        Its optical frequency offset from this link's laser, Hz (-1e12 to 1e12).
    source_linewidth_hz : float or None
        This link's laser linewidth for the SBS gain and the beat noise, Hz (>= 0);
        None takes the transmitter's (a DML states none: give its chirped linewidth).
    """

    brillouin: Brillouin = field(default_factory=Brillouin)
    rayleigh: Rayleigh | None = None
    counter_launch_dbm: float | None = None
    counter_linewidth_hz: float = 1e6
    counter_offset_hz: float = 0.0
    source_linewidth_hz: float | None = None

    def __post_init__(self):
        if self.counter_launch_dbm is not None:
            check_range("LaunchLimits.counter_launch_dbm", self.counter_launch_dbm, -40.0, 40.0)
        check_range("LaunchLimits.counter_linewidth_hz", self.counter_linewidth_hz, 0.0)
        check_range("LaunchLimits.counter_offset_hz", self.counter_offset_hz, -1e12, 1e12)
        if self.source_linewidth_hz is not None:
            check_range("LaunchLimits.source_linewidth_hz", self.source_linewidth_hz, 0.0)


def _carrier_share(ss, p_in_w):
    s0 = float(np.asarray(ss.slope_w_per_v(np.asarray(0.0))))
    x = (1.0 + ss.chirp_alpha**2) * s0 * s0 * ss.input_impedance_ohm * p_in_w
    return np.exp(-x / (4.0 * ss.mean_power_w**2))


def apply_limits(link, ss, lt: dict, length, pin_dbm, rf):
    """Length terms of :func:`rof.link.analytic.assemble_budget` with SBS depletion, and
    the backscatter noise density at the load (W/Hz, broadcast over length, drive, RF).
    """
    lim: LaunchLimits = link.limits
    pd = link.detector
    resp, quarter_rl = pd.responsivity_a_per_w, pd.load_ohm / 4.0
    dnu = ss.linewidth_hz if lim.source_linewidth_hz is None else lim.source_linewidth_hz
    kappa = _carrier_share(ss, dbm_to_w(np.asarray(pin_dbm, dtype=float)))
    shape = np.broadcast_shapes(np.shape(length), np.shape(kappa))
    len_b = np.broadcast_to(length, shape)
    kap_b = np.broadcast_to(kappa, shape)
    depl = np.ones(shape)
    for idx in np.ndindex(shape):
        fib = dataclasses.replace(link.fiber, length_km=float(len_b[idx]))
        p_c = ss.mean_power_w * float(kap_b[idx])
        if p_c > 0.0 and fib.length_km > 0.0:
            out, _ = lim.brillouin.transmitted_w(fib, ss.mean_power_w, dnu, float(kap_b[idx]))
            depl[idx] = float(out) / (p_c * fib.transmission)
    new = dict(lt)
    dc = 1.0 - kap_b * (1.0 - depl)
    xs = float(sum(link.crosstalk_ratios))
    new["p_pd"] = lt["p_pd"] * dc
    i_sig = resp * new["p_pd"]
    new["i_dc"] = lt["i_dc"] + (i_sig - resp * lt["p_pd"]) * (1.0 + xs)
    pd.check_saturation(new["i_dc"] + pd.dark_current_a)
    new["shot"] = 2.0 * Q_C * new["i_dc"] * quarter_rl
    new["sase"] = lt["sase"] * dc
    new["rin"] = lt["rin"] * dc * dc
    new["gain_l"] = lt["gain_l"] * depl
    noise = np.zeros(())
    if lim.rayleigh is not None:
        noise = _backscatter_noise(link, lim, new["p_pd"], length, rf, dnu)
        noise = noise * quarter_rl * pd.response_sq(rf)
    return new, noise


def _backscatter_noise(link, lim: LaunchLimits, p_pd, length, rf, dnu):
    """Photocurrent density of the backscatter beats, A^2/Hz (module docstring)."""
    resp = link.detector.responsivity_a_per_w
    if dnu <= 0.0:
        raise ParameterError(
            "LaunchLimits.source_linewidth_hz = 0 leaves the backscatter beat undefined; "
            "allowed: > 0 (a DML states no linewidth: give its chirped linewidth)"
        )
    rf = np.asarray(rf, dtype=float)
    chain = float(link.optical_transmission(0.0))  # EDFA and extra loss after the fiber
    drb = lim.rayleigh.double_fraction(link.fiber, length)
    noise = beat_noise_a2_per_hz(resp, p_pd, drb * p_pd, 2.0 * dnu, rf)
    if lim.counter_launch_dbm is not None:
        p_cnt = float(dbm_to_w(lim.counter_launch_dbm))
        back = lim.rayleigh.backscatter_fraction(link.fiber, length) * p_cnt * chain
        width = dnu + lim.counter_linewidth_hz
        noise = noise + beat_noise_a2_per_hz(resp, p_pd, back, width, rf, lim.counter_offset_hz)
        stokes = np.empty(np.shape(length))
        for idx in np.ndindex(np.shape(length)):
            fib = dataclasses.replace(link.fiber, length_km=float(np.asarray(length)[idx]))
            stokes[idx] = lim.brillouin.transmitted_w(fib, p_cnt, lim.counter_linewidth_hz)[1]
        stokes = stokes.reshape(np.shape(length)) * chain
        offset = lim.counter_offset_hz - lim.brillouin.shift_hz
        noise = noise + beat_noise_a2_per_hz(resp, p_pd, stokes, width, rf, offset)
    return noise


@dataclass(frozen=True)
class ScaledTransmitter:
    """A transmitter followed by a noiseless optical gain (booster or attenuator).

    Scales the launched power by :math:`k = 10^{G/10}`: field by :math:`\\sqrt k`, the
    optical-power transfer (mean, slope, Taylor coefficients, AM/AM curve) by
    :math:`k`; the RIN, chirp and fading are unchanged.
    """

    transmitter: object
    gain_db: float = 0.0

    def __post_init__(self):
        check_range("ScaledTransmitter.gain_db", self.gain_db, -60.0, 60.0)

    @property
    def wavelength_nm(self) -> float:
        return self.transmitter.wavelength_nm

    @property
    def input_impedance_ohm(self) -> float:
        return self.transmitter.input_impedance_ohm

    def small_signal(self):
        ss = self.transmitter.small_signal()
        k = 10.0 ** (self.gain_db / 10.0)
        slope, env, tone = ss.slope_w_per_v, ss.envelope_response_w, ss.tone_field

        def tone_k(*a):
            fld, off = tone(*a)
            return fld * math.sqrt(k), off

        return dataclasses.replace(
            ss,
            mean_power_w=ss.mean_power_w * k,
            taylor_w_per_vn=tuple(a * k for a in ss.taylor_w_per_vn),
            slope_w_per_v=lambda f: k * np.asarray(slope(f)),
            envelope_response_w=lambda a: k * np.asarray(env(a)),
            tone_field=None if tone is None else tone_k,
        )

    def field(self, drive_v, sample_rate_hz, rng, *, predistort=False, substeps=None):
        e = self.transmitter.field(
            drive_v, sample_rate_hz, rng, predistort=predistort, substeps=substeps
        )
        return e * math.sqrt(10.0 ** (self.gain_db / 10.0))


def launch_power_scan(
    link, rf_hz: float, rf_in_dbm: float = 0.0, bandwidth_hz: float = 100e6, launch_dbm=None
) -> dict:
    """SNDR over launch powers and the optimum launch power of ``link``.

    The launch power is set by a noiseless gain at the transmitter output
    (:class:`ScaledTransmitter`); the budget includes the link's :class:`LaunchLimits`.
    The optimum is the lowest launch power whose SNDR is within 0.1 dB of the best of
    the scan: beyond it more power buys nothing but SBS depletion and backscatter.
    Launch powers that saturate the photodiode end the scan (SNDR NaN).

    Returns
    -------
    dict
        ``launch_dbm``, ``sndr_db`` (arrays), ``optimum_launch_dbm``,
        ``sbs_threshold_dbm`` (launched power at the drive's carrier share).
    """
    from rof.link.link import RoFLink

    ss = link.transmitter.small_signal()
    p0_dbm = 10.0 * math.log10(ss.mean_power_w) + 30.0
    if launch_dbm is None:
        launch_dbm = np.arange(-10.0, 25.01, 1.0)
    launch = np.asarray(launch_dbm, dtype=float)
    sndr = np.empty(launch.shape)
    for k, p in enumerate(launch):
        tx = ScaledTransmitter(link.transmitter, float(p - p0_dbm))
        scaled = RoFLink(
            tx,
            link.fiber,
            link.detector,
            link.amplifier,
            optical_loss_db=link.optical_loss_db,
            crosstalk_ratios=link.crosstalk_ratios,
            limits=link.limits,
        )
        try:
            b = scaled.budget(rf_hz, rf_in_dbm=rf_in_dbm, bandwidth_hz=bandwidth_hz)
        except ParameterError:  # the photodiode saturates: the scan ends here
            sndr[k:] = np.nan
            break
        sndr[k] = float(b.sndr_db)
    best = np.nanmax(sndr)
    opt = float(launch[np.flatnonzero(sndr >= best - 0.1)[0]])
    lim = link.limits if link.limits is not None else LaunchLimits()
    dnu = ss.linewidth_hz if lim.source_linewidth_hz is None else lim.source_linewidth_hz
    kappa = float(_carrier_share(ss, float(dbm_to_w(rf_in_dbm))))
    p_th = lim.brillouin.threshold_w(link.fiber, dnu, kappa)
    return {
        "launch_dbm": launch,
        "sndr_db": sndr,
        "optimum_launch_dbm": opt,
        "sbs_threshold_dbm": 10.0 * math.log10(p_th) + 30.0,
    }
