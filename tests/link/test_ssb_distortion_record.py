"""The dual-drive SSB waveform-vs-budget gap at 28 GHz, 10 km, 0 dBm (issue 18).

``test_formats.test_ssb_behind_fiber_at_high_drive_known_gap`` read the waveform's EVM
+0.87 dB above the budget's (+0.90 dB at zero linewidth). The gap is neither side's
model: it is the one 4-symbol NR record (50 MHz, 120 kHz, seed 0) that the comparison
drives, whose third-order distortion is 0.9 dB above the complex-Gaussian ensemble that
the budget's Bussgang / Laguerre expansion averages over (Dardari, Tralli & Vaccari,
IEEE Trans. Commun. 48(10), 2000). At SDR 47.7 dB the in-band distortion is the cubic
term, whose power in one record goes roughly with that record's
:math:`E|x|^6 - (E|x|^4)^2/E|x|^2` (:math:`2\\Omega^3` for a Gaussian): seed 0 has
:math:`E|x|^6/\\Omega^3 = 6.61` and :math:`E|x|^4/\\Omega^2 = 2.06`, +0.74 dB of cubic
power, and its in-band distortion through the closed form below is 0.89 dB above the
ensemble. Over 30 such records (384 subcarriers x 4 symbols) the record's SDR minus the
budget's has mean -0.00 dB and standard deviation 0.56 dB (0.24 dB with 14 symbols), so
seed 0 sits 1.6 sigma low. Noise-limited rows do not see it (noise power does not depend
on the envelope's moments); it is the same for DSB, at 0 km and at 10 km, and at every
drive level from -6 to +4 dBm (a constant factor on the cubic term).

The independent reference is the closed form of Smith, Novak & Ahmed (IEEE Trans.
Microwave Theory Tech. 45(8), 1410-1415, 1997): Jacobi-Anger lines of the two arms,
:math:`c_n = S\\,i^n J_n(m)[e^{i(\\phi_1 + n\\psi_1)} + \\gamma e^{i(\\phi_2 + n\\psi_2)}]`,
:math:`m = \\pi A/(\\sqrt2 V_\\pi)`, each line behind the fiber times
:math:`e^{i\\beta_2 (n\\omega)^2 L/2}`, and the square-law beat of neighbouring lines,
:math:`F(A) = 2\\sum_n c_n c_{n-1}^* e^{i(2n-1)\\beta_2\\omega^2 L/2}`. Applied to a
record's complex envelope as :math:`F(|x|)e^{i\\arg x}` (the link is quasi-memoryless
for a 50 MHz envelope: the sidebands' differential delay is 38 ps) in plain NumPy, it
gives the record's own SDR, which the sample-level simulator reproduces; averaged over
complex-Gaussian records it gives the budget's.
"""

import math

import numpy as np
import pytest
from scipy.special import jv

from rof.link import RoFLink
from rof.link.describing import tone_response
from rof.photonics import CWLaser, DualDriveMZM, Fiber, Photodiode
from rof.signals import nr_ofdm
from rof.signals.numerology import passband_fft_size

RF = 28e9
C_M_PER_S = 299_792_458.0
DECIMATION = 64  # envelope rate fs / 64 = 0.97 GS/s for the 50 MHz carrier


def _ssb(**kw):
    return DualDriveMZM.from_format("ssb", CWLaser(power_dbm=16.0), **kw)


