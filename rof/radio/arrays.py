"""Antenna arrays of 3GPP TR 38.901 section 7.3: uniform planar panels of Table 7.3-1
elements with a fixed electrical tilt, their array response vectors, and named presets.

A :class:`PanelArray` is an M x N uniform rectangular panel in the y-z plane of its
local coordinate system (LCS; boresight along x, rows stacked along z with spacing
``d_V``, columns along y with spacing ``d_H``). Element (m, n) sits at
``r_mn = (0, n d_H, m d_V) lambda``. Toward the direction of zenith ``theta`` and
azimuth ``phi`` (LCS, deg; 90 deg zenith is the horizon) its response is

.. math:: a_{mn}(\\theta, \\phi) = \\exp\\{j 2\\pi (n d_H \\sin\\theta\\sin\\phi
          + m d_V \\cos\\theta)\\}

(TR 38.901 eq. 7.5-22's location term), each element weighted by the field pattern
of Table 7.3-1. A fixed beam toward zenith ``theta_t`` (the electrical tilt; TR 38.901
Table 7.8-1's 102 deg) and azimuth 0 uses the weights of TR 36.897 eq. (5.2.2-4),
``w_mn = a_mn(theta_t, 0)^* / sqrt(M N)``, so the power gain toward (theta, phi) is

.. math:: G(\\theta, \\phi) = G_E(\\theta, \\phi) + 10\\log_{10}
          \\frac{|AF_M(\\psi_V)|^2 |AF_N(\\psi_H)|^2}{M N},\\qquad
          |AF_K(\\psi)|^2 = \\frac{\\sin^2(K\\psi/2)}{\\sin^2(\\psi/2)}

with ``psi_V = 2 pi d_V (cos theta - cos theta_t)`` and
``psi_H = 2 pi d_H sin theta sin phi`` (the uniform linear array factor, e.g. Balanis,
*Antenna Theory*, 4th ed., eq. 6-10), ``G_E`` the untilted element pattern of Table
7.3-1 (:func:`rof.radio.antenna.antenna_gain_db` with zero downtilt). The peak gain is
``G_E,max + 10 log10(M N)`` at the beam direction.

Polarisation (TR 38.901 eq. 7.3-4, model 2): an element slanted by ``zeta`` radiates
the field components ``F_theta = sqrt(G_E) cos zeta`` and ``F_phi = sqrt(G_E) sin
zeta``; the power pattern, and thus the fixed-beam gain above, does not depend on
the slant, which matters only for the per-element field responses
(:meth:`PanelArray.field_response`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_int_range, check_range
from rof.errors import ParameterError
from rof.radio.antenna import AntennaPattern, antenna_gain_db

__all__ = [
    "BS_PRESETS",
    "ELEMENT_UNTILTED",
    "UE_PRESETS",
    "PanelArray",
    "antenna_vector",
    "array_factor_power",
    "bs_antenna",
    "ue_antenna",
]

#: Table 7.3-1's element without tilt (the array's weights steer the beam).
ELEMENT_UNTILTED = AntennaPattern(downtilt_deg=0.0)


def array_factor_power(psi, k: int):
    """``|sum_{i<k} exp(j i psi)|^2 = sin^2(k psi/2) / sin^2(psi/2)`` (k^2 where psi
    is a multiple of 2 pi), the power array factor of a uniform linear array."""
    psi = np.asarray(psi, float)
    s = np.sin(psi / 2.0)
    num = np.sin(k * psi / 2.0)
    small = np.abs(s) < 1e-9
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(small, float(k * k), (num / np.where(small, 1.0, s)) ** 2)
    return out


@dataclass(frozen=True)
class PanelArray:
    """Uniform planar panel of TR 38.901 Table 7.3-1 elements with a fixed beam.

    Parameters
    ----------
    rows, cols : int
        Elements per column (M, vertical) and per row (N, horizontal), >= 1.
    spacing_wavelengths : float
        Vertical element spacing d_V in wavelengths, > 0 (0.5 in TR 38.901 Table 7.8-1).
    tilt_deg : float
        Zenith angle of the fixed beam (electrical tilt), deg in [0, 180]; 90 is the
        horizon, 102 the 12 deg downtilt of Table 7.8-1.
    col_spacing_wavelengths : float, optional
        Horizontal spacing d_H in wavelengths (default: ``spacing_wavelengths``).
    slant_deg : float
        Polarisation slant zeta of every element, deg (0: vertical; +-45: X-pol).
    element : AntennaPattern
        Element pattern (Table 7.3-1, untilted by default).
    """

    rows: int
    cols: int = 1
    spacing_wavelengths: float = 0.5
    tilt_deg: float = 102.0
    col_spacing_wavelengths: float | None = None
    slant_deg: float = 0.0
    element: AntennaPattern = field(default_factory=lambda: ELEMENT_UNTILTED)

    def __post_init__(self):
        for name in ("rows", "cols"):
            v = getattr(self, name)
            ok = isinstance(v, int | np.integer) and not isinstance(v, bool)
            if not ok and not (isinstance(v, float) and float(v).is_integer()):
                raise ParameterError(
                    f"PanelArray.{name} = {v!r} is not allowed; "
                    "allowed: an integer >= 1 and <= 1024"
                )
            object.__setattr__(self, name, check_int_range(f"PanelArray.{name}", v, 1, 1024))
        check_range(
            "PanelArray.spacing_wavelengths", self.spacing_wavelengths, 0.0, 100.0, lo_open=True
        )
        if self.col_spacing_wavelengths is None:
            object.__setattr__(self, "col_spacing_wavelengths", float(self.spacing_wavelengths))
        check_range(
            "PanelArray.col_spacing_wavelengths",
            self.col_spacing_wavelengths,
            0.0,
            100.0,
            lo_open=True,
        )
        check_range("PanelArray.tilt_deg", self.tilt_deg, 0.0, 180.0)
        check_range("PanelArray.slant_deg", self.slant_deg, -90.0, 90.0)
        if not isinstance(self.element, AntennaPattern):
            raise TypeError("PanelArray.element must be an AntennaPattern")

    @property
    def n_elements(self) -> int:
        return self.rows * self.cols

    @property
    def peak_gain_dbi(self) -> float:
        """``G_E,max + 10 log10(M N)``, dBi."""
        return float(self.element.g_max_dbi + 10.0 * np.log10(self.n_elements))

    def positions_wavelengths(self) -> np.ndarray:
        """Element positions (M N, 3) in wavelengths, LCS; row-major (m, n)."""
        m, n = np.meshgrid(np.arange(self.rows), np.arange(self.cols), indexing="ij")
        y = n.ravel() * self.col_spacing_wavelengths
        z = m.ravel() * self.spacing_wavelengths
        return np.stack([np.zeros_like(y, float), y, z], axis=1)

    def steering_vector(self, phi_deg, theta_deg) -> np.ndarray:
        """Location phases ``exp(j 2 pi r_mn . u(theta, phi))``, shape (..., M N)."""
        th = np.radians(np.asarray(theta_deg, float))[..., None]
        ph = np.radians(np.asarray(phi_deg, float))[..., None]
        u = np.stack(
            np.broadcast_arrays(np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)),
            axis=-1,
        )
        return np.exp(2j * np.pi * np.sum(u * self.positions_wavelengths(), axis=-1))

    def weights(self) -> np.ndarray:
        """Fixed-beam weights ``a(theta_t, 0)^* / sqrt(M N)`` (unit total power)."""
        return np.conj(self.steering_vector(0.0, self.tilt_deg)) / np.sqrt(self.n_elements)

    def element_gain_dbi(self, phi_deg, theta_deg):
        """Element power pattern G_E of Table 7.3-1, dBi."""
        return antenna_gain_db(phi_deg, theta_deg, self.element)

    def field_response(self, phi_deg, theta_deg) -> tuple[np.ndarray, np.ndarray]:
        """Per-element responses (F_theta, F_phi), each (..., M N) complex (linear field).

        ``F = sqrt(G_E) (cos zeta, sin zeta) a(theta, phi)`` (TR 38.901 eq. 7.3-4,
        model 2, times the location phases): the array response vectors that MIMO
        precoders act on.
        """
        amp = np.sqrt(10.0 ** (np.asarray(self.element_gain_dbi(phi_deg, theta_deg)) / 10.0))
        a = self.steering_vector(phi_deg, theta_deg) * np.asarray(amp)[..., None]
        z = np.radians(self.slant_deg)
        return a * np.cos(z), a * np.sin(z)

    def gain_dbi(self, phi_deg, theta_deg):
        """Fixed-beam power gain toward (phi, theta), dBi (closed form, module docstring).

        ``phi_deg`` is the azimuth relative to the panel's boresight and
        ``theta_deg`` the zenith angle (GCS of a sector without mechanical tilt).
        """
        phi = np.asarray(phi_deg, float)
        th = np.radians(np.asarray(theta_deg, float))
        psi_v = (
            2 * np.pi * self.spacing_wavelengths * (np.cos(th) - np.cos(np.radians(self.tilt_deg)))
        )
        psi_h = 2 * np.pi * self.col_spacing_wavelengths * np.sin(th) * np.sin(np.radians(phi))
        af = array_factor_power(psi_v, self.rows) * array_factor_power(psi_h, self.cols)
        with np.errstate(divide="ignore"):
            g = self.element_gain_dbi(phi, np.degrees(th)) + 10.0 * np.log10(
                np.maximum(af / self.n_elements, 1e-30)
            )
        return g if np.ndim(g) else float(g)


#: Base-station antennas by name (TR 38.901 Table 7.8-1 calibration config 1 and
#: common panels). "element" is the single tilted element ``rof`` used before arrays.
BS_PRESETS: dict[str, AntennaPattern | PanelArray] = {
    "element": AntennaPattern(),
    "element_untilted": ELEMENT_UNTILTED,
    "config1_10x1": PanelArray(10, 1, 0.5, 102.0),
    "panel_4x8": PanelArray(4, 8, 0.5, 102.0),
    "panel_8x8": PanelArray(8, 8, 0.5, 102.0),
}

#: UE antennas: an isotropic 0 dBi omni and a small 1 x 2 panel (per-element
#: responses for MIMO; the link table treats UEs as omni).
UE_PRESETS: dict[str, AntennaPattern | PanelArray | None] = {
    "omni": None,
    "panel_1x2": PanelArray(1, 2, 0.5, 90.0),
}


def bs_antenna(name: str):
    """The base-station antenna preset ``name`` (:data:`BS_PRESETS`)."""
    if name not in BS_PRESETS:
        raise ParameterError(f"bs_antenna = {name!r} is unknown; allowed: {sorted(BS_PRESETS)}")
    return BS_PRESETS[name]


def ue_antenna(name: str):
    """The UE antenna preset ``name`` (:data:`UE_PRESETS`; ``None`` is omni 0 dBi)."""
    if name not in UE_PRESETS:
        raise ParameterError(f"ue_antenna = {name!r} is unknown; allowed: {sorted(UE_PRESETS)}")
    return UE_PRESETS[name]


def antenna_vector(ant) -> np.ndarray:
    """The 12 numbers the link-table kernel reads for a BS antenna.

    (phi_3dB, theta_3dB, A_max, SLA_V, G_E,max, element downtilt, M, N, d_V, d_H,
    cos theta_t, 0); a bare :class:`AntennaPattern` is a 1 x 1 array.
    """
    if isinstance(ant, PanelArray):
        e = ant.element
        m, n, dv, dh = ant.rows, ant.cols, ant.spacing_wavelengths, ant.col_spacing_wavelengths
        ct = float(np.cos(np.radians(ant.tilt_deg)))
    elif isinstance(ant, AntennaPattern):
        e, m, n, dv, dh, ct = ant, 1, 1, 0.5, 0.5, 0.0
    else:
        raise TypeError("antenna must be an AntennaPattern or a PanelArray")
    return np.array(
        [
            e.phi_3db_deg,
            e.theta_3db_deg,
            e.a_max_db,
            e.sla_v_db,
            e.g_max_dbi,
            e.downtilt_deg,
            m,
            n,
            dv,
            dh,
            ct,
            0.0,
        ],
        float,
    )
