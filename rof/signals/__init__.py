"""5G NR OFDM waveforms, QAM, and EVM/ACLR measurement.

>>> import numpy as np
>>> from rof.signals import nr_ofdm, evm_percent
>>> w = nr_ofdm(20, 30, "256QAM", 14, np.random.default_rng(0))
>>> round(evm_percent(w, w), 6)
0.0
"""

from __future__ import annotations

import lazy_loader as lazy

# Public names are listed once, in __init__.pyi; each loads on first access, so the
# scenario schema (which reads the NR tables) does not pull in SciPy's signal package.
__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)
