"""Optical heterodyne: RF linewidth = sum of the lasers' linewidths; OFDM EVM from the
beat's phase noise against the CPE + ICI closed form (Petrovic et al. 2007)."""

import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.link import RoFLink
from rof.photonics import CWLaser, Fiber, OpticalHeterodyne, Photodiode
from rof.photonics.heterodyne import cfo_inv_sdr, phase_noise_inv_sdr
from rof.signals import Waveform, evm_percent, nr_ofdm


def _het(lw1, lw2, **kw):
    return OpticalHeterodyne(
        signal_laser=CWLaser(power_dbm=10.0, rin_db_per_hz=-200.0, linewidth_hz=lw1),
        lo_laser=CWLaser(power_dbm=10.0, rin_db_per_hz=-200.0, linewidth_hz=lw2),
        **kw,
    )


def _beat_phase(tx, f_hz, fs, n, rng):
    t = np.arange(n) / fs
    p = np.abs(tx.field(0.05 * np.cos(2 * np.pi * f_hz * t), fs, rng)) ** 2
    spec = np.fft.fft(p - p.mean())
    f = np.fft.fftfreq(n, 1 / fs)
    spec[np.abs(f - f_hz) > 0.25 * f_hz] = 0.0  # the positive-frequency beat only
    z = np.fft.ifft(spec)
    return np.unwrap(np.angle(z)) - 2 * np.pi * f_hz * t


def test_rf_linewidth_is_the_sum_of_the_lorentzian_linewidths():
    lw1, lw2 = 3e6, 1e6
    tx = _het(lw1, lw2)
    assert tx.rf_linewidth_hz == lw1 + lw2
    fs, n = 2e9, 1 << 20
    phi = _beat_phase(tx, 200e6, fs, n, np.random.default_rng(1))
    for lag in (200, 2000):
        tau = lag / fs
        var = np.var(phi[lag:] - phi[:-lag])
        assert var == pytest.approx(2 * np.pi * (lw1 + lw2) * tau, rel=0.12)


def test_frequency_error_and_drift_move_the_beat():
    tx = _het(0.0, 0.0, frequency_error_hz=5e6, drift_hz_per_s=4e11)
    fs, n = 2e9, 1 << 16
    phi = _beat_phase(tx, 200e6, fs, n, None)
    t = np.arange(n) / fs
    want = 2 * np.pi * (5e6 * t + 0.5 * 4e11 * t * t)
    core = slice(n // 8, -n // 8)
    err = (phi - want)[core]
    assert np.ptp(err - err.mean()) < 1e-3


def test_ofdm_evm_from_phase_noise_matches_cpe_plus_ici():
    """One NR symbol per trial (120 kHz SCS): the receiver's pilots remove the CPE of
    the symbol, the ICI stays; measured EVM^2 averaged over trials vs the closed form."""
    scs, lw = 120e3, 1.5e3
    tx = _het(lw, lw)
    want = phase_noise_inv_sdr(2 * lw, scs)
    rng = np.random.default_rng(7)
    errs = []
    for _ in range(24):
        w = nr_ofdm(50, 120, "64QAM", 1, rng, carrier_hz=400e6, power_dbm=-30.0)
        p = np.abs(tx.field(w.samples, w.sample_rate_hz, rng)) ** 2
        rx = Waveform(p - p.mean(), w.sample_rate_hz, w.carriers, w.impedance_ohm)
        errs.append((evm_percent(rx, None) / 100) ** 2)
    got_db = 10 * math.log10(np.mean(errs))
    assert got_db == pytest.approx(10 * math.log10(want), abs=0.5)


def test_closed_forms_limits():
    # small linewidth: pi beta / (3 scs) (Pollet et al. 1995); frequency error: (pi eps)^2/3
    assert float(phase_noise_inv_sdr(100.0, 120e3)) == pytest.approx(
        math.pi * 100 / (3 * 120e3), rel=1e-3
    )
    assert float(cfo_inv_sdr(1.2e3, 120e3)) == pytest.approx((math.pi * 0.01) ** 2 / 3, rel=1e-3)


def test_budget_has_no_fading_and_carries_the_phase_noise_floor():
    tx = _het(2e3, 2e3)
    link = RoFLink(tx, Fiber(1.0, attenuation_db_per_km=0.0), Photodiode(bandwidth_hz=1e12))
    b = link.budget(28e9, rf_in_dbm=-20.0, bandwidth_hz=400e6, length_km=np.linspace(0, 20, 9))
    np.testing.assert_allclose(b.gain_db, b.gain_db[0], atol=1e-9)
    floor = -10 * math.log10(float(phase_noise_inv_sdr(4e3, 120e3)))
    assert float(np.max(b.sndr_db)) < floor
    b60 = link.budget(28e9, -20.0, 400e6, subcarrier_spacing_hz=60e3)
    assert float(b60.sdr_db) < float(b.sdr_db[0]) - 2.5  # ICI doubles at half the spacing


def test_bad_input():
    with pytest.raises(ParameterError, match=r"CWLaser\.linewidth_hz = -1\.0"):
        _het(-1.0, 0.0)
    with pytest.raises(ParameterError, match=r"OpticalHeterodyne\.frequency_error_hz"):
        _het(0.0, 0.0, frequency_error_hz=2e9)
