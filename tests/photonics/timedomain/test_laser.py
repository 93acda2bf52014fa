"""DML rate equations: resonance, steady state, chirp, RIN against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.photonics import DirectLaser, Fiber
from rof.photonics.timedomain import dml_field, propagate_linear, rate_constants
from rof.photonics.timedomain.laser import (
    dml_step_reference,
    rate_equation_kernel,
    rin_sampled,
)


def _tone_response(laser, f0, fs=80e9, n=2**14, amp_a=1e-3, substeps=8):
    k = round(f0 * n / fs)
    f0 = k * fs / n
    v = amp_a * laser.input_impedance_ohm * np.cos(2 * np.pi * f0 * np.arange(n) / fs)
    p = np.abs(dml_field(laser, v, fs, None, substeps=substeps)) ** 2
    return f0, 2 * abs(np.fft.rfft(p)[k]) / n / (laser.slope_efficiency_w_per_a * amp_a)


def test_kernel_matches_expm_reference():
    laser = DirectLaser()
    rc = rate_constants(laser)
    cur = 0.04 + 0.025 * np.sin(np.arange(300) * 0.4)
    p_ref, ph_ref = dml_step_reference(cur, 1e-11, rc)
    p = np.empty(300)
    ph = np.empty(300)
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    rate_equation_kernel(
        cur, 1, 1e-11, rc.as_tuple(), st, np.zeros((300, 3)), 0.0, np.zeros(4), p, ph
    )
    np.testing.assert_allclose(p, p_ref, rtol=1e-10)
    np.testing.assert_allclose(ph, ph_ref, rtol=1e-10, atol=1e-10)


def test_steady_state_power_and_fit():
    laser = DirectLaser(bias_current_ma=50.0, relaxation_frequency_hz=8e9, damping_rate_per_s=3e10)
    rc = rate_constants(laser)
    p = np.abs(dml_field(laser, np.zeros(4096), 40e9, None)) ** 2
    assert p[-1] == pytest.approx(laser.mean_power_w(), rel=1e-9)
    # Linearised system: omega_R^2 = det J, gamma = -tr J (Coldren et al. ch. 5).
    assert rc.epsilon > 0


@pytest.mark.parametrize("fr_hz", [6e9, 10e9])
def test_small_signal_response_follows_two_pole_form(fr_hz):
    # H(f) = fr^2 / (fr^2 - f^2 + j f gamma / 2 pi): resonance peak where the
    # rate-equation parameters put it (Coldren et al. ch. 5).
    laser = DirectLaser(relaxation_frequency_hz=fr_hz, damping_rate_per_s=2e10)
    freqs = np.linspace(0.3, 1.4, 12) * fr_hz
    meas = np.array([_tone_response(laser, f)[1] for f in freqs])
    ref = laser.modulation_response(np.array([_tone_response(laser, f)[0] for f in freqs]))
    np.testing.assert_allclose(meas, ref, rtol=0.02)
    f_peak_closed = math.sqrt(fr_hz**2 - 2e10**2 / (8 * math.pi**2))
    fine = np.linspace(0.8, 1.1, 31) * fr_hz
    resp = [_tone_response(laser, f, n=2**15)[1] for f in fine]
    assert fine[int(np.argmax(resp))] == pytest.approx(f_peak_closed, rel=0.02)


def test_chirp_fading_matches_devaux_with_transient_chirp():
    # Damping at the epsilon = 0 limit makes the chirp purely transient; then the RF
    # fading is (1 + a^2) cos^2(theta + atan a) (Devaux et al. 1993, eq. 1).
    laser = DirectLaser(chirp_alpha=3.0, damping_rate_per_s=9.0e9, relaxation_frequency_hz=10e9)
    assert rate_constants(laser).epsilon < 1e-9
    fs, n = 80e9, 2**15
    for f0, length in ((3e9, 10.0), (3e9, 20.0), (5e9, 10.0)):
        k = round(f0 * n / fs)
        v = 0.02 * np.cos(2 * np.pi * k / n * np.arange(n))
        e = dml_field(laser, v, fs, None)
        a0 = abs(np.fft.rfft(np.abs(e) ** 2)[k])
        e_l = propagate_linear(e, fs, Fiber(length, attenuation_db_per_km=0.0))
        ratio = (abs(np.fft.rfft(np.abs(e_l) ** 2)[k]) / a0) ** 2
        expect = Fiber(length).power_fading(k * fs / n, 3.0)
        assert 10 * np.log10(ratio) == pytest.approx(10 * np.log10(expect), abs=0.3)


def test_rin_matches_specification_at_reference():
    laser = DirectLaser(rin_db_per_hz=-145.0)
    fs = 20e9
    rc = rate_constants(laser, rin_reference_hz=3e9, sample_rate_hz=fs)
    assert 10 * np.log10(rin_sampled(rc, 3e9, fs)) == pytest.approx(-145.0, abs=1e-6)
    p = np.abs(dml_field(laser, np.zeros(2**18), fs, np.random.default_rng(0), constants=rc)) ** 2
    f = np.fft.rfftfreq(p.size, 1 / fs)
    psd = np.abs(np.fft.rfft(p - p.mean())) ** 2 / (p.size * fs) * 2 / p.mean() ** 2
    meas = np.mean(psd[np.abs(f - 3e9) < 3e8])
    assert 10 * np.log10(meas) == pytest.approx(-145.0, abs=0.5)


def test_clipping_drive_is_stable():
    laser = DirectLaser()
    rng = np.random.default_rng(1)
    v = rng.normal(0, 2.0, 20000)  # far beyond the 1.5 V clipping amplitude
    p = np.abs(dml_field(laser, v, 20e9, rng)) ** 2
    assert np.all(np.isfinite(p)) and p.min() >= 0
    assert p.mean() == pytest.approx(laser.mean_power_w(), rel=0.3)


def test_bad_input():
    with pytest.raises(ParameterError, match="drive_v"):
        dml_field(DirectLaser(), np.array([0.0, np.nan]), 1e10, None)
    with pytest.raises(ParameterError, match="substeps"):
        dml_field(DirectLaser(), np.zeros(8), 1e10, None, substeps=0)


def test_default_substeps_converge_the_detected_tone_after_dispersion():
    """The default step (f_hi dt <= 1/16) puts a 3.5 GHz tone's detected amplitude after
    20 km within 0.5 % of a 16x finer integration; the third-order exponential Rosenbrock
    step is within 0.1 % even at 1/(4 f_r), where the former step-averaged Rosenbrock-Euler
    was 4 % off. (Chirp turns into intensity through dispersion, so the phase must be
    integrated accurately, not only the power.)"""
    import math

    from rof.photonics import DirectLaser, Fiber
    from rof.photonics.timedomain import dml_field
    from rof.photonics.timedomain.fiber import propagate_linear

    fs, n = 8e9, 2**14
    k = round(3.5e9 / fs * n)
    x = 0.3 * np.cos(2 * np.pi * (k * fs / n) * np.arange(n) / fs)
    laser = DirectLaser()

    def tone(substeps):
        e = dml_field(laser, x, fs, None, substeps=substeps)
        p = np.abs(propagate_linear(e, fs, Fiber(20.0))) ** 2
        return abs(np.fft.rfft(p)[k])

    fine = tone(16)
    assert abs(tone(None) / fine - 1) < 5e-3
    assert abs(tone(math.ceil(4 * laser.relaxation_frequency_hz / fs)) / fine - 1) < 1e-3


@pytest.mark.parametrize("dt", [1e-12, 1e-11, 2.5e-11])
def test_exprb_kernel_matches_expm_reference(dt):
    # The third-order kernel against the plain augmented-expm reference (Al-Mohy &
    # Higham 2011): same method, independent phi-function evaluation.
    from rof.photonics.timedomain.laser import dml_exprb_reference
    from rof.photonics.timedomain.rate_kernel import exprb_kernel

    rc = rate_constants(DirectLaser())
    w = 0.4 / 1e-11
    t = np.arange(301) * dt
    cur = 0.04 + 0.008 * np.sin(w * t)
    dcur = 0.008 * w * np.cos(w * t)
    p_ref, ph_ref = dml_exprb_reference(cur, dcur, dt, rc)
    p = np.empty(300)
    ph = np.empty(300)
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    exprb_kernel(cur, dcur, 1, dt, rc.as_tuple(), st, np.zeros((300, 3)), 0.0, np.zeros(4), p, ph)
    np.testing.assert_allclose(p, p_ref, rtol=1e-11)
    np.testing.assert_allclose(ph, ph_ref, rtol=1e-11, atol=1e-11)


def test_exprb_converges_to_step_averaged_euler_fine_solution():
    # Independent integrators agree: the step-averaged Rosenbrock-Euler kernel at 64
    # steps per sample and the third-order kernel at its default (a 3 GHz drive at
    # 16 GS/s, 0.6 of the clipping amplitude). The phase is compared without its mean
    # frequency (a MHz-level offset from the mean carrier density accumulates over time).
    from scipy import fft as sfft

    laser = DirectLaser()
    rc = rate_constants(laser)
    fs, n, u = 16e9, 4096, 64
    k = round(3e9 / fs * n)
    v = 0.6 * 1.5 * np.cos(2 * np.pi * k / n * np.arange(n))
    e = dml_field(laser, v, fs, None, constants=rc)
    spec = sfft.rfft(v / 50.0)
    f = sfft.rfftfreq(n, 1 / fs)
    dt = 1 / (fs * u)
    spec *= np.sinc(f * dt) * np.exp(-2j * np.pi * f * dt / 2)  # averages over [t - dt, t]
    cur = np.roll(sfft.irfft(spec, n * u) * u, -1) + 0.04  # step m covers [m dt, (m+1) dt]
    p = np.empty(n)
    ph = np.empty(n)
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    rate_equation_kernel(cur, u, dt, rc.as_tuple(), st, np.zeros((n, 3)), 0.0, np.zeros(4), p, ph)
    np.testing.assert_allclose(np.abs(e) ** 2, p, rtol=1.2e-2)
    t = np.arange(n)
    d = np.unwrap(np.angle(e * np.exp(-1j * ph)))
    d -= np.polyval(np.polyfit(t, d, 1), t)
    assert np.max(np.abs(d)) < 2.5e-2
