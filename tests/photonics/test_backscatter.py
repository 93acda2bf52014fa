"""SBS threshold and depletion, Rayleigh backscatter: against closed forms and integrals."""

import math

import numpy as np
import pytest
from scipy.integrate import dblquad, quad
from scipy.special import j0

from rof.errors import ParameterError
from rof.photonics import CWLaser, Fiber, PhaseModulator
from rof.photonics.backscatter import (
    Brillouin,
    Rayleigh,
    beat_noise_a2_per_hz,
    carrier_fraction,
)

ALPHA_20 = 0.2 * math.log(10) / 10 / 1e3  # 0.2 dB/km in 1/m


def test_smith_threshold_for_cw():
    fib = Fiber(20.0)
    l_eff = (1 - math.exp(-ALPHA_20 * 20e3)) / ALPHA_20
    want = 21 * 80e-12 / (5e-11 * l_eff)  # Smith 1972
    assert Brillouin().threshold_w(fib) == pytest.approx(want, rel=1e-12)
    assert 10 * math.log10(want * 1e3) == pytest.approx(4.1, abs=0.05)  # about 4 dBm


def test_threshold_rises_with_source_linewidth_and_modulation():
    fib, b = Fiber(10.0), Brillouin()
    p0 = b.threshold_w(fib)
    # Cotter 1983: g_B dnu_B / (dnu_B + dnu_s)
    assert b.threshold_w(fib, source_linewidth_hz=60e6) == pytest.approx(4 * p0, rel=1e-12)
    # Aoki et al. 1988: the carrier line holds J0^2(m) of a phase-modulated tone's power
    pm = PhaseModulator(CWLaser(linewidth_hz=0.0), bandwidth_hz=1e15)
    fs, n, amp = 64e9, 4096, 1.4
    t = np.arange(n) / fs
    field = pm.field(amp * np.cos(2 * np.pi * 2e9 * t), fs, None)
    kappa = carrier_fraction(field)
    m = math.pi * amp / pm.v_pi_v
    assert kappa == pytest.approx(j0(m) ** 2, rel=1e-9)
    assert b.threshold_w(fib, carrier=kappa) == pytest.approx(p0 / j0(m) ** 2, rel=1e-9)


def test_undepleted_stokes_and_depletion_above_threshold():
    fib, b = Fiber(20.0), Brillouin()
    p_th = b.threshold_w(fib)
    a_l = ALPHA_20 * 20e3
    p = np.array([0.2, 0.5]) * p_th
    out, back = b.transmitted_w(fib, p)
    g = 21 * p / p_th  # g P L_eff / A_eff
    # small-gain limit: Stokes from the seed P_th e^-21, gain e^(G - aL); pump undepleted
    np.testing.assert_allclose(back, p_th * np.exp(-21 + g - a_l), rtol=2e-3)
    np.testing.assert_allclose(out, p * math.exp(-a_l), rtol=1e-4)
    out_hi, back_hi = b.transmitted_w(fib, np.array([1.0, 3.0, 10.0]) * p_th)
    trans = out_hi / (np.array([1.0, 3.0, 10.0]) * p_th * math.exp(-a_l))
    assert np.all(np.diff(trans) < 0) and trans[-1] < 0.2  # the carrier is depleted
    assert out_hi[-1] < 1.5 * out_hi[1]  # the transmitted power saturates
    assert back_hi[-1] > 0.5 * 10 * p_th  # and most of the launch goes back as Stokes


def test_lossless_fiber_conserves_energy():
    fib, b = Fiber(5.0, attenuation_db_per_km=0.0), Brillouin()
    p = 5 * b.threshold_w(fib)
    out, back = b.transmitted_w(fib, p)
    seed = b.threshold_w(fib) * math.exp(-21)
    assert float(p - out) == pytest.approx(float(back - seed), rel=1e-6)


def test_rayleigh_fractions_against_integrals():
    r, fib = Rayleigh(), Fiber(20.0)
    s_as = 1.5e-3 * 0.15 * math.log(10) / 10 / 1e3
    want = quad(lambda z: s_as * math.exp(-2 * ALPHA_20 * z), 0, 20e3)[0]
    assert r.backscatter_fraction(fib) == pytest.approx(want, rel=1e-9)
    assert 10 * math.log10(want) == pytest.approx(-33.2, abs=0.1)
    dbl = dblquad(
        lambda z1, z2: s_as**2 * math.exp(-2 * ALPHA_20 * (z2 - z1)), 0, 20e3, 0, lambda z2: z2
    )[0]
    assert r.double_fraction(fib) == pytest.approx(dbl, rel=1e-6)


def test_beat_noise_integrates_to_the_beat_power():
    f = np.linspace(0.0, 5e9, 2_000_001)
    s = beat_noise_a2_per_hz(0.8, 1e-3, 1e-6, 2e6, f)
    total = np.trapezoid(s, f)
    tail = 2 * 0.8**2 * 1e-9 * (1 - (2 / math.pi) * math.atan(5e9 / 1e6))  # beyond 5 GHz
    assert total + tail == pytest.approx(2 * 0.8**2 * 1e-3 * 1e-6, rel=1e-4)


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: Brillouin(linewidth_hz=-1.0), "Brillouin.linewidth_hz"),
        (lambda: Rayleigh(capture_fraction=0.5), "Rayleigh.capture_fraction"),
        (lambda: Brillouin().threshold_w(Fiber(1.0), source_linewidth_hz=-5.0), "source_linewidth"),
    ],
)
def test_bad_input_names_the_key(make, key):
    with pytest.raises(ParameterError, match=key):
        make()
