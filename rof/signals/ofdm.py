"""5G NR OFDM waveform generator.

The time-continuous OFDM signal of TS 38.211 V17 clause 5.3.1,

.. math:: s_l(t) = \\sum_{k=0}^{N_{sc}-1} a_{k,l}\\,
          e^{j 2\\pi (k - N_{sc}/2) \\Delta f (t - N_{CP,l} T_c - t_{start,l})},

is sampled at :math:`f_s = N_{FFT} \\Delta f` (an IFFT per symbol, cyclic prefix
prepended). Modulation and upconversion follow clause 5.4,
:math:`\\mathrm{Re}\\{s_l(t) e^{j 2\\pi f_0 (t - t_{start,l} - N_{CP,l} T_c)}\\}`: the
carrier phase restarts with every symbol, which lets a real inverse FFT of size
:math:`N_{FFT}` build the passband symbol directly when :math:`f_0` lies on the
subcarrier grid. :func:`nr_ofdm` therefore rounds ``carrier_hz`` to the nearest multiple
of the subcarrier spacing (a shift below :math:`\\Delta f/2`, recorded in
``Waveform.metadata["carrier_rounding_hz"]``).

Resource grid: every ``pilot_spacing``-th subcarrier of every symbol carries a known
QPSK pilot (a comb, like the DM-RS of TS 38.211 clause 7.4.1.1 but on all symbols, so
the receiver can equalise per subcarrier and track the common phase per symbol); all
other resource elements carry Gray-mapped data (TS 38.211 clause 5.1).
"""

from __future__ import annotations

import numpy as np
from scipy import fft as sfft

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.signals.numerology import cp_lengths, n_rb, passband_fft_size
from rof.signals.qam import bits_per_symbol, qam_map
from rof.signals.waveform import NrCarrier, Waveform
from rof.units import dbm_to_w

__all__ = ["nr_ofdm"]


