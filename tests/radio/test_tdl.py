"""TDL profiles (TR 38.901 Section 7.7.2) and their frequency response / correlation."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio.tdl import (
    TDL_PROFILES,
    frequency_basis,
    frequency_correlation,
    rb_frequencies_hz,
    tdl_frequency_response,
    tdl_profile,
)

# TR 38.901 V17.0.0 Table 7.7.2-3 (TDL-C), typed here independently of the data file.
TDL_C_DELAYS = [
    0.0, 0.2099, 0.2219, 0.2329, 0.2176, 0.6366, 0.6448, 0.6560, 0.6584, 0.7935, 0.8213, 0.9336,
    1.2285, 1.3083, 2.1704, 2.7105, 4.2589, 4.6003, 5.4902, 5.6077, 6.3065, 6.6374, 7.0427, 8.6523,
]  # fmt: skip
TDL_C_POWERS_DB = [
    -4.4, -1.2, -3.5, -5.2, -2.5, 0.0, -2.2, -3.9, -7.4, -7.1, -10.7, -11.1,
    -5.1, -6.8, -8.7, -13.2, -13.9, -13.9, -15.8, -17.1, -16.0, -15.7, -21.6, -22.8,
]  # fmt: skip


def test_tdl_c_matches_tr_table():
    p = tdl_profile("TDL-C", 100e-9)
    lin = 10 ** (np.array(TDL_C_POWERS_DB) / 10)
    np.testing.assert_allclose(p.delays_s, np.array(TDL_C_DELAYS) * 100e-9, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.powers, lin / lin.sum(), rtol=1e-12)
    assert p.los_power == 0.0 and p.k_factor_db == -np.inf


@pytest.mark.parametrize(("name", "k_db", "n_rayleigh"), [("TDL-D", 13.3, 13), ("TDL-E", 22.0, 14)])
def test_los_profiles_k_factor(name, k_db, n_rayleigh):
    # TR 38.901 Tables 7.7.2-4/-5: first tap Ricean with K1 = 13.3 dB (D) and 22 dB (E).
    p = tdl_profile(name, 30e-9)
    assert p.k_factor_db == pytest.approx(k_db, abs=1e-9)
    assert p.powers.size == n_rayleigh
    assert p.los_power + p.powers.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("name", list(TDL_PROFILES))
def test_scaled_rms_delay_spread_equals_requested(name):
    # The TR normalises every profile to unit rms delay spread (Section 7.7.3, Eq. 7.7-1).
    ds = 300e-9
    p = tdl_profile(name, ds)
    d = np.r_[p.delays_s, p.los_delay_s]
    w = np.r_[p.powers, p.los_power]
    mean = np.sum(w * d)
    rms = np.sqrt(np.sum(w * d**2) - mean**2)
    assert rms == pytest.approx(ds, rel=0.01)


def test_frequency_response_is_tap_sum():
    rng = np.random.default_rng(3)
    taps = rng.standard_normal((5, 3)) + 1j * rng.standard_normal((5, 3))
    delays = np.array([0.0, 100e-9, 370e-9])
    f = np.array([-1e6, 0.0, 2.5e6])
    h = tdl_frequency_response(taps, delays, f)
    for i in range(5):
        for j, fj in enumerate(f):
            ref = sum(taps[i, m] * np.exp(-2j * np.pi * fj * delays[m]) for m in range(3))
            assert h[i, j] == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("name", ["TDL-A", "TDL-C", "TDL-D"])
def test_basis_reproduces_tap_covariance(name):
    p = tdl_profile(name, 100e-9)
    f = rb_frequencies_hz(51, 360e3)
    # closed form of the Rayleigh part: sum_l p_l exp(-j 2 pi (f_b - f_b') tau_l)
    df = f[:, None] - f[None, :]
    ref = np.tensordot(np.exp(-2j * np.pi * df[..., None] * p.delays_s), p.powers, 1)
    exact = frequency_basis(p, f, 0.0)
    cov = exact.T @ exact.conj()  # E[H_b H_b'^*] for H = g^T B, g white
    np.testing.assert_allclose(cov, ref, atol=1e-10)
    trunc = frequency_basis(p, f, 1e-4)
    assert trunc.shape[0] < exact.shape[0]
    cov_t = trunc.T @ trunc.conj()
    np.testing.assert_allclose(np.diag(cov_t).real, 1.0 - p.los_power, rtol=1e-12)
    assert np.max(np.abs(cov_t - ref)) < 2e-3


def test_frequency_correlation_closed_form():
    p = tdl_profile("TDL-D", 50e-9)
    df = np.array([0.0, 1e6, 5e6])
    r = frequency_correlation(p, df)
    ref = [p.los_power + np.sum(p.powers * np.exp(-2j * np.pi * x * p.delays_s)) for x in df]
    np.testing.assert_allclose(r, ref, rtol=1e-12)
    assert r[0].real == pytest.approx(1.0)


def test_bad_inputs():
    with pytest.raises(RofError, match="TDL-Z"):
        tdl_profile("TDL-Z")
    with pytest.raises(RofError, match="delay_spread_s"):
        tdl_profile("TDL-A", 0.0)
    with pytest.raises(RofError, match="energy_tolerance"):
        frequency_basis(tdl_profile(), rb_frequencies_hz(4, 1e5), 0.5)
