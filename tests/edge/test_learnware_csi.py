"""``csi = "learnware"``: feature consistency with the dock's task and prediction quality.

References are independent of the code under test: the TR 38.901 UMi path-loss
formulas written out here, the stored fading states read directly for integer CSI
delays, and the true present fading of the simulated channel.
"""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.chanpred.task import COLUMN, GAIN_DEV_COLUMNS, N_LAGS
from rof.edge.csi import CsiHistory
from rof.edge.learnware_csi import (
    REFERENCE_UE_HEIGHT_M,
    LearnwareCsi,
    history_span_ttis,
    isotropic_median_gain_db,
    reference_geometry,
)
from rof.edge.world import build_world
from rof.learnware.paths import default_dock_path

pytest.importorskip("sklearn")
needs_dock = pytest.mark.skipif(
    not (default_dock_path() / "index.sqlite").exists(), reason="no shipped dock"
)


def _scenario(seed=1, n_sites=7, ue_per_site=5, fiber_km=20.0, **radio):
    from rof.sweep import Scenario

    r = {
        "scenario": "UMi",
        "bandwidth_mhz": 20.0,
        "resource_blocks": 51,
        "fading": "tdl",
        "ue_speed_kmh": 30.0,
        "top_k_links": 16,
    }
    r.update(radio)
    return Scenario.from_dict(
        {
            "name": "lw-csi",
            "seed": seed,
            "deployment": {
                "n_sites": n_sites,
                "inter_site_distance_m": 200.0,
                "wraparound": n_sites > 1,
                "ue_per_site": ue_per_site,
                "indoor_fraction": 0.8,
            },
            "radio": r,
            "fronthaul": {"fiber_length_km": fiber_km},
            "edge": {"csi": "learnware", "scheduler": "coordinated_pf"},
            "run": {"ttis": 200, "warmup_ttis": 20},
        }
    )


def _setup(scn, seed=1):
    from rof.edge.simulate import _csi_delays

    rng = np.random.default_rng(seed)
    world = build_world(scn, rng)
    age_s, delay = _csi_delays(world, scn.edge, scn.edge.csi_ageing)
    lw = LearnwareCsi(scn, world, age_s, rng)
    hist = CsiHistory(
        delay.max() + history_span_ttis(world.tti_s),
        (*world.link_cell.shape, world.n_rb),
    )
    return world, delay, lw, hist


def _umi_pl_ref(d2d, d3d, fc_ghz, h_bs, h_ut, los):
    """TR 38.901 Table 7.4.1-1 UMi-Street Canyon, written out (d2d below d'BP here)."""
    dbp = 4.0 * (h_bs - 1.0) * (h_ut - 1.0) * fc_ghz * 1e9 / 299_792_458.0
    assert np.all(d2d <= dbp)
    pl_los = 32.4 + 21.0 * np.log10(d3d) + 20.0 * np.log10(fc_ghz)
    pl_nlos = 35.3 * np.log10(d3d) + 22.4 + 21.3 * np.log10(fc_ghz) - 0.3 * (h_ut - 1.5)
    return np.where(los, pl_los, np.maximum(pl_los, pl_nlos))


def test_reference_link_geometry_and_gain_follow_tr38901():
    scn = _scenario()
    d2d = np.array([3.0, 20.0, 60.0, 99.0, 400.0])
    h_bs, h_ut = 10.0, np.array([1.5, 4.5, 22.5, 1.5, 7.5])
    d3d = np.sqrt(d2d**2 + (h_bs - h_ut) ** 2)
    d3d_ref, h_ref = reference_geometry(d3d, h_bs, h_ut, cell_radius_m=100.0)
    d2d_ref = np.clip(d2d, 10.0, 100.0)
    np.testing.assert_allclose(h_ref, REFERENCE_UE_HEIGHT_M)
    np.testing.assert_allclose(d3d_ref, np.sqrt(d2d_ref**2 + (h_bs - 1.5) ** 2), rtol=1e-12)
    los = np.array([True, False, True, False, False])
    got = isotropic_median_gain_db(scn.radio, d3d_ref, h_bs, h_ref, los)
    want = -_umi_pl_ref(d2d_ref, d3d_ref, 3.5, h_bs, 1.5, los)
    np.testing.assert_allclose(got, want, atol=1e-9)


