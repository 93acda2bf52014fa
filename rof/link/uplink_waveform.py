"""The uplink cascade sample by sample: site LNA, the optical link's waveform model, post-amp.

:func:`simulate_uplink_chain` sends the antenna's received waveform (real passband, e.g.
:func:`rof.signals.uplink.nr_uplink_slot`) through :class:`~rof.link.uplink.UplinkRoFLink`:

1. the LNA adds its input-referred noise, white Gaussian of one-sided density
   :math:`k T_0 F_1` (the antenna's thermal noise and the LNA's own, Friis' first
   stage), then amplifies with the memoryless cubic of its intercept
   (:func:`bandpass_cubic`, :math:`P_{IIP3} = P_{1dB} + 9.64` dB,
   :data:`rof.link.uplink.IIP3_OVER_P1DB_DB`) and power gain :math:`G_1`; the site's
   channel filter (:func:`channel_filter`) then passes only the band to the
   transmitter, as the budget assumes (its drive is the in-band composite). Without it,
   the LNA's noise over the whole simulated band (0 to 3.9 GHz for a 3.5 GHz carrier)
   drove the DML too, and the waveform model showed 1 to 2 dB more in-band noise than
   the two noises alone when the laser's RIN was on (a drive-noise x RIN interplay of
   the waveform simulator, reported; with the filter the chain matches the budget);
2. its output drives the site transmitter through :meth:`rof.link.RoFLink.simulate`
   (the downlink's waveform simulator: laser or modulator, fiber, photodiode, every
   noise source of the link budget);
3. the edge's post-amplifier adds :math:`k T_0 (F_3 - 1)` at its input (Friis: what the
   stage adds beyond its source's noise), amplifies by its own cubic and gain.

The cubic acts on the complex envelope (a band-pass non-linearity: the band filter of a
real LNA removes the harmonics; Razavi, *RF Microelectronics*, 2nd ed., 2011, sec. 2.2),

.. math:: \\tilde y = \\sqrt{G}\\,\\tilde x\\,\\Big(1 - \\frac{|\\tilde x|^2}{P_{IIP3}}\\Big),

with :math:`|\\tilde x|^2` the instantaneous envelope power, W, so its two-tone intercept
is :math:`P_{IIP3}` (tested) and the in-band distortion of a Gaussian envelope is
:func:`rof.link.uplink.ofdm_im3_inband_w`, the budget's.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sfft
from scipy import signal as ssig

from rof.errors import ParameterError
from rof.link.uplink import RfAmplifier, UplinkRoFLink
from rof.signals import Waveform
from rof.units import K_B_J_PER_K, T0_K, db_to_lin

__all__ = ["bandpass_cubic", "channel_filter", "simulate_uplink_chain"]


def bandpass_cubic(samples, iip3_w: float, impedance_ohm: float) -> np.ndarray:
    """The band-pass cubic of the module docstring on a real passband voltage, unit gain.

    Parameters
    ----------
    samples : ndarray (n,)
        Real voltage across ``impedance_ohm``.
    iip3_w : float
        Two-tone input intercept, W (``inf``: linear).
    impedance_ohm : float
        Reference impedance, ohm.

    Returns
    -------
    ndarray (n,)
        :math:`\\mathrm{Re}\\{z(1 - |z|^2/(2 R P_{IIP3}))\\}`, :math:`z` the analytic signal.
    """
    v = np.asarray(samples, dtype=float)
    if not math.isfinite(iip3_w):
        return v.copy()
    z = ssig.hilbert(v)
    env_w = (z.real**2 + z.imag**2) / (2.0 * impedance_ohm)
    return v * (1.0 - env_w / iip3_w)


def channel_filter(samples, waveform: Waveform) -> np.ndarray:
    """The site's channel filter over each of ``waveform``'s carriers (FFT mask, circular).

    Flat over the channel bandwidth (TS 38.104 :math:`BW_{Channel}`) around each carrier,
    then a raised-cosine roll-off over one more channel bandwidth on each side, zero
    beyond: its impulse response (about :math:`2/BW`) stays far inside the cyclic prefix,
    so the OFDM symbols pass undistorted (a brick wall rang across the symbols and capped
    the SNR near 38 dB).
    """
    spec = sfft.rfft(np.asarray(samples, dtype=float))
    f = sfft.rfftfreq(np.size(samples), 1.0 / waveform.sample_rate_hz)
    gain = np.zeros(f.size)
    for c in waveform.carriers:
        half, roll = c.bandwidth_hz / 2.0, c.bandwidth_hz
        x = np.clip((np.abs(f - c.carrier_hz) - half) / roll, 0.0, 1.0)
        gain = np.maximum(gain, 0.5 * (1.0 + np.cos(np.pi * x)))
    return sfft.irfft(spec * gain, np.size(samples))


def _amplify(amp: RfAmplifier, v: np.ndarray, fs: float, r: float, rng, extra_nf_db) -> np.ndarray:
    """Noise (density ``k T0 (F - 1)`` or ``k T0 F``), cubic, gain."""
    if rng is not None:
        f = float(db_to_lin(amp.noise_figure_db))
        n0 = K_B_J_PER_K * T0_K * (f if extra_nf_db == "total" else f - 1.0)
        if n0 > 0.0:
            v = v + rng.normal(0.0, math.sqrt(n0 * r * fs / 2.0), v.size)
    iip3_w = float(db_to_lin(amp.iip3_dbm - 30.0))
    return math.sqrt(float(db_to_lin(amp.gain_db))) * bandpass_cubic(v, iip3_w, r)


def simulate_uplink_chain(
    uplink: UplinkRoFLink,
    waveform: Waveform,
    rng: np.random.Generator | None,
    *,
    length_km: float | None = None,
    optical_oversampling: int | None = None,
) -> Waveform:
    """The antenna's waveform through LNA, optical link and post-amplifier (module docstring).

    Parameters
    ----------
    uplink : UplinkRoFLink
    waveform : rof.signals.Waveform
        Real passband voltage at the antenna port (its power is the budget's
        ``rf_in_dbm``).
    rng : numpy.random.Generator or None
        Source of every noise (None: noiseless, distortion only).
    length_km : float, optional
        Fiber length, km (default: the link's).
    optical_oversampling : int, optional
        Passed to :func:`rof.link.waveform.simulate_link`.

    Returns
    -------
    rof.signals.Waveform
        Voltage at the post-amplifier's output (the photodiode's load impedance), same
        carriers and sample rate.
    """
    from rof.link.waveform import simulate_link

    if not isinstance(uplink, UplinkRoFLink):
        raise ParameterError(
            f"simulate_uplink_chain.uplink = {type(uplink).__name__}; allowed: an UplinkRoFLink"
        )
    if not isinstance(waveform, Waveform) or not waveform.is_passband:
        raise ParameterError(
            "simulate_uplink_chain.waveform is not a real passband Waveform; allowed: one "
            "(e.g. rof.signals.uplink.nr_uplink_slot)"
        )
    fs, r_in = waveform.sample_rate_hz, waveform.impedance_ohm
    drive = channel_filter(_amplify(uplink.lna, waveform.samples, fs, r_in, rng, "total"), waveform)
    rx = simulate_link(
        uplink.link,
        waveform.with_samples(drive),
        rng,
        length_km=length_km,
        optical_oversampling=optical_oversampling,
    )
    if uplink.post_amplifier is not None:
        out = _amplify(uplink.post_amplifier, rx.samples, fs, rx.impedance_ohm, rng, "added")
        rx = rx.with_samples(out)
    return rx
