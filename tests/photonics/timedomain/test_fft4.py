"""The four-step FFT against NumPy's FFT, and the byte-bounded operator cache."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.photonics.timedomain.fft4 import fft_forward, fft_inverse, four_step_plan
from rof.photonics.timedomain.fiber import dispersion_operator


@pytest.mark.parametrize("n", [2**14, 3 * 2**14, 51200, 2**20])
def test_four_step_fft_matches_numpy(n):
    # Bailey's four-step FFT: spectrum at [k1, k2] is X[k1 + n1 k2]; inverse round-trips.
    plan = four_step_plan(n)
    assert plan is not None
    n1, n2, _ = plan
    rng = np.random.default_rng(n)
    x = rng.normal(size=n) + 1j * rng.normal(size=n)
    ref = np.fft.fft(x)
    z = fft_forward(x.copy(), plan)
    np.testing.assert_allclose(z.reshape(n1, n2).T.ravel(), ref, rtol=0, atol=1e-12 * math.sqrt(n))
    np.testing.assert_allclose(fft_inverse(z, plan), x, rtol=0, atol=1e-13)


def test_four_step_skipped_for_short_or_prime_lengths():
    assert four_step_plan(2**13) is None
    assert four_step_plan(65537) is None  # prime


def test_operator_cache_stays_within_its_byte_budget(monkeypatch):
    # At a high optical rate one record's operator can hold GBs: the shared cache keeps
    # what fits its budget, evicting the least recently used, and never a larger result.
    import rof.photonics.timedomain.fft4 as tf

    monkeypatch.setattr(tf, "CACHE_BYTES", 3000)
    tf._CACHE.clear()
    small = [dispersion_operator(n, 1e10, -2e-26, 1e3, 0.0) for n in (32, 64, 32)]
    assert small[2] is small[0]  # 512 B: kept
    big = dispersion_operator(1024, 1e10, -2e-26, 1e3, 0.0)  # 16 KiB > budget
    assert dispersion_operator(1024, 1e10, -2e-26, 1e3, 0.0) is not big
    np.testing.assert_array_equal(dispersion_operator(1024, 1e10, -2e-26, 1e3, 0.0), big)
    for n in (96, 128, 160):  # 1.5 + 2 + 2.5 KiB: the oldest go
        dispersion_operator(n, 1e10, -2e-26, 1e3, 0.0)
    assert sum(v[1] for v in tf._CACHE.values()) <= 3000
    assert ("dispersion_operator", 160, 1e10, -2e-26, 1e3, 0.0) in tf._CACHE
    tf._CACHE.clear()
