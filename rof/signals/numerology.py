"""NR numerology: resource-block counts, FFT sizes and cyclic-prefix lengths.

Resource-block counts come from data files beside this module, named by table and
release:

* ``tables/ts38104_table5.3.2-1_r17.csv`` -- 3GPP TS 38.104 V17, Table 5.3.2-1
  (FR1, 15/30/60 kHz subcarrier spacing, 5 to 100 MHz);
* ``tables/ts38104_table5.3.2-2_r17.csv`` -- 3GPP TS 38.104 V17, Table 5.3.2-2
  (FR2-1, 60/120 kHz subcarrier spacing, 50 to 400 MHz).

Normal cyclic prefix (TS 38.211 V17, clause 5.3.1): in units of
:math:`T_c = 1/(480\\,\\mathrm{kHz} \\cdot 4096)` and with :math:`\\kappa = 64`,

.. math:: N_{CP,l}^{\\mu} = 144\\kappa 2^{-\\mu} + 16\\kappa\\ \\text{if } l = 0
          \\text{ or } l = 7 \\cdot 2^{\\mu}, \\quad 144\\kappa 2^{-\\mu}\\ \\text{otherwise},

where :math:`l` counts symbols within a subframe. Sampled at
:math:`f_s = N_{FFT} \\Delta f` this is :math:`144 N_{FFT}/2048` samples, plus
:math:`16 N_{FFT}/2048` for the first symbol of every half subframe (every
:math:`7 \\cdot 2^{\\mu}` symbols), so :math:`N_{FFT}` must be a multiple of 128.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np
from scipy import fft as sfft

from rof.errors import ParameterError

__all__ = [
    "SCS_KHZ",
    "cp_lengths",
    "n_rb",
    "nr_bandwidths_mhz",
    "passband_fft_size",
]

#: Subcarrier spacings (kHz) of the NR numerologies mu = 0..3 supported here.
SCS_KHZ = (15, 30, 60, 120)

_TABLE_FILES = ("ts38104_table5.3.2-1_r17.csv", "ts38104_table5.3.2-2_r17.csv")


@cache
def _rb_table() -> dict[tuple[int, int], int]:
    table: dict[tuple[int, int], int] = {}
    for name in _TABLE_FILES:
        text = resources.files("rof.signals").joinpath("tables", name).read_text()
        rows = [r for r in text.splitlines() if r and not r.startswith("#")]
        for rec in csv.DictReader(rows):
            # FR1 (Table 5.3.2-1) first: for 60 kHz at 50/100 MHz it takes precedence.
            table.setdefault((int(rec["scs_khz"]), int(rec["bandwidth_mhz"])), int(rec["n_rb"]))
    return table


def nr_bandwidths_mhz(scs_khz: int) -> list[int]:
    """Channel bandwidths (MHz) the TS 38.104 tables define for ``scs_khz``."""
    return sorted(bw for (s, bw) in _rb_table() if s == scs_khz)


def n_rb(bandwidth_mhz: float, scs_khz: float) -> int:
    """Transmission bandwidth configuration :math:`N_{RB}` (TS 38.104 Tables 5.3.2-1/-2).

    Raises
    ------
    ParameterError
        If the (bandwidth, spacing) pair is not in the tables; the message lists the
        bandwidths allowed for that spacing.
    """
    if scs_khz not in SCS_KHZ:
        raise ParameterError(
            f"nr_ofdm.scs_khz = {scs_khz!r} is not known; allowed: {', '.join(map(str, SCS_KHZ))}"
        )
    key = (int(scs_khz), round(float(bandwidth_mhz)))
    if float(bandwidth_mhz) != key[1] or key not in _rb_table():
        allowed = ", ".join(map(str, nr_bandwidths_mhz(int(scs_khz))))
        raise ParameterError(
            f"nr_ofdm.bandwidth_mhz = {bandwidth_mhz!r} is not in TS 38.104 Table 5.3.2-1/-2 "
            f"for {scs_khz} kHz spacing; allowed: {allowed}"
        )
    return _rb_table()[key]


def cp_lengths(n_symbols: int, n_fft: int, scs_khz: float) -> np.ndarray:
    """Normal cyclic-prefix length of each symbol in samples (TS 38.211 clause 5.3.1).

    Parameters
    ----------
    n_symbols : int
        Number of OFDM symbols, counted from the start of a subframe.
    n_fft : int
        FFT size; a multiple of 128.
    scs_khz : float
        Subcarrier spacing, kHz (15 * 2**mu).

    Returns
    -------
    ndarray of int64, shape (n_symbols,)
    """
    if n_fft % 128:
        raise ParameterError(f"n_fft = {n_fft} is not a multiple of 128; allowed: 128 k")
    mu = round(float(np.log2(scs_khz / 15.0)))
    cp = np.full(n_symbols, 144 * n_fft // 2048, dtype=np.int64)
    cp[np.arange(n_symbols) % (7 * 2**mu) == 0] += 16 * n_fft // 2048
    return cp


def passband_fft_size(max_frequency_hz: float, scs_hz: float, oversampling: float = 2.2) -> int:
    """Smallest fast FFT size, a multiple of 128, sampling ``max_frequency_hz`` adequately.

    The sample rate :math:`N \\Delta f` is at least ``oversampling`` times the highest
    frequency of the waveform (2 is Nyquist; 2.2 leaves room for the transition band and
    keeps second and third harmonics of a narrowband carrier from aliasing in band).
    """
    need = int(np.ceil(oversampling * max_frequency_hz / scs_hz / 128.0))
    return 128 * sfft.next_fast_len(max(need, 1))
