"""Clusters, coordinated beamforming and joint transmission (issue 19 items 2 and 4)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.edge.mimo.cluster import (
    evaluate,
    evaluate_reference,
    plan_streams,
    precoders,
    precoders_reference,
    static_clusters,
)
from rof.edge.precoding import age_channel, rzf, zf
from rof.errors import RofError


def rayleigh(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)


def world(rng, n_sites=4, per_site=4, k=3, n_ant=4, n_rb=3, n_sched=2):
    """Users served by each site in turn, each linked to k distinct sites (serving first);
    each site schedules its first n_sched users on every RB (rotated per RB)."""
    n_ue = n_sites * per_site
    serving = np.repeat(np.arange(n_sites), per_site)
    link_cell = np.empty((n_ue, k), dtype=np.int64)
    for u in range(n_ue):
        others = rng.permutation([s for s in range(n_sites) if s != serving[u]])
        link_cell[u] = np.r_[serving[u], others[: k - 1]]
    beta = 10 ** (-rng.uniform(0, 2, (n_ue, k)))
    beta[:, 0] = 1.0 + rng.random(n_ue)
    h = rayleigh(rng, (n_rb, n_ue, k, n_ant)) * np.sqrt(beta)[None, :, :, None]
    sched = np.full((n_rb, n_sites, n_sched), -1, dtype=np.int64)
    for b in range(n_rb):
        for s in range(n_sites):
            mine = np.flatnonzero(serving == s)
            sched[b, s] = np.roll(mine, -b)[:n_sched]
    xy = np.c_[np.arange(n_sites) * 100.0, np.zeros(n_sites)]
    noise = 0.1 * (1 + rng.random(n_ue))
    return h, link_cell, sched, xy, noise, beta


@pytest.mark.parametrize("scheme", ["jt_static", "jt_user", "cb", "single"])
@pytest.mark.parametrize("precoder", ["zf", "rzf", "mrt"])
def test_cluster_of_one_is_single_site_precoding(scheme, precoder):
    rng = np.random.default_rng(1)
    h, lc, sched, xy, noise, _ = world(rng)
    p = 2.0
    plan = plan_streams(scheme, sched, lc, cluster_size=1, site_xy_m=xy, n_ant=4)
    w = precoders(plan, h, lc, noise, p, 4, precoder)
    n_rb, n_sites, n_l = sched.shape
    for b in range(n_rb):
        for s in range(n_sites):
            us = sched[b, s]
            hs = h[b, us, 0] / np.sqrt(noise[us])[:, None]  # serving links, whitened
            ref = {"zf": zf(hs, p), "rzf": rzf(hs, p, 1.0), "mrt": None}[precoder]
            if ref is None:
                ref = hs.conj().T / np.linalg.norm(hs, axis=1) * np.sqrt(p / n_l)
            got = w[b, s * n_l : (s + 1) * n_l, 0, :].T
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * np.abs(ref).max())


@pytest.fixture(params=["serial", "threads"])
def threads(request, monkeypatch):
    """Run the kernels on one thread (small batches) and on numba's threads (large)."""
    import rof.edge.mimo._kernels as kernels

    monkeypatch.setattr(kernels, "PARALLEL_MIN_ITEMS", 0 if request.param == "threads" else 10**9)
    return request.param


def test_kernel_matches_numpy_reference(threads):
    rng = np.random.default_rng(2)
    h, lc, sched, xy, noise, _ = world(rng, n_sites=5, per_site=5, k=3, n_ant=4)
    fh = rng.uniform(0, 1e-3, (5, 4))
    for scheme, size in (("jt_user", 3), ("jt_static", 2), ("cb", 3), ("single", 1)):
        plan = plan_streams(scheme, sched, lc, cluster_size=size, site_xy_m=xy, n_ant=4)
        w = precoders(plan, h, lc, noise, 1.0, 5, "rzf")
        h_true = age_channel(h, 0.9, rng, 0.5)
        got = evaluate(plan, w, h_true, lc, noise, fh, extra_w=0.01)
        ref = evaluate_reference(plan, w, h_true, lc, noise, fh, extra_w=0.01)
        for a, b in zip(got, ref, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("precoder", ["zf", "rzf", "mrt"])
def test_precoder_kernel_matches_numpy_reference(precoder, threads):
    rng = np.random.default_rng(7)
    h, lc, sched, xy, noise, _ = world(rng, n_sites=6, per_site=4, k=4, n_ant=4)
    sched[1, 2, 1] = -1  # a site with one stream on one RB
    for scheme, size in (("jt_user", 3), ("jt_static", 2), ("cb", 4), ("single", 1)):
        plan = plan_streams(scheme, sched, lc, cluster_size=size, site_xy_m=xy, n_ant=4)
        got = precoders(plan, h, lc, noise, 0.7, 6, precoder)
        ref = precoders_reference(plan, h, lc, noise, 0.7, 6, precoder)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10 * np.abs(ref).max())


def test_per_site_power_limit_and_zero_forcing_kept():
    rng = np.random.default_rng(3)
    h, lc, sched, _xy, noise, _ = world(rng, n_sites=5, per_site=5, k=3, n_ant=4)
    plan = plan_streams("jt_user", sched, lc, cluster_size=3, n_ant=4)
    w = precoders(plan, h, lc, noise, 1.5, 5, "zf")
    load = np.zeros((w.shape[0], 6))
    rb = np.broadcast_to(np.arange(w.shape[0])[:, None, None], plan.tx.shape)
    np.add.at(load, (rb, plan.tx), np.sum(np.abs(w) ** 2, -1))
    assert load[:, :5].max() <= 1.5 * (1 + 1e-12)
    assert load[:, :5].max() > 1.0  # the scaling does not waste most of the power


