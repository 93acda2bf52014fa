"""Time-domain fiber: dispersion filter and SSFM against closed forms (Agrawal, NLFO)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.photonics.timedomain.fiber import (
    beta2_s2_per_m,
    kerr_phase_inplace,
    kerr_phase_reference,
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


@pytest.mark.parametrize("gamma_leff", [0.37, 0.01])  # trigonometric and series branches
def test_kerr_kernel_matches_reference(gamma_leff):
    rng = np.random.default_rng(0)
    a = rng.normal(size=1000) + 1j * rng.normal(size=1000)
    ref = kerr_phase_reference(a, gamma_leff)
    kerr_phase_inplace(a, gamma_leff)
    np.testing.assert_allclose(a, ref, rtol=1e-13, atol=1e-13)


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
