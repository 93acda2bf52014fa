"""UT drops: floor heights of indoor UTs, uniform and hotspot positions."""

import math

import numpy as np
import pytest

from rof.radio.layouts import hex_layout, ppp_layout
from rof.radio.ue_drop import drop_positions, indoor_heights_m


def test_indoor_heights_follow_tr_floor_model():
    h = indoor_heights_m(400_000, np.random.default_rng(1))
    floors = np.round((h - 1.5) / 3).astype(int) + 1
    np.testing.assert_allclose(3 * (floors - 1) + 1.5, h)
    assert floors.min() == 1 and floors.max() == 8
    # P(n_fl = k) = E[1/N_fl; N_fl >= k] with N_fl ~ U{4..8}
    for k in range(1, 9):
        p = sum(1 / nf for nf in range(max(k, 4), 9)) / 5
        assert np.mean(floors == k) == pytest.approx(p, abs=0.003)


def test_uniform_hex_drop_fills_the_hexagons_evenly():
    lay = hex_layout(7, 200.0, wraparound=True)
    xy = drop_positions(7000, lay, "hex", np.random.default_rng(1))
    near = np.argmin(np.linalg.norm(xy[:, None] - lay.sites[None], axis=2), axis=1)
    rel = xy - lay.sites[near]
    e = np.array([[math.cos(math.radians(a)), math.sin(math.radians(a))] for a in (0, 60, 120)])
    assert np.all(np.abs(rel @ e.T) <= 100.0 + 1e-9)  # inside the nearest site's hexagon
    share = np.bincount(near, minlength=7) / len(xy)
    np.testing.assert_allclose(share, 1 / 7, atol=0.015)


def test_hotspots_fold_into_the_torus():
    lay = ppp_layout(0, 25.0, 1.0, True, np.random.default_rng(4))
    rng = np.random.default_rng(5)
    xy = drop_positions(
        500, lay, "ppp", rng, distribution="hotspot", hotspot_fraction=1.0, hotspot_sigma_m=20.0
    )
    lo, hi = np.array(lay.bounds[:2]), np.array(lay.bounds[2:])
    assert np.all((xy >= lo) & (xy <= hi))
    # clustered: median nearest-neighbour distance far below a uniform drop's, which
    # is about 0.5 / sqrt(500 per km^2) = 22 m (Poisson; Haenggi 2012, 2.9)
    dd = np.linalg.norm(xy[:, None] - xy[None], axis=2) + np.eye(len(xy)) * 1e9
    assert np.median(dd.min(axis=1)) < 0.5 * 0.5e3 / math.sqrt(500)


@pytest.mark.parametrize("kw,match", [
    (dict(hotspot_fraction=1.5), "hotspot_fraction = 1.5"),
    (dict(hotspot_sigma_m=0.0), "hotspot_sigma_m = 0"),
])  # fmt: skip
def test_hotspot_bad_input(kw, match):
    lay = hex_layout(7, 200.0, wraparound=False)
    with pytest.raises(ValueError, match=match):
        drop_positions(10, lay, "hex", np.random.default_rng(0), distribution="hotspot", **kw)
