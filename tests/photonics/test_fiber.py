"""Fiber: loss, latency and dispersion-induced RF power fading.

References: the closed-form null positions of Devaux, Sorel & Kerdiles (JLT 11(12),
1993) and an independent split-free simulation of the chirped optical field through
the dispersion transfer function (engineering convention Re{A e^{j w0 t}}).
"""

import math
import re

import numpy as np
import pytest

from rof.errors import RofError
from rof.photonics import Fiber
from rof.photonics.fiber import pm_to_im_rin, theta_per_hz2

C = 299_792_458.0
LAM = 1550e-9
D_SI = 17e-6  # 17 ps/(nm km) in s/m^2


def _null_hz(length_km, k, alpha=0.0):
    return math.sqrt(C * (k + 0.5 - math.atan(alpha) / math.pi) / (length_km * 1e3 * D_SI * LAM**2))


@pytest.mark.parametrize("length_km", [5.0, 10.0, 20.0, 40.0])
def test_nulls_at_closed_form_frequencies(length_km):
    fib = Fiber(length_km)
    for k in range(3):
        f0 = _null_hz(length_km, k)
        assert fib.power_fading(f0) < 1e-18
        # a 2 % detuning lifts it clear of the null
        assert fib.power_fading(1.02 * f0) > 1e-4
    np.testing.assert_allclose(
        fib.null_frequencies_hz(3), [_null_hz(length_km, k) for k in range(3)]
    )
    # first null of 20 km SMF at 1550 nm is near 13.5 GHz (a textbook number)
    if length_km == 20.0:
        assert 13.3e9 < _null_hz(20.0, 0) < 13.7e9


def test_no_fading_at_zero_length():
    f = np.logspace(8, 11, 50)
    for alpha in (-3.0, 0.0, 2.5):
        np.testing.assert_allclose(Fiber(0.0).power_fading(f, alpha), 1.0, rtol=1e-14)
    assert Fiber(0.0).null_frequencies_hz(3).size == 0


def test_positive_chirp_moves_first_null_down_as_published():
    fib = Fiber(20.0)
    alpha = 3.0
    f_chirp = _null_hz(20.0, 0, alpha)
    assert f_chirp < _null_hz(20.0, 0)
    assert fib.power_fading(f_chirp, alpha) < 1e-18
    np.testing.assert_allclose(
        fib.null_frequencies_hz(2, alpha), [_null_hz(20.0, k, alpha) for k in (0, 1)]
    )
    # negative chirp moves it up
    assert _null_hz(20.0, 0, -1.0) > _null_hz(20.0, 0)
    assert fib.power_fading(_null_hz(20.0, 0, -1.0), -1.0) < 1e-18


def _simulated_fading(length_km, f_rf_list, alpha, m=1e-3):
    """Small-signal RF power after dispersion / back-to-back, by FFT of the field.

    Field A(t) = P(t)^((1+j alpha)/2) (instantaneous frequency rises with power for
    alpha > 0); dispersion H(Omega) = exp(-j beta2 Omega^2 L / 2), beta2 = -D lam^2/(2 pi c).
    """
    f0 = 0.25e9
    n = 4096
    fs = n * f0
    t = np.arange(n) / fs
    om = 2 * np.pi * np.fft.fftfreq(n, 1 / fs)
    beta2 = -D_SI * LAM**2 / (2 * np.pi * C)
    h = np.exp(-1j * beta2 * om**2 * length_km * 1e3 / 2)
    out = []
    for f in f_rf_list:
        k = round(f / f0)
        p = 1.0 + m * np.cos(2 * np.pi * k * f0 * t)
        a = p ** ((1 + 1j * alpha) / 2)
        rx = np.abs(np.fft.ifft(np.fft.fft(a) * h)) ** 2
        out.append(abs(np.fft.fft(rx)[k]) ** 2 / abs(np.fft.fft(p)[k]) ** 2)
    return np.array(out)


