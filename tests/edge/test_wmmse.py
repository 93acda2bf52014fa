import itertools

import numpy as np
import pytest

from rof.edge.wmmse import wmmse_power, wmmse_power_ref


def _sel_instance(instance, rng, **kw):
    d = instance(rng, **kw)
    n_rb = d["gain"].shape[2]
    sel = np.full((d["n_cells"], n_rb), -1, dtype=np.int64)
    for c in range(d["n_cells"]):
        ues = np.flatnonzero(d["serving"] == c)
        if ues.size:
            sel[c] = rng.choice(ues, n_rb)
    return d, sel


def test_kernel_matches_reference(instance):
    rng = np.random.default_rng(4)
    d, sel = _sel_instance(instance, rng, n_cells=6, n_ue=20, k=4, n_rb=3, spread_db=15.0)
    init = rng.uniform(0, d["p_w"], (3, d["n_cells"], 3))
    init[0] = d["p_w"]
    args = (
        d["link_cell"],
        d["gain"],
        d["serve_k"],
        d["floor_w"],
        d["fh_inv"],
        d["weight"],
        sel,
        d["p_w"],
        init,
        15,
    )
    p1, t1 = wmmse_power(*args)
    p2, t2 = wmmse_power_ref(*args)
    np.testing.assert_allclose(t1, t2, rtol=1e-9)
    np.testing.assert_allclose(p1, p2, rtol=1e-7, atol=1e-12 * d["p_w"])


def test_weighted_sum_rate_never_decreases(instance):
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        d, sel = _sel_instance(instance, rng, n_cells=8, n_ue=30, k=5, n_rb=4, spread_db=10.0)
        init = rng.uniform(0, d["p_w"], (4, d["n_cells"], 4))
        _, trace = wmmse_power(
            d["link_cell"],
            d["gain"],
            d["serve_k"],
            d["floor_w"],
            d["fh_inv"],
            d["weight"],
            sel,
            d["p_w"],
            init,
            30,
            0.0,
        )
        assert np.all(np.diff(trace, axis=1) >= -1e-9 * np.abs(trace[:, 1:]))


def _three_links(rng):
    """Three links, UE i attached to cell i, strong random cross gains; dense matrix g[rx, tx]."""
    g = rng.exponential(1.0, (3, 3)) * 0.3
    g[np.diag_indices(3)] = rng.exponential(1.0, 3)
    return g


def _wsr_dense(g, p, sigma, w):
    """Weighted sum rate for a batch of power vectors p (..., 3), written out for the test."""
    s = np.diagonal(g)[None, :] * p
    interf = p @ g.T - s
    return np.sum(w * np.log2(1 + s / (interf + sigma)), axis=-1)


@pytest.mark.parametrize("n_instances", [200])
def test_multistart_wmmse_reaches_97_percent_of_grid_optimum(n_instances):
    rng = np.random.default_rng(2011)
    levels = np.linspace(0.0, 1.0, 41)
    grid = np.array(list(itertools.product(levels, repeat=3)))
    ratios = []
    for _ in range(n_instances):
        g = _three_links(rng)
        sigma = np.full(3, 0.01)
        w = rng.uniform(0.5, 1.5, 3)
        link_cell = np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]], dtype=np.int32)
        gain = np.stack([g[u, link_cell[u]] for u in range(3)])[:, :, None]
        init = np.concatenate([np.ones((1, 3, 1)), rng.uniform(0, 1, (2, 3, 1))])
        p, _ = wmmse_power(
            link_cell,
            gain,
            np.zeros(3, np.int32),
            sigma,
            np.zeros(3),
            w,
            np.arange(3)[:, None],
            1.0,
            init,
            20,
        )
        got = _wsr_dense(g, p[:, 0][None, :], sigma, w)[0]
        best = _wsr_dense(g, grid, sigma, w).max()
        ratios.append(got / best)
    ratios = np.array(ratios)
    print(f"WMMSE/brute force: mean {ratios.mean():.4f}, worst {ratios.min():.4f}")
    assert ratios.mean() >= 0.97
    assert ratios.min() > 0.5
