"""Shared by the photonic components: the telecom wavelength window, Numba fast-math flags."""

from __future__ import annotations

from rof._validate import check_range

__all__ = ["FAST_MATH", "WAVELENGTH_MAX_NM", "WAVELENGTH_MIN_NM", "check_wavelength"]

#: Numba fast-math flags of the time-domain kernels: reassociation, reciprocals and FMA
#: contraction, but NaN and infinity semantics kept (no ``nnan``, ``ninf``).
FAST_MATH = {"nsz", "arcp", "contract", "reassoc"}

#: Shortest wavelength accepted, nm (start of the ITU-T G.Sup39 O-band).
WAVELENGTH_MIN_NM: float = 1260.0
#: Longest wavelength accepted, nm (end of the ITU-T G.Sup39 U-band).
WAVELENGTH_MAX_NM: float = 1675.0


def check_wavelength(name: str, value) -> float:
    """Check a wavelength lies in the O- to U-band (1260-1675 nm); return it as float."""
    return check_range(name, value, WAVELENGTH_MIN_NM, WAVELENGTH_MAX_NM)
