"""Waveform-level link vs the analytic budget, fading nulls, IF-over-fiber IMD3."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.link import RoFLink
from rof.link.waveform import simulate_link
from rof.link.waveform_report import run_waveform_report
from rof.photonics import CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.signals import combine_carriers, evm_percent, nr_ofdm

V_PI = 3.5
# Drive at which a sine of the mean power reaches +-V_pi/2 (the MZM's clipping), dBm.
CLIP_DBM = 10 * math.log10((V_PI / 2) ** 2 / (2 * 50.0) * 1e3)


LINEWIDTH_HZ = 1e6  # CWLaser default


def _mzm(bandwidth_hz=20e9, linewidth_hz=LINEWIDTH_HZ):
    return MachZehnderModulator(
        CWLaser(power_dbm=16.0, linewidth_hz=linewidth_hz), v_pi_v=V_PI, bandwidth_hz=bandwidth_hz
    )


def _compare(tx, rf_hz, length_km, rf_in_dbm, bw_mhz, scs_khz, n_sym, seed=0):
    link = RoFLink(tx, Fiber(length_km), Photodiode())
    rep = run_waveform_report(
        link,
        rf_hz,
        rf_in_dbm=rf_in_dbm,
        bandwidth_mhz=bw_mhz,
        scs_khz=scs_khz,
        modulation="64QAM",
        n_symbols=n_sym,
        seed=seed,
    )
    c = rep["carriers"][0]
    return 20 * math.log10(c["evm_percent"] / c["evm_analytic_percent"]), c


# Default electrode (20 GHz) and 1 MHz linewidth: the electrode acts ahead of the sine
# (distortion at 28 GHz), the laser RIN fades with cos^2 and the phase noise converts to
# intensity noise with sin^2 of the dispersion phase.
@pytest.mark.parametrize(
    ("length_km", "rf_in_dbm"),
    [(0.0, -20.0), (20.0, -10.0), (20.0, 0.0), (40.0, -20.0), (40.0, CLIP_DBM - 3.0)],
)
def test_mzm_waveform_matches_budget_at_3p5ghz(length_km, rf_in_dbm):
    diff_db, _ = _compare(_mzm(), 3.5e9, length_km, rf_in_dbm, 20, 60, 14)
    assert abs(diff_db) < 1.0


@pytest.mark.parametrize(
    ("length_km", "rf_in_dbm"),
    [
        pytest.param(0.0, CLIP_DBM - 3.0, marks=pytest.mark.slow),  # also in the wide sweep
        (2.0, 0.0),
        pytest.param(9.4, -10.0, marks=pytest.mark.slow),
        (18.7, CLIP_DBM - 3.0),
        pytest.param(28.1, -20.0, marks=pytest.mark.slow),
    ],
)
def test_mzm_waveform_matches_budget_at_28ghz(length_km, rf_in_dbm):
    # 2 km: -2 dB of fading; 9.4, 18.7, 28.1 km: maxima between the nulls at 4.68 (2k + 1) km
    diff_db, _ = _compare(_mzm(), 28e9, length_km, rf_in_dbm, 50, 120, 14)
    # Behind fiber the budget's distortion is the back-to-back one at the drive times
    # cos^2(theta) (rof.link.dispersed.dispersed_drive_distortion); scaling it with the
    # faded signal instead read 2.7 dB pessimistic at 2 km.
    assert abs(diff_db) < 1.0


# Back to back over the drive range up to 3 dB below clipping (13.5 dBm for a sine), and
# over fiber where the DML's dynamic and chirp-dispersion distortion dominate: the budget's
# link describing function against the sample-by-sample rate equations (measured within
# 0.45 dB). Noise-limited behind fiber (-20 dBm), where the laser RIN fades at 10 km and
# grows at 20 and 40 km (DirectLaser.rin_dispersion_factor): the waveform's correlated,
# band-limited Langevin kicks against the budget's closed form (measured within 0.05 dB).
@pytest.mark.parametrize(
    ("length_km", "rf_in_dbm"),
    [
        (0.0, -10.0),
        (0.0, 5.0),
        (0.0, 10.5),
        (20.0, 0.0),
        (40.0, 0.0),
        (10.0, -20.0),
        (20.0, -20.0),
        (40.0, -20.0),
    ],
)
def test_dml_waveform_matches_budget(length_km, rf_in_dbm):
    diff_db, _ = _compare(DirectLaser(), 3.5e9, length_km, rf_in_dbm, 20, 60, 14)
    assert abs(diff_db) < 1.0


# A DML at 28 GHz, far above its 10 GHz relaxation frequency (modulation response
# about -20 dB): up to 10.5 dBm (3 dB below the low-frequency clipping drive) and
# behind fiber (measured within 0.21 dB, 4 symbols).
@pytest.mark.parametrize(("length_km", "rf_in_dbm"), [(0.0, 10.5), (10.0, 0.0), (10.0, 10.5)])
def test_dml_waveform_matches_budget_at_28ghz(length_km, rf_in_dbm):
    diff_db, _ = _compare(DirectLaser(), 28e9, length_km, rf_in_dbm, 50, 120, 4)
    assert abs(diff_db) < 1.0


def test_optical_field_is_sampled_above_its_harmonics():
    # A chirped DML's field carries harmonics of the carrier; sampled at the drive's rate
    # they alias and dispersion gives them wrong phases (spurious in-band distortion).
    link = RoFLink(DirectLaser(), Fiber(20.0), Photodiode())
    w = nr_ofdm(20, 60, "64QAM", 4, np.random.default_rng(0), carrier_hz=3.5e9, power_dbm=0.0)
    evm = {
        q: evm_percent(simulate_link(link, w, None, optical_oversampling=q), None)
        for q in (1, 5, 10)
    }
    assert evm[5] == pytest.approx(evm[10], rel=0.05)
    assert evm[1] > 3 * evm[5]


def test_fading_null_collapses_at_closed_form_frequency():
    # First chirp-free null f = sqrt(c / (2 L D lambda^2)) (Smith et al. 1997); put it
    # at 28 GHz. Both models collapse; just off the null both are fine.
    c, lam, d = 299792458.0, 1550e-9, 17e-6
    l_null = c / (2 * d * lam**2 * 28e9**2) / 1e3
    # 1 kHz linewidth: at the null the converted phase noise (sin^2 = 1) would otherwise
    # move the measured channel's minimum by the noise of its estimate.
    link = RoFLink(_mzm(200e9, 1e3), Fiber(l_null), Photodiode())
    assert Fiber(l_null).null_frequencies_hz(1)[0] == pytest.approx(28e9, rel=1e-9)
    rep = run_waveform_report(
        link,
        28e9,
        bandwidth_mhz=50,
        scs_khz=120,
        modulation="64QAM",
        n_symbols=4,
        keep_waveforms=True,
    )
    car = rep["carriers"][0]
    assert car["evm_percent"] > 50 and car["evm_analytic_percent"] > 50
    dem = rep["waveforms"]["demodulated"][0]
    cc = rep["waveforms"]["tx"].carriers[0]
    f_sc = cc.carrier_hz + (np.arange(cc.n_sc) - cc.n_sc // 2) * cc.scs_hz
    # The measured channel's weakest point lies near the closed-form null.
    assert abs(f_sc[np.argmin(np.abs(dem.channel))] - 28e9) < 10e6
    # Off the null (0.8 L: fading -10 dB) the waveform no longer collapses, and the
    # laser RIN fades with the signal in both models.
    d2, c2 = _compare(_mzm(200e9, 1e3), 28e9, 0.8 * l_null, -10.0, 50, 120, 4)
    assert c2["evm_percent"] < 3 and c2["evm_analytic_percent"] < 3
    assert abs(d2) < 1.0


def test_if_over_fiber_two_carriers_imd3():
    # Two NR carriers at IFs f1, f2 through a quadrature MZM: third-order products at
    # 2 f1 - f2 and 2 f2 - f1. For Gaussian (OFDM) carriers of input power P each, the
    # product band holds 2 P^3 / IIP3^2 referred to the input (E|s|^4 = 2 sigma^4),
    # i.e. 3 dB above the two-tone value, IIP3 = 4 V_pi^2 / (pi^2 R) (Cox 2004, ch. 6).
    rng = np.random.default_rng(7)
    mzm = _mzm(1e12)
    link = RoFLink(mzm, Fiber(0.0), Photodiode())
    fs = 128 * 60e3 * 1024  # third-order sum products (<= 3.6 GHz) below Nyquist
    p_dbm = 0.0
    a = nr_ofdm(20, 60, "64QAM", 14, rng, carrier_hz=1.0e9, sample_rate_hz=fs, power_dbm=p_dbm)
    b = nr_ofdm(20, 60, "64QAM", 14, rng, carrier_hz=1.2e9, sample_rate_hz=fs, power_dbm=p_dbm)
    rx = simulate_link(link, combine_carriers(a, b), None)
    spec = np.abs(np.fft.rfft(rx.samples)) ** 2
    f = np.fft.rfftfreq(rx.samples.size, 1 / fs)

    def band(fc, half):
        return spec[np.abs(f - fc) <= half].sum()

    occ = a.carriers[0].occupied_hz
    fund = band(1.0e9, occ / 2)
    low, high = band(0.8e9, 1.5 * occ), band(1.4e9, 1.5 * occ)
    elsewhere = band(0.7e9, 1.5 * occ)  # no mixing product of 1.0 and 1.2 GHz there
    iip3_w = 4 * V_PI**2 / (math.pi**2 * 50.0)
    p_w = 1e-3 * 10 ** (p_dbm / 10)
    expect_db = 10 * math.log10(2 * (p_w / iip3_w) ** 2)
    for imd in (low, high):
        assert 10 * math.log10(imd / fund) == pytest.approx(expect_db, abs=0.5)
        assert imd > 30 * elsewhere  # 15 dB above the OFDM sidelobes between products


def test_bad_input_names_the_parameter():
    rng = np.random.default_rng(0)
    link = RoFLink(_mzm(), Fiber(1.0), Photodiode())
    base = nr_ofdm(5, 15, "QPSK", 2, rng)
    with pytest.raises(ParameterError, match=r"simulate_link.waveform"):
        simulate_link(link, base, rng)
    with pytest.raises(ParameterError, match="predistort"):
        w = nr_ofdm(5, 15, "QPSK", 2, rng, carrier_hz=100e6)
        simulate_link(RoFLink(DirectLaser(), Fiber(1.0), Photodiode()), w, rng, predistort=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    "rf_hz",
    [3.5e9, 28e9],
)
def test_mzm_waveform_matches_budget_wide_sweep(rf_hz):
    # Default electrode (20 GHz) and linewidth (1 MHz). 14 symbols: with fewer, the
    # distortion EVM of an OFDM slot fluctuates by ~1 dB from seed to seed.
    bw, scs = (20, 60) if rf_hz < 10e9 else (50, 120)
    bad, near_null = [], []
    lengths = (
        (0.0, 10.0, 20.0, 30.0, 40.0) if rf_hz < 10e9 else (0.0, 2.0, 7.5, 10.0, 20.0, 30.0, 40.0)
    )
    for length in lengths:
        fade = float(Fiber(length).power_fading(rf_hz)) if length > 0 else 1.0
        for p in (-20.0, -10.0, 0.0, 5.0, CLIP_DBM - 3.0):
            diff_db, _ = _compare(_mzm(), rf_hz, length, p, bw, scs, 14)
            # Within 3 dB of a fading null (at 28 GHz the nulls are 9.4 km apart) both
            # signal and noise terms are small differences: allow 2 dB there.
            (near_null if fade < 0.5 else bad).append((length, p, round(diff_db, 2)))
    # At 28 GHz, 30 and 40 km, 0 dBm (the drive of least EVM, where noise and distortion
    # are equal) the waveform read +1.10 and +1.06 dB above the budget until the budget
    # carried the laser phase noise that dispersion puts on the two sidebands as
    # signal-proportional error (rof.link.sideband_phase_noise; +0.18 and +0.05 dB now;
    # with zero linewidth +0.04 dB before and after).
    assert not [b for b in bad if abs(b[2]) >= 1.0], bad
    assert not [b for b in near_null if abs(b[2]) >= 2.0], near_null
