"""The Kerr-phase kernels against plain NumPy (exp(i gamma L |A|^2), FFTs by numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from rof.photonics.timedomain.kerr import (
    kerr_column_step,
    kerr_phase_inplace,
    kerr_phase_reference,
)


@pytest.mark.parametrize("gamma_leff", [0.37, 0.01])  # trigonometric and series branches
def test_kerr_kernel_matches_reference(gamma_leff):
    rng = np.random.default_rng(0)
    a = rng.normal(size=1000) + 1j * rng.normal(size=1000)
    ref = kerr_phase_reference(a, gamma_leff)
    kerr_phase_inplace(a, gamma_leff)
    np.testing.assert_allclose(a, ref, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("gamma_leff", [0.0, 2.0, 400.0])  # linear, series, trigonometric
def test_kerr_column_step_matches_numpy(gamma_leff):
    # Plain-NumPy sequence it fuses: conj twiddle, inverse column FFT, Kerr phase,
    # forward column FFT, twiddle (n2 = 1000 is not a multiple of the cache block).
    n2 = 1000
    n = 16 * n2
    rng = np.random.default_rng(5)
    y = 0.05 * (rng.normal(size=(16, n2)) + 1j * rng.normal(size=(16, n2)))
    tw = np.exp(-2j * np.pi * np.outer(np.arange(16), np.arange(n2)) / n)
    x = np.fft.ifft(y * np.conj(tw), axis=0)
    ref = np.fft.fft(x * np.exp(1j * gamma_leff * np.abs(x) ** 2), axis=0) * tw
    out = y.copy()
    kerr_column_step(out, tw, gamma_leff, np.exp(-2j * np.pi * np.arange(16) / 16))
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-14)
