"""Uplink cascade: Friis, cascade IIP3, OFDM third-order distortion, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.errors import ConfigError, RofError
from rof.link import build_link
from rof.link.uplink import (
    IIP3_OVER_P1DB_DB,
    RfAmplifier,
    UplinkRoFLink,
    build_uplink,
    cascade_iip3_dbm,
    ofdm_im3_inband_w,
)

KT0_DBM_HZ = 10.0 * math.log10(1.380649e-23 * 290.0 * 1e3)


@pytest.mark.parametrize("tx", ["dml", "mzm"])
@pytest.mark.parametrize("length_km", [0.0, 10.0, 25.0])
def test_cascade_noise_figure_is_friis(tx, length_km):
    """NF of LNA -> optical link -> post-amp from summed noise powers at the output.

    Each stage's added output noise: LNA ``kT0 (F1 - 1) G1``, the optical link the output
    noise of its own budget less its amplified source noise ``N_o - kT0 G2``, the
    post-amplifier ``kT0 (F3 - 1) G3``; the source ``kT0`` through the whole gain.
    """
    link = build_link({"transmitter": {"type": tx}, "fiber": {"length_km": length_km}})
    lna = RfAmplifier(gain_db=25.0, noise_figure_db=1.2)
    post = RfAmplifier(gain_db=18.0, noise_figure_db=6.0)
    up = UplinkRoFLink(lna, link, post)
    rf = 3.5e9
    b = up.budget(rf, rf_in_dbm=-70.0, bandwidth_hz=20e6)
    lb = link.budget(rf, rf_in_dbm=-45.0, bandwidth_hz=20e6)
    kt0 = 10 ** (KT0_DBM_HZ / 10) * 1e-3
    g1, g2, g3 = 10**2.5, 10 ** (float(lb.gain_db) / 10), 10**1.8
    f1, f3 = 10**0.12, 10**0.6
    n_link_out = 10 ** (float(lb.noise_dbm_hz) / 10) * 1e-3
    n_out = kt0 * f1 * g1 * g2 * g3 + (n_link_out - kt0 * g2) * g3 + kt0 * (f3 - 1) * g3
    nf_expected = 10 * math.log10(n_out / (kt0 * g1 * g2 * g3))
    assert float(b.noise_figure_db) == pytest.approx(nf_expected, abs=1e-9)
    assert float(b.gain_db) == pytest.approx(25.0 + float(lb.gain_db) + 18.0, abs=1e-9)
    f_total = 10 ** (nf_expected / 10)
    fh = 10 * math.log10(kt0 * 1e3 * (f_total - f1))
    assert float(b.fronthaul_noise_dbm_hz) == pytest.approx(fh, abs=1e-9)
    assert float(b.input_noise_dbm_hz) == pytest.approx(KT0_DBM_HZ + nf_expected, abs=1e-9)


def test_high_lna_gain_hides_the_fronthaul():
    """As G1 grows the cascade tends to the LNA alone (Friis' first term)."""
    link = build_link({"transmitter": {"type": "dml"}, "fiber": {"length_km": 20.0}})
    nfs = [
        float(
            UplinkRoFLink(RfAmplifier(gain_db=g, noise_figure_db=1.0), link)
            .budget(3.5e9)
            .noise_figure_db
        )
        for g in (10.0, 30.0, 60.0)
    ]
    assert nfs[0] > nfs[1] > nfs[2]
    assert 1.0 < nfs[2] < 1.2  # link NF ~47 dB at 20 km: (F2 - 1)/G1 ~ 0.05


def test_cascade_iip3_closed_form():
    # 1/P = 1/1 mW + 100/10 mW = 11 /mW  ->  -10.414 dBm
    assert float(cascade_iip3_dbm([20.0, 0.0], [0.0, 10.0])) == pytest.approx(
        -10 * math.log10(11.0), abs=1e-12
    )
    assert float(cascade_iip3_dbm([10.0, 5.0], [math.inf, 3.0])) == pytest.approx(-7.0, abs=1e-12)
    assert math.isinf(float(cascade_iip3_dbm([10.0], [math.inf])))


def test_iip3_over_p1db_from_the_cubic():
    """Solve the 1 dB compression of y = x - a3 x^3 for a tone and compare with IIP3."""
    a3 = 0.01
    a_1db = math.sqrt((1 - 10 ** (-1 / 20)) * 4 / (3 * a3))
    assert 20 * math.log10(1 - 0.75 * a3 * a_1db**2) == pytest.approx(-1.0, abs=1e-12)
    a_iip3 = math.sqrt(4 / (3 * a3))
    assert 20 * math.log10(a_iip3 / a_1db) == pytest.approx(IIP3_OVER_P1DB_DB, abs=1e-12)
    assert IIP3_OVER_P1DB_DB == pytest.approx(9.64, abs=0.005)


def test_ofdm_im3_matches_a_monte_carlo_multicarrier_signal():
    """In-band distortion of a band-limited Gaussian through the cubic, by FFT."""
    rng = np.random.default_rng(3)
    n, used = 2**16, 2**14  # a flat band of a quarter of the bins
    p, iip3 = 1.0, 30.0
    acc = []
    for _ in range(8):
        spec = np.zeros(n, complex)
        idx = np.r_[0 : used // 2, n - used // 2 : n]
        spec[idx] = rng.standard_normal(used) + 1j * rng.standard_normal(used)
        x = np.fft.ifft(spec)
        x *= math.sqrt(p / np.mean(np.abs(x) ** 2))
        y = x - (1.0 / iip3) * np.abs(x) ** 2 * x
        k = np.vdot(x, y) / np.vdot(x, x)
        d = np.fft.fft(y - k * x)
        acc.append(np.sum(np.abs(d[idx]) ** 2) / n**2)  # Parseval; a1 = 1
    measured = float(np.mean(acc))
    assert measured == pytest.approx(float(ofdm_im3_inband_w(p, iip3)), rel=0.05)


def test_two_tone_iip3_intercept_of_the_cubic():
    """The complex cubic y = x - |x|^2 x / P has its two-tone intercept at P."""
    n, p_iip3, a = 4096, 50.0, 0.1
    t = np.arange(n)
    x = a * (np.exp(2j * np.pi * 100 * t / n) + np.exp(2j * np.pi * 110 * t / n))
    y = np.fft.fft(x - np.abs(x) ** 2 * x / p_iip3) / n
    fund, im3 = abs(y[100]) ** 2, abs(y[120]) ** 2
    # extrapolate 1 dB/dB vs 3 dB/dB: intercept per-tone input power
    pin = a**2
    iip3 = pin * math.sqrt(fund / im3)
    assert iip3 == pytest.approx(p_iip3, rel=2e-3)


def test_sdr_follows_the_cubic_and_sfdr_bookkeeping():
    up = build_uplink({"transmitter": {"type": "mzm"}, "fiber": {"length_km": 5.0}})
    b = up.budget(3.5e9, rf_in_dbm=[-60.0, -50.0], bandwidth_hz=10e6)
    # third order: 2 dB of SDR per dB of input
    assert float(b.sdr_db[0] - b.sdr_db[1]) == pytest.approx(20.0, abs=1e-9)
    dr = b.dynamic_range([[-110.0, -70.0], [-100.0, -40.0]], 360e3)
    sfdr = (2 / 3) * (b.iip3_dbm - b.input_noise_dbm_hz - 10 * math.log10(360e3))
    np.testing.assert_allclose(dr["sfdr_db"], sfdr)
    np.testing.assert_allclose(dr["spread_db"], [40.0, 60.0])
    np.testing.assert_allclose(dr["margin_db"], sfdr - [40.0, 60.0])


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"lna": {"gain_db": -3.0}}, "lna.gain_db"),
        ({"lna": {"noise_figure_db": 40.0}}, "lna.noise_figure_db"),
        ({"post_amplifier": {"gain_db": -1.0}}, "post_amplifier.gain_db"),
        ({"lna": {"gainn_db": 3.0}}, "lna.gainn_db"),
        ({"lna": {"gain_db": "x"}}, "lna.gain_db"),
    ],
)
def test_bad_amplifier_names_the_key(table, key):
    with pytest.raises(ConfigError) as err:
        build_uplink(table, source="up.toml")
    msg = str(err.value)
    assert msg.startswith(f"up.toml: {key} = ") and "allowed:" in msg and "\n" not in msg


