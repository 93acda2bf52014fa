"""Per-cell uplink PF: kernel against its NumPy twin; headroom and RB cap respected."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.edge.uplink.schedule import pf_uplink, pf_uplink_reference


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 20))
def test_kernel_matches_reference(seed, max_rb):
    rng = np.random.default_rng(seed)
    n_ue, n_cells, n_rb = 40, 5, 12
    serving = rng.integers(n_cells, size=n_ue)
    g = 10 ** rng.uniform(-12, -8, size=(n_ue, n_rb))
    w = np.where(rng.random(n_ue) < 0.8, 1 / rng.uniform(1e5, 1e7, n_ue), 0.0)
    psd = 10 ** rng.uniform(-4, -1, n_ue)
    noise = 10 ** rng.uniform(-15, -13, n_ue)
    a1, c1 = pf_uplink(serving, n_cells, g, w, psd, 0.2, noise, max_rb)
    a2, c2 = pf_uplink_reference(serving, n_cells, g, w, psd, 0.2, noise, max_rb)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(c1, c2)
    assert c1.max(initial=0) <= max_rb
    assert np.all(c1 <= np.maximum(1, np.floor(0.2 / psd)))  # power headroom
    on = a1 >= 0
    assert np.all(serving[a1[on]] == np.nonzero(on)[0])  # a cell serves its own users
    assert np.all(w[a1[on]] > 0)


def test_power_limited_user_shares_rbs():
    """Two equal channels; user 1 asks 1 W per RB. Uncapped it wins every RB; under
    P_CMAX = 0.2 W its headroom allows one RB and user 0 (0.05 W per RB) takes four."""
    g = np.full((2, 8), 1e-10)
    w = np.ones(2)
    noise = np.full(2, 1e-14)
    psd = np.array([0.05, 1.0])
    _, count = pf_uplink(np.zeros(2, int), 1, g, w, psd, 100.0, noise)
    assert count.tolist() == [0, 8]
    _, count = pf_uplink(np.zeros(2, int), 1, g, w, psd, 0.2, noise)
    assert count.tolist() == [4, 1]


def test_headroom_caps_the_rbs_of_a_power_limited_user():
    """Alone in its cell, a user asking 0.05 W per RB under P_CMAX = 0.2 W gets 4 RBs;
    one asking more than P_CMAX still gets one."""
    g = np.full((1, 10), 1e-10)
    for psd, n in ((0.05, 4), (0.3, 1), (0.001, 10)):
        _, count = pf_uplink(
            np.zeros(1, int), 1, g, np.ones(1), np.array([psd]), 0.2, np.ones(1) * 1e-14
        )
        assert count.tolist() == [n]


def test_coordinated_mutes_the_user_that_costs_its_neighbour_more():
    """Cell 0's weak user sits at cell 1's edge; muting it frees cell 1's strong user."""
    from rof.edge.uplink.schedule import coordinated_pf_uplink

    lc = np.array([[0, 1], [1, 0]])
    gain = np.array([[[1e-12], [1e-10]], [[1e-9], [1e-14]]])
    args = (np.array([0, 1]), lc, gain, np.ones(2), np.full(2, 0.01), 100.0)
    in_w, floor = np.array([1e-13, 1e-12]), np.full(2, 1e-14)
    assign, count = coordinated_pf_uplink(*args, in_w, floor)
    # u0: log2(1.1) = 0.14 < muting it: log2(1 + 1e-11/1e-14) - log2(11) = 6.5
    assert assign.tolist() == [[-1], [1]] and count.tolist() == [0, 1]
    # far from cell 1 (gain 1e-14) it keeps its RB
    gain[0, 1, 0] = 1e-14
    assign, _ = coordinated_pf_uplink(*args, in_w, floor)
    assert assign.tolist() == [[0], [1]]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31))
def test_coordinated_only_mutes_pf_decisions(seed):
    from rof.edge.uplink.schedule import coordinated_pf_uplink

    rng = np.random.default_rng(seed)
    n_ue, n_cells, n_rb, k = 30, 5, 6, 3
    serving = rng.integers(n_cells, size=n_ue)
    lc = np.stack([[s, *[c for c in rng.permutation(n_cells) if c != s][: k - 1]] for s in serving])
    gain = 10 ** rng.uniform(-13, -9, size=(n_ue, k, n_rb))
    w = 1 / rng.uniform(1e5, 1e7, n_ue)
    psd = 10 ** rng.uniform(-4, -2, n_ue)
    in_w = 10 ** rng.uniform(-14, -12, n_cells)
    a_pf, c_pf = pf_uplink(serving, n_cells, gain[:, 0, :], w, psd, 0.2, in_w[serving])
    a, c = coordinated_pf_uplink(serving, lc, gain, w, psd, 0.2, in_w, in_w / 10)
    assert np.all((a == a_pf) | (a == -1))
    assert np.all(c <= c_pf) and np.array_equal(c, np.bincount(a[a >= 0], minlength=n_ue))
    # a table of one cell has no neighbour to protect: plain PF
    a1, _ = coordinated_pf_uplink(serving, lc[:, :1], gain[:, :1], w, psd, 0.2, in_w, in_w / 10)
    np.testing.assert_array_equal(a1, a_pf)
