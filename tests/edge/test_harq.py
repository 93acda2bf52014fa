"""HARQ with chase combining (edge.harq = "chase", issue 15 item 6)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rof.edge import simulate
from rof.edge.harq import ChaseHarq, PendingBlock, combined_sinr
from rof.errors import RofError

from .test_simulate import scenario


def test_chase_combining_adds_energy_per_coded_bit():
    """Two equal transmissions on the same RBs: +3.01 dB (Chase 1985, MRC of repeats);
    a retransmission on twice the RBs carries each coded bit twice: three times the SINR."""
    s = 10 ** (2.0 / 10)
    assert 10 * np.log10(combined_sinr(s, s, 8, 8)) == pytest.approx(2.0 + 10 * np.log10(2))
    assert combined_sinr(s, s, 16, 8) == pytest.approx(3 * s)


def test_blocks_wait_the_round_trip_and_are_lost_after_the_last_try():
    h = ChaseHarq(2, rtt_slots=5, max_transmissions=2, processes=2)
    blk = PendingBlock(1000.0, 3, 4, 1.0, 1, 0)
    h.settle(0, blk, error=True, t=10, retx=False)
    assert h.due(np.array([0, 1]), 14).tolist() == [0, 0]
    assert h.due(np.array([0, 1]), 15).tolist() == [1, 0]
    h.settle(0, h.oldest(0)._replace(n_tx=2), error=True, t=15, retx=True)
    assert h.lost_blocks == 1 and not h.pending[0]  # second failure of 2 allowed: lost
    # all processes holding failed blocks, none due: nothing new may be sent
    for t in (20, 21):
        h.settle(1, blk, error=True, t=t, retx=False)
    assert h.due(np.array([1]), 22).tolist() == [-1]
    assert h.due(np.array([1]), 25).tolist() == [1]


def _run(harq, outer_loop):
    over = {"radio.fading": "tdl", "radio.ue_speed_kmh": 30.0, "edge.outer_loop": outer_loop,
            "edge.harq": harq, "run.ttis": 1000, "run.warmup_ttis": 500,
            "edge.pf_window_ttis": 20}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # short PF window on purpose
        return simulate(scenario(**over)).kpis


def test_chase_harq_recovers_the_blocks_stale_csi_breaks():
    """Stale CSI at 30 km/h without the outer loop: half the first transmissions fail;
    chase combining delivers most of them on a retransmission (here +53 % mean user
    throughput). With the outer loop (~10 % BLER) it still adds a little."""
    plain, chase = _run("none", False), _run("chase", False)
    print(f"no OLLA: {plain['ue_throughput_mean_bps'] / 1e6:.2f} -> "
          f"{chase['ue_throughput_mean_bps'] / 1e6:.2f} Mbit/s")  # fmt: skip
    assert chase["ue_throughput_mean_bps"] > 1.3 * plain["ue_throughput_mean_bps"]
    assert (
        _run("chase", True)["ue_throughput_mean_bps"] > _run("none", True)["ue_throughput_mean_bps"]
    )


def test_chase_harq_needs_the_link_level_abstraction():
    with pytest.raises(RofError, match=r"edge\.harq"):
        simulate(scenario(**{"edge.harq": "chase", "radio.link_abstraction": "se_gap"}))
