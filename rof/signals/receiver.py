"""NR OFDM receiver and the TS 38.104 EVM and ACLR measurements.

Steps (per carrier): timing synchronisation by cyclic-prefix correlation (van de Beek,
Sandell and Borjesson, "ML estimation of time and frequency offset in OFDM systems",
IEEE Trans. Signal Process. 45(7), 1997, eq. (6)-(8)), fractional frequency-offset
estimation from the phase of the same correlation (complex baseband only; a real
passband signal carries no phase reference, its residual offset is tracked as common
phase), FFT over each symbol's useful part, which for a passband waveform is at once
the downconversion (an ``rfft`` bin :math:`f_0/\\Delta f + k` is the mixing product
with an exact local oscillator), per-subcarrier zero-forcing equalisation from the
pilots (averaged over all symbols and smoothed across frequency, as TS 38.104 V17
Annex B.4 averages the equaliser coefficients in time and frequency) and per-symbol
common-phase correction from the pilots.

EVM (TS 38.104 V17 Annex B, clause B.1):

.. math:: \\mathrm{EVM} = \\sqrt{\\frac{\\sum |Z'(t,f) - I(t,f)|^2}
          {\\sum |I(t,f)|^2}} \\times 100\\,\\%,

over the data resource elements -- the rms error over the rms reference, *not* its square.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft as sfft
from scipy import signal as ssig

from rof._validate import check_int_range
from rof.errors import ParameterError
from rof.signals.waveform import NrCarrier, Waveform

__all__ = ["Demodulated", "aclr_db", "demodulate", "evm_percent", "measure_evm"]


@dataclass(frozen=True, eq=False)
class Demodulated:
    """Output of :func:`demodulate` for one carrier.

    Attributes
    ----------
    symbols : ndarray of complex, shape (n_symbols, n_sc)
        Equalised resource grid :math:`Z'`.
    reference : ndarray of complex, shape (n_symbols, n_sc)
        Transmitted grid :math:`I`.
    data_mask : ndarray of bool, shape (n_symbols, n_sc)
        Data resource elements (EVM is measured on these).
    channel : ndarray of complex, shape (n_sc,)
        Estimated channel per subcarrier (received / transmitted, in waveform units).
    timing_offset : int
        Estimated delay of the received symbols, samples.
    frequency_offset_hz : float
        Estimated and removed carrier frequency offset, Hz (0 for passband input).
    """

    symbols: np.ndarray
    reference: np.ndarray
    data_mask: np.ndarray
    channel: np.ndarray
    timing_offset: int
    frequency_offset_hz: float

    @property
    def evm_percent(self) -> float:
        """EVM over the data resource elements, percent (TS 38.104 Annex B)."""
        return evm_percent(self.symbols[self.data_mask], self.reference[self.data_mask])


def evm_percent(received, reference) -> float | np.ndarray:
    """EVM in percent: rms error vector over rms reference (TS 38.104 V17 Annex B.1).

    Parameters
    ----------
    received : array_like of complex, or Waveform
        Equalised symbols :math:`Z'`; or a received :class:`Waveform`, which is then
        demodulated (every carrier) with :func:`demodulate`.
    reference : array_like of complex, or Waveform, or None
        Reference symbols :math:`I` (same shape as ``received``); or the transmitted
        :class:`Waveform` (its grid is used); ignored (may be None) when ``received`` is
        a Waveform carrying its carriers' references.

    Returns
    -------
    float, or ndarray of shape (n_carriers,) for a multi-carrier waveform
        :math:`100\\sqrt{\\sum|Z'-I|^2 / \\sum|I|^2}`. For Gaussian noise of SNR
        :math:`\\rho` this is :math:`100/\\sqrt{\\rho}`.
    """
    if isinstance(received, Waveform):
        if isinstance(reference, Waveform):
            received = received.with_samples(received.samples, carriers=reference.carriers)
        vals = [demodulate(received, i).evm_percent for i in range(len(received.carriers))]
        return vals[0] if len(vals) == 1 else np.asarray(vals)
    z = np.asarray(received)
    ref = np.asarray(reference)
    if z.shape != ref.shape:
        raise ParameterError(
            f"evm_percent.received has shape {z.shape}; allowed: the reference's {ref.shape}"
        )
    if not np.all(np.isfinite(z)):
        raise ParameterError("evm_percent.received contains NaN; allowed: finite numbers")
    num = np.sum(np.abs(z - ref) ** 2)
    den = np.sum(np.abs(ref) ** 2)
    return float(100.0 * np.sqrt(num / den))


def measure_evm(received: Waveform, carrier: int = 0) -> float:
    """EVM (percent) of one carrier of a received waveform."""
    return demodulate(received, carrier).evm_percent


def _cp_timing(x: np.ndarray, c: NrCarrier, search: int) -> tuple[int, complex]:
    """Timing offset maximising the summed CP correlation; returns (offset, correlation)."""
    n = c.n_fft
    p = x[:-n] * np.conj(x[n:]) if np.iscomplexobj(x) else x[:-n] * x[n:]
    csum = np.concatenate(([0.0], np.cumsum(p)))
    d = np.arange(-search, search + 1)
    lo = c.start[:, None] + d[None, :]
    hi = lo + c.cp[:, None]
    ok = (lo >= 0) & (hi < csum.size)
    corr = np.where(
        ok, csum[np.clip(hi, 0, csum.size - 1)] - csum[np.clip(lo, 0, csum.size - 1)], 0
    )
    total = corr.sum(axis=0)
    best = int(np.argmax(np.abs(total)))
    return int(d[best]), complex(total[best])


def _smooth(h: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average with a window that shrinks at the band edges."""
    half = width // 2
    cs = np.concatenate(([0.0], np.cumsum(h)))
    i = np.arange(h.size)
    lo = np.clip(i - half, 0, h.size)
    hi = np.clip(i + half + 1, 0, h.size)
    return (cs[hi] - cs[lo]) / (hi - lo)