def test_coordinated_beamforming_nulls_the_neighbours_users():
    """Every user linked to all 3 sites and enough antennas to null them: ZF-CB leaves no
    interference at all with perfect CSI, while per-site ZF does."""
    rng = np.random.default_rng(4)
    h, lc, sched, _xy, noise, _ = world(rng, n_sites=3, per_site=3, k=3, n_ant=8, n_sched=2)
    single = plan_streams("single", sched, lc, n_ant=8)
    cb = plan_streams("cb", sched, lc, cluster_size=3, n_ant=8)
    e_cb = evaluate(cb, precoders(cb, h, lc, noise, 1.0, 3, "zf"), h, lc, noise)
    e_s = evaluate(single, precoders(single, h, lc, noise, 1.0, 3, "zf"), h, lc, noise)
    assert np.nanmax(e_cb.interference_w / e_cb.signal_w) < 1e-20
    assert np.nanmin(e_s.interference_w / e_s.signal_w) > 1e-6


def test_aged_csi_leakage_matches_gauss_markov():
    """E[leak_k | W] = (1 - rho^2) sum_{j != k} sum_s beta_ks ||w_js||^2 (cluster module),
    here for joint ZF over one static cluster of all sites."""
    from scipy.special import j0

    rng = np.random.default_rng(5)
    n_sites, n_ant, n_rb = 3, 2, 3000
    h, lc, sched, xy, noise, beta = world(
        rng, n_sites=n_sites, per_site=2, k=3, n_ant=n_ant, n_rb=n_rb, n_sched=2
    )
    rho = j0(2 * np.pi * 50.0 * 2e-3)  # f_d = 50 Hz, tau = 2 ms
    h_true = age_channel(h, rho, rng, beta[None, :, :, None])
    plan = plan_streams("jt_static", sched, lc, cluster_size=n_sites, site_xy_m=xy)
    w = precoders(plan, h, lc, noise, 1.0, n_sites, "zf")
    got = evaluate(plan, w, h_true, lc, noise).interference_w
    # the conditional expectation, from W and the per-site variances
    pos = np.full((lc.shape[0], n_sites), -1)
    for i in range(3):
        pos[np.arange(lc.shape[0]), lc[:, i]] = i
    part = np.sum(np.abs(w) ** 2, axis=-1)  # (n_rb, n_str, C)
    b_site = np.take_along_axis(beta, pos, axis=1)  # (n_ue, n_sites): beta_{u, s}
    tx_beta = b_site[plan.user[..., None, None], plan.tx[:, None, :, :]]  # (b, k, j, C)
    per_pair = np.sum(tx_beta * part[:, None, :, :], axis=-1)  # (b, k, j)
    expect = (1 - rho**2) * (per_pair.sum(-1) - np.einsum("bkk->bk", per_pair))
    d = (got - expect).ravel()
    assert abs(d.mean()) < 4 * d.std() / np.sqrt(d.size)
    assert got.mean() > 0.5 * expect.mean()  # a real, not vanishing, leakage
    perfect = evaluate(plan, w, h, lc, noise).interference_w
    assert perfect.max() < 1e-20 * got.max()


def test_static_clusters_partition():
    xy = np.array([[0, 0], [10, 0], [100, 0], [110, 0], [300, 0]], float)
    m = static_clusters(xy, 2)
    assert m.tolist() == [[0, 1], [0, 1], [2, 3], [2, 3], [4, -1]]


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"scheme": "jt_user", "cluster_size": 5}, ["mimo.cluster_size = 5", "1 to 3"]),
        ({"scheme": "jt_static", "cluster_size": 0}, ["mimo.cluster_size = 0", "1 to 4"]),
        ({"scheme": "comp"}, ["'comp'", "'single', 'cb', 'jt_static', 'jt_user'"]),
        ({"scheme": "single", "n_ant": 1}, ["streams_per_site = 2", "n_ant = 1"]),
    ],
)
def test_bad_input(kw, words):
    rng = np.random.default_rng(6)
    h, lc, sched, xy, noise, _ = world(rng)
    scheme = kw.pop("scheme")
    with pytest.raises(RofError) as exc:
        plan_streams(scheme, sched, lc, site_xy_m=xy, **kw)
    for w in words:
        assert w in str(exc.value)
    plan = plan_streams("single", sched, lc)
    with pytest.raises(RofError, match="'mrt', 'zf', 'rzf'"):
        precoders(plan, h, lc, noise, 1.0, 4, "svd")


def test_cb_nulls_limits_the_nulled_users():
    rng = np.random.default_rng(3)
    _, lc, sched, _, _, _ = world(rng, n_sites=5, per_site=5, k=3, n_ant=4)
    full = plan_streams("cb", sched, lc, cluster_size=3, n_ant=8)
    one = plan_streams("cb", sched, lc, cluster_size=3, n_ant=8, cb_nulls=1)
    own = plan_streams("single", sched, lc, n_ant=8)
    n_own = np.sum(own.users >= 0, axis=-1)
    assert np.all(np.sum(one.users >= 0, axis=-1) <= n_own + 1)
    assert np.any(np.sum(full.users >= 0, axis=-1) > n_own + 1)
    none = plan_streams("cb", sched, lc, cluster_size=3, n_ant=8, cb_nulls=0)
    np.testing.assert_array_equal(np.sort(none.users, -1)[..., -own.users.shape[-1] :],
                                  np.sort(own.users, -1))  # fmt: skip
    with pytest.raises(RofError):
        plan_streams("cb", sched, lc, cluster_size=3, n_ant=8, cb_nulls=-1)
