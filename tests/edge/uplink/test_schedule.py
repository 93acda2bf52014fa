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
    on = a1 >= 0
    assert np.all(serving[a1[on]] == np.nonzero(on)[0])  # a cell serves its own users
    assert np.all(w[a1[on]] > 0)


def test_power_limited_user_shares_rbs():
    """Two equal users, one capped at P_CMAX: splitting its power, it stops winning RBs."""
    g = np.full((2, 8), 1e-10)
    w = np.ones(2)
    psd = np.array([1e-3, 1.0])  # user 1 wants 1 W per RB; P_CMAX 0.2 W caps it
    noise = np.full(2, 1e-14)
    _, count = pf_uplink(np.zeros(2, int), 1, g, w, psd, 0.2, noise)
    # user 1 wins while 0.2 / (M + 1) > 1e-3, i.e. up to M = 199: here every RB
    assert count.tolist() == [0, 8]
    for p0, won in ((0.045, 4), (0.06, 3)):  # it wins while 0.2 / (M + 1) > p0
        _, count = pf_uplink(np.zeros(2, int), 1, g, w, np.array([p0, 1.0]), 0.2, noise)
        assert count.tolist() == [8 - won, won]
