"""Waveform MZM: exact transfer, two-tone IIP3 against the closed form, predistortion."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.photonics import CWLaser, MachZehnderModulator
from rof.photonics.timedomain import arcsine_predistort, mzm_field


def _mzm(**kw):
    kw.setdefault("bandwidth_hz", 1e15)
    return MachZehnderModulator(CWLaser(power_dbm=10.0), v_pi_v=4.0, **kw)


def test_power_is_the_exact_sine_transfer():
    m = _mzm(extinction_ratio_db=20.0, bias_rad=1.2)
    v = np.linspace(-6, 6, 257)
    # Written out: P = P_I T / 2 (1 + eta cos(pi v / V_pi + phi_B)) (Cox 2004, ch. 2).
    eta = (100.0 - 1) / (100.0 + 1)
    p_in = 10e-3 * 10 ** (-m.insertion_loss_db / 10)
    expect = p_in / 2 * (1 + eta * np.cos(np.pi * v / 4.0 + 1.2))
    np.testing.assert_allclose(np.abs(mzm_field(m, v, 1e9)) ** 2, expect, rtol=1e-5)


def _two_tone_imd(m, amp_v, predistort=False):
    fs, n = 1.0e9, 2**14
    k1, k2 = 1000, 1100
    t = np.arange(n)
    v = amp_v * (np.cos(2 * np.pi * k1 * t / n) + np.cos(2 * np.pi * k2 * t / n))
    p = np.abs(mzm_field(m, v, fs, predistort=predistort)) ** 2
    spec = np.abs(np.fft.rfft(p)) * 2 / n
    return spec[k1], spec[2 * k1 - k2]


def test_two_tone_reproduces_analytic_iip3():
    # Quadrature MZM: IIP3 per tone = 4 V_pi^2 / (pi^2 R) (Cox 2004, ch. 6).
    m = _mzm()
    iip3_w = 4 * 4.0**2 / (math.pi**2 * 50.0)
    for amp in (0.05, 0.1, 0.2):
        fund, imd = _two_tone_imd(m, amp)
        p_tone = amp**2 / (2 * 50.0)
        # IMD3/fundamental = (P_tone / IIP3)^2 (third-order slope 3, fundamental slope 1).
        measured = 20 * np.log10(imd / fund)
        expected = 20 * np.log10(p_tone / iip3_w)
        assert measured == pytest.approx(expected, abs=0.05 if amp < 0.15 else 0.3)


def test_arcsine_predistortion_suppresses_imd3():
    m = _mzm()
    f0, i0 = _two_tone_imd(m, 0.2)
    f1, i1 = _two_tone_imd(m, 0.2, predistort=True)
    assert f1 == pytest.approx(f0, rel=0.02)
    assert 20 * np.log10(i1 / f1) < 20 * np.log10(i0 / f0) - 40
    np.testing.assert_allclose(arcsine_predistort([0.0, 1e-6], 4.0), [0.0, 1e-6], rtol=1e-9)


def test_electrode_bandwidth_is_first_order():
    m = _mzm(bandwidth_hz=5e9)
    fs, n, k = 40e9, 4096, 512  # 5 GHz
    v = 0.01 * np.cos(2 * np.pi * k * np.arange(n) / n)
    p = np.abs(mzm_field(m, v, fs)) ** 2
    p0 = np.abs(mzm_field(_mzm(), v, fs)) ** 2
    ratio = abs(np.fft.rfft(p)[k]) / abs(np.fft.rfft(p0)[k])
    assert ratio == pytest.approx(1 / math.sqrt(2), rel=1e-4)


def test_laser_rin_level():
    m = MachZehnderModulator(
        CWLaser(power_dbm=10.0, rin_db_per_hz=-140.0, linewidth_hz=0.0), v_pi_v=4.0
    )
    fs = 10e9
    p = np.abs(mzm_field(m, np.zeros(2**18), fs, np.random.default_rng(0))) ** 2
    rin = np.var(p) / p.mean() ** 2 / (fs / 2)
    assert 10 * np.log10(rin) == pytest.approx(-140.0, abs=0.1)


def test_sampled_phase_noise_has_the_continuous_density_in_band():
    """The laser phase the MZM model draws has S_phi(f) = dnu / (pi f^2) (Henry 1982)
    at in-band frequencies, including near fs/2 where plain summed increments would
    carry every alias: (x / sin x)^2 ~ 2.3x more at f = 0.45 fs."""
    from scipy.signal import welch

    from rof.photonics.timedomain.modulator import _band_limited_phase

    fs, dnu, n = 1e9, 1e6, 2**18
    rng = np.random.default_rng(11)
    # the phase wanders without bound; its increments' density is S_phi(f) (2 sin(pi f/fs))^2
    segs = [np.diff(_band_limited_phase(dnu, fs, n, rng)) for _ in range(8)]
    f, p_inc = welch(np.concatenate(segs), fs=fs, nperseg=4096)
    sel = (f > 0.05 * fs) & (f < 0.45 * fs)
    s_phi = p_inc[sel] / (2.0 * np.sin(np.pi * f[sel] / fs)) ** 2
    want = dnu / (np.pi * f[sel] ** 2)
    ratio = s_phi / want
    np.testing.assert_allclose(np.median(ratio), 1.0, rtol=0.05)
    hi = f[sel] > 0.4 * fs  # where the unfiltered increments would be ~2x too strong
    np.testing.assert_allclose(np.mean(ratio[hi]), 1.0, rtol=0.1)
