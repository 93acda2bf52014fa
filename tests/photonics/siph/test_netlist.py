"""General netlist solver: kernel vs reference, loops, reflections, validation."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from rof.errors import RofError
from rof.photonics.siph import (
    DirectionalCoupler,
    GratingCoupler,
    Microring,
    Netlist,
    Waveguide,
    mzi_lattice,
    ring_demux,
)

WL = np.linspace(1540.0, 1560.0, 3001)


@dataclass(frozen=True)
class Mirror:
    """Test-only partially reflecting 2-port: S = [[r, i t], [i t, r]]."""

    reflectance: float

    ports = ("a", "b")

    def sdict(self, wavelength_nm):
        n = np.atleast_1d(wavelength_nm).size
        r = np.full(n, math.sqrt(self.reflectance)) + 0j
        t = np.full(n, 1j * math.sqrt(1 - self.reflectance))
        return {("a", "a"): r, ("b", "b"): r, ("a", "b"): t, ("b", "a"): t}


def ring_from_couplers(r1, r2, radius_um, loss):
    half = dict(length_um=math.pi * radius_um, n_eff=2.4, n_g=4.2, loss_db_per_cm=loss)
    return Netlist(
        instances={
            "c1": DirectionalCoupler(power_coupling=1 - r1**2),
            "c2": DirectionalCoupler(power_coupling=1 - r2**2),
            "h1": Waveguide(**half),
            "h2": Waveguide(**half),
        },
        connections={
            "c1,out2": "h1,in",
            "h1,out": "c2,in2",
            "c2,out2": "h2,in",
            "h2,out": "c1,in2",
        },
        ports={"in": "c1,in1", "through": "c1,out1", "add": "c2,in1", "drop": "c2,out1"},
    )


def unitary_error(s):
    shs = np.conj(np.swapaxes(s, 1, 2)) @ s
    return np.abs(shs - np.eye(s.shape[1])).max()


def test_ring_built_from_couplers_equals_closed_form_microring():
    net = ring_from_couplers(0.95, 0.9, 8.0, 3.0)
    ring = Microring(
        radius_um=8.0, n_eff=2.4, n_g=4.2, self_coupling=0.95, drop_coupling=0.9, loss_db_per_cm=3.0
    )
    s_net = net.s_matrix(WL)
    s_ring = ring.s_matrix(WL)  # same port order: in, through, add, drop
    np.testing.assert_allclose(s_net, s_ring, atol=1e-9)
    np.testing.assert_allclose(net.s_matrix(WL, backend="numpy"), s_net, atol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ring_demux(4, 200.0, grating=GratingCoupler()),
        lambda: ring_demux(8, 100.0),
        lambda: mzi_lattice((0.5, 0.2, 0.7), (15.0, 30.0), phases_rad=(0.3, 1.0)),
        lambda: ring_from_couplers(0.9, 0.8, 5.0, 2.0),
    ],
)
def test_numba_kernel_equals_numpy_reference(make):
    net = make()
    wl = WL[::3]
    np.testing.assert_allclose(net.s_matrix(wl), net.s_matrix(wl, backend="numpy"), atol=1e-12)


def test_fabry_perot_from_mirrors_exercises_reflections():
    length_um = 50.0
    net = Netlist(
        instances={
            "m1": Mirror(0.8),
            "wg": Waveguide(length_um=length_um, loss_db_per_cm=0.0),
            "m2": Mirror(0.6),
        },
        connections={"m1,b": "wg,in", "wg,out": "m2,a"},
        ports={"left": "m1,a", "right": "m2,b"},
    )
    s = net.s_matrix(WL)
    n = 2.4 - (4.2 - 2.4) * (WL - 1550.0) / 1550.0
    e = np.exp(1j * 2 * np.pi * n * length_um * 1e-6 / (WL * 1e-9))
    t_fp = 0.2**0.5 * 0.4**0.5 * e / (1 - 0.8**0.5 * 0.6**0.5 * e**2)  # Airy FP
    np.testing.assert_allclose(np.abs(s[:, 1, 0]) ** 2, np.abs(t_fp) ** 2, atol=1e-12)
    assert unitary_error(s) < 1e-9
    np.testing.assert_allclose(s, net.s_matrix(WL, backend="numpy"), atol=1e-12)


def test_lossless_circuits_conserve_power_lossy_never_gain():
    lossless = ring_demux(
        4,
        200.0,
        ring=Microring(
            radius_um=5.0,
            n_eff=2.4,
            n_g=4.2,
            self_coupling=0.97,
            drop_coupling=0.97,
            loss_db_per_cm=0.0,
        ),
    )
    assert unitary_error(lossless.s_matrix(WL)) < 1e-9
    assert (
        unitary_error(mzi_lattice((0.5, 0.3, 0.5), (10.0, 20.0), loss_db_per_cm=0.0).s_matrix(WL))
        < 1e-9
    )
    lossy = ring_demux(4, 200.0, grating=GratingCoupler())
    assert np.linalg.svd(lossy.s_matrix(WL), compute_uv=False).max() <= 1.0 + 1e-12


def test_dict_specified_instances_and_nested_netlists():
    spec = Netlist(
        instances={
            "a": {"component": "Waveguide", "settings": {"length_um": 10.0}},
            "b": {
                "component": "Microring",
                "settings": dict(radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=0.9),
            },
        },
        connections={"a,out": "b,in"},
        ports={"in": "a,in", "out": "b,through"},
    )
    obj = Netlist(
        instances={
            "a": Waveguide(10.0),
            "b": Microring(radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=0.9),
        },
        connections={"a,out": "b,in"},
        ports={"in": "a,in", "out": "b,through"},
    )
    np.testing.assert_allclose(spec.s_matrix(WL), obj.s_matrix(WL))
    outer = Netlist(
        instances={"sub": obj, "tail": Waveguide(5.0)},
        connections={"sub,out": "tail,in"},
        ports={"in": "sub,in", "out": "tail,out"},
    )
    expect = obj.s_matrix(WL)[:, 1, 0] * Waveguide(5.0).transmission(WL)
    np.testing.assert_allclose(outer.s_matrix(WL)[:, 1, 0], expect, atol=1e-12)


BASE = {"a": Waveguide(10.0), "b": Waveguide(20.0)}


@pytest.mark.parametrize(
    ("kwargs", "needles"),
    [
        (
            dict(connections={"a,out": "c,in"}, ports={"in": "a,in", "out": "b,out"}),
            ["'c'", "not known", "allowed"],
        ),
        (
            dict(connections={"a,out": "b,inn"}, ports={"in": "a,in", "out": "b,out"}),
            ["'b'", "'inn'", "allowed: in, out"],
        ),
        (dict(connections={"a,out": "b,in"}, ports={"in": "a,in"}), ["b,out", "unconnected"]),
        (
            dict(connections={"a,out": "b,in"}, ports={"in": "a,in", "out": "b,out", "x": "a,out"}),
            ["a,out", "connected twice"],
        ),
        (
            dict(connections={"a,out": "b,in", "b,out": "a,out"}, ports={"in": "a,in"}),
            ["a,out", "connected twice"],
        ),
        (dict(connections={"a;out": "b,in"}, ports={}), ["malformed", "'instance,port'"]),
    ],
)
def test_bad_netlists_name_instance_and_port(kwargs, needles):
    with pytest.raises(RofError) as exc:
        Netlist(instances=BASE, **kwargs)
    for needle in needles:
        assert needle in str(exc.value)


def test_unknown_component_and_bad_settings_name_the_instance():
    with pytest.raises(RofError) as exc:
        Netlist(instances={"r0": {"component": "Ringg", "settings": {}}})
    assert (
        "'r0'" in str(exc.value) and "'Ringg'" in str(exc.value) and "Microring" in str(exc.value)
    )
    with pytest.raises(RofError) as exc:
        Netlist(
            instances={
                "r0": {
                    "component": "Microring",
                    "settings": dict(radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=1.5),
                }
            },
            ports={},
        )
    msg = str(exc.value)
    assert "'r0'" in msg and "Microring.self_coupling = 1.5" in msg and "< 1" in msg
    with pytest.raises(RofError, match="not an S-matrix component"):
        Netlist(instances={"x": 3.0})


def test_disconnected_parts_and_no_connections():
    net = Netlist(
        instances={"a": Waveguide(10.0), "b": Waveguide(20.0, loss_db_per_cm=5.0)},
        ports={"a_in": "a,in", "a_out": "a,out", "b_in": "b,in", "b_out": "b,out"},
    )
    s = net.s_matrix(WL)
    np.testing.assert_allclose(s[:, 1, 0], Waveguide(10.0).transmission(WL))
    np.testing.assert_allclose(s[:, 3, 2], Waveguide(20.0, loss_db_per_cm=5.0).transmission(WL))
    assert np.all(s[:, 2:, :2] == 0) and np.all(s[:, :2, 2:] == 0)
    np.testing.assert_allclose(net.s_matrix(WL, backend="numpy"), s, atol=1e-15)
    # nesting uses the structural key set of the inner netlist
    outer = Netlist(instances={"inner": net}, ports={p: f"inner,{p}" for p in net.ports})
    np.testing.assert_allclose(outer.s_matrix(WL), s, atol=1e-15)
