"""Langevin noise of the rate equations: drift and diffusion, per-sample kicks, scaling.

Independent references: the drift J as a central-difference Jacobian of the rate
equations written out here from their textbook form (Coldren, Corzine & Mašanović,
2012, eqs. of ch. 2 and 5), not the module's analytic one; the diffusion D from the
shot-noise rule for independent Poisson events (McCumber, Phys. Rev. 141, 306, 1966;
Coldren et al. ch. 5): each process adds its rate times the outer product of the jumps
it makes in (N, S), and a photon added with a random phase splits equally between
amplitude and phase (D_phiphi = D_SS / 4 S^2); Van Loan's integral by quadrature.
"""

from __future__ import annotations

import numpy as np
import pytest

from rof.photonics import DirectLaser
from rof.photonics.timedomain import rate_constants
from rof.photonics.timedomain.laser_noise import (
    _drift_diffusion,
    kick_scales,
    noise_covariance,
    noise_increment,
)
from rof.units import Q_C


def _rhs(rc, n, s, i_a):
    """dN/dt, dS/dt and dphi/dt of the rate equations (noise-free), numbers per second."""
    g = rc.g_n_per_s * (n - rc.n0) / (1.0 + rc.epsilon * s)
    dn = i_a / Q_C - n / rc.tau_n_s - g * s
    ds = g * s - s / rc.tau_p_s + rc.beta * n / rc.tau_n_s
    dphi = -0.5 * rc.alpha * rc.g_n_per_s * (n - rc.n_bias)
    return np.array([dn, ds, dphi])


def _bias_current_a(rc):
    """The current that holds (N_bias, S_bias) steady: dN/dt = 0."""
    g = rc.g_n_per_s * (rc.n_bias - rc.n0) / (1.0 + rc.epsilon * rc.s_bias)
    return Q_C * (rc.n_bias / rc.tau_n_s + g * rc.s_bias)


def _finite_difference_jacobian(rc):
    """d(rhs)/d(N, S, phi) by fourth-order central differences at the bias point."""
    i_a = _bias_current_a(rc)
    x0 = np.array([rc.n_bias, rc.s_bias, 0.0])
    j = np.zeros((3, 3))
    for k in range(2):  # phi does not enter the right-hand side: its column is 0
        h = 1e-4 * x0[k]
        cols = []
        for m in (-2, -1, 1, 2):
            x = x0.copy()
            x[k] += m * h
            cols.append(_rhs(rc, x[0], x[1], i_a))
        j[:, k] = (cols[0] - 8 * cols[1] + 8 * cols[2] - cols[3]) / (12 * h)
    return j


def _shot_noise_diffusion(rc):
    """D of (N, S, phi) from the elementary rates at the bias point (two-sided, 2 x rate).

    Processes and jumps (dN, dS): pump I/q (+1, 0); recombination N/tau_n (-1, 0),
    of which the spontaneous emission into the mode R_sp = beta N / tau_n also adds a
    photon (0, +1); stimulated emission R_st (-1, +1) and absorption R_abs (+1, -1)
    with R_st - R_abs = G S and R_st = R_sp S (Einstein: per photon, stimulated equals
    spontaneous emission into the mode); photon loss S / tau_p (0, -1). Summed with the
    steady state (I/q = N/tau_n + G S, S/tau_p = G S + R_sp) and S >> 1, the
    shot-noise rule gives D_NN = 2 N/tau_n + 2 R_sp S and D_SS = 2 R_sp S exactly, and
    D_SN = -(R_st + R_abs) = -2 R_sp S + G S, of which Coldren's textbook form keeps
    -2 R_sp S; that is the form checked here (G S is the model's stated omission).
    The noise is scaled by the model's one RIN factor ``noise_scale``.
    """
    n, s = rc.n_bias, rc.s_bias
    r_sp = rc.beta * n / rc.tau_n_s
    g = rc.g_n_per_s * (n - rc.n0) / (1.0 + rc.epsilon * s)
    pump = _bias_current_a(rc) / Q_C
    r_st = r_sp * s
    r_abs = r_st - g * s
    rates = [
        (pump, (1.0, 0.0)),
        (n / rc.tau_n_s - r_sp, (-1.0, 0.0)),  # recombination without a photon in the mode
        (r_sp, (-1.0, 1.0)),  # spontaneous emission into the mode
        (r_st, (-1.0, 1.0)),
        (r_abs, (1.0, -1.0)),
        (s / rc.tau_p_s, (0.0, -1.0)),
    ]
    d2 = sum(r * np.outer(jump, jump) for r, jump in rates)
    d = np.zeros((3, 3))
    d[0, 0] = d2[0, 0]
    d[1, 1] = d2[1, 1]
    d[0, 1] = d[1, 0] = -2.0 * r_sp * s  # Coldren's form (see the docstring)
    d[2, 2] = d[1, 1] / (4.0 * s * s)  # a random-phase photon: half amplitude, half phase
    return rc.noise_scale * d


def test_drift_is_the_jacobian_of_the_rate_equations():
    rc = rate_constants(DirectLaser())
    j, _ = _drift_diffusion(rc)
    ref = _finite_difference_jacobian(rc)
    np.testing.assert_allclose(j, ref, rtol=1e-7, atol=1e-9 * np.abs(ref).max())


