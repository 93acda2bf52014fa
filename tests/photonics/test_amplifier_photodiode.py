"""EDFA inversion factor and ASE density; photodiode response, noise and saturation.

References: F = (1 + 2 n_sp (G - 1)) / G and rho = n_sp h nu (G - 1) (Olsson, JLT 7(7),
1989); kT of a matched resistor; 2 q I_d.
"""

import math
import re

import pytest

from rof.errors import RofError
from rof.photonics import EDFA, Photodiode

H = 6.62607015e-34
C = 299_792_458.0
K_B = 1.380649e-23
Q = 1.602176634e-19


def test_edfa_inversion_and_ase():
    a = EDFA(gain_db=20.0, noise_figure_db=5.0)
    g, f = 100.0, 10**0.5
    n_sp = (f * g - 1) / (2 * (g - 1))
    assert a.n_sp == pytest.approx(n_sp)
    assert (1 + 2 * a.n_sp * (g - 1)) / g == pytest.approx(f)
    nu = C / 1550e-9
    assert a.ase_psd_w_per_hz(1550.0) == pytest.approx(n_sp * H * nu * (g - 1))


def test_edfa_quantum_limit_enforced():
    EDFA(gain_db=30.0, noise_figure_db=10 * math.log10(2 - 1e-3) + 1e-9)
    with pytest.raises(RofError, match=re.escape("EDFA.noise_figure_db")):
        EDFA(gain_db=30.0, noise_figure_db=2.9)
    with pytest.raises(RofError, match=re.escape("EDFA.gain_db")):
        EDFA(gain_db=0.0)


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
