"""Time-domain fiber: dispersion filter and SSFM against closed forms (Agrawal, NLFO)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.photonics.timedomain.fiber import (
    beta2_s2_per_m,
    propagate_linear,
    ssfm,
)


@dataclass(frozen=True)
class _F:
    """Only the attributes the time-domain fiber reads (rof.photonics.Fiber has them)."""

    length_km: float
    attenuation_db_per_km: float = 0.2
    dispersion_ps_per_nm_km: float = 17.0
    wavelength_nm: float = 1550.0


def _rms_width(t, a):
    p = np.abs(a) ** 2
    m = np.sum(t * p) / np.sum(p)
    return math.sqrt(np.sum((t - m) ** 2 * p) / np.sum(p))


def test_beta2_standard_smf():
    # D = 17 ps/(nm km) at 1550 nm is beta2 = -21.7 ps^2/km (NLFO section 1.2.3).
    assert beta2_s2_per_m(17.0, 1550.0) * 1e27 == pytest.approx(-21.68, abs=0.02)


def test_gaussian_pulse_broadening_closed_form():
    # NLFO section 3.2: T1(z) = T0 sqrt(1 + (z/L_D)^2), L_D = T0^2/|beta2|.
    fs, n, t0 = 2e12, 2**14, 5e-12
    t = (np.arange(n) - n / 2) / fs
    a0 = np.exp(-(t**2) / (2 * t0**2))
    f = _F(length_km=3.0, attenuation_db_per_km=0.0)
    ld = t0**2 / abs(beta2_s2_per_m(17.0, 1550.0))
    a = propagate_linear(a0, fs, f)
    expect = _rms_width(t, a0) * math.sqrt(1 + (3e3 / ld) ** 2)
    assert _rms_width(t, a) == pytest.approx(expect, rel=1e-6)


def test_linear_loss():
    a0 = np.ones(256, complex)
    a = propagate_linear(a0, 1e10, _F(length_km=25.0))
    assert np.mean(np.abs(a) ** 2) == pytest.approx(10 ** (-0.2 * 25 / 10), rel=1e-12)


def test_cw_nonlinear_phase_is_gamma_p_leff():
    p0, gamma, f = 0.05, 1.3, _F(length_km=40.0, dispersion_ps_per_nm_km=17.0)
    a = ssfm(np.full(512, math.sqrt(p0), complex), 10e9, f, gamma_per_w_km=gamma, n_steps=40)
    alpha = 0.2 * math.log(10) / 10
    leff = (1 - math.exp(-alpha * 40)) / alpha
    assert np.angle(a[0]) == pytest.approx(gamma * p0 * leff, rel=1e-9)
    assert abs(a[0]) ** 2 == pytest.approx(p0 * math.exp(-alpha * 40), rel=1e-9)


def test_lossless_energy_conserved():
    rng = np.random.default_rng(1)
    a0 = 0.1 * (rng.normal(size=4096) + 1j * rng.normal(size=4096))
    f = _F(length_km=20.0, attenuation_db_per_km=0.0)
    a = ssfm(a0, 50e9, f, gamma_per_w_km=1.3, n_steps=100)
    e0, e1 = np.sum(np.abs(a0) ** 2), np.sum(np.abs(a) ** 2)
    assert abs(e1 - e0) / e0 < 1e-10
    assert np.max(np.abs(a - propagate_linear(a0, 50e9, f))) > 1e-3  # non-linearity acted


def test_gamma_zero_equals_linear_filter():
    rng = np.random.default_rng(2)
    a0 = rng.normal(size=2048) + 1j * rng.normal(size=2048)
    f = _F(length_km=30.0)
    np.testing.assert_allclose(
        ssfm(a0, 40e9, f, gamma_per_w_km=0.0, n_steps=17),
        propagate_linear(a0, 40e9, f),
        rtol=0,
        atol=1e-12,
    )


def test_fundamental_soliton_keeps_its_shape():
    # N = 1 soliton, gamma P0 T0^2 / |beta2| = 1 (NLFO section 5.2): |A| unchanged.
    b2 = abs(beta2_s2_per_m(17.0, 1550.0))
    gamma, t0 = 1.3e-3, 10e-12
    p0 = b2 / (gamma * t0**2)
    fs, n = 2e12, 2**13
    t = (np.arange(n) - n / 2) / fs
    a0 = math.sqrt(p0) / np.cosh(t / t0)
    z0 = math.pi / 2 * t0**2 / b2  # soliton period
    f = _F(length_km=2 * z0 / 1e3, attenuation_db_per_km=0.0)
    a = ssfm(a0, fs, f, gamma_per_w_km=1.3, max_phase_rad=0.002)
    assert np.max(np.abs(np.abs(a) - np.abs(a0))) / math.sqrt(p0) < 2e-3


def test_bad_inputs_name_the_parameter():
    f = _F(length_km=50.0)
    with pytest.raises(ParameterError, match=r"ssfm.n_steps"):
        ssfm(np.full(64, 1.0, complex), 1e10, f, n_steps=2)  # 1 W peak: L_NL = 0.77 km
    with pytest.raises(ParameterError, match="field"):
        propagate_linear(np.array([1.0, np.nan]), 1e10, f)
    with pytest.raises(ParameterError, match="length_km"):
        propagate_linear(np.ones(4), 1e10, f, length_km=-1.0)


def _plain_linear(a0, fs, f):
    """Plain-NumPy dispersion filter (NLFO section 3.2), padded with the edge sample."""
    from scipy.fft import next_fast_len

    n = a0.size
    nf = next_fast_len(n)
    a = np.pad(a0, (0, nf - n), mode="edge")
    w = 2 * np.pi * np.fft.fftfreq(nf, 1 / fs)
    alpha = f.attenuation_db_per_km * math.log(10) / 10 / 1e3
    b2 = beta2_s2_per_m(f.dispersion_ps_per_nm_km, f.wavelength_nm)
    h = np.exp(1j * b2 / 2 * w**2 * f.length_km * 1e3 - alpha / 2 * f.length_km * 1e3)
    return np.fft.ifft(np.fft.fft(a) * h)[:n]


@pytest.mark.parametrize("n", [2**15, 3 * 2**14 + 5])  # fast length; padded to one
def test_linear_filter_matches_plain_numpy(n):
    rng = np.random.default_rng(3)
    a0 = rng.normal(size=n) + 1j * rng.normal(size=n)
    f = _F(length_km=40.0)
    np.testing.assert_allclose(
        propagate_linear(a0, 64e9, f), _plain_linear(a0, 64e9, f), rtol=0, atol=1e-12
    )


def test_ssfm_large_grid_matches_plain_split_step():
    # Unmerged symmetric split step in plain NumPy (NLFO section 2.4.1), exact Kerr
    # exponential with the step's effective length, on a four-step FFT grid.
    n, fs, steps = 2**14, 64e9, 60
    rng = np.random.default_rng(4)
    a0 = 0.1 * (rng.normal(size=n) + 1j * rng.normal(size=n))
    f = _F(length_km=20.0)
    alpha = 0.2 * math.log(10) / 10 / 1e3
    b2 = beta2_s2_per_m(17.0, 1550.0)
    h = 20e3 / steps
    w = 2 * np.pi * np.fft.fftfreq(n, 1 / fs)
    half = np.exp(1j * b2 / 2 * w**2 * h / 2 - alpha / 2 * h / 2)
    leff = 2 * math.sinh(alpha * h / 2) / alpha
    a = a0.copy()
    for _ in range(steps):
        a = np.fft.ifft(np.fft.fft(a) * half)
        a = a * np.exp(1j * 1.3e-3 * leff * np.abs(a) ** 2)
        a = np.fft.ifft(np.fft.fft(a) * half)
    out = ssfm(a0, fs, f, gamma_per_w_km=1.3, n_steps=steps)
    assert np.max(np.abs(out - a)) / np.max(np.abs(a)) < 1e-11
    assert np.max(np.abs(out - propagate_linear(a0, fs, f))) > 1e-3  # non-linearity acted


def test_non_finite_field_rejected_on_four_step_grid():
    f = _F(length_km=1.0)
    a = np.ones(2**14, complex)
    a[123] = np.inf
    with pytest.raises(ParameterError, match="field"):
        propagate_linear(a, 1e10, f)
    a[123] = complex(0.0, np.nan)
    with pytest.raises(ParameterError, match="field"):
        ssfm(a, 1e10, f)
