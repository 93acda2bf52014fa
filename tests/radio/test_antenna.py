"""TR 38.901 Table 7.3-1 antenna pattern: spot values from the table's numbers."""

import numpy as np
import pytest

from rof.errors import ParameterError
from rof.radio.antenna import AntennaPattern, antenna_gain_db, zenith_angle_deg

TILT = 12.0
BORESIGHT_THETA = 90.0 + TILT


def test_boresight_is_element_gain():
    assert antenna_gain_db(0.0, BORESIGHT_THETA) == pytest.approx(8.0)


@pytest.mark.parametrize("phi", [32.5, -32.5, 392.5])
def test_horizontal_half_power_at_half_beamwidth(phi):
    # 12 (32.5 / 65)^2 = 3 dB
    assert antenna_gain_db(phi, BORESIGHT_THETA) == pytest.approx(8.0 - 3.0)


def test_vertical_half_power_and_tilt():
    assert antenna_gain_db(0.0, BORESIGHT_THETA + 32.5) == pytest.approx(5.0)
    assert antenna_gain_db(0.0, BORESIGHT_THETA - 32.5) == pytest.approx(5.0)
    flat = AntennaPattern(downtilt_deg=0.0)
    assert antenna_gain_db(0.0, 90.0, flat) == pytest.approx(8.0)
    # 12 deg tilt seen at the horizon: 12 (12/65)^2 = 0.409 dB below the peak
    assert antenna_gain_db(0.0, 90.0) == pytest.approx(8.0 - 12 * (12 / 65) ** 2)


def test_front_to_back_floor_30_db():
    phis = np.array([90.0, 120.0, 180.0, -150.0])
    g = antenna_gain_db(phis, BORESIGHT_THETA)
    np.testing.assert_allclose(g[1:], 8.0 - 30.0)
    # 12 (90/65)^2 = 23.0 dB at 90 deg
    assert g[0] == pytest.approx(8.0 - 12 * (90 / 65) ** 2)
    # combined attenuation is also capped at A_max
    assert antenna_gain_db(70.0, 20.0) == pytest.approx(8.0 - 30.0)  # 13.9 + 19.1 dB
    # the vertical side-lobe level alone is SLA_V (reachable with a narrow beam)
    narrow = AntennaPattern(theta_3db_deg=10.0, sla_v_db=20.0)
    assert antenna_gain_db(0.0, 30.0, narrow) == pytest.approx(8.0 - 20.0)


def test_pattern_is_symmetric_and_bounded():
    phi = np.linspace(-180, 180, 721)
    theta = np.linspace(0, 180, 181)
    g = antenna_gain_db(phi[:, None], theta[None, :])
    assert g.max() == pytest.approx(8.0) and g.min() == pytest.approx(-22.0)
    np.testing.assert_allclose(g, g[::-1, :])


def test_zenith_angle():
    assert zenith_angle_deg(10.0, 11.5, 1.5) == pytest.approx(135.0)
    assert zenith_angle_deg(100.0, 1.5, 1.5) == pytest.approx(90.0)


@pytest.mark.parametrize(
    "kw,name",
    [
        (dict(phi_3db_deg=0.0), "phi_3db_deg"),
        (dict(a_max_db=-1.0), "a_max_db"),
        (dict(downtilt_deg=95.0), "downtilt_deg"),
    ],
)
def test_bad_pattern(kw, name):
    with pytest.raises(ParameterError, match=f"AntennaPattern.{name}"):
        AntennaPattern(**kw)
