"""Fronthaul noise on muted and power-reduced RBs (issue 15 item 4): RIN, shot, thermal
noise and crosstalk persist whatever a cell transmits on an RB; intermodulation follows
the drive. Checked against the formulas written out by hand."""

import numpy as np
import pytest

from rof.radio.sinr import (
    fronthaul_noise_w,
    sinr_scheduled,
    sinr_scheduled_reference,
)


def test_radiated_noise_by_hand():
    p_ref, snr_n, sdr = 0.2, 10**5.5, 10**4.0
    power = np.array([[0.2, 0.2, 0.2, 0.2], [0.2, 0.0, 0.2, 0.0], [0.0] * 4, [0.05] * 4])
    f = fronthaul_noise_w(power, p_ref, snr_n, sdr)
    full = 0.2 / snr_n + 0.2 / sdr  # the budget's SNDR at full drive
    assert f[0] == pytest.approx(full, rel=1e-12)
    assert f[1] == pytest.approx(0.2 / snr_n + 0.2 / sdr * 0.5**3, rel=1e-12)
    assert f[2] == pytest.approx(0.2 / snr_n, rel=1e-12)  # muted: noise stays, IMD gone
    assert f[3] == pytest.approx(0.2 / snr_n + 0.2 / sdr * 0.25**3, rel=1e-12)


def _two_cells():
    # UE 0 served by cell 0, UE 1 by cell 1; each sees both cells
    link_cell = np.array([[0, 1], [1, 0]], dtype=np.int32)
    gain = np.array([[[1e-9, 1e-9]], [[2e-9, 2e-9]]]).reshape(2, 2, 1) * np.array(
        [[[1.0], [0.3]], [[1.0], [0.2]]]
    )
    return link_cell, gain


def test_a_muted_interferer_still_radiates_its_fronthaul_noise():
    """Cell 1 mutes its RB: before issue 15 the UE of cell 0 then saw nothing from cell
    1; its fronthaul's RIN/shot/thermal noise reaches the UE through the channel."""
    link_cell, gain = _two_cells()
    assign = np.array([[0], [-1]])
    power = np.array([[0.2], [0.0]])
    snr_n = np.array([1e4, 1e3])
    sdr = np.array([1e5, 1e5])
    noise = 1e-13
    f = fronthaul_noise_w(power, 0.2, snr_n, sdr)
    out = sinr_scheduled(link_cell, gain, [0.0, 0.0], assign, power, np.inf, noise, 0.0, f)
    g00, g01 = gain[0, 0, 0], gain[0, 1, 0]
    f0 = 0.2 / 1e4 + 0.2 / 1e5  # cell 0 at full drive
    f1 = 0.2 / 1e3  # cell 1 muted: noise only
    expect = g00 * 0.2 / (g01 * f1 + noise + g00 * f0)
    assert out[0, 0] == pytest.approx(expect, rel=1e-12)
    assert np.isnan(out[1, 0])
    # the old model (all fronthaul noise riding on the RB's power) misses g01 * f1
    old = sinr_scheduled(link_cell, gain, [0.0, 0.0], assign, power, 1 / (1 / snr_n + 1 / sdr),
                         noise, 0.0)  # fmt: skip
    assert old[0, 0] > 1.05 * out[0, 0]


def test_full_drive_gives_the_budget_sndr_as_before():
    rng = np.random.default_rng(2)
    link_cell = np.array([rng.permutation(4)[:3] for _ in range(6)], dtype=np.int32)
    gain = rng.exponential(1e-9, (6, 3, 5))
    first = [np.flatnonzero(link_cell[:, 0] == c) for c in range(4)]
    assign = np.array([[u[0] if u.size else -1] * 5 for u in first])
    power = np.full((4, 5), 0.1)
    snr_n, sdr = rng.uniform(1e3, 1e5, 4), rng.uniform(1e3, 1e5, 4)
    sndr = 1.0 / (1.0 / snr_n + 1.0 / sdr)
    f = fronthaul_noise_w(power, 0.1, snr_n, sdr)
    new = sinr_scheduled(link_cell, gain, np.zeros(6), assign, power, np.inf, 1e-13, 0.0, f)
    old = sinr_scheduled(link_cell, gain, np.zeros(6), assign, power, sndr, 1e-13, 0.0)
    np.testing.assert_allclose(new, old, rtol=1e-12)


