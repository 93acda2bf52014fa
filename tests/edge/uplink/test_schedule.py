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
