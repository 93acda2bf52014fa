"""Link table: the numba kernel against the dense NumPy reference, and its physics."""

import math

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.deployment import Deployment, make_deployment
from rof.radio.linktable import build_link_table
from rof.radio.linktable_reference import link_table_reference
from rof.radio.los import los_probability_38901

NETS = {
    "UMi": dict(inter_site_distance_m=200.0, site_height_m=10.0),
    "UMa": dict(inter_site_distance_m=500.0, site_height_m=25.0),
    "RMa": dict(inter_site_distance_m=1732.0, site_height_m=35.0),
    "InH": dict(inter_site_distance_m=20.0, site_height_m=3.0, ue_height_m=1.0),
    "power_law": dict(inter_site_distance_m=300.0, site_height_m=20.0),
}


def _dep(scn, sectors=3, wrap=True, n_sites=19, ue=12, seed=1, **kw):
    opts = {"indoor_fraction": 0.8, **NETS[scn], **kw}
    return make_deployment(
        "hex", rng=np.random.default_rng(seed), n_sites=n_sites, sectors=sectors,
        wraparound=wrap, ue_per_site=ue, scenario=scn, **opts,
    )  # fmt: skip


def _same(a, b):
    np.testing.assert_array_equal(a.cell, b.cell)
    np.testing.assert_allclose(a.gain_db, b.gain_db, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(a.los, b.los)
    np.testing.assert_allclose(a.d3d_m, b.d3d_m, rtol=1e-6)
    np.testing.assert_allclose(a.background_gain, b.background_gain, rtol=1e-9, atol=0)


@pytest.mark.parametrize("scn", list(NETS))
@pytest.mark.parametrize(
    "sectors,wrap,shadow,k", [(3, True, True, 8), (1, False, True, 1), (3, False, False, 57)]
)
def test_kernel_equals_dense_reference(scn, sectors, wrap, shadow, k):
    dep = _dep(scn, sectors=sectors, wrap=wrap)
    k = min(k, dep.n_cells)
    kw = dict(scenario=scn, fc_ghz=3.5, k=k, shadowing=shadow)
    a = build_link_table(dep, rng=np.random.default_rng(42), **kw)
    b = link_table_reference(dep, rng=np.random.default_rng(42), **kw)
    _same(a, b)
    assert a.cell.dtype == np.int32 and a.gain_db.dtype == np.float32
    assert np.all(np.diff(a.gain_db, axis=1) <= 0)  # sorted
    if k == dep.n_cells:
        assert np.all(a.background_gain == 0)


@pytest.mark.parametrize("mode", ["independent", "shared"])
def test_kernel_equals_reference_ppp_shared_maps_and_indoor(mode):
    dep = make_deployment("ppp", rng=np.random.default_rng(3), density_per_km2=40.0, area_km2=1.0,
                          sectors=3, ue_per_site=6, indoor_fraction=0.7, scenario="UMa",
                          site_height_m=25.0, wraparound=True)  # fmt: skip
    kw = dict(scenario="UMa", fc_ghz=28.0, k=5, shadowing_maps=mode, inh_office="mixed")
    _same(
        build_link_table(dep, rng=np.random.default_rng(8), **kw),
        link_table_reference(dep, rng=np.random.default_rng(8), **kw),
    )


def test_background_conserves_total_gain_and_same_seed_same_table():
    dep = _dep("UMi", ue=20)
    t = build_link_table(dep, scenario="UMi", fc_ghz=3.5, k=4, rng=np.random.default_rng(5))
    full = build_link_table(
        dep, scenario="UMi", fc_ghz=3.5, k=dep.n_cells, rng=np.random.default_rng(5)
    )
    total = (10.0 ** (full.gain_db.astype(float) / 10)).sum(axis=1)
    kept = (10.0 ** (t.gain_db.astype(float) / 10)).sum(axis=1)
    np.testing.assert_allclose(kept + t.background_gain, total, rtol=1e-5)
    np.testing.assert_array_equal(full.cell[:, :4], t.cell)
    again = build_link_table(dep, scenario="UMi", fc_ghz=3.5, k=4, rng=np.random.default_rng(5))
    _same(t, again)
    other = build_link_table(dep, scenario="UMi", fc_ghz=3.5, k=4, rng=np.random.default_rng(6))
    assert not np.array_equal(other.gain_db, t.gain_db)


def test_los_state_frequency_matches_los_probability():
    # one site, omni, no shadowing, UTs on a ring at 60 m:
    # P_LOS(UMi) = 18/60 + exp(-60/36) (1 - 18/60)
    n = 20_000
    ang = np.random.default_rng(0).random(n) * 2 * np.pi
    dep = Deployment(
        site_xy_m=np.zeros((1, 2)), site_height_m=np.array([10.0]), cell_site=np.zeros(1, np.int64),
        cell_azimuth_deg=np.full(1, np.nan), ue_xy_m=60.0 * np.stack([np.cos(ang), np.sin(ang)], 1),
        ue_height_m=np.full(n, 1.5), ue_indoor=np.zeros(n, bool),
        ue_serving_site_hint=np.zeros(n, np.int64),
    )  # fmt: skip
    t = build_link_table(
        dep, scenario="UMi", fc_ghz=3.5, k=1, rng=np.random.default_rng(1), shadowing=False
    )
    p = 18 / 60 + math.exp(-60 / 36) * (1 - 18 / 60)
    assert p == pytest.approx(float(los_probability_38901("UMi", 60.0)))
    assert t.los.mean() == pytest.approx(p, abs=0.012)  # 3.5 sigma
    d3 = math.hypot(60.0, 8.5)
    pl_los = 32.4 + 21 * math.log10(d3) + 20 * math.log10(3.5)
    pl_nlos = max(pl_los, 35.3 * math.log10(d3) + 22.4 + 21.3 * math.log10(3.5))
    np.testing.assert_allclose(t.gain_db[:, 0], np.where(t.los[:, 0], -pl_los, -pl_nlos), atol=1e-4)


def test_power_law_gain_and_shadowing_statistics():
    # omni sites, power law 3.76 / 128.1 dB at 1 km, sigma 8 dB: gain - (-PL) is N(0, 8^2)
    dep = _dep("power_law", sectors=1, wrap=False, n_sites=37, ue=60)
    t = build_link_table(dep, scenario="power_law", fc_ghz=2.0, k=1, rng=np.random.default_rng(3),
                         shadowing_decorrelation_m=5.0)  # fmt: skip
    pl = 128.1 + 37.6 * np.log10(t.d3d_m[:, 0].astype(float) / 1000.0)
    resid = t.gain_db[:, 0] + pl
    assert not t.los.any()
    # the strongest cell is selected on shadowed gain, so the residual is biased upward
    assert resid.mean() > 0
    t0 = build_link_table(dep, scenario="power_law", fc_ghz=2.0, k=1, rng=np.random.default_rng(3),
                          shadowing=False)  # fmt: skip
    pl0 = 128.1 + 37.6 * np.log10(t0.d3d_m[:, 0].astype(float) / 1000.0)
    np.testing.assert_allclose(t0.gain_db[:, 0], -pl0, atol=1e-4)


def test_sector_antenna_enters_the_gain():
    dep = _dep("UMi", sectors=3, wrap=False, n_sites=1, ue=400)
    t = build_link_table(
        dep, scenario="UMi", fc_ghz=3.5, k=3, rng=np.random.default_rng(0), shadowing=False
    )
    rel = dep.ue_xy_m
    az = np.degrees(np.arctan2(rel[:, 1], rel[:, 0]))
    best = np.array([30.0, 150.0, 270.0])[t.cell[:, 0]]
    off = (az - best + 180) % 360 - 180
    assert np.all(np.abs(off) <= 60.0 + 1e-6)  # the strongest sector is the one facing the UT
    spread = t.gain_db[:, 0] - t.gain_db[:, 2]
    assert spread.max() > 25.0  # front-to-back of the 30 dB pattern


@pytest.mark.parametrize("kw,match", [
    (dict(k=0), "k = 0 is out of range; allowed: >= 1"),
    (dict(k=1000), "k = 1000 is out of range; allowed: >= 1 and <= 57"),
    (dict(scenario="Urban"),
     "scenario = 'Urban' is not known; allowed: 'UMa', 'UMi', 'InH', 'RMa', 'power_law'"),
    (dict(fc_ghz=0.1), "fc_ghz = 0.1"),
    (dict(scenario="RMa"), r"ue_height_m \(RMa\) = \d+.5 is out of range; allowed: >= 1 and <= 10"),
    (dict(scenario="power_law", pathloss_exponent=0.0), "pathloss_exponent = 0.0"),
    (dict(high_loss_fraction=2.0), "high_loss_fraction = 2.0"),
])  # fmt: skip
def test_bad_input(kw, match):
    dep = _dep("UMi", ue=2)
    args = {**dict(scenario="UMi", fc_ghz=3.5, k=4, rng=np.random.default_rng(0)), **kw}
    with pytest.raises(RofError, match=match):
        build_link_table(dep, **args)


def test_heights_out_of_range_raise():
    dep = _dep("UMi", ue=2, site_height_m=200.0)
    with pytest.raises(
        RofError, match=r"site_height_m \(UMi\) = 200.0 is out of range; allowed: >= 3 and <= 150"
    ):
        build_link_table(dep, scenario="UMi", fc_ghz=3.5, k=2, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="unknown link-table option"):
        build_link_table(
            _dep("UMi", ue=2),
            scenario="UMi",
            fc_ghz=3.5,
            k=2,
            rng=np.random.default_rng(0),
            shadow=1,
        )
