"""TR 38.901 LOS probability against an independent implementation.

The reference below is written from TR 38.901 V17.1.0 Table 7.4.2-1 directly,
scalar by scalar, without calling rof's formulas or its scenario registry.
"""

import math

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.los import los_probability_38901


def ref_plos(scn, d, hut=1.5, office="mixed"):
    if scn == "RMa":
        return 1.0 if d <= 10 else math.exp(-(d - 10) / 1000)
    if scn == "UMi":
        return 1.0 if d <= 18 else 18 / d + math.exp(-d / 36) * (1 - 18 / d)
    if scn == "UMa":
        if d <= 18:
            return 1.0
        cp = 0.0 if hut <= 13 else ((hut - 13) / 10) ** 1.5
        return (18 / d + math.exp(-d / 63) * (1 - 18 / d)) * (
            1 + cp * 5 / 4 * (d / 100) ** 3 * math.exp(-d / 150)
        )
    if office == "mixed":
        if d <= 1.2:
            return 1.0
        if d < 6.5:
            return math.exp(-(d - 1.2) / 4.7)
        return math.exp(-(d - 6.5) / 32.6) * 0.32
    if d <= 5:
        return 1.0
    if d <= 49:
        return math.exp(-(d - 5) / 70.8)
    return math.exp(-(d - 49) / 211.7) * 0.54


LOS_CASES = [
    ("RMa", 1.5, [5.0, 10.0, 11.0, 500.0, 3000.0]),
    ("UMi", 1.5, [10.0, 18.0, 19.0, 50.0, 200.0, 1000.0]),
    ("UMa", 1.5, [10.0, 18.0, 30.0, 100.0, 400.0, 2000.0]),
    ("UMa", 20.0, [10.0, 18.0, 30.0, 100.0, 300.0, 1000.0]),
    ("InH", 1.0, [1.0, 1.2, 3.0, 6.4, 6.5, 20.0, 100.0]),
]


@pytest.mark.parametrize("scn,hut,dists", LOS_CASES)
def test_los_probability_matches_tr_table(scn, hut, dists):
    got = los_probability_38901(scn, np.array(dists), hut)
    want = [ref_plos(scn, d, hut) for d in dists]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_los_probability_inh_open_office():
    d = np.array([2.0, 5.0, 30.0, 49.0, 60.0, 120.0])
    got = los_probability_38901("InH", d, inh_office="open")
    np.testing.assert_allclose(got, [ref_plos("InH", x, office="open") for x in d], atol=1e-12)


def test_los_probability_bad_input():
    with pytest.raises(RofError, match="'UMa', 'UMi', 'InH', 'RMa'"):
        los_probability_38901("Urban", 10.0)
    with pytest.raises(RofError, match=r"h_ut_m \(UMa\) = 40.0"):
        los_probability_38901("UMa", 10.0, 40.0)
    with pytest.raises(RofError, match="inh_office"):
        los_probability_38901("InH", 10.0, inh_office="closed")