def test_diffusion_follows_the_shot_noise_rule():
    # Exact where the rule and the textbook agree up to O(1/S): D_NN, D_SS, D_phiphi.
    # The rule's D_SN has + G S more than the model's (see _shot_noise_diffusion): a
    # known approximation, not checked against the rule.
    rc = rate_constants(DirectLaser())
    _, d = _drift_diffusion(rc)
    ref = _shot_noise_diffusion(rc)
    assert rc.s_bias > 1e4  # the O(1/S) terms are below 1e-4
    np.testing.assert_allclose(np.diag(d), np.diag(ref), rtol=2.0 / rc.s_bias)
    assert d[0, 1] == d[1, 0] == pytest.approx(ref[0, 1], rel=1e-12)
    assert np.all(np.linalg.eigvalsh(d) >= 0.0)  # a covariance rate


@pytest.mark.parametrize("h", [1e-12, 1.0 / 40e9, 1.0 / 8e9])
def test_noise_covariance_matches_quadrature(h):
    # Q = int_0^h e^{Js} D e^{J^T s} ds by adaptive quadrature of scipy's expm, with J
    # and D from the independent derivation below, against Van Loan's block
    # exponential; the kicks' Cholesky factor reproduces it. (At 40 GS/s the phase
    # kick's correlation with the carrier kick is -0.74.)
    from scipy.integrate import quad_vec
    from scipy.linalg import expm

    rc = rate_constants(DirectLaser())
    j, d = _finite_difference_jacobian(rc), _shot_noise_diffusion(rc)

    def integrand(t):
        e = expm(j * t)
        return e @ d @ e.T

    ref, _ = quad_vec(integrand, 0.0, h, epsabs=0.0, epsrel=1e-12)
    q = noise_covariance(rc, h)
    np.testing.assert_allclose(q, ref, rtol=1e-5, atol=0.0)
    c = noise_increment(rc, h)
    low = np.array([[c[0], 0.0, 0.0], [c[1], c[2], 0.0], [c[3], c[4], c[5]]])
    np.testing.assert_allclose(low @ low.T, ref, rtol=1e-5, atol=0.0)


def test_langevin_shaping_kernel_matches_direct_solve():
    # C^-1 (zI - A)(jwI - J)^-1 D^1/2 xi by a plain 3x3 solve per bin (away from DC,
    # where (jwI - J) is singular in the phase), against the kernel's closed 2x2 blocks.
    from scipy.linalg import expm

    from rof.photonics.timedomain.laser_noise import _drift_diffusion, langevin_shaping_kernel

    rc = rate_constants(DirectLaser())
    h, m = 1.0 / 36e9, 64
    j, d = _drift_diffusion(rc)
    a = expm(j * h)
    c_inv = np.linalg.inv(np.linalg.cholesky(noise_covariance(rc, h)))
    d_half = np.linalg.cholesky(d)
    rng = np.random.default_rng(6)
    xi = rng.standard_normal((m // 2 + 1, 3)) + 1j * rng.standard_normal((m // 2 + 1, 3))
    out = np.empty((3, m // 2 + 1), dtype=np.complex128)
    langevin_shaping_kernel(xi, h, m, j, a, c_inv, d_half, 1.0, out)
    for k in range(1, m // 2 + 1):
        w = 2 * np.pi * k / (m * h)
        z = np.exp(1j * w * h)
        ref = c_inv @ (z * np.eye(3) - a) @ np.linalg.solve(1j * w * np.eye(3) - j, d_half @ xi[k])
        np.testing.assert_allclose(out[:, k], ref, rtol=1e-9)
    # DC: the limit of the phase row, (z - 1)/(jw) -> h.
    w = 2 * np.pi * 1e-6 / (m * h)
    z = np.exp(1j * w * h)
    ref = c_inv @ (z * np.eye(3) - a) @ np.linalg.solve(1j * w * np.eye(3) - j, d_half @ xi[0])
    np.testing.assert_allclose(out[:, 0], ref, rtol=1e-6)


def test_kick_scales_are_one_at_bias_and_floor_the_phase():
    # At bias the state-scaled kicks are the validated bias-point kicks; below the
    # cold-cavity spontaneous photon number R_sp tau_p the phase diffusion stops growing.
    rc = rate_constants(DirectLaser())
    w = noise_increment(rc, 1.0 / 40e9)[6]
    assert 0.5 < w < 1.0  # mostly phase diffusion, partly carrier noise within the sample
    np.testing.assert_allclose(kick_scales(rc, rc.n_bias, rc.s_bias, w), 1.0, rtol=1e-14)
    n = rc.n_th
    s_sp = rc.beta * n * rc.tau_p_s / rc.tau_n_s
    f_n, f_s, f_p = kick_scales(rc, n, np.array([1e-3, s_sp, 100.0 * s_sp]), w)
    # (f_phi's carrier part sees S through f_N's 1 + beta S: equal to 1e-10)
    assert f_p[0] == pytest.approx(f_p[1], rel=1e-9) and f_p[1] > f_p[2]
    np.testing.assert_allclose(
        f_s**2, n * np.array([1e-3, s_sp, 100 * s_sp]) / (rc.n_bias * rc.s_bias)
    )
    assert np.all(f_n < 0.2)  # D_NN is mostly the stimulated-emission term 2 R_sp S at bias
