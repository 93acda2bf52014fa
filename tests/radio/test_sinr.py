"""SINR engine with fronthaul noise: kernel vs dense reference, limits and closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rof.errors import RofError
from rof.radio.sinr import (
    channel_gain,
    noise_power_w,
    sinr_per_link,
    sinr_per_link_reference,
    sinr_scheduled,
    sinr_scheduled_reference,
)


def _instance(rng, n_ue=40, n_cells=12, k=5, n_rb=7, snr_inf=False):
    link_cell = np.stack([rng.choice(n_cells, size=k, replace=False) for _ in range(n_ue)])
    link_cell = link_cell.astype(np.int32)
    unused = rng.random((n_ue, k)) < 0.1
    unused[:, 0] = False  # slot 0 always used
    link_cell[unused] = -1  # a few unused slots
    gain = (10 ** rng.uniform(-12, -7, (n_ue, k, n_rb))).astype(np.float32)
    bg = 10 ** rng.uniform(-13, -10, n_ue)
    power = rng.uniform(0.0, 2.0, (n_cells, n_rb))
    power[rng.random((n_cells, n_rb)) < 0.2] = 0.0
    snr = 10 ** rng.uniform(1.0, 4.0, n_cells)
    if snr_inf:
        snr[:] = np.inf
    snr[0] = np.inf
    assign = np.full((n_cells, n_rb), -1, dtype=np.int32)
    for u in range(n_ue):
        for slot in range(k):
            c = link_cell[u, slot]
            if c >= 0:
                b = rng.integers(n_rb)
                if rng.random() < 0.5:
                    assign[c, b] = u
    noise = 10 ** rng.uniform(-14, -12, n_ue)
    return link_cell, gain, bg, assign, power, snr, noise, 1.5


def test_noise_power_w():
    assert 10 * np.log10(noise_power_w(1.0) * 1e3) == pytest.approx(-173.98, abs=0.01)
    # one 30 kHz-SCS RB (360 kHz), NF 9 dB: -173.98 + 55.56 + 9 = -109.42 dBm
    n = noise_power_w(360e3, 9.0)
    assert 10 * np.log10(n * 1e3) == pytest.approx(-109.42, abs=0.01)
    np.testing.assert_allclose(
        noise_power_w(np.array([1.0, 2.0])),
        [n / 360e3 / 7.943282, 2 * n / 360e3 / 7.943282],
        rtol=1e-5,
    )
    with pytest.raises(RofError, match="bandwidth_hz"):
        noise_power_w(0.0)


@pytest.mark.parametrize("seed", range(6))
def test_kernel_equals_dense_reference(seed):
    args = _instance(np.random.default_rng(seed), snr_inf=seed == 5)
    out = sinr_scheduled(*args)
    ref = sinr_scheduled_reference(*args)
    np.testing.assert_array_equal(np.isnan(out), args[3] < 0)
    np.testing.assert_allclose(out, ref, rtol=1e-6, equal_nan=True)
    link_cell, gain, bg, _, power, snr, noise, bgp = args
    pl = sinr_per_link(link_cell, gain, bg, power, snr, noise, bgp)
    pl_ref = sinr_per_link_reference(link_cell, gain, bg, power, snr, noise, bgp)
    np.testing.assert_allclose(pl, pl_ref, rtol=2e-5, atol=1e-30)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 6), st.integers(1, 9), st.integers(1, 4))
def test_per_link_agrees_with_scheduled(seed, k, n_cells, n_rb):
    # the per-link SINR of the serving link is what sinr_scheduled reports for that UE
    rng = np.random.default_rng(seed)
    k = min(k, n_cells)
    args = _instance(rng, n_ue=6, n_cells=n_cells, k=k, n_rb=n_rb)
    link_cell, gain, bg, assign, power, snr, noise, bgp = args
    out = sinr_scheduled(*args)
    pl = sinr_per_link(link_cell, gain, bg, power, snr, noise, bgp)
    for c, b in zip(*np.nonzero(assign >= 0), strict=True):
        u = assign[c, b]
        slot = int(np.nonzero(link_cell[u] == c)[0][0])
        assert pl[u, slot, b] == pytest.approx(out[c, b], rel=1e-5)


def test_infinite_fronthaul_snr_is_plain_sinr():
    rng = np.random.default_rng(11)
    link_cell, gain, bg, assign, power, _, noise, bgp = _instance(rng)
    out = sinr_scheduled(link_cell, gain, bg, assign, power, np.inf, noise, bgp)
    for c, b in zip(*np.nonzero(assign >= 0), strict=True):
        u = assign[c, b]
        rx = {
            int(cc): float(gain[u, s, b]) * power[cc, b]
            for s, cc in enumerate(link_cell[u])
            if cc >= 0
        }
        plain = rx[c] / (sum(v for cc, v in rx.items() if cc != c) + bg[u] * bgp + noise[u])
        assert out[c, b] == pytest.approx(plain, rel=1e-6)


def test_single_site_tends_to_fronthaul_snr():
    snr_fh = 10**2.5
    noise = 1e-13
    gains = 10.0 ** np.arange(-14, 2, 0.5)
    link_cell = np.zeros((gains.size, 1), dtype=np.int32)
    g = gains[:, None, None].astype(np.float64)
    out = []
    for u in range(gains.size):
        assign = np.array([[u]], dtype=np.int32)
        out.append(
            sinr_scheduled(
                link_cell, g, np.zeros(gains.size), assign, [[1.0]], [snr_fh], noise, 0.0
            )[0, 0]
        )
    out = np.array(out)
    closed = 1.0 / (1.0 / snr_fh + noise / gains)  # = gP / (N + gP / SNR_fh)
    np.testing.assert_allclose(out, closed, rtol=1e-12)
    assert np.all(np.diff(out) > 0) and out[-1] == pytest.approx(snr_fh, rel=1e-9)


def test_interferer_fronthaul_noise_scales_its_interference():
    # UE 0 served by cell 0, cell 1 interferes; no noise: SINR = S / (I (1 + 1/SNR_fh,1))
    link_cell = np.array([[0, 1]], dtype=np.int32)
    gain = np.array([[[1e-8], [1e-9]]])
    power = np.array([[1.0], [2.0]])
    assign = np.array([[0], [-1]], dtype=np.int32)
    for snr1 in (np.inf, 100.0, 1.0, 0.1):
        s = sinr_scheduled(link_cell, gain, [0.0], assign, power, [np.inf, snr1], 0.0, 0.0)[0, 0]
        assert s == pytest.approx(1e-8 / (2e-9 * (1 + 1 / snr1)), rel=1e-12)
    assert np.isnan(sinr_scheduled(link_cell, gain, [0.0], assign, power, np.inf, 0.0, 0.0)[1, 0])


def test_background_and_muting():
    link_cell = np.array([[0, 1]], dtype=np.int32)
    gain = np.array([[[1e-8, 1e-8], [1e-9, 1e-9]]])
    power = np.array([[1.0, 1.0], [1.0, 0.0]])  # cell 1 muted on RB 1
    assign = np.array([[0, 0], [-1, -1]], dtype=np.int32)
    out = sinr_scheduled(link_cell, gain, [1e-10], assign, power, np.inf, 1e-12, [0.5, 2.0])
    assert out[0, 0] == pytest.approx(1e-8 / (1e-9 + 0.5e-10 + 1e-12))
    assert out[0, 1] == pytest.approx(1e-8 / (2e-10 + 1e-12))


def test_errors():
    link_cell = np.array([[0, 1]], dtype=np.int32)
    gain = np.ones((1, 2, 1))
    power = np.ones((3, 1))
    bad = np.array([[-1], [-1], [0]], dtype=np.int32)  # UE 0 served by cell 2: not in its top-K
    with pytest.raises(RofError, match=r"assign\[2, 0\]"):
        sinr_scheduled(link_cell, gain, [0.0], bad, power, np.inf, 1e-12, 0.0)
    with pytest.raises(RofError, match="gain"):
        sinr_scheduled(link_cell, np.ones((1, 3, 1)), [0.0], bad, power, np.inf, 1e-12, 0.0)
    with pytest.raises(RofError, match="snr_fh"):
        sinr_per_link(link_cell, gain, [0.0], power, 0.0, 1e-12, 0.0)
    with pytest.raises(RofError, match="power_w"):
        sinr_per_link(link_cell, gain, [0.0], -power, np.inf, 1e-12, 0.0)
    with pytest.raises(RofError, match="link_cell"):
        sinr_per_link(link_cell + 5, gain, [0.0], power, np.inf, 1e-12, 0.0)


def test_channel_gain():
    gdb = np.array([[-100.0, -120.0]], dtype=np.float32)
    fad = np.array([[[1.0, 2.0], [0.5, 0.0]]], dtype=np.float32)
    g = channel_gain(gdb, fad)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [[[1e-10, 2e-10], [0.5e-12, 0.0]]], rtol=1e-6)
    with pytest.raises(RofError, match="fading"):
        channel_gain(gdb, fad[:, :1])
