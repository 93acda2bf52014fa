"""Public names of ``rof.signals``, loaded on first access (see ``__init__.py``)."""

from .numerology import (
    cp_lengths as cp_lengths,
    n_rb as n_rb,
    nr_bandwidths_mhz as nr_bandwidths_mhz,
)
from .ofdm import nr_ofdm as nr_ofdm
from .qam import (
    MODULATIONS as MODULATIONS,
    bits_per_symbol as bits_per_symbol,
    qam_constellation as qam_constellation,
    qam_map as qam_map,
)
from .receiver import (
    Demodulated as Demodulated,
    aclr_db as aclr_db,
    demodulate as demodulate,
    evm_percent as evm_percent,
    measure_evm as measure_evm,
)
from .waveform import (
    NrCarrier as NrCarrier,
    Waveform as Waveform,
    combine_carriers as combine_carriers,
)