def nr_ofdm(
    bandwidth_mhz: float,
    scs_khz: float,
    modulation: str,
    n_symbols: int,
    rng: np.random.Generator,
    *,
    carrier_hz: float = 0.0,
    sample_rate_hz: float | None = None,
    power_dbm: float | None = 0.0,
    rms: float | None = None,
    pilot_spacing: int = 4,
    impedance_ohm: float = 50.0,
) -> Waveform:
    """Generate a 5G NR OFDM waveform (downlink-like, full allocation, normal CP).

    Parameters
    ----------
    bandwidth_mhz : float
        Channel bandwidth, MHz; must be in TS 38.104 Table 5.3.2-1 (FR1) or 5.3.2-2 (FR2)
        for the spacing.
    scs_khz : {15, 30, 60, 120}
        Subcarrier spacing, kHz.
    modulation : {"QPSK", "16QAM", "64QAM", "256QAM", "1024QAM"}
        Data modulation.
    n_symbols : int
        OFDM symbols (14 per slot), counted from the start of a subframe.
    rng : numpy.random.Generator
        Source of the data bits and pilot values.
    carrier_hz : float, optional
        0 (default) gives a complex baseband waveform; > 0 a real passband waveform at
        that RF or IF carrier (rounded to the subcarrier grid, see module docstring).
    sample_rate_hz : float, optional
        Sample rate, Hz; must equal :math:`N_{FFT}\\Delta f` with :math:`N_{FFT}` a
        multiple of 128, cover the occupied band (baseband) or exceed twice the highest
        frequency (passband, Nyquist). Default: the smallest fast size with
        :math:`N_{FFT} \\ge N_{sc}/0.85` (baseband) or :math:`f_s \\ge 2.2 f_{max}`.
    power_dbm : float, optional
        Mean power into ``impedance_ohm``, dBm (default 0 dBm); ignored if ``rms`` is set.
    rms : float, optional
        RMS voltage instead of ``power_dbm`` (for baseband, of the complex envelope / sqrt 2).
    pilot_spacing : int
        Pilot comb spacing in subcarriers (2..48).
    impedance_ohm : float
        Reference impedance, ohm.

    Returns
    -------
    Waveform
        Samples, sample rate and one :class:`~rof.signals.waveform.NrCarrier`.

    Examples
    --------
    >>> w = nr_ofdm(20, 30, "64QAM", 14, np.random.default_rng(1))
    >>> w.carriers[0].n_rb, w.sample_rate_hz
    (51, 23040000.0)
    """
    check_range("nr_ofdm.bandwidth_mhz", bandwidth_mhz, 0.0, lo_open=True)
    nrb = n_rb(bandwidth_mhz, scs_khz)
    q = bits_per_symbol(modulation)
    n_symbols = check_int_range("nr_ofdm.n_symbols", n_symbols, 1, 14 * 160)
    pilot_spacing = check_int_range("nr_ofdm.pilot_spacing", pilot_spacing, 2, 48)
    carrier_hz = check_range("nr_ofdm.carrier_hz", carrier_hz, 0.0)
    check_range("nr_ofdm.impedance_ohm", impedance_ohm, 0.0, lo_open=True)
    scs = scs_khz * 1e3
    n_sc = 12 * nrb
    occupied = n_sc * scs
    passband = carrier_hz > 0.0
    if passband and carrier_hz - occupied / 2 <= 0.0:
        raise ParameterError(
            f"nr_ofdm.carrier_hz = {carrier_hz!r} puts the band below 0 Hz; "
            f"allowed: > {occupied / 2:g} (half the occupied bandwidth)"
        )
    m = round(carrier_hz / scs)
    f_max = m * scs + occupied / 2
    if sample_rate_hz is None:
        if passband:
            n_fft = passband_fft_size(f_max, scs)
        else:
            n_fft = 128 * sfft.next_fast_len(int(np.ceil(n_sc / 0.85 / 128)))
    else:
        fs = check_range("nr_ofdm.sample_rate_hz", sample_rate_hz, 0.0, lo_open=True)
        n_fft = round(fs / scs)
        if abs(n_fft * scs - fs) > 1e-6 * fs or n_fft % 128:
            raise ParameterError(
                f"nr_ofdm.sample_rate_hz = {sample_rate_hz!r} is not a multiple of "
                f"128 x {scs:g} Hz; allowed: N_FFT x subcarrier spacing with N_FFT % 128 == 0"
            )
        need = 2.0 * f_max if passband else occupied
        if n_fft * scs <= need:
            what = "twice the highest frequency (Nyquist)" if passband else "the occupied band"
            raise ParameterError(
                f"nr_ofdm.sample_rate_hz = {sample_rate_hz!r} is below {what}; "
                f"allowed: > {need:g} Hz"
            )
    fs = n_fft * scs

    # Resource grid: comb pilots (QPSK) on every pilot_spacing-th subcarrier, data elsewhere.
    pilot_cols = np.arange(n_sc) % pilot_spacing == 0
    data_mask = np.broadcast_to(~pilot_cols, (n_symbols, n_sc)).copy()
    grid = np.empty((n_symbols, n_sc), dtype=np.complex128)
    n_data = int(data_mask.sum())
    grid[data_mask] = qam_map(rng.integers(0, 2, n_data * q), modulation)
    grid[~data_mask] = qam_map(rng.integers(0, 2, 2 * (n_symbols * n_sc - n_data)), "QPSK")

    k = np.arange(n_sc) - n_sc // 2
    cp = cp_lengths(n_symbols, n_fft, scs_khz)
    start = np.concatenate(([0], np.cumsum(cp + n_fft)[:-1]))
    if passband:
        bins = m + k
        spec = np.zeros((n_symbols, n_fft // 2 + 1), dtype=np.complex128)
        spec[:, bins] = grid * (n_fft / 2.0)
        body = sfft.irfft(spec, n=n_fft, axis=1, workers=-1)
    else:
        bins = np.mod(k, n_fft)
        spec = np.zeros((n_symbols, n_fft), dtype=np.complex128)
        spec[:, bins] = grid
        body = sfft.ifft(spec, axis=1, workers=-1) * n_fft
    total = int(start[-1] + cp[-1] + n_fft)
    samples = np.empty(total, dtype=body.dtype)
    for i in range(n_symbols):
        s0, c = int(start[i]), int(cp[i])
        samples[s0 : s0 + c] = body[i, n_fft - c :]
        samples[s0 + c : s0 + c + n_fft] = body[i]

    # Power scaling (passband: mean v^2 / R; baseband envelope: mean |v|^2 / 2R).
    ms = np.mean(np.abs(samples) ** 2) / (1.0 if passband else 2.0)
    if rms is not None:
        target_ms = check_range("nr_ofdm.rms", rms, 0.0, lo_open=True) ** 2
    else:
        p = check_range("nr_ofdm.power_dbm", power_dbm, -200.0, 60.0)
        target_ms = float(dbm_to_w(p)) * impedance_ohm
    samples *= np.sqrt(target_ms / ms)

    carrier = NrCarrier(
        carrier_hz=float(m * scs),
        scs_hz=float(scs),
        bandwidth_hz=float(bandwidth_mhz) * 1e6,
        n_rb=nrb,
        modulation=modulation,
        n_fft=n_fft,
        cp=cp,
        start=start,
        bins=bins,
        reference=grid,
        data_mask=data_mask,
        pilot_spacing=pilot_spacing,
    )
    meta = {"carrier_rounding_hz": float(m * scs - carrier_hz)}
    return Waveform(samples, float(fs), (carrier,), float(impedance_ohm), meta)
