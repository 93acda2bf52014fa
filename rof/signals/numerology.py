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
    "FR1_MAX_GHZ",
    "SCS_KHZ",
    "cp_lengths",
    "frequency_range",
    "n_rb",
    "nr_bandwidths_mhz",
    "nrb_table",
    "passband_fft_size",
]

#: Subcarrier spacings (kHz) of the NR numerologies mu = 0..3 supported here.
SCS_KHZ = (15, 30, 60, 120)

#: Upper edge of FR1 in GHz (TS 38.104 clause 5.1, Table 5.1-1).
FR1_MAX_GHZ = 7.125

_TABLE_FILES = {"FR1": "ts38104_table5.3.2-1_r17.csv", "FR2": "ts38104_table5.3.2-2_r17.csv"}


def frequency_range(carrier_ghz: float) -> str:
    """Return ``"FR1"`` for carriers up to 7.125 GHz, else ``"FR2"``.

    TS 38.104 defines no numerology table between 7.125 and 24.25 GHz; carriers
    there (and above 52.6 GHz) are simulated with the FR2-1 table, the nearest one.
    """
    return "FR1" if carrier_ghz <= FR1_MAX_GHZ else "FR2"


@cache
def nrb_table(freq_range: str) -> dict[tuple[float, int], int]:
    """Return ``{(bandwidth_mhz, scs_khz): n_rb}`` for ``"FR1"`` or ``"FR2"``.

    Read from the one copy of TS 38.104 Table 5.3.2-1 (FR1) or 5.3.2-2 (FR2-1) in
    ``rof/signals/tables``; combinations the standard marks N/A are absent.
    """
    text = resources.files("rof.signals").joinpath("tables", _TABLE_FILES[freq_range]).read_text()
    rows = [r for r in text.splitlines() if r and not r.startswith("#")]
    return {
        (float(r["bandwidth_mhz"]), int(r["scs_khz"])): int(r["n_rb"]) for r in csv.DictReader(rows)
    }


@cache
def _rb_table() -> dict[tuple[int, int], int]:
    table: dict[tuple[int, int], int] = {}
    # FR1 (Table 5.3.2-1) first: for 60 kHz at 50/100 MHz it takes precedence.
    for fr in ("FR1", "FR2"):
        for (bw, scs), n in nrb_table(fr).items():
            table.setdefault((scs, int(bw)), n)
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
