"""EDFA inversion factor and ASE density.

References: F = (1 + 2 n_sp (G - 1)) / G and rho = n_sp h nu (G - 1) (Olsson, JLT 7(7),
1989).
"""

import math
import re

import pytest

from rof.errors import RofError
from rof.photonics import EDFA

H = 6.62607015e-34
C = 299_792_458.0


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
