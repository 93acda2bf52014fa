"""Effective SINR: the capacity (MIESM) and EESM mappings, per axis and per UE."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.effective_sinr import (
    capacity_information,
    capacity_inverse,
    effective_sinr,
    effective_sinr_per_ue,
    effective_sinr_per_ue_ref,
)


def test_capacity_mapping_closed_form():
    """2^{mean log2(1 + s)} - 1 (Brueninghaus et al. 2005): [1, 3] -> 2^{1.5} - 1."""
    assert effective_sinr([1.0, 3.0]) == pytest.approx(2.0**1.5 - 1.0, rel=1e-15)
    assert capacity_inverse(capacity_information(7.0)) == pytest.approx(7.0, rel=1e-15)
    # NaN entries (muted RBs) are ignored; an all-NaN row gives NaN
    out = effective_sinr(np.array([[1.0, np.nan, 3.0], [np.nan] * 3]), axis=1)
    assert out[0] == pytest.approx(2.0**1.5 - 1.0) and np.isnan(out[1])


def test_eesm_closed_form_and_flat_channel():
    s = np.array([2.0, 8.0])
    beta = 3.0
    want = -beta * np.log(np.mean(np.exp(-s / beta)))
    assert effective_sinr(s, method="eesm", beta=beta) == pytest.approx(want, rel=1e-15)
    for method, kw in (("capacity", {}), ("eesm", {"beta": 1.7})):
        assert effective_sinr(np.full(6, 5.0), method=method, **kw) == pytest.approx(5.0)


def test_bad_input():
    with pytest.raises(RofError, match="beta"):
        effective_sinr([1.0, 2.0], method="eesm")
    with pytest.raises(RofError, match="sinr"):
        effective_sinr([-1.0, 2.0])
    with pytest.raises(RofError, match="method"):
        effective_sinr([1.0], method="mean")


def test_per_ue_kernel_matches_reference_and_the_axis_mapping():
    rng = np.random.default_rng(0)
    assign = rng.integers(-1, 6, (4, 10)).astype(np.int32)
    sinr = rng.exponential(10.0, (4, 10))
    e1, c1 = effective_sinr_per_ue(assign, sinr, 8)
    e2, c2 = effective_sinr_per_ue_ref(assign, sinr, 8)
    np.testing.assert_allclose(e1, e2, rtol=1e-12)
    np.testing.assert_array_equal(c1, c2)
    assert np.all(e1[c1 == 0] == 0.0)
    for u in np.flatnonzero(c1):
        vals = sinr[assign == u]
        # one mapping: the per-UE form is the axis form over the UE's RBs
        assert e1[u] == pytest.approx(effective_sinr(vals), rel=1e-12)
        assert vals.min() - 1e-9 <= e1[u] <= vals.mean() + 1e-9  # Jensen: below the mean
    e, _ = effective_sinr_per_ue(np.zeros((1, 5), np.int32), np.full((1, 5), 7.0), 1)
    assert e[0] == pytest.approx(7.0)
