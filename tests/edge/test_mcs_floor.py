"""A scheduled UE whose CQI is in range always gets a transport block (MCS 0 at least).

Regression: with stale CSI (NR timeline, 30 km/h) the outer loop pushed cell-edge UEs
below MCS 0; they then sent nothing, got no HARQ feedback to lower the offset, and under
proportional fair kept their RBs with a weight 1/R growing without bound: 7 % of the
capacity_vs_fiber users had exactly zero throughput and 30 % of the RBs carried nothing.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

from rof.edge import simulate
from rof.edge.link_adaptation import OuterLoop, scheduled_mcs
from rof.radio import rates
from rof.scenario import as_scenario

from .test_simulate import scenario

sim = importlib.import_module("rof.edge.simulate")


def test_scheduled_mcs_floor_follows_the_cqi():
    cqi1 = rates.cqi_threshold_db("table2")[0]  # lowest in-range SINR
    rep = np.array([cqi1 - 0.01, cqi1, 0.0, 20.0, -np.inf])
    got = scheduled_mcs(np.array([-1, -1, -1, 12, -1]), rep, "qam256")
    np.testing.assert_array_equal(got, [-1, 0, 0, 12, -1])
    # the 64QAM table reports on CQI table 1
    cqi1_64 = rates.cqi_threshold_db("table1")[0]
    assert scheduled_mcs([-1], [cqi1_64], "qam64")[0] == 0


@pytest.mark.parametrize("abstraction, sinr_db", [("se_gap", -3.0), ("eesm", 2.0)])
def test_backed_off_ue_still_sends_and_its_offset_recovers(abstraction, sinr_db):
    """One UE on every RB where MCS 0 decodes (-3 dB on the SE-gap rule, 2 dB on
    5G-LENA's curves, whose MCS 0 needs -0.8 dB) with the outer loop at its +10 dB
    bound: blocks go out at MCS 0, succeed, and the offset comes down."""
    scn = as_scenario(scenario(**{"radio.link_abstraction": abstraction}))
    n_rb = 24
    assign = np.zeros((1, n_rb), dtype=np.int32)
    sinr = np.full((1, n_rb), 10 ** (sinr_db / 10))
    olla = OuterLoop(1, bler_target=0.1)
    olla.offset_db[:] = olla.max_offset_db
    rng = np.random.default_rng(1)
    bits = 0.0
    for _ in range(100):
        b = sim._send_blocks(scn, olla, rng, assign, sinr, lambda: sinr)
        assert b.sent.all()
        bits += b.bits.sum()
    assert bits > 0
    assert olla.offset_db[0] < olla.max_offset_db - 3.0
    # out of range (CQI 0): nothing is sent
    low = np.full((1, n_rb), 10 ** (-15.0 / 10))
    b = sim._send_blocks(scn, olla, rng, assign, low, lambda: low)
    assert not b.sent.any()


def test_stale_csi_starves_no_user():
    """30 km/h users on the NR CSI timeline (CSI ~8 ms old, past the first zero of J0):
    under full-buffer proportional fair every user the scheduler serves delivers bits,
    and no RB is handed to a UE that then sends nothing."""
    over = {
        "radio.fading": "tdl",
        "radio.ue_speed_kmh": 30.0,
        "radio.carrier_ghz": 3.5,
        "radio.scenario": "UMi",
        "radio.site_power_dbm": 30.0,
        "deployment.ue_per_site": 8,
        "edge.csi": "delayed",
        "run.ttis": 300,
        "run.warmup_ttis": 100,
    }
    with warnings.catch_warnings():  # 200 measured TTIs: short of 10 PF windows on purpose
        warnings.simplefilter("ignore", RuntimeWarning)
        r = simulate(scenario(**over))
    served = ~np.isnan(r.arrays["ue_sinr_db"])
    assert served.all()
    assert np.all(r.ue_throughput_bps[served] > 0)
    assert np.all(r.samples.ue["blocks"] > 0)
