"""The :class:`Waveform` container and the per-carrier demodulation metadata.

A waveform is a sampled voltage across ``impedance_ohm`` plus, for each NR carrier
it holds, an :class:`NrCarrier` record with everything a receiver needs: the
reference resource grid, the pilot and data positions, the cyclic-prefix
structure and where each symbol starts.

Power convention: a real passband waveform :math:`v(t)` delivers
:math:`\\overline{v^2}/R`; a complex baseband waveform is the complex envelope
:math:`\\tilde v` of :math:`v(t) = \\mathrm{Re}\\{\\tilde v e^{j 2\\pi f_c t}\\}` and
delivers :math:`\\overline{|\\tilde v|^2}/(2R)`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.units import w_to_dbm

__all__ = ["NrCarrier", "Waveform", "combine_carriers"]


@dataclass(frozen=True, eq=False)
class NrCarrier:
    """Demodulation metadata of one NR carrier inside a :class:`Waveform`.

    Attributes
    ----------
    carrier_hz : float
        Carrier (centre) frequency, Hz; 0 for complex baseband.
    scs_hz : float
        Subcarrier spacing, Hz.
    bandwidth_hz : float
        Channel bandwidth, Hz (TS 38.104 BW_Channel).
    n_rb : int
        Resource blocks (TS 38.104 Table 5.3.2-1/-2).
    modulation : str
        Data modulation ("QPSK" .. "1024QAM").
    n_fft : int
        FFT size at the waveform's sample rate (``sample_rate_hz / scs_hz``).
    cp : ndarray of int, shape (n_symbols,)
        Cyclic-prefix length of each symbol, samples.
    start : ndarray of int, shape (n_symbols,)
        Sample index where each symbol's cyclic prefix starts.
    bins : ndarray of int, shape (n_sc,)
        FFT bin of each subcarrier (of an ``rfft`` for passband, ``fft`` for baseband).
    reference : ndarray of complex, shape (n_symbols, n_sc)
        Transmitted resource grid (data and pilots), unit average power.
    data_mask : ndarray of bool, shape (n_symbols, n_sc)
        True on data resource elements, False on pilots.
    pilot_spacing : int
        Pilot comb spacing, subcarriers.
    """

    carrier_hz: float
    scs_hz: float
    bandwidth_hz: float
    n_rb: int
    modulation: str
    n_fft: int
    cp: np.ndarray
    start: np.ndarray
    bins: np.ndarray
    reference: np.ndarray
    data_mask: np.ndarray
    pilot_spacing: int

    @property
    def n_symbols(self) -> int:
        """Number of OFDM symbols."""
        return int(self.reference.shape[0])

    @property
    def n_sc(self) -> int:
        """Number of subcarriers (12 per RB)."""
        return int(self.reference.shape[1])

    @property
    def occupied_hz(self) -> float:
        """Transmission bandwidth :math:`12 N_{RB} \\Delta f`, Hz."""
        return 12.0 * self.n_rb * self.scs_hz

    @property
    def passband(self) -> bool:
        """True for a real passband carrier."""
        return self.carrier_hz > 0.0

    @property
    def length(self) -> int:
        """Samples spanned by the carrier's symbols."""
        return int(self.start[-1] + self.cp[-1] + self.n_fft)


@dataclass(frozen=True, eq=False)
class Waveform:
    """Sampled voltage waveform with the NR carriers it carries.

    Attributes
    ----------
    samples : ndarray, shape (n,)
        Volts across ``impedance_ohm``: real for passband, complex envelope for baseband.
    sample_rate_hz : float
        Sample rate, Hz.
    carriers : tuple of NrCarrier
        Demodulation metadata, one entry per NR carrier.
    impedance_ohm : float
        Reference impedance for power, ohm.
    metadata : dict
        Free-form notes (e.g. the carrier rounding applied by :func:`nr_ofdm`).
    """

    samples: np.ndarray
    sample_rate_hz: float
    carriers: tuple[NrCarrier, ...] = ()
    impedance_ohm: float = 50.0
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        s = np.asarray(self.samples)
        if s.ndim != 1:
            raise ParameterError(f"Waveform.samples has shape {s.shape}; allowed: 1-D array")
        if not np.all(np.isfinite(s)):
            raise ParameterError(
                "Waveform.samples contains NaN or infinite values; allowed: finite numbers"
            )
        check_range("Waveform.sample_rate_hz", self.sample_rate_hz, 0.0, lo_open=True)
        check_range("Waveform.impedance_ohm", self.impedance_ohm, 0.0, lo_open=True)
        object.__setattr__(self, "samples", s)

    @property
    def is_passband(self) -> bool:
        """True when the samples are real (a passband voltage)."""
        return not np.iscomplexobj(self.samples)

    @property
    def carrier_hz(self) -> float:
        """Carrier frequency of the first carrier, Hz (0 for baseband)."""
        return self.carriers[0].carrier_hz if self.carriers else 0.0

    @property
    def reference(self) -> np.ndarray:
        """Reference resource grid of the first carrier, shape (n_symbols, n_sc)."""
        return self.carriers[0].reference

    @property
    def power_w(self) -> float:
        """Mean power delivered to ``impedance_ohm``, W (see module docstring)."""
        s = self.samples
        if self.is_passband:
            return float(np.mean(s * s) / self.impedance_ohm)
        return float(np.mean(s.real**2 + s.imag**2) / (2.0 * self.impedance_ohm))

    @property
    def power_dbm(self) -> float:
        """Mean power, dBm."""
        return float(w_to_dbm(self.power_w))

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.samples.size / self.sample_rate_hz

    def with_samples(self, samples: np.ndarray, **changes) -> Waveform:
        """Copy with new samples (same carriers), e.g. after a channel."""
        return dataclasses.replace(self, samples=samples, **changes)


def combine_carriers(*waveforms: Waveform) -> Waveform:
    """Sum passband NR carriers at different IFs into one waveform (IF-over-fiber).

    All inputs must be real passband waveforms at the same sample rate and impedance;
    shorter ones are zero-padded at the end. Each carrier keeps its own power.

    Parameters
    ----------
    *waveforms : Waveform
        Waveforms from :func:`rof.signals.nr_ofdm` with ``carrier_hz > 0``.

    Returns
    -------
    Waveform
        Sum of the samples; ``carriers`` is the concatenation of the inputs' carriers.
    """
    if not waveforms:
        raise ParameterError("combine_carriers.waveforms is empty; allowed: >= 1 waveform")
    fs = waveforms[0].sample_rate_hz
    for i, w in enumerate(waveforms):
        if not w.is_passband:
            raise ParameterError(
                f"combine_carriers.waveforms[{i}] is complex baseband; allowed: real passband"
            )
        if w.sample_rate_hz != fs or w.impedance_ohm != waveforms[0].impedance_ohm:
            raise ParameterError(
                f"combine_carriers.waveforms[{i}].sample_rate_hz = {w.sample_rate_hz!r} differs; "
                f"allowed: {fs!r} (all equal)"
            )
    n = max(w.samples.size for w in waveforms)
    out = np.zeros(n)
    for w in waveforms:
        out[: w.samples.size] += w.samples
    carriers = tuple(c for w in waveforms for c in w.carriers)
    return Waveform(out, fs, carriers, waveforms[0].impedance_ohm, {"combined": len(waveforms)})
