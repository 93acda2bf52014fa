"""The TR 38.901 spatial channel in the multi-antenna loop (mimo.channel = "tr38901")."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.channel import ArrayChannel, SpatialArrayChannel
from rof.edge.mimo.loop import simulate_mimo
from rof.edge.world import build_world
from rof.errors import RofError
from rof.scenario import Scenario


def scenario(**mimo):
    return {
        "name": "mimo-spatial",
        "seed": 4,
        "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 6},
        "radio": {"fading": "rician", "bandwidth_mhz": 20.0, "rate_model": "shannon"},
        "fronthaul": {"fiber_length_km": 5.0},
        "edge": {"pf_window_ttis": 4},
        "run": {"ttis": 8, "warmup_ttis": 4, "drops": 1},
        "mimo": {"n_ant": 4, "streams_per_cell": 2, **mimo},
    }


def _world(d):
    scn = Scenario.from_dict(d)
    return scn, build_world(scn, np.random.default_rng(0))


def test_layout_and_links_follow_the_world():
    """The same links in the same order and layout as the Clarke channel; the mean
    power over elements, RBs and links sits at the link table's large-scale gain (the
    element pattern replaces the fixed beam), within the spread of a drop."""
    scn, world = _world(scenario(channel="tr38901"))
    ch = SpatialArrayChannel(scn, world, np.random.default_rng(1))
    np.testing.assert_array_equal(ch.spatial.cell, world.link_cell)
    h = ch.at(0.0)
    ref = ArrayChannel(world, 4, np.random.default_rng(1), rician_k_db=9.0).at(0.0)
    assert h.shape == ref.shape == (world.n_rb, *world.link_cell.shape, 4)
    assert h.dtype == np.complex128
    ratio = np.mean(np.abs(h[..., 0, :]) ** 2, axis=(0, 2)) / world.large_scale[:, 0]
    assert 0.1 < np.median(ratio) < 10.0


def _rho(chan, nlos, times):
    """Median over NLOS links of each link's |E h0 h1*| / sqrt(E|h0|^2 E|h1|^2), the
    expectation over RBs and time (a link's mean angle sets its correlation's phase)."""
    h = np.stack([np.asarray(chan.at(t))[:, nlos] for t in times])  # (T, n_rb, L, n_ant)
    a, b = h[..., 0], h[..., 1]
    num = np.abs(np.mean(a * np.conj(b), axis=(0, 1)))
    den = np.sqrt(np.mean(np.abs(a) ** 2, axis=(0, 1)) * np.mean(np.abs(b) ** 2, axis=(0, 1)))
    return float(np.median(num / den))


def test_antennas_correlate_and_rbs_differ_unlike_the_clarke_channel():
    """Finite angular spreads correlate half-wavelength neighbours (Sionna 2.2 gives
    0.56 on UMa NLOS, ``tests/radio/test_spatial_vs_sionna.py``), while the Clarke
    channel's antennas are independent in ensemble; over one link's time its
    sum-of-sinusoids processes keep a floor of about 1/sqrt(oscillators). The delay
    spread makes RBs differ."""
    scn, world = _world(scenario(channel="tr38901"))
    nlos = ~world.los
    times = np.arange(60) * 0.1  # 3 km/h at 3.5 GHz: f_d = 9.7 Hz, 0.1 s apart ~ independent
    spatial = SpatialArrayChannel(scn, world, np.random.default_rng(2))
    clarke = ArrayChannel(world, 4, np.random.default_rng(2), rician_k_db=9.0)
    rho, rho_c = _rho(spatial, nlos, times), _rho(clarke, nlos, times)
    assert rho > 0.5 and rho > rho_c + 0.25, (rho, rho_c)
    h = spatial.at(0.0)
    assert np.std(np.abs(h[:, 0, 0, 0])) > 0.05 * np.mean(np.abs(h[:, 0, 0, 0]))


def test_loop_runs_on_the_spatial_channel():
    res = simulate_mimo(scenario(channel="tr38901", scheme="jt_user"))
    assert res.kpis["ue_throughput_mean_bps"] > 0
    assert np.all(np.isfinite(res.samples.ue["thr"]))


def test_only_tr38901_street_scenarios():
    d = scenario(channel="tr38901")
    d["radio"]["scenario"] = "RMa"
    d["radio"]["site_height_m"] = 35.0
    d["deployment"]["inter_site_distance_m"] = 1732.0
    with pytest.raises(RofError, match=r"mimo\.channel = 'tr38901' needs radio\.scenario"):
        simulate_mimo(d)


def test_wrong_scenario_is_refused_when_the_scenario_loads():
    """Before any drop is built: the scenario itself refuses it, one line, exit 2."""
    d = scenario(channel="tr38901")
    d["radio"].update(scenario="RMa", site_height_m=35.0)
    d["deployment"]["inter_site_distance_m"] = 1732.0
    with pytest.raises(RofError, match=r"allowed: 'clarke' with radio\.scenario = 'RMa'"):
        Scenario.from_dict(d)
