"""Link adaptation: the outer loop (OLLA) on the effective SINR of a transport block.

A UE served on several RBs in one TTI sends one transport block whose error
probability is that of an AWGN link at the *effective* SINR, the capacity-mapped
mean of its RBs' SINRs (:func:`rof.radio.effective_sinr.effective_sinr_per_ue`).

The outer loop (Pedersen, Monghal, Kovacs et al., "Frequency domain scheduling
for OFDMA with limited and noisy channel feedback", IEEE VTC-Fall 2007, Sec. III;
also Nakamura, Awad, Vadgama, "Adaptive control of link adaptation for high speed
downlink packet access (HSDPA) in W-CDMA", WPMC 2002) subtracts a per-UE offset
from the reported SINR before the MCS is chosen; the offset rises by
``step_up_db`` after a block error and falls by
``step_up_db * bler / (1 - bler)`` after a success, so in steady state the
block error rate equals ``bler_target``. The offset is bounded to
``+-max_offset_db`` so that a UE backed off below MCS 0 (which then sends nothing
and gets no feedback) cannot stay locked out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range

__all__ = ["OuterLoop"]


@dataclass
class OuterLoop:
    """Per-UE outer-loop link-adaptation offsets (module docstring).

    Parameters
    ----------
    n_ue : int
    bler_target : float
        Target block error rate, in (0, 1).
    step_up_db : float
        Offset increase after a block error, dB.
    max_offset_db : float
        Bound on the magnitude of the offset, dB.
    """

    n_ue: int
    bler_target: float = 0.1
    step_up_db: float = 0.5
    max_offset_db: float = 10.0
    offset_db: np.ndarray = field(init=False)

    def __post_init__(self):
        check_range("OuterLoop.bler_target", self.bler_target, 0.0, 1.0, lo_open=True, hi_open=True)
        check_range("OuterLoop.step_up_db", self.step_up_db, 0.0, lo_open=True)
        check_range("OuterLoop.max_offset_db", self.max_offset_db, 0.0, lo_open=True)
        self.offset_db = np.zeros(int(self.n_ue))

    @property
    def step_down_db(self) -> float:
        """Offset decrease after a success, dB."""
        return self.step_up_db * self.bler_target / (1.0 - self.bler_target)

    def update(self, ue: np.ndarray, error: np.ndarray) -> None:
        """Apply the ACK/NACK of the blocks sent to ``ue`` (int array) this TTI."""
        off = self.offset_db[ue] + np.where(error, self.step_up_db, -self.step_down_db)
        self.offset_db[ue] = np.clip(off, -self.max_offset_db, self.max_offset_db)
