"""Uplink radio: TS 38.213 open-loop power control and the SINR behind analog fronthaul."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rof.errors import RofError
from rof.radio.uplink import (
    ALPHA_VALUES,
    im3_per_rb_w,
    olpc_power_dbm,
    uplink_sinr,
    uplink_sinr_reference,
)


def test_olpc_reproduces_ts38213_formula():
    # P0 + 10 log10(2^mu M) + alpha PL, TS 38.213 7.1.1
    assert olpc_power_dbm(-80.0, 0.8, 100.0, 10, mu=1) == pytest.approx(
        -80.0 + 10 * math.log10(20) + 80.0, abs=1e-12
    )
    assert olpc_power_dbm(-100.0, 1.0, 90.0, 1) == pytest.approx(-10.0, abs=1e-12)
    assert olpc_power_dbm(-60.0, 0.0, 140.0, 4, mu=0) == pytest.approx(
        -60.0 + 10 * math.log10(4), abs=1e-12
    )


def test_olpc_cap_at_pcmax():
    pl = np.array([80.0, 110.0, 140.0])
    p = olpc_power_dbm(-90.0, 1.0, pl, 25, mu=1, p_cmax_dbm=23.0)
    open_loop = -90.0 + 10 * math.log10(50) + pl
    np.testing.assert_allclose(p, np.minimum(open_loop, 23.0), atol=1e-12)
    assert p[0] < 23.0 and p[1] == 23.0 and p[2] == 23.0
    assert olpc_power_dbm(-90.0, 1.0, 80.0, 0) == -math.inf


@pytest.mark.parametrize("alpha", [0.3, 0.45, 1.1, -0.4])
def test_olpc_refuses_alpha_outside_the_set(alpha):
    with pytest.raises(RofError, match=r"alpha = .* allowed: one of 0, 0.4, 0.5"):
        olpc_power_dbm(-80.0, alpha, 100.0, 10)


@pytest.mark.parametrize("p0", [-203.0, 25.0])
def test_olpc_refuses_p0_outside_ts38331(p0):
    with pytest.raises(RofError, match=r"p0_dbm = .* allowed: >= -202 and <= 24"):
        olpc_power_dbm(p0, 1.0, 100.0, 10)


def _problem(rng, n_ue=30, n_cells=7, k=4, n_rb=5):
    link_cell = np.stack([rng.permutation(n_cells)[:k] for _ in range(n_ue)]).astype(np.int32)
    gain = 10 ** rng.uniform(-13, -8, size=(n_ue, k, n_rb))
    gain = np.sort(gain, axis=1)[:, ::-1]
    bg = 10 ** rng.uniform(-14, -12, size=n_ue)
    assign = np.full((n_cells, n_rb), -1)
    for c in range(n_cells):
        for b in range(n_rb):
            if rng.random() < 0.85:
                assign[c, b] = rng.integers(n_ue)
    p = 10 ** rng.uniform(-3, -1, size=n_ue)
    return link_cell, gain, bg, assign, p


def test_kernel_matches_dense_reference_with_fronthaul():
    rng = np.random.default_rng(5)
    lc, g, bg, a, p = _problem(rng)
    noise = 10 ** rng.uniform(-16, -15, size=7)
    fh = 10 ** rng.uniform(-16, -14, size=7)
    iip3 = 10 ** rng.uniform(-6, -4, size=7)
    s1, t1, d1 = uplink_sinr(lc, g, bg, a, p, noise, fh, iip3)
    s2, t2, d2 = uplink_sinr_reference(lc, g, bg, a, p, noise, fh, iip3)
    np.testing.assert_allclose(s1, s2, rtol=1e-10)
    np.testing.assert_allclose(t1, t2, rtol=1e-12)
    np.testing.assert_allclose(d1, d2, rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
@example(2979544)  # SINR 47 dB: the own signal once cancelled against the interference
def test_ideal_fronthaul_is_the_air_interface_sinr(seed):
    """Full link tables (K = n_cells): plain loops over the air link, noise of the LNA."""
    rng = np.random.default_rng(seed)
    n_ue, n_cells, n_rb = 12, 4, 3
    g_dense = 10 ** rng.uniform(-13, -8, size=(n_ue, n_cells, n_rb))
    lc = np.tile(np.arange(n_cells), (n_ue, 1))
    a = rng.integers(-1, n_ue, size=(n_cells, n_rb))
    p = 10 ** rng.uniform(-3, -1, size=n_ue)
    noise = 1e-15
    sinr, _, _ = uplink_sinr(lc, g_dense, np.zeros(n_ue), a, p, noise, 0.0, math.inf)
    for c in range(n_cells):
        for b in range(n_rb):
            u = a[c, b]
            if u < 0:
                assert sinr[c, b] == 0.0
                continue
            interf = sum(
                g_dense[a[c0, b], c, b] * p[a[c0, b]]
                for c0 in range(n_cells)
                if c0 != c and a[c0, b] >= 0
            )
            expected = g_dense[u, c, b] * p[u] / (interf + noise)
            assert sinr[c, b] == pytest.approx(expected, rel=1e-12)


def _im3_by_enumeration(rx, iip3):
    """D_b = 2/IIP3^2 sum over RB triples of S1 S2 S3, weight 2/3 where b1 + b2 - b3 = b and
    1/6 where it is b -+ 1 (plain loops)."""
    n = len(rx)
    d = np.zeros(n)
    for b in range(n):
        for b1 in range(n):
            for b2 in range(n):
                for b3 in range(n):
                    off = b1 + b2 - b3 - b
                    w = {0: 2 / 3, 1: 1 / 6, -1: 1 / 6}.get(off, 0.0)
                    d[b] += w * rx[b1] * rx[b2] * rx[b3]
    return 2 * d / iip3**2


def test_fronthaul_noise_and_im3_add_after_the_air_link():
    """One cell, a strong user on RB 0 and a weak one on RB 1: each RB's third-order
    products from the composite's per-RB powers (plain enumeration of the triples)."""
    lc = np.array([[0], [0]])
    g = np.array([[[1e-7, 1e-7]], [[1e-12, 1e-12]]])
    a = np.array([[0, 1]])
    p = np.array([0.1, 0.1])
    noise, fh, iip3 = 1e-15, 3e-15, 1e-5
    sinr, p_tot, im3 = uplink_sinr(lc, g, np.zeros(2), a, p, noise, fh, iip3)
    rx = [1e-8 + noise, 1e-13 + noise]
    assert p_tot[0] == pytest.approx(sum(rx), rel=1e-12)
    d = _im3_by_enumeration(rx, iip3)
    np.testing.assert_allclose(im3[0], d, rtol=1e-12)
    np.testing.assert_allclose(im3_per_rb_w(np.array(rx), iip3), d, rtol=1e-12)
    assert sinr[0, 1] == pytest.approx(1e-13 / (noise + fh + d[1]), rel=1e-12)
    assert sinr[0, 0] == pytest.approx(1e-8 / (noise + fh + d[0]), rel=1e-12)
    # the strong user's products hurt the weak one (more than the noise), its own RB more
    assert d[1] > noise and d[0] > d[1]


def test_im3_of_a_flat_band_is_the_gaussian_closed_form():
    """Equal power on every RB: the products summed over the band tend to Dardari et al.'s
    4/3 P^3 / IIP3^2 (in-band share 2/3 of the Bussgang distortion 2 P^3 / IIP3^2)."""
    from rof.link.uplink import ofdm_im3_inband_w

    for n, tol in ((12, 0.02), (51, 1e-3), (106, 2e-4)):
        d = im3_per_rb_w(np.full(n, 1e-3 / n), 1e-2)
        assert d.sum() == pytest.approx(float(ofdm_im3_inband_w(1e-3, 1e-2)), rel=tol)
        assert d[n // 2] > d[0]  # the band's centre collects more products than its edges


def test_alpha_values_are_ts38331():
    assert ALPHA_VALUES == (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
