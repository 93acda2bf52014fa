"""The multi-antenna TTI loop (issue 19 item 5)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.loop import simulate_mimo
from rof.errors import RofError


def scenario(**mimo):
    return {
        "name": "mimo",
        "seed": 4,
        "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 6},
        "radio": {"fading": "rayleigh", "bandwidth_mhz": 20.0, "rate_model": "shannon"},
        "fronthaul": {"fiber_length_km": 5.0},
        "edge": {"pf_window_ttis": 4},
        "run": {"ttis": 8, "warmup_ttis": 4, "drops": 1},
        "mimo": {"n_ant": 4, "streams_per_cell": 2, **mimo},
    }


def test_cluster_of_one_runs_like_per_cell_mu_mimo():
    single = simulate_mimo(scenario(scheme="single"))
    jt1 = simulate_mimo(scenario(scheme="jt_static", cluster_size=1))
    np.testing.assert_allclose(jt1.samples.ue["thr"], single.samples.ue["thr"], rtol=1e-9)
    assert single.kpis["ue_throughput_mean_bps"] > 0
    lo, hi = (
        single.kpis["ue_throughput_mean_bps_ci_low"],
        single.kpis["ue_throughput_mean_bps_ci_high"],
    )
    assert lo <= single.kpis["ue_throughput_mean_bps"] <= hi


def test_fronthaul_noise_and_crosstalk_cost_throughput():
    """One TTI with perfect CSI: the same users are chosen (the selection does not see the
    branches), and WDM crosstalk between the branches mixes the ZF beams: less sent."""

    def one_tti(**kw):
        d = scenario(scheme="jt_user", precoder="zf", **kw)
        d["run"] = {"ttis": 1, "warmup_ttis": 0, "drops": 1}
        d["edge"]["csi"] = "perfect"
        return simulate_mimo(d)

    base, worse = one_tti(), one_tti(branch_crosstalk="wdm")
    assert worse.kpis["ue_throughput_mean_bps"] < base.kpis["ue_throughput_mean_bps"]


@pytest.mark.parametrize(
    ("mimo", "edge", "words"),
    [
        ({"scheme": "jt_user", "cluster_size": 40}, {}, ["mimo.cluster_size = 40", "1 to"]),
        ({}, {"csi": "learnware"}, ["edge.csi", "'perfect', 'delayed'"]),
    ],
)
def test_bad_input(mimo, edge, words):
    d = scenario(**mimo)
    d["edge"].update(edge)
    with pytest.raises(RofError) as exc:
        simulate_mimo(d)
    for w in words:
        assert w in str(exc.value)


def test_cluster_selection_sees_the_other_cells_users():
    """Two cells of one cluster, one antenna each, one user each whose channels to the
    cluster's two antennas, (1, 0.5) and (0.6, 1.2), correlate at 0.8 > epsilon = 0.4: per
    cell both are chosen (each alone in its cell); over the cluster SUS keeps only the one
    of larger PF metric ``w ||h||^2`` (1.25 w_0 vs 1.8 w_1), and the PF weight decides."""
    from rof.edge.mimo.loop import select_users

    h = np.zeros((1, 2, 2, 1), dtype=complex)  # (rb, ue, K, ant): user u's links to cells 0, 1
    h[0, 0, :, 0] = [1.0, 0.5]
    h[0, 1, :, 0] = [1.2, 0.6]  # user 1: links (cell 1, cell 0), i.e. 1.2 x user 0's
    link_cell = np.array([[0, 1], [1, 0]])
    serving = np.array([0, 1])
    cells = np.array([[0], [1]])
    per_cell = np.array([[0], [1]])
    both = select_users(h, cells, per_cell, serving, link_cell, np.ones(2), 1, 0.4)
    assert both[0].tolist() == [[0], [1]]
    cluster = np.array([[0, 1]])
    one = select_users(h, cells, cluster, serving, link_cell, np.ones(2), 1, 0.4)
    assert one[0].tolist() == [[-1], [1]]  # 1.8 > 1.25
    pf = select_users(h, cells, cluster, serving, link_cell, np.array([2.0, 1.0]), 1, 0.4)
    assert pf[0].tolist() == [[0], [-1]]  # user 0 served less so far: 2.5 > 1.8


def test_flat_channel_on_one_rb_equals_every_rb(monkeypatch):
    """Flat fading: the loop decides on one RB and counts its bits on all; computing every
    RB (identical channels, weights, hence decisions) gives the same throughput."""
    import rof.edge.mimo.loop as loop

    d = scenario(scheme="jt_user", precoder="rzf")
    d["edge"]["fronthaul_noise"] = True
    fast = simulate_mimo(d)
    monkeypatch.setattr(loop, "REDUCE_FLAT", False)
    full = simulate_mimo(d)
    np.testing.assert_allclose(fast.ue_throughput_bps, full.ue_throughput_bps, rtol=1e-12)
    assert fast.kpis["muted_rb_share"] == full.kpis["muted_rb_share"]
    assert fast.ue_throughput_bps.sum() > 0


def test_subband_precoders_on_selective_fading():
    """TDL fading: one precoder per subband costs a little throughput against per-RB
    precoders (the channel varies inside the subband) but is within it."""
    d = scenario(scheme="jt_user", precoder="zf")
    d["radio"]["fading"] = "tdl"
    d["edge"]["csi"] = "perfect"
    per_rb = simulate_mimo(d)
    d["mimo"]["subband_prbs"] = 8
    sub = simulate_mimo(d)
    a, b = sub.kpis["ue_throughput_mean_bps"], per_rb.kpis["ue_throughput_mean_bps"]
    assert 0.5 * b < a < b