def _closed_form_f(tx, amplitude_v, length_km, rf_hz=RF, n_max=14):
    """Smith et al. (1997): detected fundamental c1 (P = Pbar + Re(c1 e^{iwt})), W.

    Written from the device's parameters, not from its methods: arm bias and drive
    phases, V_pi per arm (the hybrid's 1/sqrt 2), gamma from the extinction ratio, the
    field scale from laser power and insertion loss; beta2 = -D lambda^2 / (2 pi c).
    """
    a = np.atleast_1d(np.asarray(amplitude_v, dtype=float))
    eps = 10.0 ** (tx.extinction_ratio_db / 10.0)
    g = (math.sqrt(eps) - 1.0) / (math.sqrt(eps) + 1.0)
    p_t = 1e-3 * 10.0 ** ((tx.laser.power_dbm - tx.insertion_loss_db) / 10.0)
    s = math.sqrt(p_t) / (1.0 + g)
    m = math.pi * a / (math.sqrt(2.0) * tx.v_pi_v)
    lam = tx.laser.wavelength_nm * 1e-9
    beta2 = -17.0e-6 * lam**2 / (2.0 * math.pi * C_M_PER_S)  # s^2/m (17 ps/(nm km))
    phi_d = 0.5 * beta2 * (2.0 * math.pi * rf_hz) ** 2 * length_km * 1e3

    def line(n):
        arms = np.exp(1j * (tx.bias1_rad + n * tx.drive_phase1_rad)) + g * np.exp(
            1j * (tx.bias2_rad + n * tx.drive_phase2_rad)
        )
        return s * (1j**n) * jv(n, m) * arms

    acc = np.zeros(a.shape, dtype=complex)
    for n in range(-n_max + 1, n_max + 1):
        acc += line(n) * np.conj(line(n - 1)) * np.exp(1j * (2 * n - 1) * phi_d)
    return 2.0 * acc


def _electrode(tx, rf_hz=RF):
    return 1.0 / math.sqrt(1.0 + (rf_hz / tx.bandwidth_hz) ** 2)


def _envelope_nl(tx, x, length_km):
    """F(|H_e| |x|) e^{i arg x} on a fine table of the closed form (cubic in |x|^2)."""
    from scipy.interpolate import CubicSpline

    r = np.abs(x)
    grid = np.linspace(0.0, 1.01 * r.max(), 4001)
    grid[0] = 1e-6 * grid[-1]
    g = _closed_form_f(tx, _electrode(tx) * grid, length_km) / grid  # F(A)/A, even in A
    spline = CubicSpline(np.concatenate((-grid[::-1], grid)), np.concatenate((g[::-1], g)))
    return spline(r) * x


def _grid_sdr(x_win, y_win, mask=None):
    """SDR of y against x over resource elements: scalar Bussgang fit, residual power, dB."""
    x = x_win if mask is None else x_win[mask]
    y = y_win if mask is None else y_win[mask]
    k = np.vdot(x, y) / np.vdot(x, x)
    return 10.0 * math.log10(np.sum(np.abs(k * x) ** 2) / np.sum(np.abs(y - k * x) ** 2))


def _nr_record(seed, n_symbols=4, bw_mhz=50.0):
    """The waveform report's NR drive (64QAM, 120 kHz, 0 dBm) for ``seed``."""
    fs = passband_fft_size(RF + bw_mhz * 1e6, 120e3) * 120e3
    rng = np.random.default_rng(seed)
    return nr_ofdm(bw_mhz, 120, "64QAM", n_symbols, rng, carrier_hz=RF, sample_rate_hz=fs,
                   power_dbm=0.0, impedance_ohm=50.0)  # fmt: skip


def _windows(z, c, decimation):
    """The carrier's resource grid from an envelope at rate fs / decimation (b0-centred)."""
    nw = c.n_fft // decimation
    first = (c.start + c.cp) // decimation
    seg = z[first[:, None] + np.arange(nw)[None, :]]
    b0 = 128 * round(float(np.mean(c.bins)) / 128)
    return np.fft.fft(seg, axis=1)[:, (c.bins - b0) % nw] / nw, b0


def _record_envelope(wf):
    """Complex envelope x (v = Re(x e^{i 2 pi f0 t})), decimated, and its grid shift f0."""
    c = wf.carriers[0]
    v = wf.samples
    n = v.size
    spec = np.fft.rfft(v)
    b0 = 128 * round(float(np.mean(c.bins)) / 128)
    f0 = b0 * c.scs_hz
    full = np.zeros(n, dtype=complex)
    full[: spec.size] = 2.0 * spec
    full[0] = spec[0]
    z = np.fft.ifft(full)  # analytic signal, Re z = v
    t = np.arange(0, n, DECIMATION) / wf.sample_rate_hz
    return z[::DECIMATION] * np.exp(-2j * math.pi * f0 * t)


