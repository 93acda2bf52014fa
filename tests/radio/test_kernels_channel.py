"""The scalar numba twins of the path-loss and LOS models, and the links' uniforms.

Each twin reads the same :class:`~rof.radio.tr38901.model.Formulas` as the NumPy
function it mirrors; both are compared link by link for every registered scenario
(the NumPy functions are checked against the TR's text in test_pathloss/test_los).
"""

import math
import warnings

import numpy as np
import pytest

from rof.radio.kernels_channel import link_uniform, link_uniform_np, los_probability, pathloss
from rof.radio.kernels_linktable import Propagation
from rof.radio.los import los_probability_38901
from rof.radio.pathloss import breakpoint_distance_m, pathloss_38901
from rof.radio.tr38901 import SCENARIOS

# (h_BS, h_UT range, 2-D distance range) inside each scenario's Table 7.4.1-1 ranges
GEOMETRY = {
    "UMa": (25.0, (1.5, 22.5), (1.0, 5000.0)),
    "UMi": (10.0, (1.5, 22.5), (1.0, 5000.0)),
    "InH": (3.0, (0.5, 2.5), (0.2, 150.0)),
    "RMa": (35.0, (1.0, 10.0), (1.0, 10000.0)),
}


def _prop(sc, fc, h=5.0, w=20.0):
    lim = sc.limits(True)
    return Propagation(
        power_law=False,
        fc_ghz=fc,
        d_min_m=float(lim["d_min_m"]),
        d_min_3d=sc.min_distance_3d,
        building_height_m=h,
        street_width_m=w,
        inh_open=False,
        pl_ref_db=0.0,
        pl_exponent=1.0,
        pl_d0_m=1.0,
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("fc", [0.9, 3.5, 28.0])
def test_pathloss_twin_equals_numpy(name, fc):
    sc = SCENARIOS[name]
    if fc > sc.limits(True)["fc_max_ghz"]:
        pytest.skip("outside the scenario's carrier range")
    h_bs, (hu0, hu1), (d0, d1) = GEOMETRY[name]
    rng = np.random.default_rng([list(SCENARIOS).index(name), int(fc * 10)])
    n = 400
    d2d = np.exp(rng.uniform(math.log(d0), math.log(d1), n))
    h_ut = rng.uniform(hu0, hu1, n)
    d3d = np.hypot(d2d, h_bs - h_ut)
    los = rng.random(n) < 0.5
    prop = _prop(sc, fc, h=8.0, w=30.0)
    bpc = np.full(4, np.nan)
    got = np.empty(n)
    after = np.empty(n, bool)
    for i in range(n):
        got[i], after[i] = pathloss(
            sc.formulas, prop, d2d[i], d3d[i], math.log10(fc), h_bs, h_ut[i], los[i], bpc
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = pathloss_38901(
            name, d2d, d3d, fc, h_bs, h_ut, los, on_range="ignore",
            street_width_m=30.0, building_height_m=8.0,
        )  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    # the after-breakpoint flag picks RMa's LOS sigma_SF (6 dB beyond d_BP, 4 dB before)
    if name == "RMa":
        dbp = breakpoint_distance_m(fc, h_bs, h_ut, effective=False)
        np.testing.assert_array_equal(after, np.maximum(d2d, 10.0) > dbp)
    elif not sc.formulas.breakpoint:
        assert not after.any()


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("inh_open", [False, True])
def test_los_probability_twin_equals_numpy(name, inh_open):
    _, (hu0, hu1), (d0, d1) = GEOMETRY[name]
    rng = np.random.default_rng(3)
    d = np.concatenate([np.exp(rng.uniform(math.log(d0), math.log(d1), 300)), [0.0, 18.0]])
    h = rng.uniform(hu0, hu1, d.size)
    f = SCENARIOS[name].formulas
    got = np.array([los_probability(f, d[i], h[i], inh_open) for i in range(d.size)])
    office = "open" if inh_open else "mixed"
    with np.errstate(divide="ignore"):
        want = los_probability_38901(name, d, h, inh_office=office)
    # the twin skips exp(-d/d2) below exp(-40), a change of < 4e-18
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)


def test_link_uniform_twin_and_distribution():
    seed = np.uint64(0x1234_5678_9ABC)
    ue = np.arange(2000)
    site = np.arange(2000)[::-1]
    want = link_uniform_np(seed, ue, site)
    got = np.array([link_uniform(seed, int(u), int(s)) for u, s in zip(ue, site, strict=True)])
    np.testing.assert_array_equal(got, want)
    many = link_uniform_np(seed, np.arange(200_000)[:, None] % 1000, np.arange(200_000)[:, None])
    assert np.all((many >= 0) & (many < 1))
    # mean and variance of U(0, 1): 1/2 and 1/12, to 5 standard errors
    assert abs(many.mean() - 0.5) < 5 * math.sqrt(1 / 12 / many.size)
    assert abs(many.var() - 1 / 12) < 5 * math.sqrt(1 / 180 / many.size)
