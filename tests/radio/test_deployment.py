"""Deployments: hex geometry and wrap-around, PPP statistics, CSV sites, UT drops."""

import math

import numpy as np
import pytest

from rof.errors import DataError, ParameterError, RofError
from rof.radio.deployment import (
    Deployment,
    hex_sites,
    hex_wrap_shifts,
    indoor_heights_m,
    make_deployment,
    ppp_sites,
    sites_from_csv,
)


@pytest.mark.parametrize("rings", [0, 1, 2, 3, 4])
def test_hex_rings_and_isd(rings):
    n = 3 * rings * (rings + 1) + 1
    isd = 200.0
    xy = hex_sites(n, isd)
    assert xy.shape == (n, 2)
    np.testing.assert_allclose(xy[0], 0.0)
    if n == 1:
        return
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2) + np.eye(n) * 1e9
    np.testing.assert_allclose(d.min(axis=1), isd, rtol=1e-12)  # every site's nearest is ISD away
    # ring r (hexagonal distance r) holds 6 r sites
    ax_q = (xy[:, 0] - xy[:, 1] / math.sqrt(3)) / isd
    ax_r = (2 * xy[:, 1] / math.sqrt(3)) / isd
    hexdist = np.round((np.abs(ax_q) + np.abs(ax_r) + np.abs(ax_q + ax_r)) / 2).astype(int)
    counts = np.bincount(hexdist)
    assert list(counts) == [1] + [6 * r for r in range(1, rings + 1)]
    assert len(np.unique(np.round(xy, 6), axis=0)) == n


def test_hex_rejects_incomplete_layouts():
    with pytest.raises(
        ParameterError,
        match=r"n_sites = 20 is not a complete hexagonal layout; allowed: 1, 7, 19, 37",
    ):
        hex_sites(20, 200.0)
    with pytest.raises(ParameterError, match="inter_site_distance_m = -5"):
        hex_sites(7, -5.0)


@pytest.mark.parametrize("n", [7, 19, 37])
def test_wraparound_every_site_sees_the_same_neighbourhood(n):
    isd = 500.0
    xy = hex_sites(n, isd)
    sh = hex_wrap_shifts(n, isd)
    assert sh.shape == (7, 2)
    np.testing.assert_allclose(np.hypot(*sh[1:].T), math.sqrt(n) * isd)
    rel = xy[:, None, None, :] - xy[None, :, None, :] - sh[None, None]
    dw = np.linalg.norm(rel, axis=3).min(axis=2)
    np.testing.assert_allclose(dw, dw.T, atol=1e-9)  # symmetric
    # with wrap-around every site is a "centre": same sorted distance profile
    profile = np.sort(dw, axis=1)
    np.testing.assert_allclose(profile, np.broadcast_to(profile[0], profile.shape), atol=1e-6)
    # and the edge site sees a full first ring of 6 neighbours at ISD
    assert np.sum(np.isclose(dw[-1], isd)) == 6


def test_ppp_count_mean_variance_and_uniformity():
    rng = np.random.default_rng(3)
    lam, area = 12.5, 2.0  # mean 25
    counts = np.array([len(ppp_sites(lam, area, rng)) for _ in range(4000)])
    assert counts.mean() == pytest.approx(25.0, abs=0.25)  # se 0.08
    assert counts.var() == pytest.approx(25.0, rel=0.08)  # Poisson: var = mean
    pts = np.vstack([ppp_sites(lam, area, rng) for _ in range(400)])
    half = math.sqrt(area) * 500
    assert np.all(np.abs(pts) <= half)
    quad = np.bincount((pts[:, 0] > 0) * 2 + (pts[:, 1] > 0), minlength=4) / len(pts)
    np.testing.assert_allclose(quad, 0.25, atol=0.01)


@pytest.mark.parametrize("kw,match", [
    (dict(density_per_km2=0.0, area_km2=1.0), "density_per_km2 = 0.0 is out of range; allowed: > 0"),  # noqa: E501
    (dict(density_per_km2=-3.0, area_km2=1.0), "density_per_km2 = -3.0"),
    (dict(density_per_km2=5.0, area_km2=0.0), "area_km2 = 0.0"),
])  # fmt: skip
def test_ppp_bad_input(kw, match):
    with pytest.raises(RofError, match=match):
        ppp_sites(rng=np.random.default_rng(0), **kw)


