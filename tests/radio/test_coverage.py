"""Downlink coverage of a Poisson network through the SINR kernel vs Andrews-Baccelli-Ganti.

J. G. Andrews, F. Baccelli, R. K. Ganti, "A tractable approach to coverage and rate in
cellular networks", IEEE Trans. Commun. 59(11), 2011, Theorem 2 / Eq. (9) with alpha = 4,
Rayleigh fading, nearest-site association, every site transmitting, no noise:

    p_c(T) = 1 / (1 + sqrt(T) (pi/2 - arctan(1/sqrt(T)))),

independent of the site density.
"""

import numpy as np
import pytest

from rof.radio.sinr import sinr_scheduled


def abg_coverage(t_lin):
    s = np.sqrt(t_lin)
    return 1.0 / (1.0 + s * (np.pi / 2 - np.arctan(1.0 / s)))


def _ppp_sinr(n_trials, rng, density=1.0, radius=12.0, k=16):
    """SINR of a typical UE at the origin of independent PPP networks, via sinr_scheduled."""
    mean_n = density * np.pi * radius**2
    counts = rng.poisson(mean_n, n_trials)
    n_max = int(counts.max())
    # distances of each trial's sites (conditionally uniform in the disc), padded with inf
    d = radius * np.sqrt(rng.random((n_trials, n_max)))
    d[np.arange(n_max)[None, :] >= counts[:, None]] = np.inf
    near = np.partition(d, k, axis=1)
    top = np.sort(near[:, :k], axis=1)  # k nearest, nearest first (serving)
    rest = near[:, k:]
    h_rest = rng.exponential(1.0, rest.shape)
    background = np.sum(h_rest * rest**-4.0, axis=1)  # Rayleigh-faded, outside the top K
    gain = (rng.exponential(1.0, top.shape) * top**-4.0)[..., None]  # (n, k, 1)
    link_cell = (np.arange(n_trials)[:, None] * k + np.arange(k)[None, :]).astype(np.int32)
    n_cells = n_trials * k
    assign = np.full((n_cells, 1), -1, dtype=np.int32)
    assign[link_cell[:, 0], 0] = np.arange(n_trials)
    power = np.ones((n_cells, 1))
    sinr = sinr_scheduled(link_cell, gain, background, assign, power, np.inf, 0.0, 1.0)
    return sinr[link_cell[:, 0], 0]


def test_ppp_coverage_matches_andrews_baccelli_ganti():
    rng = np.random.default_rng(2011)
    sinr = np.concatenate([_ppp_sinr(5000, rng) for _ in range(4)])  # 20,000 networks
    t_db = np.arange(-10.0, 20.01, 2.5)
    emp = np.array([np.mean(sinr > 10 ** (t / 10)) for t in t_db])
    ref = abg_coverage(10 ** (t_db / 10))
    # binomial std <= 0.0035 at 20,000 samples; the disc of radius 12 (452 sites on average)
    # leaves out interference of mean pi * density / R^2 = 0.02, negligible against the signal
    np.testing.assert_allclose(emp, ref, atol=0.02)
    assert ref[0] == pytest.approx(0.9117, abs=1e-4)  # closed form at -10 dB
    assert ref[4] == pytest.approx(1 / (1 + np.pi / 4), rel=1e-12)  # 0 dB: T = 1


@pytest.mark.slow
def test_ppp_coverage_density_invariant_and_tight():
    # ABG: with no noise the coverage does not depend on the density; 100,000 networks
    rng = np.random.default_rng(7)
    t_db = np.arange(-10.0, 20.01, 1.0)
    ref = abg_coverage(10 ** (t_db / 10))
    for density, radius in ((1.0, 12.0), (4.0, 6.0)):
        sinr = np.concatenate([_ppp_sinr(5000, rng, density, radius) for _ in range(20)])
        emp = np.array([np.mean(sinr > 10 ** (t / 10)) for t in t_db])
        np.testing.assert_allclose(emp, ref, atol=0.008)
