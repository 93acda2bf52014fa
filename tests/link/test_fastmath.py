"""Branch-free cos^2 and ln of the link kernels against mpmath and libm."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from rof.link.fastmath import cos_sq, ln


def test_cos_sq_accuracy_including_near_zeros():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40

    @numba.njit
    def run(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = cos_sq(x[i])
        return out

    rng = np.random.default_rng(2)
    x = np.concatenate(
        [
            rng.uniform(0.0, 5000.0, 100),
            (np.arange(1, 101) + 0.5) * np.pi + rng.uniform(-1e-6, 1e-6, 100),
        ]
    )
    exact = np.array([float(mpmath.cos(mpmath.mpf(float(v))) ** 2) for v in x])
    np.testing.assert_allclose(run(x), exact, rtol=1e-13, atol=0)
    big = rng.uniform(0.0, 1e4, 100_000)
    np.testing.assert_allclose(run(big), np.cos(big) ** 2, rtol=0, atol=1e-15)


@numba.njit(error_model="numpy")
def _ln_vec(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = ln(x[i])
    return out


def test_ln_accuracy_against_mpmath_and_special_values():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(3)
    x = np.concatenate(
        [
            10.0 ** rng.uniform(-300.0, 300.0, 400),
            rng.uniform(0.6, 1.5, 400),  # both sides of the sqrt(2) / sqrt(1/2) split
            1.0 + rng.uniform(-1e-9, 1e-9, 100),  # ln ~ 0: relative accuracy kept
            np.array([5e-324, 1e-310, 2.2250738585072014e-308, 1.7976931348623157e308]),
        ]
    )
    exact = np.array([float(mpmath.log(mpmath.mpf(float(v)))) for v in x])
    got = _ln_vec(x)
    # fdlibm's bound is < 1 ulp; allow 2 ulp of the result
    assert np.all(np.abs(got - exact) <= 2.0 * np.spacing(np.abs(exact))), np.max(
        np.abs(got - exact) / np.spacing(np.abs(exact))
    )
    special = np.array([0.0, -0.0, np.inf, np.nan, -1.0, -np.inf, 1.0])
    np.testing.assert_array_equal(
        _ln_vec(special), [-np.inf, -np.inf, np.inf, np.nan, np.nan, np.nan, 0.0]
    )
    wide = 10.0 ** rng.uniform(-307.0, 307.0, 100_000)
    np.testing.assert_allclose(_ln_vec(wide), np.log(wide), rtol=1e-15, atol=0)
