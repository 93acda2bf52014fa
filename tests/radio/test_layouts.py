"""Site layouts: hex geometry and wrap-around, PPP statistics, CSV sites."""

import math

import numpy as np
import pytest

from rof.errors import DataError, ParameterError, RofError
from rof.radio.layouts import (
    file_layout,
    hex_layout,
    hex_sites,
    hex_wrap_shifts,
    ppp_layout,
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


def test_layout_regions_and_copies(tmp_path):
    """Each layout's region and wrap-around copies (the zero shift first)."""
    h = hex_layout(7, 200.0, wraparound=True)
    assert h.shifts.shape == (7, 2) and np.all(h.shifts[0] == 0) and h.isd == 200.0
    # the region pads the sites' box by the hexagon circumradius ISD / sqrt(3)
    ext = np.abs(h.sites).max(axis=0) + 200.0 / math.sqrt(3)
    np.testing.assert_allclose(h.bounds, (-ext[0], -ext[1], ext[0], ext[1]))
    assert hex_layout(7, 200.0, wraparound=False).shifts.shape == (1, 2)
    p = ppp_layout(0, 30.0, 4.0, True, np.random.default_rng(0))
    np.testing.assert_allclose(p.bounds, (-1000.0, -1000.0, 1000.0, 1000.0))
    np.testing.assert_array_equal(p.shifts[0], [0.0, 0.0])
    assert sorted(map(tuple, np.abs(p.shifts))) == sorted(
        (abs(a), abs(b)) for a in (-2000.0, 0.0, 2000.0) for b in (-2000.0, 0.0, 2000.0)
    )
    assert math.isnan(p.isd) and p.heights is None
    f = tmp_path / "s.csv"
    f.write_text("x_m,y_m\n0,0\n100,0\n")
    lay = file_layout(f)
    spacing = math.sqrt((100.0 + 1.0) * 1.0 / 2)  # sqrt(prod(ptp + 1) / n)
    np.testing.assert_allclose(
        lay.bounds, (-spacing / 2, -spacing / 2, 100 + spacing / 2, spacing / 2)
    )
    assert lay.shifts.shape == (1, 2)
    with pytest.raises(ParameterError, match="needs sites_file"):
        file_layout(None)
