"""The schedulers' rate per RB follows the link abstraction in use (issue 15 item 1).

Before: the schedulers valued an RB at ``min(log2(1 + SINR / 2 dB), 7.4063)``, 0 below
MCS 0 of the SE-gap rule (-5.5 dB), while link adaptation with EESM chose MCS on
5G-LENA's curves, whose MCS 0 needs about -0.5 dB: proportional fair gave RBs to UEs
that then reported CQI 0 and were sent nothing.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from rof.edge import simulate
from rof.edge._base import SchedulingInput
from rof.edge.link_adaptation import link_mcs
from rof.edge.percell import full_power_rate, full_power_rate_ref
from rof.edge.rate_model import allocation_thresholds_db, rate_model, rate_se
from rof.radio import bler_curves, rates

from .test_simulate import scenario

sim = importlib.import_module("rof.edge.simulate")
N_RB = 24


def _one_link_rate(sinr_db, model):
    """The per-cell scheduler's rate of one UE alone on one RB at ``sinr_db``."""
    n = sinr_db.size
    gain = (10 ** (sinr_db / 10))[:, None, None]  # (n_ue, K = 1, n_rb = 1); P = N = 1
    args = (np.zeros((n, 1), np.int32), gain, np.zeros(n, np.int32), np.ones(n), np.zeros(1), 1.0)
    r = full_power_rate(*args, model)
    np.testing.assert_array_equal(r, full_power_rate_ref(*args, model))
    return r[:, 0]


@pytest.mark.parametrize("cqi", [True, False])
@pytest.mark.parametrize("abstraction", ["eesm", "se_gap"])
@pytest.mark.parametrize("table", ["qam256", "qam64", "qam64lowse"])
def test_scheduler_rate_equals_link_adaptation_choice(abstraction, table, cqi):
    """On a grid of SINRs, the per-RB rate the schedulers estimate equals the spectral
    efficiency of the MCS link adaptation sends on a one-RB block at that SINR (zero
    offset, with or without CQI quantisation), wherever that block is decodable at MCS 0
    on any allocation."""
    model = rate_model(abstraction, table, N_RB, 0.1, cqi)
    s_db = np.arange(-12.0, 35.0, 0.01)
    r = _one_link_rate(s_db, model)
    n = s_db.size
    rep = s_db if abstraction == "se_gap" else np.broadcast_to(s_db, (model.se.size, n))
    mcs = link_mcs(rep, np.ones(n, np.int64), np.zeros(n), link_abstraction=abstraction,
                   table=table, n_rb_max=N_RB, cqi_quantised=cqi)  # fmt: skip
    se_la = rates.spectral_efficiency(mcs, table)
    floor_db = float(np.max(allocation_thresholds_db(abstraction, table, N_RB)[0, 1:]))
    above = s_db >= floor_db
    np.testing.assert_allclose(r[above], se_la[above], rtol=0, atol=1e-12)
    assert np.all(r[~above] == 0.0)  # below the floor: not worth an RB


def test_eesm_floor_is_5g_lena_mcs0_not_se_gap():
    """Old rule: an RB at -3 dB was worth 0.234 bit/s/Hz; on 5G-LENA's curves MCS 0 does
    not decode there, so the default rate model gives it 0."""
    inp = SchedulingInput(
        link_cell=np.zeros((1, 1), np.int32),
        gain=np.full((1, 1, N_RB), 10 ** (-3.0 / 10)),
        large_scale=np.ones((1, 1)),
        background_gain=np.zeros(1),
        noise_w=np.ones(1),
        p_max_w=1.0,
        background_power_w=0.0,
        weight=np.ones(1),
        serving=np.zeros(1, np.int32),
        serve_k=np.zeros(1, np.int32),
        n_cells=1,
        snr_fh=np.full(1, np.inf),
        csi_age_s=np.zeros(1),
        doppler_hz=np.zeros(1),
        rng=np.random.default_rng(0),
    )
    r = full_power_rate(inp.link_cell, inp.gain, inp.serve_k, inp.interference_floor_w(),
                        inp.fh_factor(), inp.p_max_w, inp.rate_model())  # fmt: skip
    assert np.all(r == 0.0)
    thr0 = bler_curves.tb_sinr_at_bler_db(0, rates.tb_bits(0, 1, 12, "qam256"), "qam256")
    assert thr0 > -3.0  # the curve itself says so


