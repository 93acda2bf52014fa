"""The uplink run: reproducible, single-site equivalence, the sites' cascade from the budget."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rof.edge.uplink import simulate_uplink
from rof.edge.uplink.simulate import uplink_sites
from rof.edge.world import build_world
from rof.scenario import Scenario

SMALL = {
    "name": "ul-small",
    "seed": 3,
    "deployment": {"layout": "hex", "n_sites": 7, "inter_site_distance_m": 200.0, "ue_per_site": 6},
    "radio": {
        "scenario": "UMi",
        "carrier_ghz": 3.5,
        "bandwidth_mhz": 10.0,
        "subcarrier_spacing_khz": 30,
        "fading": "rayleigh",
        "top_k_links": 6,
    },
    "fronthaul": {"fiber_length_km": 10.0, "transmitter": {"type": "dml", "rin_db_per_hz": -145.0}},
    "uplink": {"p0_dbm": -85.0, "alpha": 0.8},
    "edge": {"pf_window_ttis": 5},
    "run": {"ttis": 30, "warmup_ttis": 5, "drops": 2},
}


@pytest.fixture(scope="module")
def scn():
    return Scenario.from_dict(SMALL)


def _run(scn, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return simulate_uplink(scn, **kw)


def test_runs_and_is_reproducible(scn):
    a, b = _run(scn), _run(scn)
    np.testing.assert_array_equal(a.ue_throughput_bps, b.ue_throughput_bps)
    assert a.ue_throughput_bps.shape == (2 * 7 * 6,)
    assert a.kpis["ue_throughput_mean_bps"] > 0
    lo, hi = a.ci("ue_throughput_mean_bps")
    assert lo <= a.kpis["ue_throughput_mean_bps"] <= hi
    assert 0.0 <= a.kpis["bler"] <= 1.0


def test_cluster_of_one_is_single_site_reception(scn):
    """Joint reception with one branch (the combining kernel) gives the run without
    combining (the per-site SINR kernel): the same blocks, bit for bit."""
    none = _run(scn.with_overrides({"uplink.combining": "none"}))
    for comb in ("mrc", "mmse"):
        one = _run(scn.with_overrides({"uplink.combining": comb, "uplink.cluster_size": 1}))
        np.testing.assert_allclose(one.ue_throughput_bps, none.ue_throughput_bps, rtol=0, atol=0)


def test_sites_carry_the_cascade_budget(scn):
    from rof.link import build_link
    from rof.link.uplink import RfAmplifier, UplinkRoFLink

    world = build_world(scn, np.random.default_rng(0))
    sites = uplink_sites(scn, world)
    b = world.rb_bandwidth_hz
    up = UplinkRoFLink(
        RfAmplifier(30.0, 1.5, -30.0),
        build_link(scn.fronthaul.parts()),
        RfAmplifier(20.0, 5.0, 0.0),
    )
    bud = up.budget(3.5e9, -60.0, b, length_km=10.0)
    kt0 = 1.380649e-23 * 290.0
    f, f1 = 10 ** (float(bud.noise_figure_db) / 10), 10**0.15
    np.testing.assert_allclose(sites.fh_w, kt0 * b * (f - f1), rtol=1e-9)
    np.testing.assert_allclose(sites.noise_w, kt0 * b * f1, rtol=1e-9)
    np.testing.assert_allclose(sites.iip3_w, 10 ** (float(bud.iip3_dbm) / 10) / 1e3, rtol=1e-9)
    ideal = uplink_sites(scn, world, ideal=True)
    assert np.all(ideal.fh_w == 0.0) and np.all(np.isinf(ideal.iip3_w))


def test_worse_laser_rin_costs_throughput(scn):
    quiet = _run(scn.with_overrides({"fronthaul.transmitter.rin_db_per_hz": -160.0}))
    noisy = _run(scn.with_overrides({"fronthaul.transmitter.rin_db_per_hz": -120.0}))
    assert noisy.kpis["ul_noise_figure_db_mean"] > quiet.kpis["ul_noise_figure_db_mean"] + 3.0
    assert noisy.kpis["ue_throughput_mean_bps"] < quiet.kpis["ue_throughput_mean_bps"]
    assert math.isfinite(quiet.kpis["ul_sfdr_db_min"])


def test_rof_run_dispatches_an_uplink_scenario(scn, tmp_path):
    """The sweep's point function runs the uplink for a scenario with [uplink]."""
    from rof.sweep.run import run_point

    small = scn.with_overrides({"run.drops": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        point = run_point(small)
        direct = simulate_uplink(small)
    assert "ul_noise_figure_db_mean" in point["kpis"]
    assert point["kpis"]["ue_throughput_mean_bps"] == direct.kpis["ue_throughput_mean_bps"]


def test_study_rows(scn, tmp_path):
    """Fiber, RIN and antenna rows with paired joint-reception gains and paired changes
    against the ideal fronthaul; the cascade NF grows with RIN and from 0 to 30 km; the
    ideal fronthaul is the LNA's NF; the JSON the notebook reads."""
    import json

    from rof.edge.uplink.study import format_rows, main, rows_to_json, uplink_study

    tiny = scn.with_overrides({"run.ttis": 15, "run.warmup_ttis": 5, "run.drops": 2})
    rows = uplink_study(tiny, fiber_km=(0.0, 30.0), rin_db_per_hz=(-125.0,), n_ant=(2,))
    assert [(r.axis, r.combining) for r in rows[:2]] == [("fiber_km", "none"), ("fiber_km", "mmse")]
    assert len(rows) == 10 and rows[-1].axis == "ideal"
    nf = {(r.axis, r.value, r.combining): r.noise_figure_db for r in rows}
    assert nf[("fiber_km", 30.0, "none")] > nf[("fiber_km", 0.0, "none")]
    assert nf[("ideal", 0.0, "none")] == pytest.approx(1.5)
    for r in rows:
        lo, hi = r.ci["ue_throughput_mean_bps"]
        assert lo <= r.kpis["ue_throughput_mean_bps"] <= hi
        if r.combining == "mmse":
            g, (glo, ghi) = r.gain["ue_throughput_mean_bps"]
            assert glo <= g <= ghi
        if r.axis in ("fiber_km", "rin_db_per_hz"):
            v, (vlo, vhi) = r.vs_ideal["ue_throughput_mean_bps"]
            assert vlo <= v <= vhi and v <= 0.05  # a real fronthaul never helps much
        else:
            assert r.vs_ideal == {}
    assert "JR gain" in format_rows(rows)
    data = json.loads(json.dumps(rows_to_json(rows, tiny)))
    assert len(data["rows"]) == 10 and "[uplink]" in data["scenario_toml"]
    path = tmp_path / "s.toml"
    path.write_text(tiny.to_toml_text())
    out = tmp_path / "study.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        argv = [str(path), str(out), "--drops", "1", "--n-ant", "--fiber-km", "0", "--rin"]
        assert main(argv) == 0
    written = json.loads(out.read_text())
    assert written["drops"] == 1 and len(written["rows"]) == 4  # 0 km and ideal, x 2


def test_one_antenna_per_site_is_todays_run(scn):
    """``uplink.n_ant = 1`` given explicitly is the run without the key, bit for bit."""
    base = _run(scn)
    one = _run(scn.with_overrides({"uplink.n_ant": 1}))
    np.testing.assert_array_equal(one.ue_throughput_bps, base.ue_throughput_bps)
    np.testing.assert_array_equal(one.sinr_db, base.sinr_db)


def test_receive_antennas_per_site(scn):
    """Two antennas per cell, each with its own LNA and link: reproducible, more
    throughput than one (array gain and diversity on a power-limited uplink), MMSE over
    sites and antennas at least the single site's antennas on average."""
    two = scn.with_overrides({"uplink.n_ant": 2})
    a, b = _run(two), _run(two)
    np.testing.assert_array_equal(a.ue_throughput_bps, b.ue_throughput_bps)
    assert a.kpis["ul_n_ant"] == 2.0
    one = _run(scn)
    assert a.kpis["ue_throughput_mean_bps"] > one.kpis["ue_throughput_mean_bps"]
    site = _run(two.with_overrides({"uplink.combining": "none"}))
    assert a.kpis["ue_throughput_mean_bps"] >= site.kpis["ue_throughput_mean_bps"]


def test_antenna_tti_combines_per_antenna_branches(scn):
    """One TTI with 3 antennas: the SINR after combining equals the NumPy twin over the
    (cell, antenna) branches with each branch's floor (its own IM3 on each RB)."""
    from rof.edge.mimo.channel import ArrayChannel
    from rof.edge.uplink.joint import joint_sinr_reference
    from rof.edge.uplink.simulate import UplinkTti
    from rof.radio.uplink import uplink_sinr

    s3 = scn.with_overrides({"uplink.n_ant": 3})
    world = build_world(s3, np.random.default_rng(1))
    sites = uplink_sites(s3, world)
    chan = ArrayChannel(world, 3, np.random.default_rng(2))
    h = np.moveaxis(chan.at(0.0)[:1], 0, 3)
    tti = UplinkTti(s3, world, sites)
    rng = np.random.default_rng(3)
    out = tti(h, 1.0 / rng.uniform(1e5, 1e6, world.deployment.n_ue), tti.floor.copy())
    assert out.sinr.shape == (world.n_cells, world.n_rb) and np.any(out.assign >= 0)
    g = np.abs(h) ** 2
    im3 = np.zeros((world.n_cells, 3, world.n_rb))
    for a in range(3):
        _, _, im3[:, a] = uplink_sinr(
            tti.lc,
            np.broadcast_to(g[:, :, a], (*g.shape[:2], world.n_rb)),
            tti.bg,
            out.assign,
            out.p_w,
            sites.noise_w,
            sites.fh_w,
            sites.iip3_w,
        )
    floor = tti.floor[:, None, None] + im3
    ref = joint_sinr_reference(
        tti.lc, h, tti.bg_share, out.assign, out.p_w, floor, s3.uplink.cluster_size, "mmse"
    )
    np.testing.assert_allclose(out.sinr, ref, rtol=1e-9)


def test_bad_antenna_count_names_the_key():
    from rof.errors import ConfigError

    bad = dict(SMALL, uplink={"n_ant": 0})
    with pytest.raises(ConfigError, match=r"uplink\.n_ant"):
        Scenario.from_dict(bad)
    flat = Scenario.from_dict(dict(SMALL, uplink={"n_ant": 2})).with_overrides(
        {"radio.fading": "none"}
    )
    with pytest.raises(ConfigError, match=r"radio\.fading = 'none' is not supported"):
        _run(flat)
