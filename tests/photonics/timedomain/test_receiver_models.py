"""Photodiode and EDFA time-domain noise against the analytic densities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.photonics import EDFA, Photodiode
from rof.photonics.timedomain import detect, edfa_field
from rof.units import K_B_J_PER_K, Q_C


def _psd_one_sided(v, fs):
    return np.var(v) / (fs / 2)


def test_shot_and_thermal_noise_levels():
    fs = 20e9
    pd = Photodiode(bandwidth_hz=1e15, dark_current_a=0.0)
    rng = np.random.default_rng(0)
    p = np.full(2**18, 5e-3)  # 4 mA photocurrent
    v, i_mean = detect(pd, [p], fs, rng)
    assert i_mean == pytest.approx(4e-3)
    # Load noise power density: shot 2 q I R_L / 4 plus thermal k T (Cox 2004, ch. 5).
    expect = 2 * Q_C * 4e-3 * 50 / 4 + K_B_J_PER_K * 290.0
    assert _psd_one_sided(v, fs) / 50 == pytest.approx(expect, rel=0.02)


def test_square_law_gain_and_bandwidth():
    fs, n, k = 40e9, 4096, 512  # 5 GHz tone
    pd = Photodiode(bandwidth_hz=5e9)
    p = 1e-3 * (1 + 0.1 * np.cos(2 * np.pi * k * np.arange(n) / n))
    v, _ = detect(pd, [p], fs, None)
    amp = abs(np.fft.rfft(v)[k]) * 2 / n
    # i_rf = R * 0.1 mW, half into the load, first-order roll-off 1/sqrt(2) at f_pd.
    assert amp == pytest.approx(0.8 * 1e-4 * 50 / 2 / math.sqrt(2), rel=1e-9)


def test_edfa_signal_ase_beat_density():
    # Detected signal-ASE beat density 4 R^2 P_s rho (Olsson 1989), rho per polarisation.
    fs = 20e9
    amp = EDFA(gain_db=20.0, noise_figure_db=5.0, optical_bandwidth_hz=1e13)
    rng = np.random.default_rng(0)
    field = np.full(2**17, math.sqrt(1e-5), dtype=complex)
    ex, ey = edfa_field(amp, field, fs, 1550.0, rng)
    rho = amp.ase_psd_w_per_hz(1550.0)
    ps = 1e-5 * amp.gain
    i = np.abs(ex) ** 2 + np.abs(ey) ** 2
    expect = 4 * ps * rho + 4 * rho**2 * fs / 2  # s-sp plus the mean sp-sp density
    assert _psd_one_sided(i, fs) == pytest.approx(expect, rel=0.03)
    assert np.mean(np.abs(ey) ** 2) == pytest.approx(rho * fs, rel=0.02)
