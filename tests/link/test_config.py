"""The link tables: every parameter of every component reachable, one registry.

Reference: the components' own dataclass fields (rof.photonics), so a parameter added
to a component without a key in its table fails here. Fields the builder sets itself
(the composition: the MZM's laser, the ring, the node's channels and templates, a
ring's design resonance and thermal offset from the table's keys) are listed.
"""

from __future__ import annotations

import dataclasses

import pytest

from rof.link.config import (
    TRANSMITTERS,
    AmplifierTable,
    DetectorTable,
    DmlTable,
    FiberTable,
    MzmTable,
    RingTable,
)
from rof.photonics import EDFA, CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.siph import GratingCoupler, Microring, MicroringModulator, ThermalTuning, WdmNode


def _fields(cls, skip=()):
    return [f.name for f in dataclasses.fields(cls) if f.name not in skip]


CASES = [
    (MzmTable, _fields(MachZehnderModulator, {"laser"}) + _fields(CWLaser)),
    (DmlTable, _fields(DirectLaser)),
    (
        RingTable,
        _fields(MicroringModulator, {"ring"})
        + _fields(Microring)
        + _fields(ThermalTuning)
        + _fields(GratingCoupler)
        + _fields(
            WdmNode,
            {"n_channels", "first_wavelength_nm", "modulator", "demux_ring", "thermal", "grating"},
        ),
    ),
]


@pytest.mark.parametrize(("table", "params"), CASES, ids=lambda x: getattr(x, "kind", ""))
def test_every_transmitter_parameter_has_a_key(table, params):
    keys = set(table.model_fields)
    missing = [p for p in params if table.key_of(table, p) not in keys]
    assert not missing, missing


def test_the_wdm_nodes_demux_ring_has_its_own_keys():
    keys = set(RingTable.model_fields)
    set_by_node = {"resonance_nm", "temperature_offset_k"}
    missing = [p for p in _fields(Microring, set_by_node) if f"wdm_demux_{p}" not in keys]
    assert not missing, missing


@pytest.mark.parametrize(
    ("table", "component"),
    [(FiberTable, Fiber), (DetectorTable, Photodiode), (AmplifierTable, EDFA)],
)
def test_every_receiver_parameter_has_a_key(table, component):
    assert set(_fields(component)) <= set(table.model_fields)


def test_registry_keys_are_the_type_tags():
    for kind, table in TRANSMITTERS.items():
        assert table.kind == kind == table.model_fields["type"].default


def test_demux_ring_keys_reach_the_node():
    node = RingTable(wdm_demux_radius_um=6.0, wdm_demux_self_coupling=0.97).wdm_node(4)
    assert node.demux_ring.radius_um == 6.0 and node.demux_ring.self_coupling == 0.97
    node = RingTable(wdm_grating_bandwidth_nm=20.0, heater_lock_error_pm=1.0).wdm_node(2)
    assert node.grating.bandwidth_nm == 20.0 and node.thermal.lock_error_pm == 1.0
