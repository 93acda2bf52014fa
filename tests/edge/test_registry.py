import numpy as np
import pytest
from scipy.special import j0

from rof.edge import SCHEDULERS, FronthaulAware, make_scheduler
from rof.edge.fronthaul import fiber_lengths_km
from rof.edge.fronthaul_aware import aged_gain_estimate
from rof.errors import RofError


def test_unknown_scheduler_lists_valid_names():
    with pytest.raises(RofError) as exc:
        make_scheduler("best_effort")
    msg = str(exc.value)
    assert "edge.scheduler" in msg
    for name in (*SCHEDULERS, "fronthaul_aware"):
        assert repr(name) in msg


def test_fronthaul_aware_wraps_any_scheduler():
    for name in SCHEDULERS:
        s = make_scheduler(name, fronthaul_aware=True)
        assert isinstance(s, FronthaulAware) and s.inner.name == name
    assert make_scheduler("fronthaul_aware", inner="wmmse").inner.name == "wmmse"


def test_aged_estimate_is_the_rayleigh_mmse_predictor():
    """E[|h_t|^2 | h_{t-tau}] for a unit-power Rayleigh link with correlation J0(2 pi fd tau),
    checked by Monte Carlo on jointly Gaussian samples."""
    rng = np.random.default_rng(0)
    fd, tau = 100.0, 1e-3
    rho = j0(2 * np.pi * fd * tau)
    n = 400_000
    h_old = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(2)
    e = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(2)
    h_new = rho * h_old + np.sqrt(1 - rho**2) * e
    p_old, p_new = np.abs(h_old) ** 2, np.abs(h_new) ** 2
    bins = np.quantile(p_old, [0.1, 0.5, 0.9])
    ls = np.full((1, 1), 2.0)
    for q in bins:
        sel = np.abs(p_old - q) < 0.02
        est = aged_gain_estimate(
            np.full((1, 1, 1), 2.0 * q),
            ls,
            np.zeros((1, 1), int),
            np.array([tau]),
            np.array([fd]),
        )[0, 0, 0]
        assert abs(est / 2.0 - p_new[sel].mean()) < 0.02
    # zero age: the report itself; very old report: the mean
    g = np.array([[[0.3, 3.0]]])
    lc = np.zeros((1, 1), int)
    np.testing.assert_allclose(aged_gain_estimate(g, np.ones((1, 1)), lc, [0.0], [50.0]), g)


def test_fiber_lengths():
    xy = np.array([[0.0, 0.0], [300.0, 400.0], [-300.0, -400.0]])
    np.testing.assert_allclose(fiber_lengths_km(xy, "centroid", 1.5), [0.0, 0.75, 0.75])
    np.testing.assert_allclose(
        fiber_lengths_km(xy, [0.0, 400.0], 1.0), [0.4, 0.3, np.hypot(0.3, 0.8)]
    )
    np.testing.assert_allclose(fiber_lengths_km(xy, "centroid", 1.5, 20.0), [20.0] * 3)
    with pytest.raises(RofError, match="edge_location"):
        fiber_lengths_km(xy, "north")
