"""Thermal drift of ring resonances and heater locking."""

import dataclasses

import numpy as np
import pytest

from rof.errors import RofError
from rof.photonics.siph import (
    DN_DT_SILICON_PER_K,
    Microring,
    ThermalTuning,
    resonance_shift_nm_per_k,
)


def dip_minimum(ring, lo, hi):
    wl = np.linspace(lo, hi, 200001)
    t = ring.through(wl)
    i = np.argmin(t)
    y0, y1, y2 = t[i - 1], t[i], t[i + 1]
    return wl[i] + (y0 - y2) / (2 * (y0 - 2 * y1 + y2)) * (wl[1] - wl[0])


@pytest.mark.parametrize("radius", [5.0, 10.0])
def test_resonance_shift_per_kelvin_within_10_percent_of_closed_form(radius):
    ring = Microring(radius_um=radius, n_eff=2.4, n_g=4.2, self_coupling=0.97, resonance_nm=1550.0)
    hot = dataclasses.replace(ring, temperature_offset_k=10.0)
    shift = (dip_minimum(hot, 1550.3, 1551.2) - dip_minimum(ring, 1549.7, 1550.3)) / 10.0
    expect = 1550.0 * DN_DT_SILICON_PER_K / 4.2  # lambda (dn/dT) / n_g
    assert abs(shift - expect) / expect < 0.10
    assert abs(resonance_shift_nm_per_k(ring) - expect) / expect < 1e-3
    assert abs(hot.resonance_wavelength_nm - dip_minimum(hot, 1550.3, 1551.2)) < 1e-4


def test_locking_cancels_drift_inside_heater_range_only():
    ring = Microring(radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=0.97, resonance_nm=1550.0)
    th = ThermalTuning(heater_efficiency_mw_per_fsr=25.0, max_power_mw=10.0)
    rate = resonance_shift_nm_per_k(ring)
    assert th.residual_detuning_nm(ring, 3.0, locking=False) == pytest.approx(3.0 * rate)
    assert th.residual_detuning_nm(ring, 3.0, locking=True) == pytest.approx(0.0, abs=1e-12)
    # heater covers +-5 mW around the bias = +-(5/25) FSR
    reach_k = 5.0 / 25.0 * ring.fsr_nm / rate
    far = reach_k + 4.0
    assert th.residual_detuning_nm(ring, far, locking=True) == pytest.approx(4.0 * rate)
    assert th.residual_detuning_nm(ring, -far, locking=True) == pytest.approx(-4.0 * rate)
    assert th.heater_power_mw(ring, -1.0) == pytest.approx(5.0 + rate / th.shift_nm_per_mw(ring))
    with pytest.raises(RofError, match=r"ThermalTuning.bias_power_mw"):
        ThermalTuning(max_power_mw=10.0, bias_power_mw=20.0)
