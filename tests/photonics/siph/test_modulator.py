"""Microring modulator: Taylor coefficients, two-tone IMD3, AM/AM, CMT response, chirp."""

import dataclasses
import math

import numpy as np
import pytest
from scipy import constants

from rof.errors import RofError
from rof.photonics.protocols import Transmitter
from rof.photonics.siph import Microring, MicroringModulator, default_modulator_ring


def airy_t(theta, ring):
    """Test's own through-port power vs phase from resonance (Bogaerts 2012, sec. 2)."""
    r1 = ring.self_coupling
    r2 = 1.0 if ring.drop_coupling is None else ring.drop_coupling
    a = ring.round_trip_amplitude
    c = np.cos(theta)
    return (r2**2 * a**2 - 2 * r1 * r2 * a * c + r1**2) / (
        1 - 2 * r1 * r2 * a * c + (r1 * r2 * a) ** 2
    )


def power_vs_voltage(mod, v):
    """P(v) from the ring itself: resonance moved by shift * v, laser fixed."""
    ring = mod.ring
    p0 = 10 ** (mod.laser_power_dbm / 10) * 1e-3 * 10 ** (-mod.insertion_loss_db / 10)
    out = []
    for vi in np.atleast_1d(v):
        moved = dataclasses.replace(
            ring, resonance_nm=ring.resonance_nm + mod.shift_pm_per_v * 1e-3 * vi
        )
        out.append(p0 * moved.through(mod.wavelength_nm)[0])
    return np.array(out)


DETUNINGS = [None, -60.0, 45.0]


def test_is_a_transmitter_and_mean_power_follows_ring():
    mod = MicroringModulator(laser_power_dbm=10.0)
    assert isinstance(mod, Transmitter)
    p = 1e-2 * mod.ring.through(mod.wavelength_nm)[0]
    assert mod.mean_power_w() == pytest.approx(p, rel=1e-4)  # phase linearised in wavelength
    assert mod.detuning_nm == pytest.approx(-mod.ring.fwhm_nm / (2 * math.sqrt(3)), rel=1e-9)


@pytest.mark.parametrize("det", DETUNINGS)
def test_taylor_coefficients_match_polynomial_fit_of_ring_transfer(det):
    mod = MicroringModulator(detuning_pm=det)
    h = 0.15
    v = np.linspace(-h, h, 21)
    coef = np.polynomial.polynomial.polyfit(v, power_vs_voltage(mod, v), 6)
    a1, a2, a3 = mod.taylor_w_per_vn()
    scale = abs(a1)
    assert a1 == pytest.approx(coef[1], rel=1e-4)
    assert abs(a2 - coef[2]) < 1e-3 * scale / h
    assert a3 == pytest.approx(coef[3], rel=1e-3)


@pytest.mark.parametrize("det", [None, -70.0])
def test_two_tone_fft_reproduces_analytic_imd3(det):
    mod = MicroringModulator(detuning_pm=det)
    a1, _, a3 = mod.taylor_w_per_vn()
    amp = math.sqrt(1e-4 / (0.75 * abs(a3 / a1)))  # IMD3 at about -80 dBc
    n, k1, k2 = 4096, 400, 440
    t = np.arange(n) / n
    v = amp * (np.cos(2 * np.pi * k1 * t) + np.cos(2 * np.pi * k2 * t))
    p = (
        10 ** (mod.laser_power_dbm / 10)
        * 1e-3
        * airy_t(mod.theta0_rad + mod.dtheta_dv * v, mod.ring)
    )
    spec = np.abs(np.fft.rfft(p)) * 2 / n
    imd3 = 0.5 * (spec[2 * k1 - k2] + spec[2 * k2 - k1])
    measured_db = 20 * np.log10(imd3 / spec[k1])
    analytic_db = 20 * np.log10(0.75 * abs(a3) * amp**3 / (abs(a1) * amp))
    assert abs(measured_db - analytic_db) < 0.05
    # IIP3: fundamental and IMD3 extrapolations meet at iip3_v
    ai = mod.iip3_v
    assert abs(a1) * ai == pytest.approx(0.75 * abs(a3) * ai**3, rel=1e-12)


def test_envelope_response_small_and_large_signal():
    mod = MicroringModulator()
    a1 = abs(mod.taylor_w_per_vn()[0])
    assert mod.envelope_response_w(1e-3) == pytest.approx(a1 * 1e-3, rel=1e-5)
    n = 8192
    psi = 2 * np.pi * np.arange(n) / n
    for amp in (0.5, 2.0, 6.0):
        p = 1e-2 * airy_t(mod.theta0_rad + mod.dtheta_dv * amp * np.cos(psi), mod.ring)
        first = 2 * abs(np.fft.rfft(p)[1]) / n
        assert mod.envelope_response_w(amp) == pytest.approx(first, rel=1e-9)
    env = mod.envelope_response_w(np.array([[0.1, 0.2], [0.3, 0.4]]))
    assert env.shape == (2, 2)
    np.testing.assert_allclose(mod.modulation_depth(0.1), env[0, 0] / mod.mean_power_w())


