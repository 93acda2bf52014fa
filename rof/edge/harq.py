"""Downlink HARQ with chase combining (``edge.harq = "chase"``).

A transport block that fails is kept by the UE (its soft bits) and sent again, unchanged
(same MCS and size), at the UE's first scheduling occasion once the HARQ round trip has
passed: ``edge.harq_rtt_slots`` slots for the ACK/NACK in an uplink slot and the gNB's
processing (TS 38.213 Sec. 9.2.3 K1, TS 38.214 Sec. 5.3 processing times; an assumption
of the scenario, 5 slots by default for the DDDSU pattern). With chase combining the
receiver adds the transmissions' signal energy (maximum-ratio combining of identical
coded bits), so the block is decoded at the sum of their effective SINRs (linear)
(Chase, "Code combining", IEEE Trans. Commun. 33(5), 1985; Frenger, Parkvall, Dahlman,
"Performance comparison of HARQ with Chase combining and incremental redundancy for
HSDPA", IEEE VTC-Fall 2001, Sec. II). A retransmission on ``n`` RBs of a block first sent
on ``n0`` RBs carries its coded bits ``n / n0`` times, so it adds ``(n / n0) s_eff``
(energy per coded bit). The BLER is that of the original MCS and block size at the
combined SINR. After ``edge.harq_max_transmissions`` failed transmissions the block is
lost. A UE has ``edge.harq_processes`` HARQ processes (16, TS 38.321 Sec. 5.3.2): while
they all hold failed blocks and none is due, it is sent nothing new. The outer loop
learns from first transmissions only, so it keeps steering the initial BLER to its
target.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

__all__ = ["ChaseHarq", "PendingBlock", "combined_sinr"]


class PendingBlock(NamedTuple):
    """A failed transport block waiting in a HARQ process."""

    bits: float
    mcs: int
    n_rb: int
    sinr_lin: float  # effective SINR combined over its transmissions so far
    n_tx: int
    due_tti: int


def combined_sinr(previous_lin, sinr_lin, n_rb, n_rb_first):
    """Chase-combined effective SINR (linear) after one more transmission (module
    docstring): ``previous + (n_rb / n_rb_first) sinr``."""
    return np.asarray(previous_lin) + np.asarray(n_rb) / np.asarray(n_rb_first) * np.asarray(
        sinr_lin
    )


@dataclass
class ChaseHarq:
    """The HARQ buffers of ``n_ue`` UEs (module docstring)."""

    n_ue: int
    rtt_slots: int = 5
    max_transmissions: int = 4
    processes: int = 16
    lost_blocks: int = 0
    pending: list = field(init=False, repr=False)

    def __post_init__(self):
        self.pending = [deque() for _ in range(int(self.n_ue))]

    def due(self, ue: np.ndarray, t: int) -> np.ndarray:
        """For each UE in ``ue``: 1 if its oldest failed block is due now, 0 if none is
        due and a process is free, -1 if none is due and all processes are busy."""
        out = np.zeros(len(ue), dtype=np.int64)
        for i, u in enumerate(ue):
            q = self.pending[int(u)]
            if q and q[0].due_tti <= t:
                out[i] = 1
            elif len(q) >= self.processes:
                out[i] = -1
        return out

    def oldest(self, u: int) -> PendingBlock:
        return self.pending[int(u)][0]

    def settle(self, u: int, block: PendingBlock, error: bool, t: int, retx: bool) -> None:
        """After a transmission of ``block`` (``retx``: a retransmission of the UE's
        oldest pending block, which leaves the queue): keep it for another try on error
        while transmissions remain, else count it lost."""
        q = self.pending[int(u)]
        if retx:
            q.popleft()
        if not error:
            return
        if block.n_tx >= self.max_transmissions:
            self.lost_blocks += 1
            return
        q.append(block._replace(due_tti=t + self.rtt_slots))
