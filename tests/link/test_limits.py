"""Launch-power limits in the budget: SBS depletion, backscatter noise, the launch scan."""

import dataclasses
import math

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.link import RoFLink, build_link
from rof.link.limits import LaunchLimits, ScaledTransmitter, launch_power_scan
from rof.photonics import CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.backscatter import Brillouin, Rayleigh

K_T0 = 1.380649e-23 * 290.0


def _mzm_link(laser_dbm, length_km=20.0, **kw):
    tx = MachZehnderModulator(CWLaser(power_dbm=laser_dbm, linewidth_hz=1e6))
    return RoFLink(tx, Fiber(length_km), Photodiode(saturation_current_a=0.5), **kw)


def test_below_threshold_the_limits_change_nothing():
    plain = _mzm_link(0.0)
    limited = dataclasses.replace(plain, limits=LaunchLimits())
    a, b = plain.budget(3.5e9, -10.0), limited.budget(3.5e9, -10.0)
    assert float(b.gain_db) == pytest.approx(float(a.gain_db), abs=1e-6)
    assert float(b.sndr_db) == pytest.approx(float(a.sndr_db), abs=1e-6)


def test_above_threshold_the_carrier_depletion_costs_gain():
    link = _mzm_link(20.0, limits=LaunchLimits())
    plain = dataclasses.replace(link, limits=None)
    ss = link.transmitter.small_signal()
    pin_w = 1e-3 * 10 ** (-10.0 / 10)
    kappa = math.exp(-(ss.taylor_w_per_vn[0] ** 2) * 50.0 * pin_w / (4 * ss.mean_power_w**2))
    out, _ = Brillouin().transmitted_w(link.fiber, ss.mean_power_w, 1e6, kappa)  # carrier kP
    d = float(out) / (kappa * ss.mean_power_w * link.fiber.transmission)
    assert d < 0.5  # far above threshold
    g_drop = float(link.budget(3.5e9, -10.0).gain_db - plain.budget(3.5e9, -10.0).gain_db)
    assert g_drop == pytest.approx(10 * math.log10(d), abs=1e-6)
    p_rx = float(link.budget(3.5e9, -10.0).received_optical_power_dbm)
    p_rx0 = float(plain.budget(3.5e9, -10.0).received_optical_power_dbm)
    assert p_rx - p_rx0 == pytest.approx(10 * math.log10(1 - kappa * (1 - d)), abs=1e-6)


def test_bidirectional_backscatter_noise_matches_the_closed_form():
    lim = LaunchLimits(rayleigh=Rayleigh(), counter_launch_dbm=0.0, counter_linewidth_hz=1e6)
    link = _mzm_link(0.0, length_km=10.0, limits=lim)
    plain = dataclasses.replace(link, limits=None)
    f = 1e9
    b, b0 = link.budget(f, -20.0), plain.budget(f, -20.0)
    added = 10 ** ((float(b.noise_dbm_hz) - 30) / 10) - 10 ** ((float(b0.noise_dbm_hz) - 30) / 10)
    # Gysel & Staubli: B = S a_s (1 - exp(-2 a L)) / (2 a); DRB; Lorentzian beats
    a = 0.2 * math.log(10) / 10 / 1e3
    s_as = 1.5e-3 * 0.15 * math.log(10) / 10 / 1e3
    big_b = s_as * (1 - math.exp(-2 * a * 1e4)) / (2 * a)
    x = 2 * a * 1e4
    drb = (s_as / (2 * a)) ** 2 * (x - 1 + math.exp(-x))
    p_s = 10 ** ((float(b0.received_optical_power_dbm) - 30) / 10)
    r = 0.8

    def lor(p1, p2, width, f0):
        h = width / 2
        return (
            2
            * r
            * r
            * p1
            * p2
            / math.pi
            * (h / (h * h + (f - f0) ** 2) + h / (h * h + (f + f0) ** 2))
        )

    i2 = lor(p_s, drb * p_s, 2e6, 0.0) + lor(p_s, big_b * 1e-3, 2e6, 0.0)
    stokes = Brillouin().transmitted_w(link.fiber, 1e-3, 1e6)[1]
    i2 += lor(p_s, float(stokes), 2e6, -10.8e9)
    hpd = float(link.detector.response_sq(f))
    assert added == pytest.approx(i2 * 50.0 / 4.0 * hpd, rel=1e-6)


def test_scaled_transmitter_is_a_lossless_booster():
    tx = DirectLaser()
    boosted = ScaledTransmitter(tx, 3.0)
    k = 10**0.3
    assert boosted.small_signal().mean_power_w == pytest.approx(k * tx.small_signal().mean_power_w)
    fib, pd = Fiber(0.0), Photodiode()
    g = RoFLink(boosted, fib, pd).budget(2e9).gain_db - RoFLink(tx, fib, pd).budget(2e9).gain_db
    assert float(g) == pytest.approx(6.0, abs=0.01)  # RF gain goes as the optical power squared


def test_launch_scan_reports_an_optimum_and_the_threshold():
    link = build_link({"transmitter": {"type": "mzm", "laser_power_dbm": 16.0}})
    link = dataclasses.replace(
        link, limits=LaunchLimits(rayleigh=Rayleigh(), counter_launch_dbm=5.0)
    )
    r = launch_power_scan(link, 3.5e9, -10.0, launch_dbm=np.arange(-10.0, 16.0, 5.0))
    assert r["sndr_db"][0] < r["sndr_db"].max() - 3.0
    assert r["optimum_launch_dbm"] in r["launch_dbm"]
    l_eff = (1 - math.exp(-0.2 * math.log(10) / 10 * 20)) / (0.2 * math.log(10) / 10 / 1e3)
    ss = link.transmitter.small_signal()
    kappa = math.exp(-(ss.taylor_w_per_vn[0] ** 2) * 50.0 * 1e-4 / (4 * ss.mean_power_w**2))
    p_th = 21 * 80e-12 * 2 / (5e-11 * l_eff * kappa)  # 1 MHz laser: Cotter (20 + 1) / 20
    p_th *= 21 / 40
    assert r["sbs_threshold_dbm"] == pytest.approx(10 * math.log10(p_th * 1e3), abs=1e-9)


def test_bad_limits_name_the_key():
    with pytest.raises(ParameterError, match=r"LaunchLimits\.counter_linewidth_hz"):
        LaunchLimits(counter_linewidth_hz=-1.0)
    with pytest.raises(ParameterError, match="source_linewidth_hz"):
        RoFLink(
            DirectLaser(), Fiber(5.0), Photodiode(), limits=LaunchLimits(rayleigh=Rayleigh())
        ).budget(2e9)
