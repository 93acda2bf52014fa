"""Shadow fading: TR 38.901 sigma_SF / d_corr values and the exp(-d/d_corr) correlation."""

import math

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.shadowing import (
    exponential_fields,
    make_shadowing_maps,
    sample_one,
    sample_shadowing,
    sf_decorrelation_m,
    shadow_fading_std_db,
)

# TR 38.901 Table 7.4.1-1 sigma_SF (dB) and Table 7.5-6 SF decorrelation distances (m)
SIGMA = {
    ("UMa", True): 4.0, ("UMa", False): 6.0, ("UMi", True): 4.0, ("UMi", False): 7.82,
    ("InH", True): 3.0, ("InH", False): 8.03, ("RMa", True): 4.0, ("RMa", False): 8.0,
}  # fmt: skip
DCORR = {
    ("UMa", "LOS"): 37, ("UMa", "NLOS"): 50, ("UMa", "O2I"): 7,
    ("UMi", "LOS"): 10, ("UMi", "NLOS"): 13, ("UMi", "O2I"): 7,
    ("InH", "LOS"): 10, ("InH", "NLOS"): 6,
    ("RMa", "LOS"): 37, ("RMa", "NLOS"): 120, ("RMa", "O2I"): 120,
}  # fmt: skip


@pytest.mark.parametrize("key", list(SIGMA))
def test_sigma_sf_values(key):
    assert shadow_fading_std_db(*key) == SIGMA[key]


def test_rma_los_sigma_after_breakpoint():
    assert shadow_fading_std_db("RMa", True, after_breakpoint=True) == 6.0
    assert shadow_fading_std_db("UMa", True, after_breakpoint=True) == 4.0


@pytest.mark.parametrize("key", list(DCORR))
def test_decorrelation_distances(key):
    assert sf_decorrelation_m(*key) == DCORR[key]


def test_bad_state_lists_allowed():
    with pytest.raises(
        RofError, match=r"state \(InH\) = 'O2I' is not known; allowed: 'LOS', 'NLOS'"
    ):
        sf_decorrelation_m("InH", "O2I")


def _lag_corr(f, di, dj):
    return float(np.mean(f * np.roll(f, (-dj, -di), axis=(1, 2))))


def test_grid_field_has_unit_variance_and_exponential_correlation():
    d = 3.0  # cells
    f = exponential_fields(8, 256, 1.0, d, np.random.default_rng(11)).astype(float)
    assert f.mean() == pytest.approx(0.0, abs=0.03)
    assert f.var() == pytest.approx(1.0, abs=0.04)
    for di, dj in [(1, 0), (0, 3), (3, 0), (6, 0), (2, 2), (3, 3), (0, 9)]:
        assert _lag_corr(f, di, dj) == pytest.approx(math.exp(-math.hypot(di, dj) / d), abs=0.04)


def _pairs(n, extent, r, rng):
    x = rng.random((n, 2)) * extent
    a = rng.random(n) * 2 * math.pi
    return x, x + r * np.stack([np.cos(a), np.sin(a)], axis=1)


@pytest.mark.parametrize("mode", ["independent", "shared"])
def test_sampled_shadowing_correlation_matches_exp(mode):
    d_corr = 10.0
    rng = np.random.default_rng(5)
    n_sites = 12
    maps = make_shadowing_maps([d_corr, np.nan, np.nan], n_sites, 600.0, rng, mode=mode)
    assert maps.mode == mode
    n = 40_000
    sites = rng.integers(0, n_sites, n)
    z0 = sample_shadowing(maps, 0, sites, *rng.random((2, n)) * 600)
    assert z0.var() == pytest.approx(1.0, abs=0.05)
    for r in [d_corr / 4, d_corr / 2, d_corr, 2 * d_corr, 4 * d_corr]:
        a, b = _pairs(n, 600.0, r, rng)
        za = sample_shadowing(maps, 0, sites, a[:, 0], a[:, 1])
        zb = sample_shadowing(maps, 0, sites, b[:, 0], b[:, 1])
        assert np.mean(za * zb) == pytest.approx(math.exp(-r / d_corr), abs=0.04), r


def test_sites_are_uncorrelated_in_shared_mode():
    rng = np.random.default_rng(8)
    maps = make_shadowing_maps([13.0, 13.0, 7.0], 50, 3000.0, rng, mode="shared")
    x, y = rng.random((2, 20_000)) * 3000
    z = np.stack([sample_shadowing(maps, 1, s, x, y) for s in range(50)])
    c = np.corrcoef(z)
    off = c[~np.eye(50, dtype=bool)]
    assert np.abs(off).max() < 0.06
    assert np.abs(off.mean()) < 0.01


def test_numba_reader_equals_numpy_reference():
    rng = np.random.default_rng(2)
    maps = make_shadowing_maps([10.0, 13.0, 7.0], 9, 500.0, rng, mode="shared")
    x, y = (rng.random((2, 500)) - 0.3) * 900
    for st in range(3):
        for s in range(9):
            ref = sample_shadowing(maps, st, s, x, y)
            got = [
                sample_one(
                    maps.fields[st],
                    maps.spacing_m[st],
                    maps.map_index[s],
                    maps.offset_cells[s, 0],
                    maps.offset_cells[s, 1],
                    xi,
                    yi,
                )
                for xi, yi in zip(x, y, strict=True)
            ]
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)


def test_auto_mode_and_bad_input():
    rng = np.random.default_rng(0)
    assert make_shadowing_maps([10.0, 13.0, 7.0], 19, 1000.0, rng).mode == "independent"
    assert make_shadowing_maps([10.0, 13.0, 7.0], 2000, 8000.0, rng).mode == "shared"
    with pytest.raises(RofError, match="mode = 'both'"):
        make_shadowing_maps([10.0, 13.0, 7.0], 3, 100.0, rng, mode="both")
    with pytest.raises(RofError, match=r"shadowing_maps = 'independent' needs .* MiB"):
        make_shadowing_maps([10.0, 13.0, 7.0], 1000, 6000.0, rng, mode="independent")
    with pytest.raises(RofError, match="n_sites = 0"):
        make_shadowing_maps([10.0, 13.0, 7.0], 0, 100.0, rng)