def record_sdr_db(tx, wf, length_km):
    """The record's own in-band SDR from the closed form (data resource elements), dB."""
    c = wf.carriers[0]
    x = _record_envelope(wf)
    y = _envelope_nl(tx, x, length_km)
    xg, _ = _windows(x, c, DECIMATION)
    yg, _ = _windows(y, c, DECIMATION)
    return _grid_sdr(xg, yg, c.data_mask)


def _budget_sdr_db(tx, length_km, occupied_hz, p_dbm=0.0):
    link = RoFLink(tx, Fiber(length_km), Photodiode(bandwidth_hz=50e9))
    return float(link.budget(RF, p_dbm, occupied_hz).sdr_db)


# -- (a)-(c): the budget's SSB tone response is the closed form ---------------------


@pytest.mark.parametrize("length_km", [0.0, 4.7, 10.0])
def test_budget_tone_response_is_smith_closed_form(length_km):
    """The link describing function of the budget (the SSB field sampled over one RF
    period, dispersed per harmonic, square law) equals the Bessel closed form at every
    drive up to 3 V (m = 1.3 rad), in amplitude and phase: the budget's SSB gain, IMD
    and dispersion terms are right."""
    tx = _ssb()
    a = np.linspace(0.01, 3.0, 25)
    got = tone_response(tx.small_signal(), RF, a, [length_km], dispersion=17.0)[0]
    ref = _closed_form_f(tx, a, length_km)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())


def test_closed_form_back_to_back_is_the_push_pull_bessel():
    """Independent check of the closed form itself: at 0 km SSB is a push-pull MZM of
    the differential drive, F(A) = 4 gamma S^2 sin(phi_B) J1(k_d A), k_d = pi/V_pi
    (|sin(pi/4)| sqrt 2 times the arm index; A&S 9.1.43)."""
    tx = _ssb()
    a = np.linspace(0.01, 3.0, 13)
    eps = 10.0 ** (tx.extinction_ratio_db / 10.0)
    g = (math.sqrt(eps) - 1.0) / (math.sqrt(eps) + 1.0)
    s2 = 1e-3 * 10.0 ** ((16.0 - tx.insertion_loss_db) / 10.0) / (1.0 + g) ** 2
    k_d = math.pi / tx.v_pi_v
    ref = 4.0 * g * s2 * jv(1, k_d * a)
    np.testing.assert_allclose(np.abs(_closed_form_f(tx, a, 0.0)), ref, rtol=1e-9)


# -- (d): Gaussian ensemble vs one record -------------------------------------------


