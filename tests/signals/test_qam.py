"""Gray QAM against TS 38.211 V17 clause 5.1 written out explicitly."""

from __future__ import annotations

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.signals import MODULATIONS, qam_constellation, qam_map


def test_16qam_matches_ts38211_5_1_4():
    rng = np.random.default_rng(0)
    b = rng.integers(0, 2, (500, 4))
    s = 1 - 2 * b
    expect = (s[:, 0] * (2 - s[:, 2]) + 1j * s[:, 1] * (2 - s[:, 3])) / np.sqrt(10)
    np.testing.assert_allclose(qam_map(b.ravel(), "16QAM"), expect, atol=1e-15)


def test_256qam_matches_ts38211_5_1_6():
    rng = np.random.default_rng(1)
    b = rng.integers(0, 2, (500, 8))
    s = 1 - 2 * b
    i = s[:, 0] * (8 - s[:, 2] * (4 - s[:, 4] * (2 - s[:, 6])))
    q = s[:, 1] * (8 - s[:, 3] * (4 - s[:, 5] * (2 - s[:, 7])))
    np.testing.assert_allclose(
        qam_map(b.ravel(), "256QAM"), (i + 1j * q) / np.sqrt(170), atol=1e-15
    )


@pytest.mark.parametrize("mod", list(MODULATIONS))
def test_unit_power_distinct_points_and_gray(mod):
    pts = qam_constellation(mod)
    assert np.mean(np.abs(pts) ** 2) == pytest.approx(1.0, rel=1e-12)
    assert len(np.unique(np.round(pts, 9))) == pts.size
    # Gray: nearest neighbours differ in exactly one bit.
    d = np.abs(pts[:, None] - pts[None, :])
    np.fill_diagonal(d, np.inf)
    dmin = d.min()
    i, j = np.nonzero(np.isclose(d, dmin))
    assert np.all(np.array([bin(a ^ b).count("1") for a, b in zip(i, j, strict=True)]) == 1)


def test_unknown_modulation():
    with pytest.raises(ParameterError, match="modulation"):
        qam_map(np.zeros(4, int), "8PSK")
