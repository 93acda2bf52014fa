import numpy as np

from rof.edge.csi import CsiHistory, delayed_state, delayed_state_ref


def test_delayed_state_interpolates_between_past_ttis():
    rng = np.random.default_rng(0)
    n_ue, k, n_rb, n_cells = 5, 3, 4, 4
    link_cell = np.array([rng.choice(n_cells, k, replace=False) for _ in range(n_ue)], np.int32)
    h = CsiHistory(3.7, (n_ue, k, n_rb))
    states = [rng.random((n_ue, k, n_rb)).astype(np.float32) for _ in range(9)]
    for s in states:
        h.push(s)
    delay = np.array([0.0, 1.0, 2.25, 3.7])
    out = h.delayed(link_cell, delay)
    np.testing.assert_allclose(
        out, delayed_state_ref(h.hist, h.head, h.count, link_cell, delay), rtol=1e-6
    )
    for u in range(n_ue):
        for kk in range(k):
            d = delay[link_cell[u, kk]]
            i = int(np.floor(d))
            f = d - i
            want = (1 - f) * states[-1 - i][u, kk] + f * states[-2 - i][u, kk]
            np.testing.assert_allclose(out[u, kk], want, rtol=1e-6)


def test_zero_delay_is_the_present_and_short_history_holds_oldest():
    h = CsiHistory(5.0, (1, 1, 2))
    h.push(np.full((1, 1, 2), 1.0, np.float32))
    h.push(np.full((1, 1, 2), 2.0, np.float32))
    lc = np.zeros((1, 1), np.int32)
    assert np.all(delayed_state(h.hist, h.head, h.count, lc, np.array([0.0])) == 2.0)
    # delay beyond what is stored: the oldest state (1.0)
    assert np.all(h.delayed(lc, np.array([4.5])) == 1.0)
