"""The TR 38.901 calibration configuration: arrays in the link table, UMa's drawn h_E,
minimum BS-UT distance, O2I sigma, and the calibration against R1-165974."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.calibration import (
    compare_with_published,
    published_percentiles,
    run_calibration,
)
from rof.radio.deployment import make_deployment
from rof.radio.linktable import build_link_table
from rof.radio.linktable_reference import link_table_reference
from rof.radio.o2i import draw_o2i_loss
from rof.radio.pathloss import _uma_c, uma_effective_height_from_uniform_m


def _dep(seed=1, **kw):
    args = dict(
        layout="hex",
        wraparound=True,
        indoor_fraction=0.8,
        n_sites=7,
        inter_site_distance_m=500.0,
        ue_per_site=30,
        site_height_m=25.0,
        scenario="UMa",
    )
    args.update(kw)
    return make_deployment(rng=np.random.default_rng(seed), **args)


@pytest.mark.parametrize("antenna", ["config1_10x1", "panel_4x8", "element"])
@pytest.mark.parametrize("fc", [6.0, 30.0])
def test_kernel_matches_numpy_reference_with_arrays_and_random_he(antenna, fc):
    dep = _dep()
    kw = dict(scenario="UMa", fc_ghz=fc, k=6, antenna=antenna, effective_height="random")
    a = build_link_table(dep, rng=np.random.default_rng(2), **kw)
    b = link_table_reference(dep, rng=np.random.default_rng(2), **kw)
    np.testing.assert_array_equal(a.cell, b.cell)
    np.testing.assert_allclose(a.gain_db, b.gain_db, atol=1e-4)
    np.testing.assert_allclose(a.background_gain, b.background_gain, rtol=1e-9)


def test_array_raises_the_serving_gain_by_its_array_gain():
    dep = _dep()
    kw = dict(scenario="UMa", fc_ghz=6.0, k=1, shadowing=False)
    elem = build_link_table(dep, rng=np.random.default_rng(3), antenna="element_untilted", **kw)
    arr = build_link_table(dep, rng=np.random.default_rng(3), antenna="config1_10x1", **kw)
    # a 10-element beam adds at most 10 dB toward any UT
    assert np.all(arr.gain_db - elem.gain_db <= 10.0 + 1e-3)
    assert np.median(arr.gain_db - elem.gain_db) > 3.0


def test_drawn_effective_height_follows_note_1():
    rng = np.random.default_rng(5)
    n = 200_000
    d2d, h_ut = 120.0, 22.5  # C = ((22.5-13)/10)^1.5 * 1.25 (1.2)^3 exp(-0.8)
    h_e = uma_effective_height_from_uniform_m(d2d, h_ut, rng.random(n))
    c = float(_uma_c(d2d, h_ut))
    assert np.mean(h_e == 1.0) == pytest.approx(1 / (1 + c), abs=0.005)
    vals, counts = np.unique(h_e[h_e > 1.0], return_counts=True)
    np.testing.assert_array_equal(vals, [12.0, 15.0, 18.0, 21.0])  # up to h_UT - 1.5
    np.testing.assert_allclose(counts / counts.sum(), 0.25, atol=0.01)
    # low UTs: always 1 m
    assert np.all(uma_effective_height_from_uniform_m(80.0, 1.5, rng.random(100)) == 1.0)


def test_random_effective_height_changes_links_beyond_the_breakpoint():
    dep = _dep(seed=4, indoor_fraction=1.0)
    kw = dict(scenario="UMa", fc_ghz=1.0, k=21, shadowing=False)
    mean = build_link_table(dep, rng=np.random.default_rng(1), effective_height="mean", **kw)
    rnd = build_link_table(dep, rng=np.random.default_rng(1), effective_height="random", **kw)
    assert not np.allclose(np.sort(mean.gain_db, axis=1), np.sort(rnd.gain_db, axis=1))


def test_minimum_distance_keeps_every_ut_away_from_every_site():
    dep = _dep(seed=7, ue_per_site=200, min_ue_distance_m=35.0)
    imgs = (dep.site_xy_m[None] + dep.wrap_shifts_m[:, None]).reshape(-1, 2)
    d = np.linalg.norm(dep.ue_xy_m[:, None] - imgs[None], axis=2).min(axis=1)
    assert d.min() >= 35.0
    plain = _dep(seed=7, ue_per_site=200)
    d0 = np.linalg.norm(plain.ue_xy_m[:, None] - imgs[None], axis=2).min(axis=1)
    assert d0.min() < 35.0  # the constraint did something


def test_minimum_distance_beyond_the_isd_is_refused():
    with pytest.raises(RofError, match=r"min_ue_distance_m .*allowed: \[0, 500\)"):
        _dep(min_ue_distance_m=600.0)


def test_o2i_sigma_override():
    ind = np.ones(100_000, bool)
    base = draw_o2i_loss("UMa", ind, 6.0, np.random.default_rng(0), high_loss_fraction=0.0)
    wide = draw_o2i_loss(
        "UMa", ind, 6.0, np.random.default_rng(0), high_loss_fraction=0.0, sigma_low_db=8.8
    )
    # same draws, the normal term scaled by 8.8 / 4.4
    diff = wide.loss_db - base.loss_db
    z = diff / 4.4
    assert np.std(z) == pytest.approx(1.0, abs=0.01)
    with pytest.raises(RofError, match="o2i_sigma_low_db"):
        draw_o2i_loss("UMa", ind[:3], 6.0, np.random.default_rng(0), sigma_low_db=-1.0)


def test_published_table_reads():
    ref = published_percentiles("UMa", 6.0)
    assert ref["coupling_loss_db"][0] == 150.4 and ref["geometry_db"][9] == 8.6
    assert np.all(np.diff(ref["coupling_loss_db"]) < 0) and np.all(np.diff(ref["geometry_db"]) > 0)
    with pytest.raises(KeyError):
        published_percentiles("RMa", 6.0)


@pytest.mark.parametrize("scenario", ["UMa", "UMi"])
def test_calibration_within_1p5_db_of_published_median(scenario):
    res = run_calibration(scenario, drops=4, seed=11, ue_per_site=60)
    rows = compare_with_published(res)
    for r in rows:
        assert abs(r["difference_db"]) < 1.5, r