def demodulate(
    received: Waveform,
    carrier: int = 0,
    *,
    sync: bool = True,
    smoothing_pilots: int = 9,
) -> Demodulated:
    """Demodulate one NR carrier of a received waveform.

    Parameters
    ----------
    received : Waveform
        Received samples with the transmitted waveform's ``carriers`` metadata, at the
        transmitted sample rate.
    carrier : int
        Index into ``received.carriers``.
    sync : bool
        Estimate timing (and, for baseband, frequency) offset from the cyclic prefix;
        if False the nominal symbol positions are used.
    smoothing_pilots : int
        Width, in pilots, of the moving average of the channel estimate across frequency.

    Returns
    -------
    Demodulated
    """
    carrier = check_int_range("demodulate.carrier", carrier, 0, len(received.carriers) - 1)
    smoothing_pilots = check_int_range("demodulate.smoothing_pilots", smoothing_pilots, 1, 1001)
    c = received.carriers[carrier]
    x = received.samples
    n = c.n_fft
    if abs(received.sample_rate_hz - n * c.scs_hz) > 1e-6 * received.sample_rate_hz:
        raise ParameterError(
            f"demodulate.received.sample_rate_hz = {received.sample_rate_hz!r} differs from "
            f"the carrier's {n * c.scs_hz!r}; allowed: the transmitted sample rate"
        )
    offset, corr, cfo = 0, 0j, 0.0
    if sync:
        offset, corr = _cp_timing(x, c, max(int(c.cp.min()), n // 8))
        if np.iscomplexobj(x):
            cfo = -np.angle(corr) / (2 * np.pi) * c.scs_hz
            x = x * np.exp(2j * np.pi * (-cfo / received.sample_rate_hz) * np.arange(x.size))
    # FFT window starts a quarter CP early (tolerates timing error; its phase ramp is undone).
    backoff = int(c.cp.min()) // 4
    first = c.start + c.cp + offset - backoff
    first = np.clip(first, 0, max(x.size - n, 0))
    if x.size < n or first[-1] + n > x.size:
        raise ParameterError(
            f"demodulate.received has {x.size} samples; allowed: >= {c.length} (the carrier's)"
        )
    seg = x[first[:, None] + np.arange(n)[None, :]]
    if c.passband:
        y = sfft.rfft(seg, axis=1, workers=-1)[:, c.bins] * (2.0 / n)
    else:
        y = sfft.fft(seg, axis=1, workers=-1)[:, c.bins] / n
    shift = (first - (c.start + c.cp + offset))[:, None]
    y = y * np.exp(-2j * np.pi * c.bins[None, :] * shift / n)

    ref = c.reference
    pil = ~c.data_mask
    pcols = np.flatnonzero(pil[0])
    h_p = np.mean(y[:, pcols] / ref[:, pcols], axis=0)
    h_p = _smooth(h_p.real, smoothing_pilots) + 1j * _smooth(h_p.imag, smoothing_pilots)
    k = np.arange(c.n_sc)
    h = np.interp(k, pcols, h_p.real) + 1j * np.interp(k, pcols, h_p.imag)
    z = y / h[None, :]
    cpe = np.angle(np.sum(z[:, pcols] * np.conj(ref[:, pcols]), axis=1))
    z = z * np.exp(-1j * cpe)[:, None]
    return Demodulated(z, ref, c.data_mask, h, offset, float(cfo))


def aclr_db(waveform: Waveform, carrier: int = 0) -> tuple[float, float]:
    """Adjacent channel leakage ratio, lower and upper, dB (TS 38.104 V17 clause 6.6.3).

    Ratio of the power in the carrier's transmission bandwidth
    (:math:`12 N_{RB}\\Delta f`) to the power in the same bandwidth centred one channel
    bandwidth below / above, from a Welch power spectral density with the subcarrier
    spacing as resolution.

    Returns
    -------
    (float, float)
        ACLR below and above the carrier, dB (positive when the carrier is stronger).
    """
    c = waveform.carriers[carrier]
    fs = waveform.sample_rate_hz
    x = waveform.samples
    nper = min(c.n_fft, x.size)
    f, psd = ssig.welch(x, fs, nperseg=nper, return_onesided=waveform.is_passband)
    if not waveform.is_passband:
        f = np.fft.fftshift(f)
        psd = np.fft.fftshift(psd)

    def band(center):
        sel = np.abs(f - center) <= c.occupied_hz / 2
        return float(np.sum(psd[sel]))

    main = band(c.carrier_hz)
    lo = band(c.carrier_hz - c.bandwidth_hz)
    hi = band(c.carrier_hz + c.bandwidth_hz)
    return 10 * np.log10(main / lo), 10 * np.log10(main / hi)
