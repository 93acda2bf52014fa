"""Photonic components of an analog radio-over-fiber link.

Frozen, validated parameter dataclasses with pure methods: lasers
(:class:`CWLaser`, :class:`DirectLaser`), the :class:`MachZehnderModulator`, the
:class:`DualDriveMZM` (DSB, SSB, CS-DSB), :class:`PhaseModulator`, the two-laser
:class:`OpticalHeterodyne`,
:class:`Fiber`, the :class:`EDFA` pre-amplifier and the :class:`Photodiode`.
Transmitters satisfy the :class:`Transmitter` protocol that
:class:`rof.link.RoFLink` consumes. Importing this package pulls in NumPy only
(SciPy special functions load on first use).
"""

from __future__ import annotations

from rof.photonics.amplifier import EDFA
from rof.photonics.dualdrive import DualDriveMZM
from rof.photonics.fiber import Fiber
from rof.photonics.heterodyne import OpticalHeterodyne
from rof.photonics.laser import CWLaser, DirectLaser
from rof.photonics.modulator import MachZehnderModulator
from rof.photonics.phasemod import PhaseModulator
from rof.photonics.photodiode import Photodiode
from rof.photonics.protocols import Transmitter

__all__ = [
    "EDFA",
    "CWLaser",
    "DirectLaser",
    "DualDriveMZM",
    "Fiber",
    "MachZehnderModulator",
    "OpticalHeterodyne",
    "PhaseModulator",
    "Photodiode",
    "Transmitter",
]