@pytest.mark.parametrize("alpha", [-2.0, 0.0, 3.0])
def test_fading_matches_field_simulation(alpha):
    f = np.arange(1, 121) * 0.25e9  # 0.25 to 30 GHz on the FFT grid
    sim = _simulated_fading(20.0, f, alpha)
    model = Fiber(20.0).power_fading(f, alpha)
    np.testing.assert_allclose(model, sim, atol=5e-3 * (1 + alpha**2))
    # the deepest simulated dip is where the model puts the first null
    i = np.argmin(sim[: int(_null_hz(20.0, 0, alpha) / 0.25e9) + 3])
    assert abs(f[i] - _null_hz(20.0, 0, alpha)) <= 0.25e9


def test_loss_and_latency():
    fib = Fiber(25.0, attenuation_db_per_km=0.22, group_index=1.47)
    assert fib.loss_db == pytest.approx(5.5)
    assert fib.transmission == pytest.approx(10 ** (-0.55))
    assert fib.latency_s == pytest.approx(25e3 * 1.47 / C)
    assert Fiber(1.0).latency_s == pytest.approx(4.897e-6, rel=1e-3)  # ~4.9 us/km


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"length_km": -1.0}, "Fiber.length_km"),
        ({"length_km": float("nan")}, "Fiber.length_km"),
        ({"length_km": 1.0, "wavelength_nm": 1200.0}, "Fiber.wavelength_nm"),
        ({"length_km": 1.0, "wavelength_nm": 1700.0}, "Fiber.wavelength_nm"),
        ({"length_km": 1.0, "attenuation_db_per_km": -0.1}, "Fiber.attenuation_db_per_km"),
        ({"length_km": 1.0, "group_index": 0.5}, "Fiber.group_index"),
    ],
)
def test_bad_input_names_parameter(kwargs, name):
    with pytest.raises(RofError, match=re.escape(name)):
        Fiber(**kwargs)


def test_bad_rf_frequency():
    with pytest.raises(RofError, match="rf_hz"):
        Fiber(10.0).power_fading(0.0)
    with pytest.raises(RofError, match="rf_hz"):
        Fiber(10.0).power_fading([1e9, -1e9])


def test_pm_to_im_rin_small_dispersion_limit():
    # Marshall, Crosignani & Yariv (Opt. Lett. 2000): RIN = 4 pi dnu (L D lam^2 / c)^2 f^2
    # for a small dispersion phase.
    theta_l = theta_per_hz2(0.5, 17.0, 1550.0)
    f = np.array([0.5e9, 1e9, 2e9])
    got = pm_to_im_rin(theta_l * f**2, f, 1e6)
    expect = 4 * math.pi * 1e6 * (0.5e3 * D_SI * LAM**2 / C) ** 2 * f**2
    np.testing.assert_allclose(got, expect, rtol=1e-3)


def test_pm_to_im_rin_matches_field_simulation():
    # Independent check: a CW field with Wiener phase noise (frequency noise averaged over
    # each sample, so the sampled phase has the continuous 1/f^2 density without aliases)
    # through the dispersion transfer exp(i theta(f)); the intensity-noise density of the
    # output, measured with Welch's method, against 4 sin^2(theta) dnu / (pi f^2).
    from scipy import signal as ssig

    rng = np.random.default_rng(11)
    fs, n, dnu, length_km = 40e9, 1 << 20, 50e6, 20.0
    ff = np.fft.rfftfreq(n, 1 / fs)
    inc = rng.normal(0.0, math.sqrt(2 * math.pi * dnu / fs), n)
    inc = np.fft.irfft(np.fft.rfft(inc) * np.sinc(ff / fs), n)
    field = np.exp(1j * np.cumsum(inc))
    fr = np.fft.fftfreq(n, 1 / fs)
    theta_l = theta_per_hz2(length_km, 17.0, 1550.0)
    out = np.fft.ifft(np.fft.fft(field) * np.exp(1j * theta_l * fr**2))
    f, psd = ssig.welch(np.abs(out) ** 2, fs, nperseg=4096)  # one-sided, 1/Hz
    for f0 in (2e9, 5e9, 9e9, 14e9):
        sel = np.abs(f - f0) < 0.3e9
        expect = np.mean(pm_to_im_rin(theta_l * f[sel] ** 2, f[sel], dnu))
        assert np.mean(psd[sel]) == pytest.approx(expect, rel=0.1)
