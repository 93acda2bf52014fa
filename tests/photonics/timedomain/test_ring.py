"""Coupled-mode microring modulator in the time domain.

References: the kernel against its plain-Python loop; the coupled-mode steady state
y = s (1 - 2 gamma_e / (gamma - i delta)) in closed form; the static Airy transfer of
MicroringModulator (Bogaerts et al. 2012) for a slow drive, within the Lorentzian's
departure from it; and the closed-form small-signal response of coupled-mode theory
(Sacher & Poon 2008) with the junction's RC pole, as MicroringModulator.slope_w_per_v
gives it, for a small tone.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rof.photonics.siph import MicroringModulator
from rof.photonics.timedomain.ring import (
    cmt_constants,
    ring_cmt_kernel,
    ring_cmt_reference,
    ring_field,
)
from rof.units import dbm_to_w

RING = MicroringModulator(laser_power_dbm=10.0)
FS = 640e9


def test_kernel_matches_its_reference():
    rng = np.random.default_rng(0)
    n = 500
    s = rng.normal(size=n) + 1j * rng.normal(size=n)
    gamma, kappa, d0, d_dv = cmt_constants(RING)
    delta = d0 + d_dv * rng.normal(size=n)
    out = np.empty(n, dtype=complex)
    ring_cmt_kernel(s, delta, 1.0 / FS, gamma, kappa, out)
    np.testing.assert_allclose(
        out, ring_cmt_reference(s, delta, 1.0 / FS, gamma, kappa), rtol=1e-12
    )


@pytest.mark.parametrize("volts", [0.0, 0.8, -0.8])
def test_constant_drive_gives_the_coupled_mode_steady_state(volts):
    gamma, kappa, d0, d_dv = cmt_constants(RING)
    delta = d0 + d_dv * volts
    e = ring_field(RING, np.full(256, volts), FS)
    t0 = 1.0 - kappa**2 / (gamma - 1j * delta)
    np.testing.assert_allclose(e, math.sqrt(float(dbm_to_w(10.0))) * t0, rtol=1e-9)


def test_slow_drive_follows_the_static_airy_transfer():
    n = 2**14
    t = np.arange(n) / FS
    v = 0.5 * np.sin(2 * np.pi * 4 * FS / n * t)  # 156 MHz, far below every pole
    p = np.abs(ring_field(RING, v, FS)) ** 2
    static = float(dbm_to_w(10.0)) * RING.transmission(RING.theta0_rad + RING.dtheta_dv * v)
    # Coupled-mode theory is the Lorentzian limit of the Airy function (finesse ~ 300).
    np.testing.assert_allclose(p, static, rtol=6e-3)
    assert p.mean() == pytest.approx(RING.mean_power_w(), rel=3e-3)


@pytest.mark.parametrize("f_hz", [2e9, 10e9, 20e9])  # mid-step hold: error ~ (2 pi f / fs)^2 / 12
def test_small_tone_has_the_closed_form_cavity_and_rc_response(f_hz):
    n = 2**14
    k = round(f_hz * n / FS)
    t = np.arange(n) / FS
    amp = 1e-3
    p = np.abs(ring_field(RING, amp * np.cos(2 * np.pi * k / n * FS * t), FS)) ** 2
    measured = 2.0 * abs(np.fft.rfft(p)[k]) / n / amp
    assert measured == pytest.approx(float(RING.slope_w_per_v(k * FS / n)), rel=6e-3)


def test_laser_noise_reaches_the_field_and_predistortion_is_refused():
    from rof.errors import ParameterError

    e = RING.field(np.zeros(4096), 40e9, np.random.default_rng(1))
    assert np.std(np.abs(e) ** 2) > 0.0
    with pytest.raises(ParameterError, match="predistort"):
        RING.field(np.zeros(16), 40e9, None, predistort=True)


@pytest.mark.slow
@pytest.mark.parametrize(("length_km", "rf_in_dbm"), [(0.0, -10.0), (10.0, -10.0), (0.0, 0.0)])
def test_ring_waveform_evm_is_near_the_budget(length_km, rf_in_dbm):
    # NR 64QAM at 3.5 GHz, 4 symbols. Within 2 dB of EVM: the budget's contract leaves
    # out the cavity's filtering of the laser's noise sidebands and of the distortion at
    # an RF a quarter of the ring's optical bandwidth (measured: -1.1, +0.1, -1.5 dB).
    from rof.link import RoFLink
    from rof.link.waveform_report import run_waveform_report
    from rof.photonics import Fiber, Photodiode

    link = RoFLink(MicroringModulator(laser_power_dbm=12.0), Fiber(length_km), Photodiode())
    rep = run_waveform_report(
        link, 3.5e9, rf_in_dbm=rf_in_dbm, bandwidth_mhz=20, scs_khz=30, modulation="64QAM",
        n_symbols=4, seed=0,
    )  # fmt: skip
    c = rep["carriers"][0]
    assert abs(20 * math.log10(c["evm_percent"] / c["evm_analytic_percent"])) < 2.0
