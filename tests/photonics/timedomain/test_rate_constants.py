"""Rate-equation constants fitted to a DirectLaser, and their linearisation.

Independent references: the rate equations written out in the test (Coldren, Corzine &
Mašanović 2012, ch. 2 and 5) evaluated at the fitted bias point (steady state), their
central-difference Jacobian, whose determinant and trace must give the laser's
relaxation frequency and damping (omega_R^2 = det J, gamma = -tr J, ibid. ch. 5), and
the RIN's back-to-back identity and its PM-to-IM limit behind fiber.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.photonics import DirectLaser
from rof.photonics.timedomain.rate_constants import (
    jacobian,
    rate_constants,
    rin_dispersion_factor,
    rin_linearised,
)
from rof.units import Q_C

LASERS = [
    DirectLaser(),
    DirectLaser(bias_current_ma=50.0, relaxation_frequency_hz=8e9, damping_rate_per_s=3e10),
    DirectLaser(adiabatic_corner_hz=3e9),
]


def _rhs(rc, n, s, i_a):
    g = rc.g_n_per_s * (n - rc.n0) / (1.0 + rc.epsilon * s)
    return np.array(
        [i_a / Q_C - n / rc.tau_n_s - g * s, g * s - s / rc.tau_p_s + rc.beta * n / rc.tau_n_s]
    )


@pytest.mark.parametrize("laser", LASERS)
def test_bias_point_is_a_steady_state_at_the_bias_current(laser):
    rc = rate_constants(laser)
    i_a = laser.bias_current_ma * 1e-3
    rates = _rhs(rc, rc.n_bias, rc.s_bias, i_a)
    scale = i_a / Q_C
    np.testing.assert_allclose(rates / scale, 0.0, atol=1e-9)
    assert rc.k_w * rc.s_bias == pytest.approx(laser.mean_power_w(), rel=1e-12)


@pytest.mark.parametrize("laser", LASERS)
def test_linearisation_has_the_lasers_relaxation_frequency_and_damping(laser):
    rc = rate_constants(laser)
    i_a = laser.bias_current_ma * 1e-3
    x0 = np.array([rc.n_bias, rc.s_bias])
    j = np.zeros((2, 2))
    for k in range(2):
        h = 1e-5 * x0[k]
        up, dn = x0.copy(), x0.copy()
        up[k] += h
        dn[k] -= h
        j[:, k] = (_rhs(rc, *up, i_a) - _rhs(rc, *dn, i_a)) / (2 * h)
    a = np.array(
        jacobian(
            rc.n_bias, rc.s_bias, rc.tau_p_s, rc.tau_n_s, rc.beta, rc.g_n_per_s, rc.n0, rc.epsilon
        )
    ).reshape(2, 2)
    np.testing.assert_allclose(a, j, rtol=1e-6, atol=1e-8 * np.abs(j).max())
    w_r = math.sqrt(np.linalg.det(j))
    assert w_r / (2 * math.pi) == pytest.approx(laser.relaxation_frequency_hz, rel=1e-5)
    assert -np.trace(j) == pytest.approx(laser.damping_rate_per_s, rel=1e-5)


def test_rin_is_set_at_the_reference_frequency():
    laser = DirectLaser(rin_db_per_hz=-145.0)
    rc = rate_constants(laser, rin_reference_hz=3e9)
    assert 10 * np.log10(rin_linearised(rc, 3e9)) == pytest.approx(-145.0, abs=1e-9)


def test_rin_dispersion_factor_of_a_chirp_free_laser_is_faded_rin_plus_phase_noise():
    # alpha = 0 decouples the phase from the carriers: behind fiber the intensity noise
    # fades as cos^2(theta) and the phase diffusion adds K sin^2(theta) (Wang &
    # Petermann 1992), K independent of theta; back to back the factor is 1.
    rc = rate_constants(DirectLaser(chirp_alpha=0.0))
    f = 3.5e9
    theta = np.linspace(0.0, math.pi / 2, 7)
    out = rin_dispersion_factor(rc, f, theta)
    assert out[0] == pytest.approx(1.0, rel=1e-12)
    k = (out[1:] - np.cos(theta[1:]) ** 2) / np.sin(theta[1:]) ** 2
    np.testing.assert_allclose(k, k[0], rtol=1e-9)
    assert k[0] > 0.0
    # With chirp the carrier noise converts too: the factor departs from that law.
    chirped = rin_dispersion_factor(rate_constants(DirectLaser(chirp_alpha=3.0)), f, theta)
    k3 = (chirped[1:] - np.cos(theta[1:]) ** 2) / np.sin(theta[1:]) ** 2
    assert np.ptp(k3) > 1e-3 * abs(k3).max()
