"""End-to-end checks of the TTI loop against independent references."""

from __future__ import annotations

import copy
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from rof.edge import simulate
from rof.errors import RofError
from rof.radio import rates

BASE = {
    "name": "edge-test",
    "seed": 3,
    "deployment": {
        "n_sites": 7,
        "inter_site_distance_m": 200.0,
        "wraparound": True,
        "ue_per_site": 6,
        "indoor_fraction": 0.5,
    },
    "radio": {"bandwidth_mhz": 10.0, "fading": "rayleigh", "top_k_links": 8},
    "edge": {"scheduler": "proportional_fair"},
    "run": {"ttis": 60, "warmup_ttis": 10, "drops": 1},
}


def scenario(**over):
    """BASE with dotted overrides, e.g. scenario(**{"edge.csi": "perfect"})."""
    d = copy.deepcopy(BASE)
    for key, value in over.items():
        parts = key.split(".")
        t = d
        for p in parts[:-1]:
            t = t.setdefault(p, {})
        t[parts[-1]] = value
    return d


def test_same_seed_same_result_and_other_seed_differs():
    a = simulate(scenario(**{"edge.scheduler": "coordinated_pf"}))
    b = simulate(scenario(**{"edge.scheduler": "coordinated_pf"}))
    c = simulate(scenario(**{"edge.scheduler": "coordinated_pf", "seed": 4}))
    np.testing.assert_array_equal(a.ue_throughput_bps, b.ue_throughput_bps)
    np.testing.assert_array_equal(a.sinr_db, b.sinr_db)
    assert not np.array_equal(a.ue_throughput_bps, c.ue_throughput_bps)


def test_result_contents():
    over = {"edge.traffic": "bursty", "edge.arrival_rate_per_s": 5.0, "edge.file_size_bits": 1e5}
    r = simulate(scenario(**over, **{"run.drops": 2}))
    n_sites, n_ue = 7, 42
    for key in ("fiber_km", "snr_fh_db", "evm_percent", "latency_s", "site_xy_m"):
        assert r.arrays[key].shape[0] == n_sites
    # per-UE arrays pool the users of both drops, in drop order
    assert r.ue_throughput_bps.shape == (2 * n_ue,)
    assert r.arrays["ue_xy_m"].shape == (2 * n_ue, 2)
    np.testing.assert_array_equal(r.arrays["ue_drop"], np.repeat([0, 1], n_ue))
    assert r.kpis["drops"] == 2.0 and r.kpis["n_ue"] == n_ue
    # EVM and SNDR are two views of the same figure: SNDR = -20 log10(EVM / 100)
    np.testing.assert_allclose(
        r.arrays["snr_fh_db"], -20 * np.log10(r.arrays["evm_percent"] / 100), rtol=1e-9
    )
    # latency = n_g L / c for the fiber of each site (n_g = 1.468)
    np.testing.assert_allclose(
        r.arrays["latency_s"], 1.468 * r.arrays["fiber_km"] * 1e3 / 299792458.0, rtol=1e-6
    )
    # bursty: nobody gets more than was offered
    assert r.kpis["area_throughput_bps_per_km2"] > 0
    assert np.sum(r.ue_throughput_bps) / 2 <= r.kpis["offered_load_bps"] * 60 / 50 + 1e-6
    for k in (
        "ue_throughput_p5_bps",
        "jain_fairness",
        "muted_rb_share",
        "spectral_efficiency_bps_per_hz_per_cell",
    ):
        assert np.isfinite(r.kpis[k])
    # wall-clock figures live apart from the (reproducible) KPIs
    assert np.isfinite(r.timings["scheduler_time_per_tti_s"])
    assert not any(k.startswith("scheduler_time") for k in r.kpis)


def _single_link(rate_model, link_abstraction="se_gap"):
    return scenario(
        **{
            "radio.link_abstraction": link_abstraction,
            "deployment.n_sites": 1,
            "deployment.sectors": 1,
            "deployment.wraparound": False,
            "deployment.ue_per_site": 1,
            "deployment.inter_site_distance_m": 1000.0,
            "deployment.indoor_fraction": 0.0,
            "radio.scenario": "power_law",
            "radio.fading": "none",
            "radio.site_power_dbm": 30.0,
            "radio.shadowing": False,
            "radio.rate_model": rate_model,
            "edge.csi": "perfect",
            "run.ttis": 2000,
            "run.warmup_ttis": 100,
        }
    )


def _expected_sinr_db(r):
    """SINR of a lone link written out: g P / (N + g P / SNR_fh)."""
    g = 10 ** (r.arrays["link_gain_db"][0, 0] / 10)
    s = g * r.arrays["p_rb_w"][0]
    snr_fh = 10 ** (r.arrays["snr_fh_db"][0] / 10)
    return 10 * np.log10(s / (r.arrays["noise_w"][0] + s / snr_fh))