def test_sites_from_csv(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("x_m,y_m,height_m\n0,0,25\n100.5,-20,30\n\n")
    xy, h = sites_from_csv(p)
    np.testing.assert_allclose(xy, [[0, 0], [100.5, -20]])
    np.testing.assert_allclose(h, [25, 30])
    p.write_text("1,2\n3,4\n")
    xy, h = sites_from_csv(p)
    assert h is None and xy.shape == (2, 2)
    p.write_text("x_m,y_m\n1,2\n3,abc\n")
    with pytest.raises(DataError, match=r"s.csv:3: expected 2 numbers"):
        sites_from_csv(p)
    p.write_text("x_m,y_m,height_m\n1,2,3\n3,4\n")
    with pytest.raises(DataError, match=r":3:"):
        sites_from_csv(p)
    p.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r":1: header"):
        sites_from_csv(p)
    with pytest.raises(DataError, match="cannot be read"):
        sites_from_csv(tmp_path / "missing.csv")


def test_indoor_heights_follow_tr_floor_model():
    h = indoor_heights_m(400_000, np.random.default_rng(1))
    floors = np.round((h - 1.5) / 3).astype(int) + 1
    np.testing.assert_allclose(3 * (floors - 1) + 1.5, h)
    assert floors.min() == 1 and floors.max() == 8
    # P(n_fl = k) = E[1/N_fl; N_fl >= k] with N_fl ~ U{4..8}
    for k in range(1, 9):
        p = sum(1 / nf for nf in range(max(k, 4), 9)) / 5
        assert np.mean(floors == k) == pytest.approx(p, abs=0.003)


def test_make_deployment_hex_sectors_and_drop():
    rng = np.random.default_rng(7)
    d = make_deployment("hex", rng=rng, n_sites=19, inter_site_distance_m=200.0, sectors=3,
                        ue_per_site=200, indoor_fraction=0.8)  # fmt: skip
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
    omni = make_deployment("hex", rng=rng, n_sites=7, sectors=1, wraparound=False)
    assert omni.n_cells == 7 and np.all(np.isnan(omni.cell_azimuth_deg)) and not omni.wraparound


def test_make_deployment_ppp_file_and_hotspots(tmp_path):
    rng = np.random.default_rng(9)
    d = make_deployment(
        "ppp", rng=rng, density_per_km2=20.0, area_km2=4.0, sectors=1, ue_per_site=5
    )
    assert d.wrap_shifts_m.shape == (9, 2) and d.n_ue == 5 * d.n_sites
    np.testing.assert_allclose(d.region_bounds_m, (-1000, -1000, 1000, 1000))
    d2 = make_deployment("ppp", rng=rng, n_sites=50, area_km2=1.0)
    assert 20 < d2.n_sites < 90
    p = tmp_path / "sites.csv"
    p.write_text("x_m,y_m,height_m\n0,0,20\n300,0,30\n0,300,25\n")
    f = make_deployment("file", rng=rng, sites_file=p, sectors=3, ue_per_site=4, wraparound=False)
    np.testing.assert_allclose(f.site_height_m, [20, 30, 25])
    assert f.n_cells == 9 and f.n_ue == 12
    # hotspots: UTs much closer to each other than a uniform drop
    kw = dict(rng=np.random.default_rng(2), n_sites=19, inter_site_distance_m=500.0, ue_per_site=30)
    uni = make_deployment("hex", ue_distribution="uniform", **kw)
    hot = make_deployment("hex", ue_distribution="hotspot", hotspot_fraction=0.9, **kw)

    def nn(xy):
        dd = np.linalg.norm(xy[:, None] - xy[None], axis=2) + np.eye(len(xy)) * 1e9
        return np.median(dd.min(axis=1))

    assert nn(hot.ue_xy_m) < 0.5 * nn(uni.ue_xy_m)
    rel = hot.ue_xy_m - hot.site_xy_m[hot.ue_serving_site_hint]
    e = np.array([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in (0, 60, 120)])
    assert np.all(np.abs(rel @ e.T) <= 250.0 + 1e-6)  # folded back into the region


def test_single_storey_for_rma_and_inh():
    d = make_deployment(
        "hex", rng=np.random.default_rng(0), n_sites=7, scenario="RMa", indoor_fraction=1.0
    )
    assert np.all(d.ue_height_m == 1.5)


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
        make_deployment(rng=np.random.default_rng(0), **kw)


def test_deployment_validates_shapes():
    with pytest.raises(ParameterError, match="ue_height_m has shape"):
        Deployment(
            site_xy_m=np.zeros((1, 2)), site_height_m=np.ones(1), cell_site=np.zeros(1, int),
            cell_azimuth_deg=np.full(1, np.nan), ue_xy_m=np.zeros((2, 2)), ue_height_m=np.ones(3),
            ue_indoor=np.zeros(2, bool), ue_serving_site_hint=np.zeros(2, int),
        )  # fmt: skip