@pytest.mark.parametrize("f_ghz", [5.0, 20.0])
def test_small_signal_response_matches_time_domain_coupled_mode_theory(f_ghz):
    mod = MicroringModulator(detuning_pm=-40.0)
    ring = mod.ring
    t_rt = ring.n_g * ring.circumference_um * 1e-6 / constants.c
    gamma = -math.log(ring.self_coupling * ring.round_trip_amplitude) / t_rt
    gamma_e = -math.log(ring.self_coupling) / t_rt
    lam = mod.wavelength_nm * 1e-9
    delta = 2 * math.pi * constants.c * mod.detuning_nm * 1e-9 / lam**2
    omega = 2 * math.pi * f_ghz * 1e9
    d0 = 1e-3 * gamma
    mu = math.sqrt(2 * gamma_e)

    def rhs(t, a):
        return (1j * (delta + d0 * math.cos(omega * t)) - gamma) * a - 1j * mu

    period = 2 * math.pi / omega
    steps = 400
    dt = period / steps
    a = -1j * mu / (gamma - 1j * delta)  # steady state without modulation
    t = 0.0
    n_periods = math.ceil(40 / (gamma * period)) + 1
    ps = []
    for n in range(n_periods * steps):
        k1 = rhs(t, a)
        k2 = rhs(t + dt / 2, a + dt / 2 * k1)
        k3 = rhs(t + dt / 2, a + dt / 2 * k2)
        k4 = rhs(t + dt, a + dt * k3)
        a = a + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += dt
        if n >= (n_periods - 1) * steps:
            ps.append(abs(1 - 1j * mu * a) ** 2)
    ps = np.array(ps)
    tt = t - dt * (steps - 1 - np.arange(steps))
    c1 = 2 / steps * np.sum(ps * np.exp(-1j * omega * tt))
    assert abs(c1) / d0 == pytest.approx(2 * abs(mod._cmt_response(omega)), rel=1e-2)


def test_slope_response_and_rc_rolloff():
    mod = MicroringModulator(rc_bandwidth_hz=1e15)
    assert mod.slope_w_per_v(0.0) == pytest.approx(abs(mod.taylor_w_per_vn()[0]), rel=1e-12)
    with_rc = dataclasses.replace(mod, rc_bandwidth_hz=10e9)
    f = np.array([1e9, 10e9, 30e9])
    np.testing.assert_allclose(
        with_rc.slope_w_per_v(f), mod.slope_w_per_v(f) / np.sqrt(1 + (f / 10e9) ** 2), rtol=1e-9
    )
    on_res = MicroringModulator(detuning_pm=0.0)
    assert on_res.taylor_w_per_vn()[0] == pytest.approx(0.0, abs=1e-12)
    assert on_res.slope_w_per_v(0.0) == pytest.approx(0.0, abs=1e-9)
    # first-order CMT response vanishes on resonance at every frequency
    assert np.all(on_res.slope_w_per_v([1e9, 10e9]) < 1e-12)


def test_chirp_from_through_field_phase_and_sign_flip():
    for det in (-30.0, 30.0):
        mod = MicroringModulator(detuning_pm=det)
        h = 1e-3
        fields = []
        for v in (-h, h):
            moved = dataclasses.replace(
                mod.ring, resonance_nm=mod.ring.resonance_nm + mod.shift_pm_per_v * 1e-3 * v
            )
            fields.append(moved.through_field(mod.wavelength_nm)[0])
        p = np.abs(fields) ** 2
        dpsi = np.angle(fields[1] / fields[0])
        alpha = -2 * (0.5 * (p[0] + p[1])) * dpsi / (p[1] - p[0])
        assert mod.chirp_alpha == pytest.approx(alpha, rel=1e-4)
    a_blue = MicroringModulator(detuning_pm=-30.0).chirp_alpha
    a_red = MicroringModulator(detuning_pm=30.0).chirp_alpha
    assert a_blue == pytest.approx(-a_red, rel=1e-6)


def test_bad_modulator_parameters():
    with pytest.raises(RofError, match=r"MicroringModulator.shift_pm_per_v = -5.0"):
        MicroringModulator(shift_pm_per_v=-5.0)
    with pytest.raises(RofError, match=r"MicroringModulator.ring"):
        MicroringModulator(ring="ring")
    with pytest.raises(RofError, match=r"Microring.self_coupling"):
        MicroringModulator(ring=dataclasses.replace(default_modulator_ring(), self_coupling=1.0))
    assert isinstance(default_modulator_ring(), Microring)
