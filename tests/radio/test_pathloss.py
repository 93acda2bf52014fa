"""TR 38.901 path loss against an independent implementation.

The reference below is written from TR 38.901 V17.1.0 Table 7.4.1-1 directly,
scalar by scalar, without calling rof's formulas or its scenario registry.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.errors import ParameterError, RofError
from rof.radio.pathloss import (
    breakpoint_distance_m,
    draw_uma_effective_height_m,
    pathloss_38901,
    pathloss_power_law,
    uma_effective_height_m,
)

C = 3.0e8  # the TR's c


# ---------------------------------------------------------------- reference (TR text)
def ref_pl(scn, d2, d3, fc, hbs, hut, los, he=1.0, h=5.0, w=20.0):
    """One link's path loss straight from Table 7.4.1-1 (fc in GHz, breakpoints in Hz)."""
    f_hz = fc * 1e9
    if scn == "UMa":
        dbp = 4 * (hbs - he) * (hut - he) * f_hz / C
        if d2 <= dbp:
            lo = 28.0 + 22 * math.log10(d3) + 20 * math.log10(fc)
        else:
            lo = (
                28.0
                + 40 * math.log10(d3)
                + 20 * math.log10(fc)
                - 9 * math.log10(dbp**2 + (hbs - hut) ** 2)
            )
        nl = 13.54 + 39.08 * math.log10(d3) + 20 * math.log10(fc) - 0.6 * (hut - 1.5)
    elif scn == "UMi":
        dbp = 4 * (hbs - 1.0) * (hut - 1.0) * f_hz / C
        if d2 <= dbp:
            lo = 32.4 + 21 * math.log10(d3) + 20 * math.log10(fc)
        else:
            lo = (
                32.4
                + 40 * math.log10(d3)
                + 20 * math.log10(fc)
                - 9.5 * math.log10(dbp**2 + (hbs - hut) ** 2)
            )
        nl = 35.3 * math.log10(d3) + 22.4 + 21.3 * math.log10(fc) - 0.3 * (hut - 1.5)
    elif scn == "InH":
        lo = 32.4 + 17.3 * math.log10(d3) + 20 * math.log10(fc)
        nl = 38.3 * math.log10(d3) + 17.30 + 24.9 * math.log10(fc)
    else:  # RMa

        def pl1(d):
            return (
                20 * math.log10(40 * math.pi * d * fc / 3)
                + min(0.03 * h**1.72, 10) * math.log10(d)
                - min(0.044 * h**1.72, 14.77)
                + 0.002 * math.log10(h) * d
            )

        dbp = 2 * math.pi * hbs * hut * f_hz / C
        lo = pl1(d3) if d2 <= dbp else pl1(dbp) + 40 * math.log10(d3 / dbp)
        nl = (
            161.04
            - 7.1 * math.log10(w)
            + 7.5 * math.log10(h)
            - (24.37 - 3.7 * (h / hbs) ** 2) * math.log10(hbs)
            + (43.42 - 3.1 * math.log10(hbs)) * (math.log10(d3) - 3)
            + 20 * math.log10(fc)
            - (3.2 * (math.log10(11.75 * hut)) ** 2 - 4.97)
        )
    return lo if los else max(lo, nl)


# (scenario, fc GHz, h_BS, h_UT, 2-D distances on both sides of the breakpoint)
CASES = [
    ("UMa", 3.5, 25.0, 1.5, [20.0, 300.0, 600.0, 1500.0, 4000.0]),  # d'BP = 560 m
    ("UMa", 28.0, 25.0, 1.5, [15.0, 200.0, 900.0, 4400.0, 4600.0]),  # d'BP = 4480 m
    ("UMa", 0.9, 25.0, 1.5, [50.0, 140.0, 150.0, 400.0, 2000.0]),  # d'BP = 144 m
    ("UMi", 3.5, 10.0, 1.5, [12.0, 100.0, 209.0, 211.0, 800.0, 4500.0]),  # d'BP = 210 m
    ("UMi", 28.0, 10.0, 1.5, [30.0, 1000.0, 1700.0, 2000.0]),  # d'BP = 1680 m
    ("InH", 3.5, 3.0, 1.0, [1.5, 10.0, 60.0, 140.0]),
    ("InH", 28.0, 3.0, 1.0, [2.0, 35.0, 100.0]),
    ("RMa", 3.5, 35.0, 1.5, [15.0, 300.0, 3000.0, 4800.0]),  # d_BP = 3848 m
    ("RMa", 0.7, 35.0, 1.5, [15.0, 500.0, 800.0, 4000.0]),  # d_BP = 770 m
]


