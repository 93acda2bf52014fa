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
    base = simulate_mimo(scenario(scheme="jt_user", precoder="zf"))
    worse = simulate_mimo(scenario(scheme="jt_user", precoder="zf", branch_crosstalk="wdm"))
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
