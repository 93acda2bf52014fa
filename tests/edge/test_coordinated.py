import itertools

import numpy as np

from rof.edge.coordinated import coordinated_assign, coordinated_assign_ref
from rof.edge.rate_model import rate_model


def _args(d):
    return (
        d["link_cell"],
        d["gain"],
        d["serving"],
        d["serve_k"],
        d["floor_w"],
        d["fh_inv"],
        d["p_w"],
        d["weight"],
        d["n_cells"],
    )


def test_kernel_matches_dense_reference(instance):
    for seed in range(5):
        rng = np.random.default_rng(seed)
        d = instance(rng, n_cells=6, n_ue=25, k=4, n_rb=4, spread_db=25.0)
        d["weight"][::5] = 0.0
        a = coordinated_assign(*_args(d))
        np.testing.assert_array_equal(a, coordinated_assign_ref(*_args(d)))


def _two_link_utility(g, floor_w, fh_inv, p, w, on):
    """PF-weighted sum rate of two links, written out for the test (dense gains)."""
    util = 0.0
    for i in range(2):
        if on[i]:
            j = 1 - i
            interf = g[i, j] * p * (1 + fh_inv[j]) if on[j] else 0.0
            s = g[i, i] * p
            util += w[i] * np.log2(1 + s / (interf + floor_w[i] + s * fh_inv[i]))
    return util


def test_two_links_on_off_equals_brute_force():
    rng = np.random.default_rng(11)
    n_mute = n_both = 0
    for _ in range(400):
        # UE i attached to cell i; cross gains from weak to stronger than the direct one
        g = np.empty((2, 2))
        g[0, 0], g[1, 1] = 10 ** (rng.uniform(-9, -7, 2))
        g[0, 1] = g[0, 0] * 10 ** rng.uniform(-3, 0.0)
        g[1, 0] = g[1, 1] * 10 ** rng.uniform(-3, 0.0)
        w = rng.uniform(0.1, 1.0, 2)
        floor_w = np.full(2, 1e-12)
        fh_inv = rng.uniform(0, 0.01, 2)
        link_cell = np.array([[0, 1], [1, 0]], dtype=np.int32)
        gain = np.array([[g[0, 0], g[0, 1]], [g[1, 1], g[1, 0]]])[:, :, None]
        a = coordinated_assign(
            link_cell, gain, np.array([0, 1]), np.zeros(2, np.int32), floor_w, fh_inv, 1.0, w, 2
        )
        on = tuple(bool(x >= 0) for x in a[:, 0])
        pats = list(itertools.product([False, True], repeat=2))
        vals = [_two_link_utility(g, floor_w, fh_inv, 1.0, w, p) for p in pats]
        best = pats[int(np.argmax(vals))]
        assert on == best, (on, best, vals)
        n_mute += sum(on) == 1
        n_both += sum(on) == 2
    # the instances exercise both outcomes
    assert n_mute > 40 and n_both > 40


def test_no_ue_served_twice_and_only_by_its_cell(instance):
    rng = np.random.default_rng(5)
    d = instance(rng, n_cells=10, n_ue=60, k=5, n_rb=6)
    a = coordinated_assign(*_args(d))
    for b in range(6):
        served = a[:, b][a[:, b] >= 0]
        assert served.size == np.unique(served).size
        for c in np.flatnonzero(a[:, b] >= 0):
            assert d["serving"][a[c, b]] == c


def test_weak_interferer_is_never_muted():
    # isolated cells (no cross-gain) must all transmit
    rng = np.random.default_rng(0)
    n = 8
    link_cell = np.stack([np.arange(n), (np.arange(n) + 1) % n], axis=1).astype(np.int32)
    gain = np.zeros((n, 2, 3))
    gain[:, 0, :] = 1e-8 * rng.exponential(1, (n, 3))
    gain[:, 1, :] = 1e-20
    a = coordinated_assign(
        link_cell,
        gain,
        np.arange(n),
        np.zeros(n, np.int32),
        np.full(n, 1e-13),
        np.zeros(n),
        0.1,
        np.ones(n),
        n,
    )
    assert np.all(a >= 0)


def test_kernel_matches_reference_with_truncated_rate_model(instance):
    for seed in range(3):
        rng = np.random.default_rng(50 + seed)
        d = instance(rng, n_cells=6, n_ue=25, k=4, n_rb=3, spread_db=30.0)
        kw = {"rate": rate_model("se_gap", "qam64", 3)}
        a = coordinated_assign(*_args(d), **kw)
        np.testing.assert_array_equal(a, coordinated_assign_ref(*_args(d), **kw))


def test_objective_never_below_uncoordinated_pf(instance):
    """Per RB, the joint decision's PF-weighted sum rate >= that of per-cell PF at full power."""
    from rof.edge.coordinated import _utility_dense
    from rof.edge.percell import full_power_rate, pf_assign

    for seed in range(5):
        rng = np.random.default_rng(70 + seed)
        d = instance(rng, n_cells=9, n_ue=40, k=5, n_rb=4, spread_db=12.0)
        kw = {"rate": rate_model("eesm", "qam256", 4)}
        a = coordinated_assign(*_args(d), **kw)
        rate = full_power_rate(
            d["link_cell"], d["gain"], d["serve_k"], d["floor_w"], d["fh_inv"], d["p_w"], kw["rate"]
        )
        pf = pf_assign(d["serving"], rate, d["weight"], d["n_cells"])
        for b in range(4):
            g = np.zeros((40, 9))
            g[np.repeat(np.arange(40), 5), d["link_cell"].ravel()] = d["gain"][:, :, b].ravel()
            args = (g, d["floor_w"], d["fh_inv"], d["p_w"], d["weight"])
            u_co = _utility_dense(*args, a[:, b], kw["rate"])
            u_pf = _utility_dense(*args, pf[:, b], kw["rate"])
            assert u_co >= u_pf - 1e-12
