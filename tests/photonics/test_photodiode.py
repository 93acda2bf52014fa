"""Photodiode response, noise and saturation.

References: kT of a matched resistor; 2 q I_d; a first-order response 3 dB down at its
bandwidth.
"""

import re

import pytest

from rof.errors import RofError
from rof.photonics import Photodiode

K_B = 1.380649e-23
Q = 1.602176634e-19


def test_photodiode_response_and_noise():
    pd = Photodiode(bandwidth_hz=10e9, temperature_k=300.0, dark_current_a=1e-7)
    assert pd.response_sq(10e9) == pytest.approx(0.5)
    assert pd.thermal_noise_w_per_hz == pytest.approx(K_B * 300.0)
    assert pd.dark_noise_a2_per_hz == pytest.approx(2 * Q * 1e-7)


def test_photodiode_saturation_raises():
    pd = Photodiode(saturation_current_a=1e-3)
    pd.check_saturation(0.9e-3)
    with pytest.raises(RofError, match="saturation_current_a"):
        pd.check_saturation([0.5e-3, 2e-3])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"responsivity_a_per_w": 0.0}, "Photodiode.responsivity_a_per_w"),
        ({"load_ohm": -50.0}, "Photodiode.load_ohm"),
        ({"temperature_k": float("nan")}, "Photodiode.temperature_k"),
        ({"dark_current_a": -1e-9}, "Photodiode.dark_current_a"),
    ],
)
def test_bad_input_names_parameter(kwargs, name):
    with pytest.raises(RofError, match=re.escape(name)):
        Photodiode(**kwargs)