@pytest.mark.parametrize("scn,fc,hbs,hut,dists", CASES)
@pytest.mark.parametrize("los", [True, False])
def test_pathloss_matches_tr_table(scn, fc, hbs, hut, dists, los):
    d2 = np.array(dists)
    d3 = np.sqrt(d2**2 + (hbs - hut) ** 2)
    got = pathloss_38901(scn, d2, d3, fc, hbs, hut, los)
    want = [ref_pl(scn, a, b, fc, hbs, hut, los) for a, b in zip(d2, d3, strict=True)]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_breakpoint_sides_are_exercised():
    # UMi 3.5 GHz: d'BP = 4 * 9 * 0.5 * 3.5e9 / 3e8 = 210 m; RMa 0.7 GHz d_BP = 769.7 m
    assert breakpoint_distance_m(3.5, 10.0, 1.5) == pytest.approx(210.0)
    assert breakpoint_distance_m(0.7, 35.0, 1.5, effective=False) == pytest.approx(
        2 * math.pi * 35 * 1.5 * 0.7e9 / 3e8
    )


def test_hand_computed_values():
    # UMi LOS, 100 m, 3.5 GHz: 32.4 + 21*2 + 20 log10(3.5) = 85.281 dB
    assert pathloss_38901("UMi", 100.0, 100.0, 3.5, 10.0, 1.5, True) == pytest.approx(
        85.281, abs=1e-3
    )
    # InH NLOS, 10 m, 3.5 GHz: max(32.4+17.3+10.881, 38.3+17.3+24.9*0.54407) = 69.147 dB
    assert pathloss_38901("InH", 10.0, 10.0, 3.5, 3.0, 1.0, False) == pytest.approx(
        69.147, abs=1e-3
    )


def test_rma_is_continuous_at_breakpoint_and_uma_nearly():
    dbp = breakpoint_distance_m(3.5, 35.0, 1.5, effective=False)
    d = np.array([dbp * (1 - 1e-9), dbp * (1 + 1e-9)])
    pl = pathloss_38901("RMa", d, d, 3.5, 35.0, 1.5, True)
    assert abs(pl[1] - pl[0]) < 1e-3
    dbp = breakpoint_distance_m(3.5, 25.0, 1.5)
    d2 = np.array([dbp * (1 - 1e-9), dbp * (1 + 1e-9)])
    pl = pathloss_38901("UMa", d2, np.hypot(d2, 23.5), 3.5, 25.0, 1.5, True)
    assert abs(pl[1] - pl[0]) < 0.1  # two-slope model meets to within the height term


@settings(max_examples=60, deadline=None)
@given(
    scn=st.sampled_from(["UMa", "UMi", "InH", "RMa"]),
    d=st.floats(1.0, 4000.0),
    fc=st.floats(0.6, 29.0),
)
def test_nlos_never_below_los_and_monotone(scn, d, fc):
    hbs, hut = {"UMa": (25, 1.5), "UMi": (10, 1.5), "InH": (3, 1), "RMa": (35, 1.5)}[scn]
    if scn == "InH":
        d = min(d, 140.0)
    d2 = np.array([d, d * 1.1])
    d3 = np.hypot(d2, hbs - hut)
    lo = pathloss_38901(scn, d2, d3, fc, hbs, hut, True, on_range="ignore")
    nl = pathloss_38901(scn, d2, d3, fc, hbs, hut, False, on_range="ignore")
    assert np.all(nl >= lo - 1e-12)
    assert lo[1] >= lo[0] - 1e-9 and nl[1] >= nl[0] - 1e-9


def test_distances_below_minimum_are_clamped():
    # UMi: d2D < 10 m evaluated at 10 m (vertical separation kept)
    a = pathloss_38901("UMi", 3.0, math.hypot(3.0, 8.5), 3.5, 10.0, 1.5, False)
    b = pathloss_38901("UMi", 10.0, math.hypot(10.0, 8.5), 3.5, 10.0, 1.5, False)
    assert a == pytest.approx(b, abs=1e-12)
    # InH: d3D < 1 m evaluated at 1 m
    assert pathloss_38901("InH", 0.1, 0.5, 3.5, 3.0, 1.0, True) == pytest.approx(
        ref_pl("InH", 1.0, 1.0, 3.5, 3.0, 1.0, True)
    )


