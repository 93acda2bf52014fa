"""Joint reception kernel: NumPy twin, single-site equivalence, MMSE gain."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.edge.uplink.joint import (
    array_channel_power,
    channel_power,
    joint_sinr,
    joint_sinr_reference,
)
from rof.errors import RofError
from rof.radio.uplink import uplink_sinr


def _problem(seed, n_ue=24, n_cells=6, k=4, n_rb=4):
    rng = np.random.default_rng(seed)
    serving = rng.integers(n_cells, size=n_ue)
    lc = np.empty((n_ue, k), dtype=np.int64)
    for u in range(n_ue):
        others = [c for c in rng.permutation(n_cells) if c != serving[u]]
        lc[u] = [serving[u], *others[: k - 1]]
    amp = 10 ** rng.uniform(-6.5, -4, size=(n_ue, k, 1))
    amp = -np.sort(-amp, axis=1)
    h = amp * (rng.standard_normal((n_ue, k, n_rb)) + 1j * rng.standard_normal((n_ue, k, n_rb)))
    bg = 10 ** rng.uniform(-14, -12, size=n_ue)
    assign = np.full((n_cells, n_rb), -1)
    for c in range(n_cells):
        mine = np.flatnonzero(serving == c)
        for b in range(n_rb):
            if mine.size and rng.random() < 0.9:
                assign[c, b] = rng.choice(mine)
    p = 10 ** rng.uniform(-3, -1, size=n_ue)
    floor = 10 ** rng.uniform(-15, -13, size=n_cells)
    return lc, h, bg / max(n_cells - k, 1), bg, assign, p, floor


@pytest.mark.parametrize("combining", ["mrc", "mmse"])
@pytest.mark.parametrize("cluster", [1, 2, 3])
def test_kernel_matches_reference(combining, cluster):
    lc, h, share, _, a, p, floor = _problem(4)
    got = joint_sinr(lc, h, share, a, p, floor, cluster, combining)
    ref = joint_sinr_reference(lc, h, share, a, p, floor, cluster, combining)
    np.testing.assert_allclose(got, ref, rtol=1e-9)


@pytest.mark.parametrize("combining", ["none", "mrc", "mmse"])
def test_one_site_is_single_site_reception(combining):
    """Cluster of one: the radio's per-site uplink SINR (noise + fronthaul as the floor)."""
    lc, h, _, bg, a, p, floor = _problem(7)
    noise, fh = 0.4 * floor, 0.6 * floor
    single, _, _ = uplink_sinr(lc, np.abs(h) ** 2, bg, a, p, noise, fh)
    joint = joint_sinr(lc, h, bg / (6 - 4), a, p, floor, 1, combining)
    np.testing.assert_allclose(joint, single, rtol=1e-10)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31))
def test_mmse_joint_never_loses_to_single_site_or_mrc(seed):
    lc, h, share, _, a, p, floor = _problem(seed)
    one = joint_sinr(lc, h, share, a, p, floor, 1, "mmse")
    mrc = joint_sinr(lc, h, share, a, p, floor, 3, "mrc")
    mmse = joint_sinr(lc, h, share, a, p, floor, 3, "mmse")
    assert np.all(mmse >= one * (1 - 1e-9))
    assert np.all(mmse >= mrc * (1 - 1e-9))


def test_bad_combining():
    with pytest.raises(RofError, match="combining = 'zf' is not known"):
        joint_sinr(
            np.zeros((1, 1)),
            np.zeros((1, 1, 1)),
            np.zeros(1),
            np.zeros((1, 1)),
            np.ones(1),
            np.ones(1),
            1,
            "zf",
        )


def test_channel_power_matches_numpy():
    h = _problem(1)[1]
    np.testing.assert_allclose(channel_power(h), np.abs(h) ** 2, rtol=1e-14)


def _antennas(seed, n_ant, **kw):
    """The problem of _problem with n_ant i.i.d. antennas per cell (same large scale)."""
    lc, h, share, bg, a, p, floor = _problem(seed, **kw)
    rng = np.random.default_rng(seed + 1)
    amp = np.abs(h[:, :, :1])[:, :, None, :]  # (n_ue, K, 1, 1)
    shape = (*h.shape[:2], n_ant, h.shape[2])
    g = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
    fl = floor[:, None] * rng.uniform(0.5, 2.0, size=(floor.size, n_ant))
    return lc, amp * g, share, bg, a, p, fl