def test_single_link_shannon_rate_is_exact():
    r = simulate(_single_link("shannon"))
    sinr_db = _expected_sinr_db(r)
    np.testing.assert_allclose(r.sinr_db, sinr_db, atol=1e-6)
    np.testing.assert_allclose(r.arrays["ue_sinr_db"], [sinr_db], atol=1e-6)
    n_rb, tti = r.kpis["n_rb"], r.kpis["tti_s"]
    se = min(0.6 * np.log2(1 + 10 ** (sinr_db / 10)), 7.4063) if sinr_db >= -10 else 0.0
    want = np.floor(se * 12 * 12 * n_rb) / tti
    assert np.isclose(r.ue_throughput_bps[0], want, rtol=1e-12)


def test_single_link_follows_mcs_table_with_outer_loop():
    """Throughput of one interference-free link against a plain re-implementation of
    link adaptation on TS 38.214's table (rates module) at the simulated SINR, under the
    SE-gap rule (radio.link_abstraction = "se_gap")."""
    r = simulate(_single_link("mcs"))
    sinr_db = _expected_sinr_db(r)
    print(f"single link: SINR {sinr_db:.2f} dB, {r.ue_throughput_bps[0] / 1e6:.2f} Mbit/s")
    assert 3.0 < sinr_db < 25.0  # the drop puts the link in the MCS table's range
    np.testing.assert_allclose(r.sinr_db, sinr_db, atol=1e-6)
    n_rb, tti = int(r.kpis["n_rb"]), r.kpis["tti_s"]
    rng = np.random.default_rng(12345)
    off, bits, errs, sent = 0.0, [], 0, 0
    up, down = 0.5, 0.5 * 0.1 / 0.9
    for t in range(2000):
        m = rates.select_mcs(sinr_db - off, "qam256", 0.1)
        if m < 0:
            b = 0
        else:
            err = rng.random() < rates.bler(sinr_db, m, "qam256")
            b = 0 if err else rates.tb_bits(m, n_rb, 12, "qam256")
            off = float(np.clip(off + (up if err else -down), -10.0, 10.0))
            errs += err
            sent += 1
        if t >= 100:
            bits.append(b)
    want = np.mean(bits) / tti
    assert abs(r.ue_throughput_bps[0] / want - 1) < 0.03
    # never above Shannon over the whole carrier
    shannon = np.log2(1 + 10 ** (sinr_db / 10)) * n_rb * 12 * 30e3
    assert r.ue_throughput_bps[0] < shannon
    if rates.select_mcs(sinr_db, "qam256", 0.1) < 27:  # the outer loop can reach the target
        assert abs(r.kpis["bler"] - 0.1) < 0.02


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("edge.scheduler", "magic", "edge.scheduler"),
        ("edge.processing_delay_ms", -1.0, "edge.processing_delay_ms"),
        ("run.ttis", 0, "run.ttis"),
        ("run.warmup_ttis", 60, "run.warmup_ttis"),
    ],
)
def test_bad_input_names_the_field(key, value, needle):
    with pytest.raises(RofError, match=needle.replace(".", r"\.")) as exc:
        simulate(scenario(**{key: value}))
    if key == "edge.scheduler":
        for name in ("round_robin", "proportional_fair", "coordinated_pf", "wmmse"):
            assert name in str(exc.value)


@pytest.mark.parametrize(
    ("edge", "run", "needle"),
    [
        ({"scheduler": "fair_share"}, {}, "coordinated_pf"),
        ({"processing_delay_ms": -0.1}, {}, "edge.processing_delay_ms"),
        ({}, {"ttis": 0}, "run.ttis"),
        ({}, {"ttis": 10, "warmup_ttis": 10}, "run.warmup_ttis"),
    ],
)
def test_simulate_refuses_bad_edge_and_run_keys(edge, run, needle):
    d = copy.deepcopy(BASE)
    d["edge"].update(edge)
    d["run"].update(run)
    with pytest.raises(RofError, match=needle):
        simulate(d)


def test_simulate_refuses_other_objects():
    ns = SimpleNamespace(
        **{k: SimpleNamespace(**v) for k, v in BASE.items() if isinstance(v, dict)}
    )
    with pytest.raises(RofError, match=r"allowed: a rof\.scenario\.Scenario"):
        simulate(ns)


def _fiber(length_km, noise, ageing):
    return scenario(
        **{
            "fronthaul.fiber_length_km": length_km,
            "fronthaul.laser_power_dbm": 0.0,
            "edge.fronthaul_noise": noise,
            "edge.csi_ageing": ageing,
            "edge.csi_timeline": "fixed",  # the report delayed by the round trip alone
            "edge.scheduler": "coordinated_pf",
            "radio.ue_speed_kmh": 60.0,
            "radio.fading": "tdl",
            "run.ttis": 120,
            "run.warmup_ttis": 20,
        }
    )


