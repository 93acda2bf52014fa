"""Mach-Zehnder modulator: exact transfer, Taylor coefficients, Bessel envelope, IIP3.

References: finite differences and FFTs of the exact transfer function, and the
closed form P_IIP3 = 4 V_pi^2 / (pi^2 R) of a quadrature-biased MZM (Cox 2004, ch. 6).
"""

import math
import re

import numpy as np
import pytest

from rof.errors import RofError
from rof.photonics import CWLaser, MachZehnderModulator, Transmitter


def _mzm(**kw):
    kw.setdefault("laser", CWLaser(power_dbm=13.0))
    return MachZehnderModulator(**kw)


def test_is_a_transmitter_and_quadrature_by_default():
    m = _mzm()
    assert isinstance(m, Transmitter)
    assert m.bias_rad == pytest.approx(math.pi / 2)
    assert m.mean_power_w() == pytest.approx(m.peak_power_w)
    # peak power: P_I * T / 2
    assert m.peak_power_w == pytest.approx(10**1.3 * 1e-3 * 10 ** (-0.5) / 2)


def test_extinction_ratio_sets_max_over_min():
    m = _mzm(extinction_ratio_db=20.0)
    v = np.linspace(-m.v_pi_v, m.v_pi_v, 20001)
    p = m.transfer_w(v)
    assert 10 * math.log10(p.max() / p.min()) == pytest.approx(20.0, abs=1e-3)


@pytest.mark.parametrize("bias", [0.7, math.pi / 2, 2.2])
def test_taylor_coefficients_match_finite_differences(bias):
    m = _mzm(bias_rad=bias, v_pi_v=4.0)
    h = 1e-3
    p = m.transfer_w(np.array([-2 * h, -h, 0.0, h, 2 * h]))
    d1 = (p[3] - p[1]) / (2 * h)
    d2 = (p[3] - 2 * p[2] + p[1]) / h**2
    d3 = (p[4] - 2 * p[3] + 2 * p[1] - p[0]) / (2 * h**3)
    a1, a2, a3 = m.taylor_w_per_vn()
    assert a1 == pytest.approx(d1, rel=1e-6)
    assert a2 == pytest.approx(d2 / 2, rel=1e-4, abs=1e-12)
    assert a3 == pytest.approx(d3 / 6, rel=1e-3)


@pytest.mark.parametrize("bias", [math.pi / 2, 1.0])
def test_envelope_response_is_first_harmonic_of_exact_transfer(bias):
    m = _mzm(bias_rad=bias)
    amps = np.array([0.01, 0.5, 1.5, 3.0, 5.0])
    theta = 2 * np.pi * np.arange(1024) / 1024
    for a, env in zip(amps, m.envelope_response_w(amps), strict=True):
        c1 = 2 * np.fft.rfft(m.transfer_w(a * np.cos(theta)))[1].real / 1024
        assert abs(env) == pytest.approx(abs(c1), rel=1e-9, abs=1e-15)
    small = m.envelope_response_w(1e-4)
    assert small == pytest.approx(abs(m.taylor_w_per_vn()[0]) * 1e-4, rel=1e-6)


def test_iip3_closed_form_quadrature():
    from rof.link import RoFLink
    from rof.photonics import Fiber, Photodiode

    for vpi in (2.0, 3.5, 6.0):
        m = _mzm(v_pi_v=vpi, extinction_ratio_db=80.0)
        link = RoFLink(m, Fiber(0.0), Photodiode())
        p_w = 4 * vpi**2 / (math.pi**2 * 50.0)
        assert link.iip3_dbm() == pytest.approx(10 * math.log10(p_w * 1e3), abs=1e-9)


def test_electrode_bandwidth_first_order():
    m = _mzm(bandwidth_hz=10e9)
    s0 = m.slope_w_per_v(1.0)
    assert m.slope_w_per_v(10e9) / s0 == pytest.approx(1 / math.sqrt(2), rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"v_pi_v": 0.0}, "MachZehnderModulator.v_pi_v"),
        ({"v_pi_v": -2.0}, "MachZehnderModulator.v_pi_v"),
        ({"bias_rad": 0.0}, "MachZehnderModulator.bias_rad"),
        ({"bias_rad": 3.5}, "MachZehnderModulator.bias_rad"),
        ({"bias_rad": float("nan")}, "MachZehnderModulator.bias_rad"),
        ({"insertion_loss_db": -1.0}, "MachZehnderModulator.insertion_loss_db"),
        ({"extinction_ratio_db": 0.0}, "MachZehnderModulator.extinction_ratio_db"),
        ({"laser": "laser"}, "MachZehnderModulator.laser"),
    ],
)
def test_bad_input_names_parameter(kwargs, name):
    with pytest.raises(RofError, match=re.escape(name)):
        _mzm(**kwargs)


@pytest.mark.parametrize("wl", [1250.0, 1680.0, float("nan")])
def test_laser_wavelength_window(wl):
    with pytest.raises(RofError, match=re.escape("CWLaser.wavelength_nm")):
        CWLaser(wavelength_nm=wl)
