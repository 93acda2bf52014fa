"""Traffic models: full buffer and bursty (Poisson file arrivals per UE).

Bursty traffic follows the FTP model 3 of 3GPP TR 36.814, Table A.2.1.3.1-1
(Poisson arrivals of files of fixed size per UE): the number of files arriving
in a TTI of length ``T`` is Poisson with mean ``lambda T``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_choice, check_range

__all__ = ["Traffic"]


@dataclass
class Traffic:
    """Per-UE transmit buffers.

    Parameters
    ----------
    n_ue : int
    kind : {"full_buffer", "bursty"}
    arrival_rate_per_s : float
        File arrival rate per UE (bursty), 1/s.
    file_size_bits : float
        File size (bursty), bit.
    """

    n_ue: int
    kind: str = "full_buffer"
    arrival_rate_per_s: float = 10.0
    file_size_bits: float = 4e6
    buffer_bits: np.ndarray = field(init=False)
    offered_bits: np.ndarray = field(init=False)

    def __post_init__(self):
        check_choice("edge.traffic", self.kind, ("full_buffer", "bursty"))
        check_range("edge.arrival_rate_per_s", self.arrival_rate_per_s, 0.0)
        check_range("edge.file_size_bits", self.file_size_bits, 0.0, lo_open=True)
        full = self.kind == "full_buffer"
        self.buffer_bits = np.full(int(self.n_ue), np.inf if full else 0.0)
        self.offered_bits = np.zeros(int(self.n_ue))

    def arrive(self, tti_s: float, rng: np.random.Generator) -> None:
        """Add this TTI's file arrivals (no-op for full buffer)."""
        if self.kind == "bursty":
            files = rng.poisson(self.arrival_rate_per_s * tti_s, size=self.buffer_bits.shape)
            bits = files * self.file_size_bits
            self.buffer_bits += bits
            self.offered_bits += bits

    def has_data(self) -> np.ndarray:
        """Boolean (n_ue,): UEs with bits waiting."""
        return self.buffer_bits > 0

    def deliver(self, bits: np.ndarray) -> np.ndarray:
        """Remove up to ``bits`` per UE from the buffers; return the bits delivered."""
        sent = np.minimum(bits, self.buffer_bits)
        self.buffer_bits = self.buffer_bits - sent
        return sent