def test_rf_amplifier_ranges():
    with pytest.raises(
        RofError, match=r"RfAmplifier.gain_db = -1.0 is out of range; allowed: >= 0"
    ):
        RfAmplifier(gain_db=-1.0)


def _inband_im3(samples, iip3, bins, n_fft, cp):
    """In-band third-order distortion of the cubic, referred to the input, per symbol body."""
    y = samples - np.abs(samples) ** 2 * samples / iip3
    k = np.vdot(samples, y) / np.vdot(samples, samples)
    d = y - k * samples
    total = 0.0
    for a in cp:
        total += np.sum(np.abs(np.fft.fft(d[a : a + n_fft])[bins]) ** 2) / n_fft**2
    return total / len(cp)


def test_nr_uplink_waveforms_through_the_lna_cubic():
    """CP-OFDM's in-band IM3 follows the Gaussian closed form the budget uses; DFT-s-OFDM
    (QPSK, lower PAPR) distorts less, so the budget is conservative for it."""
    from rof.signals.dfts import dfts_ofdm_symbols
    from rof.signals.numerology import cp_lengths

    n_fft, n_rb, n_sym, iip3 = 1024, 50, 112, 40.0
    cp = cp_lengths(n_sym, n_fft, 30.0)
    bodies = np.concatenate(([0], np.cumsum(cp + n_fft)[:-1])) + cp
    k = np.arange(12 * n_rb) - 12 * (n_fft // 12) // 2
    bins = np.mod(k, n_fft)
    out = {}
    for tp in (False, True):
        s, _ = dfts_ofdm_symbols(
            n_rb, "QPSK", n_sym, np.random.default_rng(4), n_fft=n_fft, transform_precoding=tp
        )
        p = np.mean(np.concatenate([np.abs(s[a : a + n_fft]) ** 2 for a in bodies]))
        out[tp] = _inband_im3(s, iip3, bins, n_fft, bodies) / float(ofdm_im3_inband_w(p, iip3))
    assert out[False] == pytest.approx(1.0, rel=0.1)  # CP-OFDM: the closed form
    assert out[True] < 0.8 * out[False]  # DFT-s-OFDM: less
