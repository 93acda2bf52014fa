"""Fronthaul-aware wrapper: the aged-CSI MMSE estimate and what the inner scheduler sees."""

import numpy as np
from scipy.special import j0

from rof.edge._base import Scheduler
from rof.edge.fronthaul_aware import FronthaulAware, aged_gain_estimate


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


class _Spy(Scheduler):
    """Records the input it is called with; assigns nothing."""

    name = "spy"

    def __init__(self):
        self.seen = None
        self.resets = 0

    def reset(self):
        self.resets += 1

    def __call__(self, inp):
        self.seen = inp
        return np.full((inp.n_cells, inp.n_rb), -1, np.int32), np.zeros((inp.n_cells, inp.n_rb))


def test_wrapper_hands_the_inner_scheduler_the_aged_estimate(instance):
    from rof.edge._base import SchedulingInput

    inst = instance(np.random.default_rng(2), n_cells=4, n_ue=12, k=3, n_rb=4)
    age = np.array([0.0, 1e-3, 5e-3, 2e-2])
    fd = np.full(12, 100.0)
    inp = SchedulingInput(
        link_cell=inst["link_cell"], gain=inst["gain"], large_scale=inst["large"],
        background_gain=np.zeros(12), noise_w=inst["floor_w"], p_max_w=inst["p_w"],
        background_power_w=0.0, weight=inst["weight"], serving=inst["serving"],
        serve_k=inst["serve_k"], n_cells=4, snr_fh=np.full(4, 100.0), csi_age_s=age,
        doppler_hz=fd, rng=np.random.default_rng(0),
    )  # fmt: skip
    spy = _Spy()
    wrapped = FronthaulAware(spy)
    assert wrapped.name == "fronthaul_aware(spy)" and not wrapped.coordinated
    wrapped(inp)
    assert spy.seen.use_fronthaul and not inp.use_fronthaul
    np.testing.assert_allclose(spy.seen.fh_factor(), 1 / 100.0)
    np.testing.assert_allclose(inp.fh_factor(), 0.0)
    want = aged_gain_estimate(inp.gain, inp.large_scale, inp.link_cell, age, fd)
    np.testing.assert_allclose(spy.seen.gain, want)
    # links of the cell with fresh CSI keep their reported gain
    fresh = inp.link_cell == 0
    np.testing.assert_allclose(spy.seen.gain[fresh], inp.gain[fresh])
    wrapped.reset()
    assert spy.resets == 1
