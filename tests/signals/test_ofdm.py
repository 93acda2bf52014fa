"""NR OFDM generator and receiver: TS 38.104/38.211 structure, EVM over AWGN, ACLR."""

from __future__ import annotations

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.signals import (
    aclr_db,
    combine_carriers,
    cp_lengths,
    demodulate,
    evm_percent,
    n_rb,
    nr_ofdm,
)


def test_rb_table_values():
    # TS 38.104 V17 Tables 5.3.2-1 and 5.3.2-2 (spot checks across the tables).
    assert n_rb(100, 30) == 273
    assert n_rb(20, 15) == 106
    assert n_rb(5, 30) == 11
    assert n_rb(40, 60) == 51
    assert n_rb(400, 120) == 264
    assert n_rb(50, 60) == 65  # FR1 value takes precedence
    with pytest.raises(ParameterError, match="bandwidth_mhz"):
        n_rb(7, 30)
    with pytest.raises(ParameterError, match="bandwidth_mhz"):
        n_rb(60, 15)  # N/A in the table
    with pytest.raises(ParameterError, match="scs_khz"):
        n_rb(20, 45)


def test_normal_cp_lengths_ts38211():
    # 4096-point FFT at 30 kHz: 288 samples, 320 for l = 0 and l = 14 (every 0.5 ms).
    cp = cp_lengths(28, 4096, 30)
    assert cp[0] == 320 and cp[1] == 288 and cp[14] == 320 and cp[13] == 288
    # 15 kHz, 2048-point: 144 and 160 every 7 symbols.
    cp = cp_lengths(14, 2048, 15)
    assert cp[0] == 160 and cp[7] == 160 and cp[3] == 144


def test_generator_power_and_spectrum_occupancy():
    rng = np.random.default_rng(0)
    w = nr_ofdm(20, 30, "64QAM", 14, rng, power_dbm=-10.0)
    assert w.power_dbm == pytest.approx(-10.0, abs=1e-9)
    c = w.carriers[0]
    assert c.n_sc == 612 and w.sample_rate_hz == c.n_fft * 30e3
    # The useful part of each symbol, FFT'd, gives back the grid (exact inverse).
    s0 = c.start[3] + c.cp[3]
    y = np.fft.fft(w.samples[s0 : s0 + c.n_fft])[c.bins]
    np.testing.assert_allclose(y / y[0] * c.reference[3, 0], c.reference[3], atol=1e-9)
    # The cyclic prefix is a copy of the symbol's end.
    np.testing.assert_allclose(
        w.samples[c.start[3] : s0], w.samples[s0 + c.n_fft - c.cp[3] : s0 + c.n_fft]
    )


def test_passband_power_and_carrier():
    rng = np.random.default_rng(1)
    w = nr_ofdm(10, 30, "16QAM", 4, rng, carrier_hz=1.2e9 + 7e3, power_dbm=3.0)
    assert w.is_passband and w.power_dbm == pytest.approx(3.0, abs=1e-9)
    assert w.carrier_hz == 1.2e9  # rounded to the 30 kHz grid
    f = np.fft.rfftfreq(w.samples.size, 1 / w.sample_rate_hz)
    p = np.abs(np.fft.rfft(w.samples)) ** 2
    inband = np.abs(f - 1.2e9) <= 12 * 24 * 30e3 / 2 + 30e3
    assert p[inband].sum() / p.sum() > 0.99
    assert evm_percent(w, w) < 1e-6


@pytest.mark.parametrize("snr_db", [10.0, 20.0, 30.0, 40.0])
def test_evm_over_awgn_is_inverse_sqrt_snr(snr_db):
    # Gaussian noise of in-band SNR rho gives EVM = 1/sqrt(rho) (TS 38.104 Annex B);
    # tolerance 2 % relative.
    rng = np.random.default_rng(int(snr_db))
    w = nr_ofdm(40, 30, "256QAM", 28, rng)
    c = w.carriers[0]
    p_sig = np.mean(np.abs(w.samples) ** 2)
    n_var = p_sig / 10 ** (snr_db / 10) * c.n_fft / c.n_sc  # white over fs
    noise = (rng.normal(size=w.samples.size) + 1j * rng.normal(size=w.samples.size)) * np.sqrt(
        n_var / 2
    )
    d = demodulate(w.with_samples(w.samples + noise), smoothing_pilots=15)
    assert d.evm_percent == pytest.approx(100 / np.sqrt(10 ** (snr_db / 10)), rel=0.02)


def test_sync_recovers_delay_and_frequency_offset():
    rng = np.random.default_rng(3)
    w = nr_ofdm(20, 30, "64QAM", 14, rng)
    fs = w.sample_rate_hz
    delayed = np.concatenate((np.zeros(37, complex), w.samples))[: w.samples.size]
    cfo = 4.1e3
    rx = delayed * np.exp(2j * np.pi * cfo / fs * np.arange(delayed.size))
    d = demodulate(w.with_samples(rx))
    assert d.timing_offset == 37
    assert d.frequency_offset_hz == pytest.approx(cfo, abs=50.0)
    assert d.evm_percent < 0.5


def test_aclr_of_clean_ofdm_and_of_clipped():
    rng = np.random.default_rng(4)
    w = nr_ofdm(20, 30, "64QAM", 28, rng)
    lo, hi = aclr_db(w)
    assert lo > 35 and hi > 35
    # Hard clipping at 1.5x rms spreads the spectrum: ACLR drops by > 5 dB.
    s = w.samples
    r = 1.5 * np.sqrt(np.mean(np.abs(s) ** 2))
    clipped = np.where(np.abs(s) > r, s / np.abs(s) * r, s)
    lo2, hi2 = aclr_db(w.with_samples(clipped))
    assert lo2 < lo - 5 and hi2 < hi - 5


def test_two_if_carriers_demodulate_independently():
    rng = np.random.default_rng(5)
    fs = 128 * 30e3 * 384
    a = nr_ofdm(20, 30, "256QAM", 14, rng, carrier_hz=300e6, sample_rate_hz=fs)
    b = nr_ofdm(20, 30, "64QAM", 14, rng, carrier_hz=500e6, sample_rate_hz=fs, power_dbm=6)
    both = combine_carriers(a, b)
    evm = evm_percent(both, None)
    assert evm.shape == (2,) and np.all(evm < 1e-6)


def test_bad_input_names_parameter():
    rng = np.random.default_rng(0)
    with pytest.raises(ParameterError, match="sample_rate_hz"):
        nr_ofdm(20, 30, "QPSK", 2, rng, carrier_hz=3.5e9, sample_rate_hz=128 * 30e3 * 1024)
    with pytest.raises(ParameterError, match="bandwidth_mhz"):
        nr_ofdm(33, 30, "QPSK", 2, rng)
    with pytest.raises(ParameterError, match="modulation"):
        nr_ofdm(20, 30, "2048QAM", 2, rng)
    w = nr_ofdm(5, 15, "QPSK", 2, rng)
    bad = w.samples.copy()
    bad[5] = np.nan
    with pytest.raises(ParameterError, match=r"Waveform.samples"):
        w.with_samples(bad)