@needs_dock
def test_feature_rows_are_the_stored_fading_history_under_the_reference_gain():
    # No fiber: the CSI age is the 0.5 ms processing delay = one 0.5 ms slot exactly,
    # so every lag reads one stored state without interpolation.
    scn = _scenario(n_sites=1, ue_per_site=3, fiber_km=0.0)
    world, delay, lw, hist = _setup(scn)
    np.testing.assert_allclose(delay, 1.0)
    states = []
    for _ in range(N_LAGS + 2):
        states.append(world.fading.step().copy())
        hist.push(states[-1])
    x = lw.features(hist)
    n_ue, k = world.link_cell.shape
    n_rb = world.n_rb
    # lag j (oldest first) is the state 1 + (N_LAGS - 1 - j) TTIs before the newest
    g = np.stack([states[-2 - (N_LAGS - 1 - j)] for j in range(N_LAGS)], axis=-1)
    g_db = 10.0 * np.log10(np.broadcast_to(g, (n_ue, k, n_rb, N_LAGS)).astype(np.float64))
    hist_db = lw.ref_db[:, :, None, None] + g_db
    mean = hist_db.mean(axis=-1).ravel()
    np.testing.assert_allclose(x[:, COLUMN["mean_gain_db"]], mean, rtol=1e-6)
    dev = x[:, list(GAIN_DEV_COLUMNS)]
    np.testing.assert_allclose(dev, hist_db.reshape(-1, N_LAGS) - mean[:, None], atol=1e-4)
    d2d = np.sqrt(world.d3d_m**2 - (10.0 - world.deployment.ue_height_m[:, None]) ** 2)
    d2d_ref = np.clip(d2d, 10.0, lw.cell_radius_m)
    d3d_ref = np.sqrt(d2d_ref**2 + 8.5**2)
    np.testing.assert_allclose(
        x[:, COLUMN["log10_d3d_m"]], np.repeat(np.log10(d3d_ref).ravel(), n_rb), rtol=1e-9
    )
    np.testing.assert_allclose(x[:, COLUMN["h_ut_m"]], 1.5)
    np.testing.assert_allclose(x[:, COLUMN["los"]], np.repeat(world.los.ravel(), n_rb))
    fd = 30.0 / 3.6 * 3.5e9 / 299_792_458.0
    np.testing.assert_allclose(x[:, COLUMN["log10_doppler_hz"]], np.log10(fd), rtol=1e-9)
    np.testing.assert_allclose(x[:, COLUMN["horizon_ms"]], 0.5)  # horizon in ms


@pytest.mark.parametrize("pushes", [3, 14])
def test_feature_kernel_equals_the_numpy_reference(pushes):
    """The one-pass kernel against the per-lag NumPy path (delayed_state per lag): 20 km
    of fiber gives fractional delays; 3 pushes leave the history partly filled."""
    scn = _scenario(n_sites=1, ue_per_site=3, fiber_km=20.0)
    world, delay, lw, hist = _setup(scn)
    assert np.any(delay % 1.0 > 0.0)
    for _ in range(pushes):
        hist.push(world.fading.step())
    want = lw.features_ref(hist)
    got = lw.features(hist)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@needs_dock
def test_transposed_path_predicts_exactly_what_the_rows_predict():
    """The per-TTI path (float32 rows written transposed, predict_t) gives the numbers
    of the plain path (float64 rows, predict) and of the NumPy reference walk."""
    from rof.learnware.compiled import predict_ref

    scn = _scenario(n_sites=1, ue_per_site=4, fiber_km=20.0)
    world, _, lw, hist = _setup(scn)
    for _ in range(14):
        hist.push(world.fading.step())
    lw.fit_predictor(lw.features(hist))
    hist.push(world.fading.step())
    x = lw.features(hist).copy()
    xt = lw.features_t(hist)
    np.testing.assert_array_equal(xt, x.T.astype(np.float32))
    assert lw.predictor.takes_transposed
    got = lw.predictor.predict_t(xt)
    np.testing.assert_array_equal(got, lw.predictor.predict(x))
    # the dense kernel sums the leaves in float32: T 2^-24 sum |leaf| of the reference
    one = lw.predictor._reuser._one
    bound = one.scale.size * 2.0**-24 * float(np.sum(np.max(np.abs(one._dense[2]), axis=1)))
    assert 0.0 < bound < 1e-2  # dB, a worst case: far below any prediction error
    np.testing.assert_allclose(got, predict_ref(one, x), rtol=0, atol=bound)


def test_no_fading_leaves_the_report_unchanged():
    scn = _scenario(n_sites=1, ue_per_site=2, fading="none")
    world, delay, lw, hist = _setup(scn)
    for _ in range(12):
        hist.push(world.fading.step())
    rep = hist.delayed(world.link_cell, delay)
    assert lw.predict(hist, rep) is rep


