"""OFDM distortion: the Bussgang / Laguerre series against a passband simulation.

A flat-spectrum complex-Gaussian (OFDM) signal is upconverted to a real RF drive,
sent through the transmitter's exact static transfer (MZM sine, DML clipped L-I),
and the first zone is compared bin by bin with the input: the fitted complex gain
gives the Bussgang compression, the residual inside the signal band the in-band
distortion. This checks ofdm_distortion (Dardari, Tralli & Vaccari 2000) including
its in-band fractions and the first-zone envelope curves.
"""

import numpy as np
import pytest

from rof.link.budget import inband_fraction, ofdm_distortion
from rof.photonics import CWLaser, DirectLaser, MachZehnderModulator

N = 1 << 16
HALF_BAND = 400  # used bins -400..400
FC = 8000  # carrier bin


def _passband_sdr(static, r_in, p_rf_w, rng, reps=4):
    err = sig = 0.0
    gains = []
    idx = np.r_[0 : HALF_BAND + 1, N - HALF_BAND : N]
    for _ in range(reps):
        xf = np.zeros(N, complex)
        xf[idx] = rng.standard_normal(idx.size) + 1j * rng.standard_normal(idx.size)
        x = np.fft.ifft(xf)
        x *= np.sqrt(2 * r_in * p_rf_w / np.mean(np.abs(x) ** 2))  # E|x|^2 = 2 R P
        n = np.arange(N)
        v = np.real(x * np.exp(2j * np.pi * FC * n / N))
        y = np.fft.fft(static(v))
        xk = np.fft.fft(x)[idx]
        yk = y[(FC + np.r_[0 : HALF_BAND + 1, -HALF_BAND:0]) % N]
        k = np.vdot(xk, yk) / np.vdot(xk, xk)
        gains.append(abs(k))
        err += np.sum(np.abs(yk - k * xk) ** 2)
        sig += np.sum(np.abs(k * xk) ** 2)
    # first-zone amplitude is 2x the bin (real passband); the gain ratio is unaffected
    return 10 * np.log10(sig / err), 2 * np.mean(gains)


def test_inband_fractions_exact():
    assert inband_fraction(0) == 1.0
    assert inband_fraction(1) == pytest.approx(2 / 3, rel=1e-15)
    assert inband_fraction(2) == pytest.approx(11 / 20, rel=1e-15)
    rng = np.random.default_rng(3)
    u = rng.uniform(-0.5, 0.5, size=(200_000, 7)).sum(axis=1)
    assert inband_fraction(3) == pytest.approx(np.mean(np.abs(u) < 0.5), abs=0.005)


@pytest.mark.parametrize("p_dbm", [5.0, 10.0, 13.0])
def test_mzm_ofdm_distortion_matches_passband_simulation(p_dbm):
    mzm = MachZehnderModulator(CWLaser(power_dbm=10.0), v_pi_v=3.5)
    p_w = 10 ** (p_dbm / 10) * 1e-3
    comp2, inv_sdr = ofdm_distortion(mzm.small_signal(), p_w)
    sdr_sim, k_sim = _passband_sdr(mzm.transfer_w, 50.0, p_w, np.random.default_rng(1))
    assert -10 * np.log10(inv_sdr) == pytest.approx(sdr_sim, abs=0.3)
    a1 = abs(mzm.taylor_w_per_vn()[0])
    assert np.sqrt(comp2) == pytest.approx(k_sim / a1, rel=0.01)


@pytest.mark.parametrize("p_dbm", [14.0, 17.0, 20.0])
def test_dml_clipping_distortion_matches_passband_simulation(p_dbm):
    dml = DirectLaser()

    def static(v):
        return dml.slope_efficiency_w_per_a * np.maximum(dml.bias_above_threshold_a + v / 50.0, 0.0)

    p_w = 10 ** (p_dbm / 10) * 1e-3
    comp2, inv_sdr = ofdm_distortion(dml.small_signal(), p_w)
    sdr_sim, k_sim = _passband_sdr(static, 50.0, p_w, np.random.default_rng(2))
    assert -10 * np.log10(inv_sdr) == pytest.approx(sdr_sim, abs=0.4)
    assert np.sqrt(comp2) == pytest.approx(k_sim / (0.3 / 50.0), rel=0.01)


def test_small_drive_is_distortion_free():
    comp2, inv_sdr = ofdm_distortion(DirectLaser().small_signal(), 1e-6)
    assert comp2 == pytest.approx(1.0, rel=1e-12)
    assert inv_sdr < 1e-12