def test_distances_beyond_maximum_warn_raise_or_extrapolate():
    with pytest.warns(RuntimeWarning, match="validity range"):
        pl = pathloss_38901("UMa", 6000.0, 6000.0, 3.5, 25.0, 1.5, False)
    assert pl == pytest.approx(ref_pl("UMa", 6000.0, 6000.0, 3.5, 25.0, 1.5, False))
    with pytest.raises(ParameterError, match="5000"):
        pathloss_38901("UMi", 5200.0, 5200.0, 3.5, 10.0, 1.5, True, on_range="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pathloss_38901("InH", 200.0, 200.0, 3.5, 3.0, 1.0, True, on_range="ignore")
    # RMa LOS is valid to 10 km, NLOS to 5 km
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pathloss_38901("RMa", 8000.0, 8000.0, 3.5, 35.0, 1.5, True)
    with pytest.warns(RuntimeWarning):
        pathloss_38901("RMa", 8000.0, 8000.0, 3.5, 35.0, 1.5, False)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (
            dict(scenario="UMx"),
            r"scenario = 'UMx' is not known; allowed: 'UMa', 'UMi', 'InH', 'RMa'",
        ),
        (dict(h_ut_m=30.0), r"h_ut_m \(UMi\) = 30.0 is out of range; allowed: >= 1.5 and <= 22.5"),
        (dict(h_bs_m=0.5), r"h_bs_m \(UMi\) = 0.5 is out of range"),
        (dict(fc_ghz=150.0), r"fc_ghz = 150.0 is out of range; allowed: >= 0.5 and <= 100"),
        (dict(d2d_m=-1.0), r"d2d_m = -1.0 is out of range"),
    ],
)
def test_bad_input_names_parameter_value_and_range(kwargs, match):
    args = dict(
        scenario="UMi", d2d_m=100.0, d3d_m=101.0, fc_ghz=3.5, h_bs_m=10.0, h_ut_m=1.5, los=True
    )
    args.update(kwargs)
    with pytest.raises(RofError, match=match):
        pathloss_38901(**args)


def test_rma_heights_and_frequency_ranges():
    with pytest.raises(ParameterError, match=r"h_ut_m \(RMa\) = 12.0"):
        pathloss_38901("RMa", 100.0, 100.0, 3.5, 35.0, 12.0, True)
    with pytest.raises(ParameterError, match=r"fc_ghz = 40.0 .* <= 30"):
        pathloss_38901("RMa", 100.0, 100.0, 40.0, 35.0, 1.5, True)
    with pytest.raises(ParameterError, match="d3d_m is smaller"):
        pathloss_38901("RMa", 100.0, 50.0, 3.5, 35.0, 1.5, True)


def test_uma_effective_height_expected_value():
    # below 13 m it is exactly 1 m
    assert np.all(uma_effective_height_m([20.0, 100.0, 500.0], 10.0) == 1.0)
    # high UT: matches the mean of many draws of the TR's distribution
    d, h = 250.0, 22.5
    draws = draw_uma_effective_height_m(np.full(200_000, d), h, np.random.default_rng(1))
    g = 1.25 * (d / 100) ** 3 * math.exp(-d / 150)
    c = ((h - 13) / 10) ** 1.5 * g
    assert np.mean(draws == 1.0) == pytest.approx(1 / (1 + c), abs=0.005)
    assert set(np.unique(draws)) == {1.0, 12.0, 15.0, 18.0, 21.0}
    assert uma_effective_height_m(d, h) == pytest.approx(draws.mean(), abs=0.05)
    # and the path loss uses it: PL with h_e_m = E[h_E] equals the default
    d3 = math.hypot(d, 25 - h)
    a = pathloss_38901("UMa", d, d3, 3.5, 25.0, h, True)
    b = pathloss_38901("UMa", d, d3, 3.5, 25.0, h, True, h_e_m=uma_effective_height_m(d, h))
    assert a == b
    assert a == pytest.approx(
        ref_pl("UMa", d, d3, 3.5, 25.0, h, True, he=float(uma_effective_height_m(d, h)))
    )


def test_power_law():
    assert pathloss_power_law(1000.0, 3.76, 128.1, 1000.0) == pytest.approx(128.1)
    assert pathloss_power_law(10.0, 4.0, 40.0) - pathloss_power_law(
        1.0, 4.0, 40.0
    ) == pytest.approx(40.0)
    with pytest.raises(ParameterError, match="exponent"):
        pathloss_power_law(10.0, 0.0, 40.0)
    with pytest.raises(ParameterError, match="d_m"):
        pathloss_power_law(0.0, 3.0, 40.0)