def test_step_rate_kernel_matches_reference():
    rng = np.random.default_rng(4)
    for model in (rate_model("eesm", "qam256", 51), rate_model("se_gap", "qam64", 11, 0.2)):
        s = 10 ** rng.uniform(-2.0, 3.5, 2000)
        gain = s[:, None, None]
        args = (np.zeros((s.size, 1), np.int32), gain, np.zeros(s.size, np.int32),
                np.ones(s.size), np.zeros(1), 1.0)  # fmt: skip
        np.testing.assert_array_equal(full_power_rate(*args, model)[:, 0], rate_se(s, model))
        assert np.all(np.diff(rate_se(np.sort(s), model)) >= 0)  # non-decreasing


@pytest.mark.filterwarnings("ignore:run.ttis - run.warmup_ttis:RuntimeWarning")  # short on purpose
@pytest.mark.parametrize(
    ("scheduler", "table"),
    [("proportional_fair", "qam256"), ("coordinated_pf", "qam256"), ("wmmse", "qam256"),
     ("coordinated_pf", "qam64lowse")],
)  # fmt: skip
def test_with_eesm_no_user_is_given_rbs_it_cannot_use(monkeypatch, scheduler, table):
    """Every UE a rate-aware scheduler gives RBs is sent a transport block (MCS >= 0):
    its reported channel reaches 5G-LENA's MCS 0 on those RBs (stale NR CSI, fronthaul
    noise, outer loop on). Fails with the old SE-gap rate model (floor -5.5 dB)."""
    unsent, served = [], []
    real = sim._send_blocks

    def spy(*args, **kw):
        b = real(*args, **kw)
        unsent.append(int(np.count_nonzero(~b.sent)))
        served.append(b.ue.size)
        return b

    monkeypatch.setattr(sim, "_send_blocks", spy)
    over = {"edge.scheduler": scheduler, "radio.fading": "tdl", "radio.ue_speed_kmh": 30.0,
            "run.ttis": 120, "run.warmup_ttis": 20, "edge.pf_window_ttis": 10,
            "radio.mcs_table": table}  # fmt: skip
    if scheduler == "wmmse":
        over.update({"run.ttis": 40, "run.warmup_ttis": 10, "edge.wmmse_iterations": 5})
    scn = scenario(**over)
    assert scn["radio"].get("link_abstraction", "eesm") == "eesm"  # the default
    simulate(scn)
    print(f"{scheduler}: {sum(unsent)} of {sum(served)} scheduled blocks not sent")
    assert sum(served) > 0
    assert sum(unsent) == 0


@pytest.mark.filterwarnings("ignore:run.ttis - run.warmup_ttis:RuntimeWarning")  # short on purpose
def test_low_se_table_serves_users_that_tables_1_and_2_leave_at_zero():
    """With 5G-LENA's curves MCS 0 of tables 1 and 2 needs about -0.5 dB, so cell-edge UEs
    get nothing (5th percentile 0). Table 3 (radio.mcs_table = "qam64lowse") reaches down
    to QPSK 30/1024 (about -6.4 dB for a one-RB block): the same UEs are served, at
    effective SINRs of -6 to -1 dB."""
    over = {"radio.fading": "rayleigh", "deployment.ue_per_site": 10, "run.ttis": 200,
            "run.warmup_ttis": 40, "edge.pf_window_ttis": 20}  # fmt: skip
    runs = {t: simulate(scenario(**over, **{"radio.mcs_table": t})) for t in
            ("qam256", "qam64", "qam64lowse")}  # fmt: skip
    thr = {t: r.ue_throughput_bps for t, r in runs.items()}
    zero = (thr["qam256"] == 0) & (thr["qam64"] == 0)
    floor_db = {t: 10 * np.log10(rate_model("eesm", t, 24).thr[0]) for t in runs}
    assert floor_db["qam256"] > -1.0 and floor_db["qam64lowse"] < -6.0
    assert np.count_nonzero(zero) >= 3  # the defect: cell-edge users never served
    assert np.percentile(thr["qam256"], 5) == 0.0 < np.percentile(thr["qam64lowse"], 5)
    now = zero & (thr["qam64lowse"] > 0)
    sinr = runs["qam64lowse"].arrays["ue_sinr_db"][now]
    print(f"{np.count_nonzero(zero)} users at zero with tables 1/2; table 3 serves "
          f"{np.count_nonzero(now)} of them at {np.round(sinr, 1)} dB")  # fmt: skip
    assert np.count_nonzero(now) >= 0.8 * np.count_nonzero(zero)
    assert np.count_nonzero((sinr >= -6.5) & (sinr <= -1.0)) >= 3
    assert np.count_nonzero(thr["qam64lowse"] == 0) < np.count_nonzero(zero)
