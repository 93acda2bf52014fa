"""Waveguide germanium photodiode."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rof._validate import check_range
from rof.photonics.photodiode import Photodiode
from rof.units import C_M_PER_S, H_J_S, Q_C

__all__ = ["GePhotodiode"]


@dataclass(frozen=True)
class GePhotodiode(Photodiode):
    """Germanium-on-silicon waveguide photodiode as a link detector.

    A :class:`rof.photonics.Photodiode` (same fields, noise and response model,
    so ``RoFLink`` takes it as its detector) with defaults of a Ge waveguide
    photodiode and a constructor from device physics.

    :meth:`from_device` derives the figures from the device physics:
    responsivity :math:`R = \\eta q\\lambda/(hc)` (Saleh & Teich, *Fundamentals of
    Photonics*, 2nd ed., 2007, sec. 18.1), and bandwidth from the transit-time
    limit :math:`f_t = 0.45\\,v_{sat}/d` and the RC limit :math:`f_{RC} =
    1/(2\\pi (R_s + R_L) C)` combined as :math:`f_{3dB}^{-2} = f_t^{-2} + f_{RC}^{-2}`
    (Kato, "Ultrawide-band/high-frequency photodetectors", IEEE Trans. Microw.
    Theory Techn. 47, 1265 (1999), sec. II).

    Parameters
    ----------
    responsivity_a_per_w : float
        A/W (> 0). Default 1.0 (Ge waveguide PD at 1550 nm, Michel et al., Nat.
        Photonics 4, 527 (2010)).
    dark_current_a : float
        A (>= 0). Default 10 nA.
    bandwidth_hz : float
        3-dB bandwidth, Hz (> 0).
    load_ohm : float
        Load resistance, ohm (> 0).
    temperature_k : float
        Load temperature for thermal noise, K (> 0).
    saturation_current_a : float
        Photocurrent at which the response compresses, A (> 0).
    """

    responsivity_a_per_w: float = 1.0
    dark_current_a: float = 10e-9
    bandwidth_hz: float = 50e9
    load_ohm: float = 50.0
    temperature_k: float = 290.0
    saturation_current_a: float = 10e-3

    @classmethod
    def from_device(
        cls,
        *,
        quantum_efficiency: float = 0.8,
        wavelength_nm: float = 1550.0,
        intrinsic_width_um: float = 0.5,
        capacitance_ff: float = 10.0,
        series_ohm: float = 20.0,
        load_ohm: float = 50.0,
        saturation_velocity_m_per_s: float = 6.0e4,
        dark_current_a: float = 10e-9,
        temperature_k: float = 290.0,
        saturation_current_a: float = 10e-3,
    ) -> GePhotodiode:
        """Build from quantum efficiency, depletion width and capacitance (see class doc)."""
        check_range("GePhotodiode.quantum_efficiency", quantum_efficiency, 0.0, 1.0, lo_open=True)
        check_range("GePhotodiode.wavelength_nm", wavelength_nm, 0.0, 1900.0, lo_open=True)
        check_range("GePhotodiode.intrinsic_width_um", intrinsic_width_um, 0.0, None, lo_open=True)
        check_range("GePhotodiode.capacitance_ff", capacitance_ff, 0.0, None, lo_open=True)
        check_range("GePhotodiode.series_ohm", series_ohm, 0.0, None)
        check_range(
            "GePhotodiode.saturation_velocity_m_per_s",
            saturation_velocity_m_per_s,
            0.0,
            None,
            lo_open=True,
        )
        resp = quantum_efficiency * Q_C * wavelength_nm * 1e-9 / (H_J_S * C_M_PER_S)
        f_t = 0.45 * saturation_velocity_m_per_s / (intrinsic_width_um * 1e-6)
        f_rc = 1.0 / (2.0 * math.pi * (series_ohm + load_ohm) * capacitance_ff * 1e-15)
        f3 = 1.0 / math.sqrt(f_t**-2 + f_rc**-2)
        return cls(
            responsivity_a_per_w=resp,
            dark_current_a=dark_current_a,
            bandwidth_hz=f3,
            load_ohm=load_ohm,
            temperature_k=temperature_k,
            saturation_current_a=saturation_current_a,
        )
