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


# --- the schedulers' rate model (issue 15): the MCS staircase of the link abstraction ---

from rof.edge.rate_model import rate_model  # noqa: E402

MODEL = {"rate": rate_model("eesm", "qam256", 1)}
_THR_DB = 10 * np.log10(MODEL["rate"].thr)
_SE = MODEL["rate"].se


def _capped_wsr(g, p, sigma, w):
    """sum_c w_c SE(highest step whose SINR threshold the link reaches), 0 below the
    first, written out here (a loop over the steps, not the kernels' search)."""
    s = np.diagonal(g)[None, :] * p
    interf = p @ g.T - s
    sinr_db = 10 * np.log10(np.maximum(s, 1e-300) / (interf + sigma))
    r = np.zeros_like(sinr_db)
    for t, se in zip(_THR_DB, _SE, strict=True):
        r = np.where(sinr_db >= t, se, r)
    return np.sum(w * r, axis=-1)


def test_kernel_matches_reference_under_the_rate_model(instance):
    rng = np.random.default_rng(8)
    d, sel = _sel_instance(instance, rng, n_cells=5, n_ue=15, k=4, n_rb=2, spread_db=25.0)
    init = rng.uniform(0, d["p_w"], (3, d["n_cells"], 2))
    init[0] = d["p_w"]
    args = (d["link_cell"], d["gain"] * 1e3, d["serve_k"], d["floor_w"], d["fh_inv"],
            d["weight"], sel, d["p_w"], init, 12)  # fmt: skip
    for polish in (0, 5):
        p1, t1 = wmmse_power(*args, **MODEL, polish_levels=polish)
        p2, t2 = wmmse_power_ref(*args, **MODEL, polish_levels=polish)
        np.testing.assert_allclose(t1, t2, rtol=1e-9)
        np.testing.assert_allclose(p1, p2, rtol=1e-6, atol=1e-12 * d["p_w"])


def test_gap_objective_never_decreases_between_iterations(instance):
    for seed in range(6):
        rng = np.random.default_rng(300 + seed)
        d, sel = _sel_instance(instance, rng, n_cells=8, n_ue=30, k=5, n_rb=3, spread_db=10.0)
        init = rng.uniform(0, d["p_w"], (3, d["n_cells"], 3))
        args = (d["link_cell"], d["gain"], d["serve_k"], d["floor_w"], d["fh_inv"],
                d["weight"], sel, d["p_w"], init, 25, 0.0)  # fmt: skip
        _, trace = wmmse_power(*args, **MODEL)
        assert np.all(np.diff(trace, axis=1) >= -1e-9 * np.abs(trace[:, 1:]))


def _three(rng):
    g = rng.exponential(1.0, (3, 3)) * 0.3
    g[np.diag_indices(3)] = rng.exponential(1.0, 3)
    sigma = np.full(3, 10 ** rng.uniform(-3.5, -1.5))  # 15-35 dB mean SNR: the cap matters
    w = rng.uniform(0.5, 1.5, 3)
    link_cell = np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]], dtype=np.int32)
    gain = np.stack([g[u, link_cell[u]] for u in range(3)])[:, :, None]
    return g, sigma, w, link_cell, gain


#: The seven on/off patterns of three cells (full power where on) as WMMSE starts.
PATTERNS = np.array([p for p in itertools.product((0.0, 1.0), repeat=3) if any(p)])


def test_wmmse_reaches_99_percent_of_brute_force_on_99_percent_of_3_link_instances():
    """500 random 3-link instances under the capped rate model; brute force over a
    41^3 power grid. Starts: the 7 on/off patterns and 2 random; polish 65 levels."""
    rng = np.random.default_rng(2011)
    grid = np.array(list(itertools.product(np.linspace(0.0, 1.0, 41), repeat=3)))
    ratios = []
    for _ in range(500):
        g, sigma, w, link_cell, gain = _three(rng)
        init = np.concatenate([PATTERNS, rng.uniform(0, 1, (2, 3))])[:, :, None]
        p, _ = wmmse_power(link_cell, gain, np.zeros(3, np.int32), sigma, np.zeros(3), w,
                           np.arange(3)[:, None], 1.0, init, 30, **MODEL, polish_levels=65,
                           polish_sweeps=4)  # fmt: skip
        got = _capped_wsr(g, p[:, 0][None, :], sigma, w)[0]
        ratios.append(got / _capped_wsr(g, grid, sigma, w).max())
    ratios = np.array(ratios)
    print(f"capped WMMSE / brute force: >= 0.99 on {np.mean(ratios >= 0.99):.3f}, "
          f"worst {ratios.min():.4f}")  # fmt: skip
    assert np.mean(ratios >= 0.99) >= 0.99


def test_result_is_never_below_its_best_start():
    """E.g. coordinated PF's on/off decision as a start: WMMSE can only improve on it."""
    rng = np.random.default_rng(77)
    for _ in range(100):
        g, sigma, w, link_cell, gain = _three(rng)
        init = np.concatenate([PATTERNS[rng.integers(0, 7, 2)], rng.uniform(0, 1, (1, 3))])
        p, _ = wmmse_power(link_cell, gain, np.zeros(3, np.int32), sigma, np.zeros(3), w,
                           np.arange(3)[:, None], 1.0, init[:, :, None], 10, **MODEL)  # fmt: skip
        got = _capped_wsr(g, p[:, 0][None, :], sigma, w)[0]
        assert got >= _capped_wsr(g, init, sigma, w).max() * (1 - 1e-12)
