"""DML rate equations: resonance, steady state, chirp, RIN against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.photonics import DirectLaser, Fiber
from rof.photonics.timedomain import dml_field, propagate_linear, rate_constants
from rof.photonics.timedomain.laser import dml_step_reference
from rof.photonics.timedomain.laser_noise import noise_increment
from rof.photonics.timedomain.rate_constants import rin_linearised, rin_sampled
from rof.photonics.timedomain.rate_kernel import rate_equation_kernel


def _rin_near(p, fs, f0, half_band=3e8):
    """One-sided RIN of the power samples ``p`` averaged over f0 +/- half_band, 1/Hz."""
    from scipy import signal

    f, psd = signal.welch(p - p.mean(), fs, nperseg=4096)
    return float(np.mean(psd[np.abs(f - f0) < half_band])) / p.mean() ** 2


def _run_exprb_bias(laser, rc, fs, z):
    """exprb_kernel at bias, one step per sample, draws ``z``: (power, phase)."""
    from rof.photonics.timedomain.exprb_kernel import exprb_kernel

    n = z.shape[0]
    cur = np.full(n + 1, laser.bias_current_ma * 1e-3)
    p = np.empty(n)
    ph = np.empty(n)
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    chol = noise_increment(rc, 1.0 / fs)
    exprb_kernel(cur, np.zeros(n + 1), 1, 1 / fs, rc.as_tuple(), st, z, 1.0, chol, p, ph)
    return p, ph


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
        cur, 1, 1e-11, rc.as_tuple(), st, np.zeros((300, 3)), 0.0, np.zeros(6), p, ph
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
    # dml_field's band-limited Langevin draws: the unfolded RIN of the linearised model.
    laser = DirectLaser(rin_db_per_hz=-145.0)
    fs = 20e9
    rc = rate_constants(laser, rin_reference_hz=3e9)
    assert 10 * np.log10(rin_linearised(rc, 3e9)) == pytest.approx(-145.0, abs=1e-6)
    p = np.abs(dml_field(laser, np.zeros(2**18), fs, np.random.default_rng(0), constants=rc)) ** 2
    assert 10 * np.log10(_rin_near(p, fs, 3e9)) == pytest.approx(-145.0, abs=0.5)


def test_white_draws_give_the_exactly_sampled_process():
    # White draws through the Van Loan kicks give the state at the sample instants
    # exactly, so the RIN is the continuous one folded about fs/2 (rin_sampled).
    laser = DirectLaser(rin_db_per_hz=-145.0)
    fs, n = 20e9, 2**18
    rc = rate_constants(laser, rin_reference_hz=3e9, sample_rate_hz=fs)
    assert 10 * np.log10(rin_sampled(rc, 3e9, fs)) == pytest.approx(-145.0, abs=1e-6)
    assert rin_sampled(rc, 3e9, fs) > 2.0 * rin_linearised(rc, 3e9)  # folding matters here
    z = np.random.default_rng(0).standard_normal((n, 3))
    p, _ = _run_exprb_bias(laser, rc, fs, z)
    assert 10 * np.log10(_rin_near(p, fs, 3e9)) == pytest.approx(-145.0, abs=0.5)


@pytest.mark.parametrize("fs", [40e9, pytest.param(36e9, marks=pytest.mark.slow)])
def test_detected_rin_behind_fiber_matches_closed_form(fs):
    # The waveform DML's RIN behind dispersive fiber, RIN_det(theta) / RIN_det(0) at
    # 3.5 GHz, against DirectLaser.rin_dispersion_factor (linearised Langevin, checked by a
    # NumPy Langevin simulation in tests/link/test_describing.py). The carrier-driven
    # intensity and phase noise nearly cancel behind fiber, so this needs the phase kick
    # correlated with the carrier kick and no photon noise folded from above Nyquist.
    laser = DirectLaser()
    n = 2**17
    e = dml_field(laser, np.zeros(n), fs, np.random.default_rng(4))
    cut = n // 50  # the random-walk phase wraps at the ends of the periodic fiber model
    r0 = _rin_near(np.abs(e[cut:-cut]) ** 2, fs, 3.5e9)
    c, lam, d = 299792458.0, 1550e-9, 17e-6
    for length in (10.0, 20.0, 40.0):
        theta = math.pi * length * 1e3 * d * lam**2 * 3.5e9**2 / c
        el = propagate_linear(e, fs, Fiber(length, attenuation_db_per_km=0.0))
        meas = 10 * np.log10(_rin_near(np.abs(el[cut:-cut]) ** 2, fs, 3.5e9) / r0)
        closed = 10 * np.log10(laser.rin_dispersion_factor(3.5e9, theta))
        assert meas == pytest.approx(closed, abs=0.5), length


def test_both_kernels_apply_the_same_kicks():
    # The reference Rosenbrock-Euler kernel (second order, fine steps) and the exprb
    # kernel, same draws, at bias: the same noisy trajectory. Phase compared per sample
    # (the quadrature difference would accumulate into a drift).
    from rof.photonics.timedomain.exprb_kernel import exprb_kernel

    rc = rate_constants(DirectLaser())
    fs, n, u = 40e9, 4000, 32
    z = np.random.default_rng(5).standard_normal((n, 3))
    chol = noise_increment(rc, 1.0 / fs)
    cur = np.full(n * u + 1, DirectLaser().bias_current_ma * 1e-3)
    dt = 1.0 / (fs * u)
    p = np.empty((2, n))
    ph = np.empty((2, n))
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    exprb_kernel(cur, np.zeros_like(cur), u, dt, rc.as_tuple(), st, z, 1.0, chol, p[0], ph[0])
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    rate_equation_kernel(cur[:-1], u, dt, rc.as_tuple(), st, z, 1.0, chol, p[1], ph[1])
    np.testing.assert_allclose(p[0], p[1], rtol=1e-4)
    dph = np.diff(ph, axis=1)
    assert np.std(dph[0]) > 0.05  # the kicks move the phase by ~0.1 rad per sample
    np.testing.assert_allclose(dph[0], dph[1], rtol=0.0, atol=2e-4)


def test_rin_reference_is_the_centre_of_a_flat_band():
    # The model's RIN rises steeply below the relaxation frequency (about 1 dB across
    # 0.7-0.8 GHz), so the RIN is set at the drive's centre, not at a random subcarrier;
    # a white floor 40 dB down (input noise) does not move it.
    from rof.photonics.timedomain.laser import _drive_spectrum_summary

    rng = np.random.default_rng(7)
    fs, n = 8e9, 2**16
    k = np.arange(round(0.7e9 * n / fs), round(0.8e9 * n / fs) + 1)
    spec = np.zeros(n // 2 + 1, dtype=complex)
    spec[k] = np.exp(2j * np.pi * rng.random(k.size)) * (1 + 0.5 * rng.random(k.size))
    x = np.fft.irfft(spec, n)
    x += rng.normal(0.0, 1e-2 * x.std(), n)
    f_ref, _ = _drive_spectrum_summary(x, 1.0, fs)
    assert f_ref == pytest.approx(0.75e9, abs=5e6)


def test_clipping_drive_is_stable():
    laser = DirectLaser()
    rng = np.random.default_rng(1)
    v = rng.normal(0, 2.0, 20000)  # far beyond the 1.5 V clipping amplitude
    p = np.abs(dml_field(laser, v, 20e9, rng)) ** 2
    assert np.all(np.isfinite(p)) and p.min() >= 0
    assert p.mean() == pytest.approx(laser.mean_power_w(), rel=0.3)


def test_single_precision_drive_reads_as_double():
    """A float32 drive gives the field of the same values in float64 (simulate_link hands
    its interpolated drive over in single precision); integer drives are read as float."""
    rng = np.random.default_rng(3)
    v32 = (0.3 * rng.standard_normal(70_000)).astype(np.float32)
    laser = DirectLaser()
    want = dml_field(laser, v32.astype(np.float64), 2e10, np.random.default_rng(4))
    got = dml_field(laser, v32, 2e10, np.random.default_rng(4))
    np.testing.assert_array_equal(got, want)
    ints = dml_field(laser, np.zeros(4096, dtype=np.int64), 2e10, None)
    np.testing.assert_array_equal(ints, dml_field(laser, np.zeros(4096), 2e10, None))


def test_bad_input():
    with pytest.raises(ParameterError, match="drive_v"):
        dml_field(DirectLaser(), np.array([0.0, np.nan]), 1e10, None)
    with pytest.raises(ParameterError, match="drive_v"):
        dml_field(DirectLaser(), np.array([0.0, np.inf], dtype=np.float32), 1e10, None)
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
    from rof.photonics.timedomain.exprb_kernel import exprb_kernel
    from rof.photonics.timedomain.laser import dml_exprb_reference

    rc = rate_constants(DirectLaser())
    w = 0.4 / 1e-11
    t = np.arange(301) * dt
    cur = 0.04 + 0.008 * np.sin(w * t)
    dcur = 0.008 * w * np.cos(w * t)
    p_ref, ph_ref = dml_exprb_reference(cur, dcur, dt, rc)
    p = np.empty(300)
    ph = np.empty(300)
    st = np.array([rc.n_bias, rc.s_bias, 0.0])
    exprb_kernel(cur, dcur, 1, dt, rc.as_tuple(), st, np.zeros((300, 3)), 0.0, np.zeros(6), p, ph)
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
    rate_equation_kernel(cur, u, dt, rc.as_tuple(), st, np.zeros((n, 3)), 0.0, np.zeros(6), p, ph)
    np.testing.assert_allclose(np.abs(e) ** 2, p, rtol=1.2e-2)
    t = np.arange(n)
    d = np.unwrap(np.angle(e * np.exp(-1j * ph)))
    d -= np.polyval(np.polyfit(t, d, 1), t)
    assert np.max(np.abs(d)) < 2.5e-2


@pytest.mark.parametrize("kernel", ["exprb", "euler"])
def test_kernels_scale_the_kick_to_the_state(kernel):
    # One sample from a state near threshold: the noisy minus the noiseless end state is
    # the bias kick C z scaled by kick_scales at the end state (the plain reference).
    from rof.photonics.timedomain.exprb_kernel import exprb_kernel
    from rof.photonics.timedomain.laser_noise import kick_scales

    rc = rate_constants(DirectLaser())
    fs, u = 40e9, 8
    chol = noise_increment(rc, 1.0 / fs)
    z = np.array([[0.7, -1.1, 0.9]])
    cur = np.full(u + 1, 0.011)
    out = []
    for scale in (0.0, 1.0):
        st = np.array([rc.n_th, 2e3, 0.0])
        p, ph = np.empty(1), np.empty(1)
        if kernel == "exprb":
            exprb_kernel(
                cur, np.zeros(u + 1), u, 1 / (fs * u), rc.as_tuple(), st, z, scale, chol, p, ph
            )
        else:
            rate_equation_kernel(
                cur[:-1], u, 1 / (fs * u), rc.as_tuple(), st, z, scale, chol, p, ph
            )
        out.append(st.copy())
    (n, s, _), kicked = out
    f_n, f_s, f_p = kick_scales(rc, n, s, chol[6])
    assert 0.01 < f_s < 0.1 and f_p > 5.0
    c = chol
    expect = [
        f_n * c[0] * z[0, 0],
        f_s * (c[1] * z[0, 0] + c[2] * z[0, 1]),
        f_n * (c[3] * z[0, 0] + c[4] * z[0, 1]) + f_p * c[5] * z[0, 2],
    ]
    np.testing.assert_allclose(kicked - out[0], expect, rtol=1e-6)


def _euler_maruyama_ensemble(rc, current, t_end, dt, n_obs, m, rng):
    """Plain Euler-Maruyama of the non-linear Itô rate equations, ``m`` trajectories from
    bias: F_S = sqrt(2 R_sp S) xi_a, F_N = -F_S + sqrt(2N/tau_n) xi_b,
    F_phi = sqrt(R_sp/(2S)) xi_c, all times noise_scale (Coldren et al. ch. 5), at the
    state of each step. Returns (S, phi), shape (n_obs, m), every t_end/n_obs."""
    tau_p, tau_n, beta, g_n, n0, eps, alpha, _, n_b, s_b = rc.as_tuple()
    q_e = 1.602176634e-19
    n = np.full(m, n_b)
    s = np.full(m, s_b)
    ph = np.zeros(m)
    steps = round(t_end / dt)
    every = steps // n_obs
    s_rec, ph_rec = [], []
    for i in range(steps):
        g = g_n * (n - n0) * s / (1 + eps * s)
        rsp = beta * n / tau_n
        x = rng.standard_normal((3, m)) * math.sqrt(rc.noise_scale * dt)
        fa = np.sqrt(2 * rsp * s) * x[0]
        ph += -0.5 * alpha * g_n * (n - n_b) * dt + np.sqrt(rsp / (2 * np.maximum(s, 1.0))) * x[2]
        n, s = (
            n
            + (current((i + 0.5) * dt) / q_e - n / tau_n - g) * dt
            - fa
            + np.sqrt(2 * n / tau_n) * x[1],
            np.maximum(s + (g - s / tau_p + rsp) * dt + fa, 0.0),
        )
        if (i + 1) % every == 0:
            s_rec.append(s.copy())
            ph_rec.append(ph.copy())
    return np.array(s_rec), np.array(ph_rec)


def test_clipped_noise_statistics_match_euler_maruyama():
    # A 3.5 GHz sine that turns the laser off each period (down to 4 mA, threshold 10 mA):
    # the photon-number mean and spread at 8 points of the last period, and the phase
    # diffused over it, of the kernel (160 samples per period, white draws, the
    # state-scaled kicks) against a 0.05 ps Euler-Maruyama ensemble of the non-linear Itô
    # equations. Measured: mean within 4 % (steep rising edge), spread within 7 %, phase
    # variance 8-12 % low (both converge as the sample shrinks). With the bias-point kicks
    # at every state the trough's photon number was 7 times too high, its spread 15 times
    # and the phase variance 5 times.
    from rof.photonics.timedomain.exprb_kernel import exprb_kernel

    laser = DirectLaser()
    rc = rate_constants(laser, rin_reference_hz=3.5e9)
    f0, amp, periods, m = 3.5e9, 0.036, 4, 1000

    def current(t):
        return laser.bias_current_ma * 1e-3 + amp * np.sin(2 * np.pi * f0 * t)

    s_em, ph_em = _euler_maruyama_ensemble(
        rc, current, periods / f0, 1 / (f0 * 40 * 140), periods * 40, m, np.random.default_rng(0)
    )
    q, u = 160, 4
    h = 1 / (f0 * q)
    t = np.arange(periods * q * u + 1) * h / u
    cur = current(t)
    dcur = amp * 2 * np.pi * f0 * np.cos(2 * np.pi * f0 * t)
    chol = noise_increment(rc, h)
    rng = np.random.default_rng(1)
    s_k = np.empty((m, periods * q))
    ph_k = np.empty((m, periods * q))
    for i in range(m):
        st = np.array([rc.n_bias, rc.s_bias, 0.0])
        z = rng.standard_normal((periods * q, 3))
        exprb_kernel(cur, dcur, u, h / u, rc.as_tuple(), st, z, 1.0, chol, s_k[i], ph_k[i])
    s_k /= rc.k_w
    pick = np.arange(q // 40 - 1 + (periods - 1) * q, periods * q, q // 40)[::5]
    em = s_em[-40:][::5]
    np.testing.assert_allclose(s_k[:, pick].mean(0), em.mean(1), rtol=0.1)
    np.testing.assert_allclose(s_k[:, pick].std(0), em.std(1), rtol=0.2)
    var_k = np.var(ph_k[:, -1] - ph_k[:, -q - 1])
    var_em = np.var(ph_em[-1] - ph_em[-41])
    assert var_k == pytest.approx(var_em, rel=0.2)