def _mean_thr(d):
    return simulate(d).kpis["ue_throughput_mean_bps"]


def test_nr_timeline_ages_csi_by_whole_slots_of_fiber():
    """With the NR CSI timeline the report is already ~16 slots old; 100 km of fiber
    (0.98 ms round trip + 0.5 ms processing = 2.96 slots of 0.5 ms) adds one slot over 1 km
    (1.02 slots), nothing more."""
    over = {"run.ttis": 30, "run.warmup_ttis": 5, "edge.csi_ageing": True}
    short = simulate(scenario(**over, **{"fronthaul.fiber_length_km": 1.0}))
    long_ = simulate(scenario(**over, **{"fronthaul.fiber_length_km": 100.0}))
    assert short.kpis["csi_delay_ttis_mean"] == pytest.approx(16.5)
    assert long_.kpis["csi_delay_ttis_mean"] == pytest.approx(17.5)


def test_throughput_falls_with_fiber_through_each_effect_alone():
    short, long_ = 1.0, 100.0
    # both effects off: fiber length changes nothing at all
    assert _mean_thr(_fiber(short, False, False)) == _mean_thr(_fiber(long_, False, False))
    # fronthaul noise alone
    n_short, n_long = _mean_thr(_fiber(short, True, False)), _mean_thr(_fiber(long_, True, False))
    assert n_long < 0.9 * n_short
    # CSI ageing alone
    a_short, a_long = _mean_thr(_fiber(short, False, True)), _mean_thr(_fiber(long_, False, True))
    assert a_long < 0.98 * a_short
    print(f"noise only: {n_long / n_short:.3f}; ageing only: {a_long / a_short:.3f}")


@pytest.mark.parametrize(
    "over",
    [
        {"edge.scheduler": "wmmse", "edge.wmmse_starts": 2, "edge.wmmse_iterations": 5},
        {"edge.scheduler": "round_robin"},
        {"edge.scheduler": "coordinated_pf", "edge.fronthaul_aware": True},
        {"edge.scheduler": "fronthaul_aware"},
        {"edge.scheduler": "proportional_fair", "edge.csi": "perfect"},
    ],
)
def test_schedulers_run_in_the_loop(over):
    r = simulate(scenario(**{"run.ttis": 30, "run.warmup_ttis": 5, **over}))
    assert r.kpis["ue_throughput_mean_bps"] > 0
    assert 0.0 <= r.kpis["muted_rb_share"] <= 1.0
    assert r.timings["scheduler_time_s"].shape == (25,)


def test_learnware_csi_runs_with_the_shipped_dock():
    pytest.importorskip("sklearn")
    from rof.learnware.paths import default_dock_path

    if not (default_dock_path() / "index.sqlite").exists():
        pytest.skip("no shipped dock")
    d = scenario(
        **{
            "deployment.n_sites": 1,
            "deployment.wraparound": False,
            "deployment.ue_per_site": 4,
            "radio.ue_speed_kmh": 30.0,
            "fronthaul.fiber_length_km": 20.0,
            "edge.csi": "learnware",
            "run.ttis": 30,
            "run.warmup_ttis": 15,
        }
    )
    try:
        r = simulate(d)
    except RofError as exc:  # the dock may find no good match for this deployment
        assert "no good match" in str(exc)
        return
    assert np.all(np.isfinite(r.ue_throughput_bps))


def test_accepts_toml_path_and_scenario_object(tmp_path):
    from rof.sweep import Scenario

    scn = Scenario.from_dict(scenario(**{"run.ttis": 20, "run.warmup_ttis": 5}))
    path = tmp_path / "s.toml"
    path.write_text(scn.to_toml_text())
    a, b = simulate(path), simulate(scn)
    np.testing.assert_array_equal(a.ue_throughput_bps, b.ue_throughput_bps)
    assert a.scenario_name == "edge-test"


def test_ring_wdm_node_detuning_costs_fronthaul_snr_and_throughput():
    over = {"fronthaul.transmitter": "ring", "run.ttis": 30, "run.warmup_ttis": 5}
    locked = simulate(scenario(**over))
    hot = simulate(
        scenario(
            **over, **{"fronthaul.temperature_offset_k": 5.0, "fronthaul.heater_locking": False}
        )
    )
    assert np.all(hot.arrays["snr_fh_db"] < locked.arrays["snr_fh_db"] - 3.0)
    assert hot.kpis["ue_throughput_mean_bps"] < locked.kpis["ue_throughput_mean_bps"]


