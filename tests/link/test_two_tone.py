"""Two-tone test through the exact MZM transfer function (FFT) against the budget.

The analytic IIP3 / OIP3 / SFDR of RoFLink.budget come from the Taylor coefficients;
here the two tones go through MachZehnderModulator.transfer_w sample by sample, the
photocurrent spectrum is taken with an FFT and converted to load power with the
matched-photodiode relation P = (R_pd c / 2)^2 R_L / 2 (Cox 2004, ch. 3).
"""

import math

import numpy as np
import pytest

from rof.link import RoFLink
from rof.photonics import CWLaser, Fiber, MachZehnderModulator, Photodiode

N = 4096
K1, K2 = 200, 210  # tone bins; IMD3 at 190 and 220


def _dbm(w):
    return 10 * math.log10(w * 1e3)


def _two_tone(mzm, p_tone_dbm, r_pd=0.8, r_l=50.0):
    a = math.sqrt(2 * mzm.input_impedance_ohm * 10 ** (p_tone_dbm / 10) * 1e-3)
    n = np.arange(N)
    v = a * (np.cos(2 * np.pi * K1 * n / N) + np.cos(2 * np.pi * K2 * n / N))
    spec = np.abs(np.fft.rfft(mzm.transfer_w(v))) * 2 / N  # optical-power amplitudes, W

    def load(k):
        return (r_pd * spec[k] / 2) ** 2 * r_l / 2

    return _dbm(load(K1)), _dbm(load(2 * K1 - K2)), _dbm(load(2 * K2 - K1))


@pytest.mark.parametrize("v_pi", [2.0, 4.0])
def test_fft_two_tone_reproduces_analytic_imd3_iip3_and_sfdr(v_pi):
    mzm = MachZehnderModulator(CWLaser(power_dbm=13.0), v_pi_v=v_pi, bandwidth_hz=1e15)
    link = RoFLink(mzm, Fiber(0.0), Photodiode(bandwidth_hz=1e15))
    b = link.budget(1e9)
    iip3_closed = _dbm(4 * v_pi**2 / (math.pi**2 * 50.0))
    assert b.iip3_dbm == pytest.approx(iip3_closed, abs=1e-9)
    for p_in in (-30.0, -20.0):
        p_fund, p_lo, p_hi = _two_tone(mzm, p_in)
        assert p_lo == pytest.approx(p_hi, abs=1e-6)  # symmetric products
        assert p_fund - p_in == pytest.approx(b.gain_db, abs=0.01)
        # analytic IMD3 at the output: 3 P_out - 2 OIP3
        assert p_lo == pytest.approx(3 * (p_in + b.gain_db) - 2 * b.oip3_dbm, abs=0.02)
        oip3 = p_fund + (p_fund - p_lo) / 2
        assert oip3 == pytest.approx(b.oip3_dbm, abs=0.01)
        assert oip3 - b.gain_db == pytest.approx(iip3_closed, abs=0.01)
    # SFDR: the fundamental over the noise when the IMD3 line meets the 1 Hz noise floor
    p_fund, p_lo, _ = _two_tone(mzm, -30.0)
    n_out = b.noise_dbm_hz
    p_in_at_floor = -30.0 + (n_out - p_lo) / 3.0  # IMD3 rises 3 dB/dB
    sfdr = (p_in_at_floor + b.gain_db) - n_out
    assert sfdr == pytest.approx(b.sfdr_db_hz23, abs=0.02)