def test_gaussian_ensemble_through_closed_form_gives_the_budget_sdr():
    """Complex-Gaussian flat-spectrum records (the budget's drive statistics; 384 of
    every 2048 bins used, 0 dBm) through the closed-form SSB envelope response at 10 km:
    the in-band SDR over 1000 windows is the budget's within 0.1 dB (seeds 7-11: 0.00 to
    +0.03 dB)."""
    tx = _ssb()
    rng = np.random.default_rng(7)
    nw, n_sc, reps = 2048, 384, 1000
    used = np.r_[1 : n_sc // 2 + 1, nw - n_sc // 2 : nw]
    xf = np.zeros((reps, nw), dtype=complex)
    xf[:, used] = rng.standard_normal((reps, used.size)) + 1j * rng.standard_normal(
        (reps, used.size)
    )
    x = np.fft.ifft(xf, axis=1)
    x *= math.sqrt(2.0 * 50.0 * 1e-3 / np.mean(np.abs(x) ** 2))  # E|x|^2 = 2 R P
    y = _envelope_nl(tx, x.ravel(), 10.0).reshape(x.shape)
    xg, yg = np.fft.fft(x, axis=1)[:, used], np.fft.fft(y, axis=1)[:, used]
    sdr = _grid_sdr(xg, yg)
    assert sdr == pytest.approx(_budget_sdr_db(tx, 10.0, n_sc * 120e3), abs=0.1)


def test_the_gap_record_distorts_0p9_db_above_the_ensemble():
    """The known-gap comparison's record (seed 0, 4 symbols): its own SDR through the
    closed form is 0.8-1.1 dB below the budget's (measured 0.89 dB), and its sixth
    envelope moment is 10 % above the Gaussian's; five other seeds' records average to
    the budget within 0.3 dB."""
    tx = _ssb()
    wf = _nr_record(0)
    occupied = wf.carriers[0].occupied_hz
    budget = _budget_sdr_db(tx, 10.0, occupied)
    own = record_sdr_db(tx, wf, 10.0)
    assert 0.8 < budget - own < 1.1
    x = _record_envelope(wf)
    c = wf.carriers[0]
    xw = np.concatenate(
        [x[(s + cp) // DECIMATION : (s + cp + c.n_fft) // DECIMATION]
         for s, cp in zip(c.start, c.cp, strict=True)]
    )  # fmt: skip
    p = np.abs(xw) ** 2
    assert np.mean(p**3) / np.mean(p) ** 3 > 6.4
    others = [record_sdr_db(tx, _nr_record(s), 10.0) for s in range(1, 6)]
    mean_db = -10.0 * math.log10(np.mean(10.0 ** (-np.asarray(others) / 10.0)))
    assert mean_db == pytest.approx(budget, abs=0.3)


# -- the sample-level simulator against the record's closed form --------------------


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "length_km"), [("ssb", 10.0), ("ssb", 0.0), ("dsb", 0.0)])
def test_waveform_reproduces_the_records_own_sdr(fmt, length_km):
    """Noiseless waveform simulation (sampled two-arm field, exact dispersion, square
    law, NR demodulator) of the seed-0 record: its SDR is the record's closed-form SDR
    within 0.2 dB, and about 1 dB below the budget's (Gaussian) SDR for SSB and DSB alike
    (measured at 0 km SSB / DSB 47.37 / 41.36 dB waveform vs 48.35 / 42.33 dB budget)."""
    from rof.link.waveform import simulate_link
    from rof.signals import demodulate

    tx = DualDriveMZM.from_format(fmt, CWLaser(power_dbm=16.0))
    wf = _nr_record(0)
    link = RoFLink(tx, Fiber(length_km), Photodiode(bandwidth_hz=50e9))
    rx = simulate_link(link, wf, None)
    sdr_wave = -20.0 * math.log10(demodulate(rx, 0).evm_percent / 100.0)
    assert sdr_wave == pytest.approx(record_sdr_db(tx, wf, length_km), abs=0.2)
    budget = _budget_sdr_db(tx, length_km, wf.carriers[0].occupied_hz)
    assert 0.7 < budget - sdr_wave < 1.2


@pytest.mark.slow
def test_ssb_waveform_over_a_slot_matches_the_budget():
    """The same SSB link, 10 km, 0 dBm, 1 MHz linewidth, with every noise, over a full
    14-symbol slot instead of 4 symbols: within 0.4 dB of the budget's EVM."""
    from rof.link.waveform_report import run_waveform_report

    link = RoFLink(_ssb(), Fiber(10.0), Photodiode(bandwidth_hz=50e9))
    rep = run_waveform_report(
        link, RF, rf_in_dbm=0.0, bandwidth_mhz=50, scs_khz=120, modulation="64QAM",
        n_symbols=14, seed=0,
    )  # fmt: skip
    c = rep["carriers"][0]
    assert abs(20 * math.log10(c["evm_percent"] / c["evm_analytic_percent"])) < 0.4
