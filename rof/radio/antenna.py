"""Sector antenna element pattern of 3GPP TR 38.901 Table 7.3-1, with downtilt.

.. math::
    A'_V(\\theta) = -\\min\\left[12\\left(\\frac{\\theta - \\theta_{tilt}}{\\theta_{3dB}}\\right)^2,
    SLA_V\\right],\\quad
    A'_H(\\phi) = -\\min\\left[12\\left(\\frac{\\phi}{\\phi_{3dB}}\\right)^2, A_{max}\\right]

.. math::
    A'(\\theta, \\phi) = -\\min\\{-[A'_V + A'_H], A_{max}\\},\\qquad
    G(\\theta, \\phi) = G_{E,max} + A'(\\theta, \\phi)

with theta the zenith angle (90 deg = horizon) and phi the azimuth relative to the
boresight. The electrical downtilt moves the vertical maximum to
``theta_tilt = 90 deg + downtilt_deg``, as in TR 36.814 Table A.2.1.1-2 (the tilted
vertical pattern); TR 38.901 Table 7.8-1 calibrates UMa and UMi with the boresight
at zenith 102 deg, i.e. ``downtilt_deg = 12``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_range

__all__ = ["AntennaPattern", "antenna_gain_db", "zenith_angle_deg"]


@dataclass(frozen=True)
class AntennaPattern:
    """Parameters of the TR 38.901 Table 7.3-1 element pattern.

    Parameters
    ----------
    phi_3db_deg, theta_3db_deg : float
        Horizontal and vertical half-power beamwidths, deg (65 in the TR).
    a_max_db : float
        Front-to-back ratio A_max, dB (30).
    sla_v_db : float
        Vertical side-lobe attenuation SLA_V, dB (30).
    g_max_dbi : float
        Maximum directional gain of the element G_E,max, dBi (8).
    downtilt_deg : float
        Electrical downtilt below the horizon, deg (12: zenith 102 deg).
    """

    phi_3db_deg: float = 65.0
    theta_3db_deg: float = 65.0
    a_max_db: float = 30.0
    sla_v_db: float = 30.0
    g_max_dbi: float = 8.0
    downtilt_deg: float = 12.0

    def __post_init__(self):
        check_range("AntennaPattern.phi_3db_deg", self.phi_3db_deg, 0.0, 360.0, lo_open=True)
        check_range("AntennaPattern.theta_3db_deg", self.theta_3db_deg, 0.0, 180.0, lo_open=True)
        check_range("AntennaPattern.a_max_db", self.a_max_db, 0.0)
        check_range("AntennaPattern.sla_v_db", self.sla_v_db, 0.0)
        check_range("AntennaPattern.g_max_dbi", self.g_max_dbi, -30.0, 40.0)
        check_range("AntennaPattern.downtilt_deg", self.downtilt_deg, -90.0, 90.0)


def zenith_angle_deg(d2d_m, h_bs_m, h_ut_m):
    """Zenith angle of the UT seen from the BS, deg: 90 + atan((h_BS - h_UT) / d_2D)."""
    dz = np.asarray(h_bs_m, float) - np.asarray(h_ut_m, float)
    return 90.0 + np.degrees(np.arctan2(dz, np.asarray(d2d_m, float)))


def antenna_gain_db(phi_deg, theta_deg, pattern: AntennaPattern | None = None):
    """Element gain G(theta, phi) of TR 38.901 Table 7.3-1 with tilt, dBi.

    Parameters
    ----------
    phi_deg : array_like
        Azimuth of the UT relative to the sector boresight, deg (any value; wrapped
        to (-180, 180]).
    theta_deg : array_like
        Zenith angle of the UT seen from the BS, deg (90 = horizon; see
        :func:`zenith_angle_deg`).
    pattern : AntennaPattern, optional
        Pattern parameters (TR defaults).

    Returns
    -------
    ndarray
        Gain in dBi: ``g_max_dbi`` at boresight and tilt, down to
        ``g_max_dbi - a_max_db``.
    """
    p = AntennaPattern() if pattern is None else pattern
    phi = np.mod(np.asarray(phi_deg, float) + 180.0, 360.0) - 180.0
    theta = np.asarray(theta_deg, float)
    a_h = -np.minimum(12.0 * (phi / p.phi_3db_deg) ** 2, p.a_max_db)
    a_v = -np.minimum(12.0 * ((theta - 90.0 - p.downtilt_deg) / p.theta_3db_deg) ** 2, p.sla_v_db)
    g = p.g_max_dbi - np.minimum(-(a_v + a_h), p.a_max_db)
    return g if g.ndim else float(g)
