"""The waveform simulator's drive at the optical rate: band-limited interpolation against
NumPy's record-long transform, and the thermal noise drawn as spectrum against noise
drawn in time and interpolated (the same law)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import fft as sfft

from rof.link.waveform import _interpolated_drive


@pytest.mark.parametrize(("n", "n_opt"), [(3 * 4099 * 2, 5 * 4099 * 2 * 3), (20000, 100000)])
def test_noiseless_drive_is_the_ideal_interpolation(n, n_opt):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n)
    want = 0.7 * np.fft.irfft(np.fft.rfft(x) * (n_opt / n), n_opt)
    got = _interpolated_drive(sfft.rfft(x), n, n_opt, 0.7, 1.0, None)
    assert got.dtype == np.float32 and got.shape == (n_opt,)
    np.testing.assert_allclose(got, want, rtol=0, atol=2e-6 * np.max(np.abs(want)))


@pytest.mark.parametrize("n", [4096, 4095])
def test_spectral_noise_has_the_law_of_time_noise(n):
    """Zero signal: per optical sample the variance is sigma^2 (interpolation keeps the
    power of noise band-limited to the waveform's Nyquist), the spectrum is flat up to
    the waveform's Nyquist and empty beyond, and DC and the Nyquist bin carry the
    variance of the others (about 400 records; variance within 3 %, per-band power within
    6 %, both about 5 sigma)."""
    n_opt, sigma = 5 * n, 0.3
    zero = np.zeros(n // 2 + 1, dtype=complex)
    records = 400
    gen = np.random.default_rng(7)
    new = np.array([_interpolated_drive(zero, n, n_opt, 1.0, sigma, gen) for _ in range(records)])
    old = np.array(
        [
            np.fft.irfft(np.fft.rfft(sigma * gen.standard_normal(n)) * (n_opt / n), n_opt)
            for _ in range(records)
        ]
    )
    assert np.var(new) == pytest.approx(np.var(old), rel=0.03)
    assert np.var(new) == pytest.approx(sigma**2, rel=0.03)
    p_new = np.mean(np.abs(np.fft.rfft(new, axis=-1)) ** 2, axis=0)
    p_old = np.mean(np.abs(np.fft.rfft(old, axis=-1)) ** 2, axis=0)
    assert np.max(p_new[n // 2 + 1 :]) < 1e-9 * np.mean(p_new[: n // 2])
    for band in np.array_split(np.arange(1, n // 2), 8):
        assert p_new[band].mean() == pytest.approx(p_old[band].mean(), rel=0.06)
    # DC and (n even) the Nyquist bin: real, of the same mean power as the others
    for k in [0] + ([n // 2] if n % 2 == 0 else []):
        assert p_new[k] == pytest.approx(p_old[k], rel=5 * math.sqrt(2 / records))
