"""Link adaptation: effective SINR of a transport block and the outer loop (OLLA).

A UE served on several RBs in one TTI sends one transport block whose error
probability is that of an AWGN link at the *effective* SINR. The mapping used
is the capacity-based mutual-information effective SINR (MIESM with the Gaussian
-input capacity as the information function; Brueninghaus et al., "Link
performance models for system level simulations of broadband radio access
systems", IEEE PIMRC 2005, eq. (6)):

.. math:: \\gamma_{eff} = 2^{\\frac{1}{N}\\sum_{b=1}^{N} \\log_2(1 + \\gamma_b)} - 1 .

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

import numba
import numpy as np

from rof._validate import check_range

__all__ = ["OuterLoop", "effective_sinr", "effective_sinr_ref"]


@numba.njit(cache=True)
def _eff_kernel(assign, sinr, acc, cnt):
    n_cells, n_rb = assign.shape
    for c in range(n_cells):
        for b in range(n_rb):
            u = assign[c, b]
            if u >= 0:
                acc[u] += np.log2(1.0 + sinr[c, b])
                cnt[u] += 1


def effective_sinr(assign, sinr, n_ue):
    """Per-UE effective SINR over the RBs it was given (module docstring).

    Parameters
    ----------
    assign : ndarray (n_cells, n_rb) int
        Served UE per cell and RB (-1 muted).
    sinr : ndarray (n_cells, n_rb)
        Linear SINR per cell and RB (ignored where muted).
    n_ue : int

    Returns
    -------
    eff : ndarray (n_ue,)
        Effective linear SINR (0 for UEs not served).
    n_rb : ndarray (n_ue,) int64
        Number of RBs each UE received.
    """
    acc = np.zeros(n_ue)
    cnt = np.zeros(n_ue, dtype=np.int64)
    _eff_kernel(
        np.ascontiguousarray(assign, dtype=np.int64),
        np.ascontiguousarray(sinr, dtype=np.float64),
        acc,
        cnt,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = np.where(cnt > 0, np.exp2(acc / np.maximum(cnt, 1)) - 1.0, 0.0)
    return eff, cnt


def effective_sinr_ref(assign, sinr, n_ue):
    """Plain-NumPy reference of :func:`effective_sinr`."""
    on = assign >= 0
    u = assign[on]
    acc = np.bincount(u, weights=np.log2(1.0 + sinr[on]), minlength=n_ue)
    cnt = np.bincount(u, minlength=n_ue)
    eff = np.zeros(n_ue)
    eff[cnt > 0] = 2.0 ** (acc[cnt > 0] / cnt[cnt > 0]) - 1.0
    return eff, cnt


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
