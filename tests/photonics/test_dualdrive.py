"""Dual-drive MZM: DSB fading nulls, SSB immunity, CS-DSB frequency doubling.

Closed forms: the Bessel lines of each arm (Jacobi-Anger) beaten on the square law
(``tone_harmonic_w``), ``Fiber.power_fading`` for DSB, and
:math:`P_I T |J_2(2m)|` for the carrier-suppressed tone at twice the drive.
"""

import math

import numpy as np
import pytest
from scipy.special import j1, jv

from rof.errors import ParameterError
from rof.link import RoFLink
from rof.photonics import CWLaser, DualDriveMZM, Fiber, Photodiode
from rof.photonics.dualdrive import tone_harmonic_w
from rof.photonics.fiber import theta_per_hz2
from rof.photonics.timedomain import propagate_linear

F0 = 28e9
N = 1024
FS = 32 * F0


def _ideal(fmt, **kw):
    kw = {"bandwidth_hz": 1e15, "extinction_ratio_db": 80.0} | kw
    return DualDriveMZM.from_format(fmt, CWLaser(power_dbm=10.0, linewidth_hz=0.0), **kw)


def _detected(tx, length_km, amp_v, harmonic=1):
    t = np.arange(N) / FS
    e = tx.field(amp_v * np.cos(2 * np.pi * F0 * t), FS, None)
    e = propagate_linear(e, FS, Fiber(length_km, attenuation_db_per_km=0.0))
    return abs(np.fft.rfft(np.abs(e) ** 2)[32 * harmonic]) * 2.0 / N


def _theta(length_km, f=F0):
    return theta_per_hz2(length_km, 17.0, 1550.0) * f * f


LENGTHS = np.linspace(0.0, 20.0, 41)


def test_ssb_detected_power_flat_while_dsb_follows_the_fading_nulls():
    ssb, dsb = _ideal("ssb"), _ideal("dsb")
    p_ssb = np.array([_detected(ssb, L, 0.02) for L in LENGTHS]) ** 2
    p_dsb = np.array([_detected(dsb, L, 0.02) for L in LENGTHS]) ** 2
    ripple_db = 10 * np.log10(p_ssb.max() / p_ssb.min())
    assert ripple_db < 0.1
    fading = np.array([Fiber(L).power_fading(F0) for L in LENGTHS])
    np.testing.assert_allclose(p_dsb / p_dsb[0], fading, atol=2e-3)
    assert (p_dsb / p_dsb[0]).min() < 1e-2  # DSB does have nulls over 0-20 km at 28 GHz


@pytest.mark.parametrize("fmt", ["dsb", "ssb"])
@pytest.mark.parametrize("length_km", [0.0, 2.7, 9.0])
def test_field_matches_the_bessel_closed_form(fmt, length_km):
    tx = _ideal(fmt, extinction_ratio_db=25.0)
    amp = 1.5  # deep modulation: every harmonic matters
    for k in (1, 2, 3):
        want = tone_harmonic_w(tx.line_amplitudes(amp, 14, F0), _theta(length_km), k)
        assert _detected(tx, length_km, amp, k) == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_cs_dsb_doubles_the_frequency_with_the_bessel_amplitude():
    tx = _ideal("cs-dsb")
    amp = 2.0
    m = tx.arm_index_per_v * amp
    p_it = tx.laser.power_w * 10 ** (-tx.insertion_loss_db / 10)
    # back to back: E = -2iA sin(m cos wt), P = 2A^2 (1 - cos(2m cos wt)) -> 4A^2 J2(2m)
    assert _detected(tx, 0.0, amp, 2) == pytest.approx(p_it * abs(jv(2, 2 * m)), rel=1e-6)
    assert _detected(tx, 0.0, amp, 1) < 1e-9 * p_it  # no tone at the drive frequency
    for length in (5.0, 20.0):
        want = tone_harmonic_w(tx.line_amplitudes(amp, 14), _theta(length), 2)
        assert _detected(tx, length, amp, 2) == pytest.approx(want, rel=1e-9)
    # small index: the +-1 lines alone, 2|c1|^2 = 2 (2 A J1(m))^2, whatever the length
    small = 0.2
    m = tx.arm_index_per_v * small
    j1sq = 2.0 * (2.0 * math.sqrt(p_it) / 2.0 * j1(m)) ** 2
    for length in (0.0, 7.0, 20.0):
        assert _detected(tx, length, small, 2) == pytest.approx(j1sq, rel=2e-3)


@pytest.mark.parametrize("fmt", ["dsb", "ssb"])
def test_budget_gain_follows_the_field(fmt):
    """The budget's small-signal gain (sideband fading through the contract) equals the
    time-domain tone's detected power at small drive."""
    tx = _ideal(fmt, extinction_ratio_db=30.0)
    pd = Photodiode(bandwidth_hz=1e15)
    amp = 1e-3
    for length in (0.0, 2.0, 3.0, 12.0):
        fib = Fiber(length, attenuation_db_per_km=0.0)
        g = float(RoFLink(tx, fib, pd).budget(F0, rf_in_dbm=-60.0).gain_db)
        i_rf = pd.responsivity_a_per_w * _detected(tx, length, amp)
        p_out = 0.5 * i_rf**2 * pd.load_ohm / 4.0  # matched load: half the current
        p_in = amp**2 / (2.0 * tx.input_impedance_ohm)  # amplitude across R_S
        assert g == pytest.approx(10 * math.log10(p_out / p_in), abs=0.01)


def test_ssb_pays_3_db_back_to_back():
    pd, fib = Photodiode(), Fiber(0.0)
    g = {f: float(RoFLink(_ideal(f), fib, pd).budget(3.5e9).gain_db) for f in ("dsb", "ssb")}
    assert g["dsb"] - g["ssb"] == pytest.approx(10 * math.log10(2.0), abs=0.01)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("bias1_rad", -0.1),
        ("bias2_rad", 7.0),
        ("drive_phase1_rad", 7.0),
        ("drive_phase2_rad", -6.5),
        ("v_pi_v", 0.0),
    ],
)
def test_out_of_range_arms_name_the_key(key, value):
    with pytest.raises(ParameterError, match=f"DualDriveMZM.{key} = .* allowed"):
        DualDriveMZM(**{key: value})


def test_cs_dsb_has_no_small_signal_budget():
    with pytest.raises(ParameterError, match="carrier-suppressed"):
        _ideal("cs-dsb").small_signal()
    with pytest.raises(ParameterError, match="format = 'vsb'"):
        DualDriveMZM.from_format("vsb")
