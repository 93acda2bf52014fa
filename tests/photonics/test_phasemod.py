"""Phase modulator: PM-to-IM conversion by dispersion, 2 P0 |J_k(2 m sin k theta)|."""

import math

import numpy as np
import pytest
from scipy.special import jv

from rof.errors import ParameterError
from rof.link import RoFLink
from rof.photonics import CWLaser, Fiber, PhaseModulator, Photodiode
from rof.photonics.fiber import theta_per_hz2
from rof.photonics.timedomain import propagate_linear

F0 = 28e9
N = 1024
FS = 32 * F0


def _detected(tx, length_km, amp_v, harmonic=1):
    t = np.arange(N) / FS
    e = tx.field(amp_v * np.cos(2 * np.pi * F0 * t), FS, None)
    e = propagate_linear(e, FS, Fiber(length_km, attenuation_db_per_km=0.0))
    return abs(np.fft.rfft(np.abs(e) ** 2)[32 * harmonic]) * 2.0 / N


PM = PhaseModulator(CWLaser(power_dbm=10.0, linewidth_hz=0.0), bandwidth_hz=1e15)


@pytest.mark.parametrize("length_km", [0.5, 1.5, 3.0, 10.0])
@pytest.mark.parametrize("harmonic", [1, 2])
def test_pm_to_im_closed_form(length_km, harmonic):
    theta = theta_per_hz2(length_km, 17.0, 1550.0) * F0**2
    amp = 1.2
    want = (
        2
        * PM.mean_power_w()
        * abs(jv(harmonic, 2 * math.pi * amp / PM.v_pi_v * math.sin(harmonic * theta)))
    )
    assert _detected(PM, length_km, amp, harmonic) == pytest.approx(want, rel=1e-9)
    assert PM.tone_harmonic_w(amp, theta, harmonic) == pytest.approx(want, rel=1e-12)


def test_back_to_back_pm_detects_nothing():
    assert _detected(PM, 0.0, 1.0) < 1e-12 * PM.mean_power_w()


def test_budget_follows_sin_squared_and_the_sin_scaled_describing_function():
    pd = Photodiode(bandwidth_hz=1e15)
    lengths = np.array([0.7, 1.5, 3.0, 6.0])
    theta = theta_per_hz2(lengths, 17.0, 1550.0) * F0**2
    b = RoFLink(PM, Fiber(1.0, attenuation_db_per_km=0.0), pd).budget(
        F0, rf_in_dbm=-50.0, length_km=lengths
    )
    g_ref = b.gain_db - 10 * np.log10(np.sin(theta) ** 2)
    np.testing.assert_allclose(g_ref, g_ref[0], atol=1e-9)
    amp = 1e-3
    i_rf = pd.responsivity_a_per_w * _detected(PM, 3.0, amp)
    p_out = 0.5 * i_rf**2 * pd.load_ohm / 4.0
    assert b.gain_db[2] == pytest.approx(10 * math.log10(p_out / (amp**2 / 100.0)), abs=0.01)
    # IIP3 of the describing function J1(2 beta A sin theta): rises by 1/sin^2(theta)
    d_iip3 = np.asarray(b.iip3_dbm) + 10 * np.log10(np.sin(theta) ** 2)
    np.testing.assert_allclose(d_iip3, d_iip3[0], atol=1e-6)


def test_pm_bad_input():
    with pytest.raises(ParameterError, match=r"PhaseModulator\.v_pi_v = -1\.0 is out of range"):
        PhaseModulator(v_pi_v=-1.0)
    with pytest.raises(ParameterError, match=r"linewidth_hz = -1\.0 is out of range"):
        PhaseModulator(CWLaser(linewidth_hz=-1.0))
