"""Antenna arrays (rof.radio.arrays) against closed forms of uniform arrays."""

import numpy as np
import pytest

from rof.errors import RofError
from rof.radio import PanelArray
from rof.radio.antenna import antenna_gain_db
from rof.radio.arrays import (
    BS_PRESETS,
    ELEMENT_UNTILTED,
    UE_PRESETS,
    antenna_vector,
    array_factor_power,
    bs_antenna,
    ue_antenna,
)


def _direct_gain_db(arr, phi, theta):
    """G_E |w^H a|^2 by the explicit sum over elements (no closed form)."""
    a = arr.steering_vector(phi, theta)
    w = arr.weights()
    af = np.abs(np.sum(a * w, axis=-1)) ** 2
    return antenna_gain_db(phi, theta, arr.element) + 10 * np.log10(np.maximum(af, 1e-30))


def test_array_factor_closed_form_matches_sum():
    psi = np.linspace(-7.0, 7.0, 301)
    k = 7
    direct = np.abs(np.exp(1j * np.outer(psi, np.arange(k))).sum(axis=1)) ** 2
    np.testing.assert_allclose(array_factor_power(psi, k), direct, rtol=1e-9, atol=1e-9)
    assert array_factor_power(0.0, k) == pytest.approx(k * k)
    assert array_factor_power(2 * np.pi, k) == pytest.approx(k * k)


@pytest.mark.parametrize("rows, cols, tilt", [(10, 1, 102.0), (4, 8, 100.0), (8, 8, 95.0)])
def test_gain_equals_explicit_weighted_sum(rows, cols, tilt):
    arr = PanelArray(rows, cols, 0.5, tilt)
    phi, theta = np.meshgrid(np.linspace(-170, 170, 37), np.linspace(5, 175, 35))
    np.testing.assert_allclose(
        arr.gain_dbi(phi, theta), _direct_gain_db(arr, phi, theta), atol=1e-6
    )


@pytest.mark.parametrize("rows, cols", [(1, 1), (10, 1), (4, 8), (8, 8)])
def test_peak_gain_is_element_plus_10logN_at_the_beam(rows, cols):
    arr = PanelArray(rows, cols, 0.5, 90.0)
    assert arr.gain_dbi(0.0, 90.0) == pytest.approx(8.0 + 10 * np.log10(rows * cols), abs=1e-9)
    # nowhere above the peak
    phi, theta = np.meshgrid(np.linspace(-180, 180, 91), np.linspace(0, 180, 91))
    assert np.max(arr.gain_dbi(phi, theta)) <= arr.peak_gain_dbi + 1e-9


def test_tilted_beam_peaks_at_the_tilt_zenith():
    arr = bs_antenna("config1_10x1")
    theta = np.linspace(60.0, 140.0, 8001)
    g = arr.gain_dbi(0.0, theta)
    # the element pattern's slope pulls the peak slightly toward the horizon
    assert 101.0 < theta[np.argmax(g)] <= 102.0
    assert 18.0 - 12 * (12 / 65) ** 2 <= g.max() < 18.0
    assert arr.gain_dbi(0.0, 102.0) == pytest.approx(18.0 - 12 * (12 / 65) ** 2, abs=1e-9)


def test_nulls_of_a_vertical_ula():
    # M d_V (cos theta - cos theta_t) = k  -> nulls, k = 1..M-1
    m, d = 10, 0.5
    arr = PanelArray(m, 1, d, 90.0)
    for k in (1, 2, 3, 4):
        theta = np.degrees(np.arccos(k / (m * d)))
        assert arr.gain_dbi(0.0, theta) < arr.element_gain_dbi(0.0, theta) - 60.0
    # first sidelobe of a uniform array: -13.26 dB below the main lobe (Balanis)
    th = np.linspace(90.0, 60.0, 30001)
    af = array_factor_power(2 * np.pi * d * np.cos(np.radians(th)), m) / m**2
    first_null = np.argmax(np.diff(af) > 0)
    assert 10 * np.log10(af[first_null:].max()) == pytest.approx(-12.97, abs=0.1)


def test_horizontal_cut_of_a_single_row_follows_its_array_factor():
    arr = PanelArray(1, 8, 0.5, 90.0)
    phi = np.linspace(-60.0, 60.0, 121)
    af = array_factor_power(np.pi * np.sin(np.radians(phi)), 8) / 8
    want = antenna_gain_db(phi, 90.0, ELEMENT_UNTILTED) + 10 * np.log10(np.maximum(af, 1e-30))
    np.testing.assert_allclose(arr.gain_dbi(phi, 90.0), want, atol=1e-9)


def test_field_response_slant_keeps_power():
    arr = PanelArray(2, 2, 0.5, 100.0, slant_deg=45.0)
    f_t, f_p = arr.field_response(30.0, 95.0)
    power = np.abs(f_t) ** 2 + np.abs(f_p) ** 2
    np.testing.assert_allclose(power, 10 ** (arr.element_gain_dbi(30.0, 95.0) / 10), rtol=1e-12)
    np.testing.assert_allclose(np.abs(f_t), np.abs(f_p), rtol=1e-12)


def test_presets_and_antenna_vector():
    assert {"element", "config1_10x1", "panel_4x8", "panel_8x8"} <= set(BS_PRESETS)
    assert ue_antenna("omni") is None and ue_antenna("panel_1x2").n_elements == 2
    v = antenna_vector(bs_antenna("config1_10x1"))
    assert v[6] == 10 and v[7] == 1 and v[5] == 0.0
    assert v[10] == pytest.approx(np.cos(np.radians(102.0)))
    assert antenna_vector(bs_antenna("element"))[6:8].tolist() == [1.0, 1.0]
    assert set(UE_PRESETS) == {"omni", "panel_1x2"}


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(rows=0, cols=1), "rows"),
        (dict(rows=2.5, cols=1), "rows"),
        (dict(rows=4, cols=-1), "cols"),
        (dict(rows=4, cols=1, spacing_wavelengths=0.0), "spacing_wavelengths"),
        (dict(rows=4, cols=1, tilt_deg=181.0), "tilt_deg"),
        (dict(rows=4, cols=1, tilt_deg=-1.0), "tilt_deg"),
    ],
)
def test_bad_arrays_name_the_key(kwargs, key):
    with pytest.raises(RofError, match=key) as e:
        PanelArray(**kwargs)
    assert "allowed" in str(e.value) and "\n" not in str(e.value)


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(RofError, match="config1_10x1") as e:
        bs_antenna("dipole")
    assert "bs_antenna" in str(e.value) and "\n" not in str(e.value)
