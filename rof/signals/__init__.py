"""5G NR OFDM waveforms, QAM, and EVM/ACLR measurement.

>>> import numpy as np
>>> from rof.signals import nr_ofdm, evm_percent
>>> w = nr_ofdm(20, 30, "256QAM", 14, np.random.default_rng(0))
>>> round(evm_percent(w, w), 6)
0.0
"""

from rof.signals.numerology import cp_lengths, n_rb, nr_bandwidths_mhz
from rof.signals.ofdm import nr_ofdm
from rof.signals.qam import MODULATIONS, bits_per_symbol, qam_constellation, qam_map
from rof.signals.receiver import Demodulated, aclr_db, demodulate, evm_percent, measure_evm
from rof.signals.waveform import NrCarrier, Waveform, combine_carriers

__all__ = [
    "MODULATIONS",
    "Demodulated",
    "NrCarrier",
    "Waveform",
    "aclr_db",
    "bits_per_symbol",
    "combine_carriers",
    "cp_lengths",
    "demodulate",
    "evm_percent",
    "measure_evm",
    "n_rb",
    "nr_bandwidths_mhz",
    "nr_ofdm",
    "qam_constellation",
    "qam_map",
]
