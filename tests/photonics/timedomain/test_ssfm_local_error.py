"""Local-error SSFM (Sinkin et al. 2003) against a fine fixed-step reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.photonics import Fiber
from rof.photonics.timedomain import ssfm, ssfm_local_error
from rof.photonics.timedomain.fiber import phase_steps

FS = 64e9


@pytest.fixture(scope="module")
def case():
    """Broadband (full-band Gaussian) field of 20 mW mean: ~0.6 rad of peak non-linear
    phase over 50 km, dispersion length ~1 km at 32 GHz; reference: 8000 equal steps
    (second order; its own error, a third of its distance to the 4000-step run, 2e-8)."""
    rng = np.random.default_rng(0)
    n = 1 << 12
    x = np.sqrt(20e-3 / 2) * (rng.normal(size=n) + 1j * rng.normal(size=n))
    fiber = Fiber(50.0)
    ref = ssfm(x, FS, fiber, n_steps=8000)
    return x, fiber, ref


def _rel_rms(y, ref):
    return float(np.sqrt(np.sum(np.abs(y - ref) ** 2) / np.sum(np.abs(ref) ** 2)))


@pytest.mark.parametrize("target", [1e-4, 1e-5, 1e-6])
def test_meets_its_error_target(case, target):
    """The global relative rms error stays below the local target, and the step
    count grows about as target^(-1/3) (third-order local error controlled)."""
    x, fiber, ref = case
    y, steps = ssfm_local_error(x, FS, fiber, local_error=target, return_steps=True)
    assert math.isclose(steps.sum(), 50e3, rel_tol=1e-9)
    assert _rel_rms(y, ref) < target


def test_fourth_order_beats_equal_work_second_order(case):
    """Six FFTs per accepted step: at the work of N equal steps (2N FFTs) the
    extrapolated solution is at least 30x more accurate."""
    x, fiber, ref = case
    y, steps = ssfm_local_error(x, FS, fiber, local_error=1e-5, return_steps=True)
    n_equal = 3 * steps.size  # 6 FFTs per local-error step, 2 per equal step
    plain = ssfm(x, FS, fiber, n_steps=n_equal)
    assert 30 * _rel_rms(y, ref) < _rel_rms(plain, ref)


def test_cw_gains_gamma_p_leff():
    """A CW field's phase is exactly gamma P0 L_eff whatever the steps (NLFO 4.1)."""
    p0, fiber = 0.05, Fiber(30.0)
    x = np.full(1 << 10, math.sqrt(p0), dtype=complex)
    alpha = 0.2 * math.log(10) / 10 / 1e3
    leff = -math.expm1(-alpha * 30e3) / alpha
    for y in (ssfm_local_error(x, FS, fiber, local_error=1e-6), ssfm(x, FS, fiber)):
        np.testing.assert_allclose(np.angle(y), 1.3e-3 * p0 * leff, atol=1e-12)


def test_phase_steps_hold_the_phase_and_lengthen():
    alpha = 0.2 * math.log(10) / 10 / 1e3
    length = 50e3
    leff = -math.expm1(-alpha * length) / alpha
    gp = 0.01  # gamma P_peak, 1/m... phase per step below 0.01 rad
    steps = phase_steps(length, alpha, gp * leff, 0.01, 2 ** (1 / 8))
    z = np.concatenate(([0.0], np.cumsum(steps)))
    phase = gp * np.exp(-alpha * z[:-1]) * -np.expm1(-alpha * steps) / alpha
    assert math.isclose(z[-1], length, rel_tol=1e-12)
    assert np.all(phase <= 0.01 * (1 + 1e-12))
    assert np.all(np.diff(steps[:-1]) >= 0) and steps[-2] > 5 * steps[0]
    # no more than 10 % above the equal-phase count
    assert steps.size <= math.ceil(1.1 * gp * leff / 0.01) + 1


def test_bad_target_names_the_parameter(case):
    x, fiber, _ = case
    with pytest.raises(ParameterError, match="local_error"):
        ssfm_local_error(x, FS, fiber, local_error=0.0)


def test_four_step_fused_path_meets_the_target():
    """2^14 samples take the four-step FFT whose column stages are fused with the Kerr
    phase (rof.photonics.timedomain.kerr); same check as above at 1e-5."""
    rng = np.random.default_rng(1)
    n = 1 << 14
    x = np.sqrt(20e-3 / 2) * (rng.normal(size=n) + 1j * rng.normal(size=n))
    fiber = Fiber(50.0)
    ref = ssfm(x, FS, fiber, n_steps=4000)
    y = ssfm_local_error(x, FS, fiber, local_error=1e-5)
    assert _rel_rms(y, ref) < 1e-5
