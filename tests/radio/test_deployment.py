"""Deployments: make_deployment (layout, sectors, UT drop, floors) and Deployment."""

import inspect
import math

import numpy as np
import pytest

from rof.errors import ParameterError, RofError
from rof.radio.deployment import Deployment, make_deployment

#: The keywords with no default in the radio layer (the schema's default is elsewhere).
WRAP = dict(wraparound=True, indoor_fraction=0.8)


def test_make_deployment_hex_sectors_and_drop():
    rng = np.random.default_rng(7)
    d = make_deployment("hex", rng=rng, n_sites=19, inter_site_distance_m=200.0, sectors=3,
                        ue_per_site=200, indoor_fraction=0.8, wraparound=True)  # fmt: skip
    assert (d.n_sites, d.n_cells, d.n_ue) == (19, 57, 3800)
    np.testing.assert_array_equal(d.cell_site, np.repeat(np.arange(19), 3))
    np.testing.assert_array_equal(d.cell_azimuth_deg[:3], [30.0, 150.0, 270.0])
    np.testing.assert_array_equal(d.site_cell_ptr[:3], [0, 3, 6])
    assert d.wraparound and d.wrap_shifts_m.shape == (7, 2)
    assert d.ue_indoor.mean() == pytest.approx(0.8, abs=0.03)
    assert np.all(d.ue_height_m[~d.ue_indoor] == 1.5)
    # uniform over the union of hexagons: every UT is within its nearest site's hexagon,
    # and the sites hold equal shares
    rel = d.ue_xy_m - d.site_xy_m[d.ue_serving_site_hint]
    e = np.array([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in (0, 60, 120)])
    assert np.all(np.abs(rel @ e.T) <= 100.0 + 1e-9)
    share = np.bincount(d.ue_serving_site_hint, minlength=19) / d.n_ue
    assert share.min() > 0.04 and share.max() < 0.065
    omni = make_deployment(
        "hex", rng=rng, n_sites=7, sectors=1, wraparound=False, indoor_fraction=0.8
    )
    assert omni.n_cells == 7 and np.all(np.isnan(omni.cell_azimuth_deg)) and not omni.wraparound


def test_make_deployment_ppp_file_and_hotspots(tmp_path):
    rng = np.random.default_rng(9)
    d = make_deployment(
        "ppp", rng=rng, density_per_km2=20.0, area_km2=4.0, sectors=1, ue_per_site=5, **WRAP
    )
    assert d.wrap_shifts_m.shape == (9, 2) and d.n_ue == 5 * d.n_sites
    np.testing.assert_allclose(d.region_bounds_m, (-1000, -1000, 1000, 1000))
    d2 = make_deployment("ppp", rng=rng, n_sites=50, area_km2=1.0, **WRAP)
    assert 20 < d2.n_sites < 90
    p = tmp_path / "sites.csv"
    p.write_text("x_m,y_m,height_m\n0,0,20\n300,0,30\n0,300,25\n")
    f = make_deployment(
        "file",
        rng=rng,
        sites_file=p,
        sectors=3,
        ue_per_site=4,
        wraparound=False,
        indoor_fraction=0.8,
    )
    np.testing.assert_allclose(f.site_height_m, [20, 30, 25])
    assert f.n_cells == 9 and f.n_ue == 12
    # hotspots: UTs much closer to each other than a uniform drop
    kw = dict(
        rng=np.random.default_rng(2),
        n_sites=19,
        inter_site_distance_m=500.0,
        ue_per_site=30,
        **WRAP,
    )
    uni = make_deployment("hex", ue_distribution="uniform", **kw)
    hot = make_deployment("hex", ue_distribution="hotspot", hotspot_fraction=0.9, **kw)

    def nn(xy):
        dd = np.linalg.norm(xy[:, None] - xy[None], axis=2) + np.eye(len(xy)) * 1e9
        return np.median(dd.min(axis=1))

    assert nn(hot.ue_xy_m) < 0.5 * nn(uni.ue_xy_m)
    rel = hot.ue_xy_m - hot.site_xy_m[hot.ue_serving_site_hint]
    e = np.array([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in (0, 60, 120)])
    assert np.all(np.abs(rel @ e.T) <= 250.0 + 1e-6)  # folded back into the region


@pytest.mark.parametrize("scenario", ["RMa", "InH", "UMa", "UMi", "power_law", None])
def test_indoor_floors_follow_the_scenario_registry(scenario):
    """RMa (single-storey buildings) and InH keep indoor UTs at ue_height_m; the others
    put them on TR 38.901 Table 7.2-1 floors, 3 (n_fl - 1) + 1.5 m."""
    d = make_deployment(
        "hex", rng=np.random.default_rng(0), n_sites=7, scenario=scenario, indoor_fraction=1.0,
        wraparound=True, ue_per_site=30,
    )  # fmt: skip
    if scenario in ("RMa", "InH"):
        assert np.all(d.ue_height_m == 1.5)
    else:
        floors = (d.ue_height_m - 1.5) / 3.0 + 1
        np.testing.assert_allclose(floors, np.round(floors))
        assert d.ue_height_m.max() > 1.5


@pytest.mark.parametrize("kw,match", [
    (dict(layout="grid"), "layout = 'grid' is not known; allowed: 'hex', 'ppp', 'file'"),
    (dict(sectors=2), "sectors = 2"),
    (dict(indoor_fraction=1.2), "indoor_fraction = 1.2"),
    (dict(layout="ppp"), "needs density_per_km2 or area_km2"),
    (dict(layout="ppp", density_per_km2=-1.0, area_km2=1.0), "density_per_km2 = -1.0"),
    (dict(layout="file"), "needs sites_file"),
    (dict(ue_distribution="poisson"), "ue_distribution"),
    (dict(n_sites=8), "n_sites = 8"),
])  # fmt: skip
def test_make_deployment_bad_input(kw, match):
    with pytest.raises(RofError, match=match):
        make_deployment(rng=np.random.default_rng(0), **{**WRAP, **kw})


def test_scenario_defaults_live_in_the_schema_only():
    """wraparound and indoor_fraction have one default, the schema's (issue 14; the
    radio layer's were True and 0.8, the schema's are False and 0.0): make_deployment
    takes them as required keywords (tests/edge/test_world.py: the edge passes them)."""
    params = inspect.signature(make_deployment).parameters
    for name in ("wraparound", "indoor_fraction"):
        assert params[name].default is inspect.Parameter.empty
    with pytest.raises(TypeError, match="wraparound"):
        make_deployment("hex", rng=np.random.default_rng(0), n_sites=7, indoor_fraction=0.0)


def test_deployment_validates_shapes():
    with pytest.raises(ParameterError, match="ue_height_m has shape"):
        Deployment(
            site_xy_m=np.zeros((1, 2)), site_height_m=np.ones(1), cell_site=np.zeros(1, int),
            cell_azimuth_deg=np.full(1, np.nan), ue_xy_m=np.zeros((2, 2)), ue_height_m=np.ones(3),
            ue_indoor=np.zeros(2, bool), ue_serving_site_hint=np.zeros(2, int),
        )  # fmt: skip
