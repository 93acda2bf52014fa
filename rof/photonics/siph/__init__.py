"""Silicon-photonic components, circuits and the smart edge's WDM node.

Components are frozen dataclasses with wavelength-vectorised S-matrices
(:meth:`sdict` and :meth:`s_matrix`; conventions in
:mod:`rof.photonics.siph._common`); circuits are :class:`Netlist` objects composed
by a numba kernel; :class:`MicroringModulator` is an RoF transmitter; :class:`WdmNode`
gives each site's optical loss and crosstalk, which :func:`rof.link.build_link` puts on
each site's link (photonics never imports the link layer).

Examples
--------
>>> from rof.photonics.siph import Microring
>>> ring = Microring(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.95,
...                 resonance_nm=1550.0)
>>> round(ring.fsr_nm, 2)
9.1
"""

from __future__ import annotations

from rof.photonics.siph.circuits import (
    channel_wavelengths_nm,
    default_demux_ring,
    mzi_lattice,
    ring_demux,
)
from rof.photonics.siph.coupler import DirectionalCoupler
from rof.photonics.siph.grating import GratingCoupler
from rof.photonics.siph.microring import DN_DT_SILICON_PER_K, Microring
from rof.photonics.siph.modulator import MicroringModulator, default_modulator_ring
from rof.photonics.siph.mzi import MZI
from rof.photonics.siph.netlist import COMPONENTS, Netlist
from rof.photonics.siph.photodiode import GePhotodiode
from rof.photonics.siph.thermal import ThermalTuning, resonance_shift_nm_per_k
from rof.photonics.siph.waveguide import PhaseShifter, Waveguide
from rof.photonics.siph.wdm import WdmNode, WdmSite

__all__ = [
    "COMPONENTS",
    "DN_DT_SILICON_PER_K",
    "MZI",
    "DirectionalCoupler",
    "GePhotodiode",
    "GratingCoupler",
    "Microring",
    "MicroringModulator",
    "Netlist",
    "PhaseShifter",
    "ThermalTuning",
    "Waveguide",
    "WdmNode",
    "WdmSite",
    "channel_wavelengths_nm",
    "default_demux_ring",
    "default_modulator_ring",
    "mzi_lattice",
    "resonance_shift_nm_per_k",
    "ring_demux",
]
