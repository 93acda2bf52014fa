"""Unit conversions against hand-computed values and round trips."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rof import units


def test_thermal_noise_is_minus_174_dbm_per_hz():
    # k * 290 K = 4.0039e-21 W/Hz -> -173.975 dBm/Hz
    assert units.THERMAL_NOISE_DBM_PER_HZ == pytest.approx(-173.975, abs=1e-3)


def test_known_values():
    assert units.dbm_to_w(0.0) == pytest.approx(1e-3)
    assert units.dbm_to_w(30.0) == pytest.approx(1.0)
    assert units.w_to_dbm(2e-3) == pytest.approx(3.0103, abs=1e-4)
    assert units.db_to_lin(-3.0103) == pytest.approx(0.5, rel=1e-5)
    assert units.lin_to_db(0.0) == -np.inf


@given(st.floats(-200, 200))
def test_round_trip(x_db):
    assert units.lin_to_db(units.db_to_lin(x_db)) == pytest.approx(x_db, abs=1e-9)
    assert units.w_to_dbm(units.dbm_to_w(x_db)) == pytest.approx(x_db, abs=1e-9)