@needs_dock
def test_learnware_prediction_beats_the_delayed_report():
    """At 20 km of fiber and 30 km/h the reused predictor is closer to the present
    fading than the 0.7 ms old report (RMSE in dB over every link and RB)."""
    scn = _scenario(n_sites=1, ue_per_site=6)
    world, delay, lw, hist = _setup(scn, seed=4)
    err_rep, err_lw = [], []
    for _ in range(40):
        fad = world.fading.step()
        hist.push(fad)
        rep = hist.delayed(world.link_cell, delay)
        pred = lw.predict(hist, rep)
        if pred is rep:
            continue
        true_db = 10.0 * np.log10(np.broadcast_to(fad, rep.shape).astype(np.float64))
        err_rep.append(10.0 * np.log10(rep.astype(np.float64)) - true_db)
        err_lw.append(10.0 * np.log10(pred.astype(np.float64)) - true_db)
    assert len(err_lw) >= 25
    assert lw.predictor.result.matched
    assert lw.predictor.names[0] == "UMi-3.5GHz-30kmh"
    rmse_rep = np.sqrt(np.mean(np.square(err_rep)))
    rmse_lw = np.sqrt(np.mean(np.square(err_lw)))
    assert rmse_lw < 0.8 * rmse_rep, (rmse_lw, rmse_rep)


@pytest.mark.slow
@needs_dock
def test_learnware_csi_recovers_throughput_lost_to_csi_ageing():
    """(learnware - delayed) / (perfect - delayed) > 0 over seeds, with its 95 % CI."""
    from scipy import stats

    from rof.edge import simulate

    shares = []
    for seed in range(1, 6):
        thr = {}
        for csi in ("perfect", "delayed", "learnware"):
            d = _scenario(seed=seed).to_dict()
            d["edge"]["csi"] = csi
            thr[csi] = simulate(d).kpis["ue_throughput_mean_bps"]
        assert thr["perfect"] > thr["delayed"]
        shares.append((thr["learnware"] - thr["delayed"]) / (thr["perfect"] - thr["delayed"]))
    shares = np.asarray(shares)
    half = stats.t.ppf(0.975, shares.size - 1) * shares.std(ddof=1) / np.sqrt(shares.size)
    assert shares.mean() - half > 0.0, (shares.mean(), half)


@needs_dock
def test_60_kmh_falls_back_to_the_delayed_report_with_a_message():
    """No shipped learnware covers 60 km/h: the best single match is above the
    threshold, so the edge keeps the delayed report and says why (issue 17 item 6)."""
    scn = _scenario(n_sites=1, ue_per_site=6, ue_speed_kmh=60.0)
    world, delay, lw, hist = _setup(scn, seed=4)
    served = 0
    for _ in range(16):
        hist.push(world.fading.step())
        rep = hist.delayed(world.link_cell, delay)
        served += lw.predict(hist, rep) is rep
    assert lw.searched and lw.predictor is None and served == 16
    assert "falls back to the delayed report" in lw.message
    assert "no good match" in lw.message


@needs_dock
def test_scenario_table_sets_the_search():
    """[edge.learnware] reaches the search: a zero threshold refuses even a covered speed."""
    base = _scenario(n_sites=1, ue_per_site=3).to_dict()
    base["edge"]["learnware"] = {"mmd_threshold": 0.0, "top_k": 2, "spec_rows": 200}
    from rof.sweep import Scenario

    scn = Scenario.from_dict(base)
    world, delay, lw, hist = _setup(scn)
    for _ in range(12):
        hist.push(world.fading.step())
    rep = hist.delayed(world.link_cell, delay)
    assert lw.predict(hist, rep) is rep and "no good match" in lw.message


@needs_dock
@pytest.mark.parametrize(
    "name, learnware",
    [
        ("capacity_vs_fiber", "UMi-3.5GHz-3kmh"),
        ("coordination", "UMi-3.5GHz-3kmh"),
        ("densification", "UMi-3.5GHz-3kmh"),
    ],
)
def test_shipped_scenarios_are_covered_by_a_single_learnware(name, learnware):
    """Every shipped scenario's speed and deployment has a shipped predictor: the CSI
    mode matches one learnware within the threshold (no fallback)."""
    from pathlib import Path

    from rof.sweep import Scenario

    root = Path(__file__).resolve().parents[2]
    d = Scenario.from_toml(root / "scenarios" / f"{name}.toml").to_dict()
    d.pop("sweep", None)
    d["edge"]["csi"] = "learnware"
    world, _, lw, hist = _setup(Scenario.from_dict(d))
    for _ in range(20):
        hist.push(world.fading.step())
        if lw.ready(hist):
            break
    lw.fit_predictor(lw.features(hist))
    assert lw.predictor is not None, lw.message
    assert lw.predictor.names[0] == learnware
    assert lw.predictor.result.best.mmd <= lw.settings.mmd_threshold