def test_per_ue_sinr_and_edge_position_for_maps():
    r = simulate(scenario(**{"fronthaul.edge_location": [120.0, -40.0]}))
    assert r.arrays["ue_sinr_db"].shape == r.ue_throughput_bps.shape
    served = np.isfinite(r.arrays["ue_sinr_db"])
    # on 5G-LENA's curves (default) MCS 0 needs ~-0.5 dB: a UE below it on every RB of
    # these 50 TTIs is never scheduled (NaN), under the SE-gap rule (-5.5 dB) few are
    assert served.mean() > 0.75
    # a UE's mean SINR lies inside the range of all measured SINR samples
    lo, hi = r.sinr_db.min(), r.sinr_db.max()
    assert np.all(
        (r.arrays["ue_sinr_db"][served] >= lo - 1e-9)
        & (r.arrays["ue_sinr_db"][served] <= hi + 1e-9)
    )
    np.testing.assert_array_equal(r.arrays["edge_xy_m"], [120.0, -40.0])
    # fiber = route factor x straight-line distance to that edge position
    d_km = np.hypot(*(r.arrays["site_xy_m"] - [120.0, -40.0]).T) / 1e3
    np.testing.assert_allclose(r.arrays["fiber_km"], 1.5 * d_km)


def test_a_run_shorter_than_ten_pf_windows_warns():
    with pytest.warns(RuntimeWarning, match="edge.pf_window_ttis = 100"):
        simulate(scenario())
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        simulate(scenario(**{"edge.pf_window_ttis": 5, "run.warmup_ttis": 5, "run.ttis": 55}))


def test_drops_are_fresh_and_shared_between_schedulers():
    """Each drop redraws users; two schedulers see the same drops (a paired comparison)."""
    over = {"run.drops": 2, "run.ttis": 20, "run.warmup_ttis": 5}
    a = simulate(scenario(**over, **{"edge.scheduler": "proportional_fair"}))
    b = simulate(scenario(**over, **{"edge.scheduler": "coordinated_pf"}))
    xy, drop = a.arrays["ue_xy_m"], a.arrays["ue_drop"]
    assert not np.allclose(xy[drop == 0], xy[drop == 1])
    np.testing.assert_array_equal(xy, b.arrays["ue_xy_m"])
    np.testing.assert_array_equal(a.arrays["link_gain_db"], b.arrays["link_gain_db"])
    # drop 0 of a two-drop run is the one-drop run: drops do not depend on their number
    one = simulate(scenario(**{**over, "run.drops": 1}))
    np.testing.assert_array_equal(one.ue_throughput_bps, a.ue_throughput_bps[drop == 0])


def test_kpis_carry_their_95_percent_intervals():
    r = simulate(scenario(**{"run.drops": 2, "run.ttis": 20, "run.warmup_ttis": 5}))
    for k in ("ue_throughput_p5_bps", "ue_throughput_mean_bps", "cell_throughput_bps", "bler"):
        lo, hi = r.kpis[f"{k}_ci_low"], r.kpis[f"{k}_ci_high"]
        assert lo <= r.kpis[k] <= hi
        assert r.ci(k) == (lo, hi)
    lo50, hi50 = r.ci("ue_throughput_mean_bps", level=0.5)
    assert r.kpis["ue_throughput_mean_bps_ci_low"] < lo50 < hi50
    assert hi50 < r.kpis["ue_throughput_mean_bps_ci_high"]
    assert r.kpis["ue_throughput_mean_bps"] == pytest.approx(np.mean(r.ue_throughput_bps))


def test_eesm_link_abstraction_holds_the_bler_target_on_a_single_link():
    """radio.link_abstraction = "eesm": a lone link at a fixed SINR gets the highest MCS whose
    5G-LENA 10 %-BLER SINR it reaches (after the outer loop settles), so its BLER is near
    the target and its rate below the se_gap rule's (the curves sit ~2.5 dB further from
    Shannon)."""
    over = {"radio.link_abstraction": "eesm", "edge.cqi_quantised": False}
    d = _single_link("mcs")
    for k, v in over.items():
        d["radio" if k.startswith("radio") else "edge"][k.split(".")[1]] = v
    eesm = simulate(d)
    gap = simulate(_single_link("mcs"))
    assert 0.05 <= eesm.kpis["bler"] <= 0.15
    assert eesm.kpis["ue_throughput_mean_bps"] < gap.kpis["ue_throughput_mean_bps"]


def test_each_drop_reports_progress_when_status_lines_are_on(capsys):
    # A long `rof run` used to be silent from compilation to the summary.
    from rof._status import set_quiet

    d = copy.deepcopy(BASE)
    d["run"] = {"ttis": 12, "warmup_ttis": 2, "drops": 2}
    set_quiet(False)
    try:
        with pytest.warns(RuntimeWarning):
            simulate(d)
    finally:
        set_quiet(None)
    lines = [x for x in capsys.readouterr().err.splitlines() if "drop" in x]
    assert [x.split(":")[0].strip() for x in lines] == ["drop 1 of 2", "drop 2 of 2"]