def test_kernel_matches_the_numpy_reference_with_radiated_noise():
    rng = np.random.default_rng(7)
    n_ue, n_cells, k, n_rb = 20, 6, 4, 8
    link_cell = np.array([rng.permutation(n_cells)[:k] for _ in range(n_ue)], dtype=np.int32)
    gain = rng.exponential(1e-9, (n_ue, k, n_rb)).astype(np.float32)
    assign = np.full((n_cells, n_rb), -1)
    for c in range(n_cells):
        users = np.flatnonzero(link_cell[:, 0] == c)
        if users.size:
            assign[c] = rng.choice(users, n_rb)
    power = rng.uniform(0.0, 0.2, (n_cells, n_rb)) * (rng.random((n_cells, n_rb)) > 0.3)
    f = fronthaul_noise_w(power, 0.2, rng.uniform(1e3, 1e5, n_cells), 1e4)
    args = (link_cell, gain, rng.uniform(0, 1e-10, n_ue), assign, power, 1e4, 1e-13, 0.1, f)
    np.testing.assert_allclose(sinr_scheduled(*args), sinr_scheduled_reference(*args),
                               rtol=1e-6)  # fmt: skip


def test_prepared_entry_point_is_the_checked_one():
    """The edge loop's unchecked entry gives the checked function's values."""
    from rof.radio.sinr import sinr_scheduled_prepared

    rng = np.random.default_rng(11)
    n_ue, n_cells, k, n_rb = 12, 4, 3, 5
    link_cell = np.array([rng.permutation(n_cells)[:k] for _ in range(n_ue)], dtype=np.int32)
    gain = rng.exponential(1e-9, (n_ue, k, n_rb)).astype(np.float32)
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    for c in range(n_cells):
        users = np.flatnonzero(link_cell[:, 0] == c)
        if users.size:
            assign[c] = rng.choice(users, n_rb)
    power = rng.uniform(0.0, 0.2, (n_cells, n_rb))
    bg, noise = rng.uniform(0, 1e-10, n_ue), np.full(n_ue, 1e-13)
    f = fronthaul_noise_w(power, 0.2, 1e4, 1e5)
    want = sinr_scheduled(link_cell, gain, bg, assign, power, np.inf, noise, 0.1, f)
    got = sinr_scheduled_prepared(link_cell, gain, bg, assign, power, np.zeros(n_cells), noise,
                                  np.full(n_rb, 0.1), f)  # fmt: skip
    np.testing.assert_array_equal(got, want)


def test_prepared_noise_and_the_loops_term_equal_the_checked_function():
    """The TTI loop's prepared form gives fronthaul_noise_w's values bit for bit."""
    from types import SimpleNamespace

    from rof.edge.simulate import _FronthaulNoise
    from rof.radio.sinr import fronthaul_noise_prepared

    rng = np.random.default_rng(9)
    power = rng.uniform(0.0, 0.2, (5, 12)) * (rng.random((5, 12)) < 0.7)
    snr_n, sdr = 10 ** rng.uniform(3.0, 6.0, 5), 10 ** rng.uniform(3.0, 6.0, 5)
    snr_n[0] = sdr[1] = np.inf
    want = fronthaul_noise_w(power, 0.2, snr_n, sdr)
    got = fronthaul_noise_prepared(power, 0.2, 1.0 / snr_n, 1.0 / sdr)
    np.testing.assert_array_equal(got, want)
    world = SimpleNamespace(
        deployment=SimpleNamespace(cell_site=np.arange(5)),
        snr_fh_db=rng.uniform(30.0, 50.0, 5),
        sdr_fh_db=rng.uniform(40.0, 60.0, 5),
        p_rb_w=0.2,
        n_cells=5,
    )
    term = _FronthaulNoise(world, True)
    want = fronthaul_noise_w(power, 0.2, term.snr_noise, term.sdr)
    np.testing.assert_array_equal(term(power), want)
    assert np.all(_FronthaulNoise(world, False)(power) == 0.0)