@pytest.mark.parametrize("combining", ["none", "mrc", "mmse"])
@pytest.mark.parametrize(("n_ant", "cluster"), [(2, 1), (2, 3), (3, 2)])
def test_antenna_kernel_matches_reference(combining, n_ant, cluster):
    lc, h, share, _, a, p, floor = _antennas(5, n_ant)
    got = joint_sinr(lc, h, share, a, p, floor, cluster, combining)
    ref = joint_sinr_reference(lc, h, share, a, p, floor, cluster, combining)
    np.testing.assert_allclose(got, ref, rtol=1e-9)
    # a strided view (RB axis first, as the array channel stores it) gives the same
    view = np.moveaxis(np.ascontiguousarray(np.moveaxis(h, 3, 0)), 0, 3)
    np.testing.assert_array_equal(joint_sinr(lc, view, share, a, p, floor, cluster, combining), got)


@pytest.mark.parametrize("combining", ["mrc", "mmse"])
def test_one_antenna_axis_is_todays_joint_reception(combining):
    """(n_ue, K, 1, n_rb) channels and (n_cells, 1) floors: bit for bit the site-level run."""
    lc, h, share, _, a, p, floor = _problem(9)
    site = joint_sinr(lc, h, share, a, p, floor, 3, combining)
    ant = joint_sinr(lc, h[:, :, None, :], share, a, p, floor[:, None], 3, combining)
    np.testing.assert_array_equal(ant, site)
    ref = joint_sinr_reference(lc, h, share, a, p, floor, 3, combining)
    np.testing.assert_allclose(site, ref, rtol=1e-9)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31), st.integers(2, 4))
def test_mmse_never_loses_to_mrc_over_sites_and_antennas(seed, n_ant):
    lc, h, share, _, a, p, floor = _antennas(seed, n_ant)
    mrc = joint_sinr(lc, h, share, a, p, floor, 3, "mrc")
    mmse = joint_sinr(lc, h, share, a, p, floor, 3, "mmse")
    one = joint_sinr(lc, h, share, a, p, floor, 1, "mmse")
    assert np.all(mmse >= mrc * (1 - 1e-9))
    assert np.all(mmse >= one * (1 - 1e-9))


@pytest.mark.parametrize("n_ant", [1, 2, 4, 8])
def test_mrc_over_iid_antennas_noise_only_is_the_closed_form(n_ant):
    """One cell, one user, no interference: MRC SINR = p sum_a |h_a|^2 / sigma^2 on every
    RB, and over i.i.d. CN(0, 1) antennas its mean is N times one antenna's (Brennan 1959)."""
    n_rb, p, sigma2 = 4000, 2e-3, 1e-12
    rng = np.random.default_rng(n_ant)
    h = rng.standard_normal((1, 1, n_ant, n_rb)) + 1j * rng.standard_normal((1, 1, n_ant, n_rb))
    h *= 1e-5 / np.sqrt(2)
    lc = np.zeros((1, 1), dtype=np.int64)
    assign = np.zeros((1, n_rb), dtype=np.int64)
    got = joint_sinr(lc, h, np.zeros(1), assign, np.array([p]), np.full(1, sigma2), 1, "mrc")
    closed = p * np.sum(np.abs(h[0, 0]) ** 2, axis=0) / sigma2
    np.testing.assert_allclose(got[0], closed, rtol=1e-12)
    mean_one = p * 1e-10 / sigma2  # E|h|^2 = 1e-10
    assert got.mean() / mean_one == pytest.approx(n_ant, rel=4 / np.sqrt(n_rb * n_ant))


def test_array_channel_power_matches_numpy():
    h = _antennas(2, 3)[1]
    view = np.moveaxis(np.ascontiguousarray(np.moveaxis(h, 3, 0)), 0, 3)
    per_ant, total = array_channel_power(view)
    np.testing.assert_allclose(per_ant, np.moveaxis(np.abs(h) ** 2, 2, 0), rtol=1e-14)
    np.testing.assert_allclose(total, (np.abs(h) ** 2).sum(axis=2), rtol=1e-13)
