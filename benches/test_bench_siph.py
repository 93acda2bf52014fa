"""Silicon-photonic circuit benchmarks: 4-channel ring demux (16 instances), 10,000 wavelengths.

Run with ``pytest benches/test_bench_siph.py``. The SAX comparison runs where SAX is
installed (``pip install sax``; not a dependency of rof) and skips otherwise; it
also checks that SAX and rof give the same S-parameters for the same circuit.
"""

import math

import numpy as np
import pytest

from rof.photonics.siph import GratingCoupler, ring_demux

N_WL = 10_000
WL = np.linspace(1545.0, 1560.0, N_WL)


def demux():
    return ring_demux(4, 200.0, grating=GratingCoupler())


def test_bench_demux_general_netlist_solver(benchmark):
    net = demux()
    assert len(net.instances) == 16
    net.s_matrix(WL)  # compile (cached on disk) and plan once
    s = benchmark(net.s_matrix, WL)
    assert s.shape == (N_WL, 10, 10)


def test_bench_demux_kernel_only(benchmark):
    from rof.photonics.siph._solver import connect_numba
    from rof.photonics.siph.netlist import _BLOCK

    net = demux()
    net.s_matrix(WL)
    uid, values = net._entries(WL)
    prog = net._plan["program"]
    benchmark(connect_numba, values, uid, prog.n_slots, 10, _BLOCK, *prog.arrays())


def test_bench_demux_closed_form_cascade(benchmark):
    """Plain NumPy cascade of the same rings (no general solver), for scale."""
    net = demux()

    def cascade():
        bus = np.ones(N_WL, dtype=complex)
        outs = []
        for k in range(4):
            wg = net.instances[f"bus{k}"].transmission(WL)
            sd = net.instances[f"ring{k}"].sdict(WL)
            t_drop = net.instances[f"dropwg{k}"].transmission(WL)
            t_gc = net.instances[f"gc{k}"].sdict(WL)[("wg", "fiber")]
            bus = bus * wg
            outs.append(bus * sd[("drop", "in")] * t_drop * t_gc)
            bus = bus * sd[("through", "in")]
        return outs, bus

    outs, _ = benchmark(cascade)
    np.testing.assert_allclose(outs[2], demux().s_matrix(WL)[:, 4, 0], atol=1e-12)


def test_bench_demux_numpy_reference_solver(benchmark):
    net = demux()
    wl = WL[:1000]
    benchmark.extra_info["n_wavelengths"] = wl.size
    benchmark(net.s_matrix, wl, backend="numpy")


def _sax_demux(net):
    sax = pytest.importorskip("sax")
    jnp = pytest.importorskip("jax.numpy")

    def waveguide(wl=1550.0, length_um=10.0, n_eff=2.4, n_g=4.2, loss_db_per_cm=2.0):
        n = n_eff - (n_g - n_eff) * (wl - 1550.0) / 1550.0
        amp = jnp.exp(-0.5 * loss_db_per_cm * 100 * math.log(10) / 10 * length_um * 1e-6)
        t = amp * jnp.exp(2j * jnp.pi * n * length_um * 1e-6 / (wl * 1e-9))
        return sax.reciprocal({("in", "out"): t})

    def ring(wl=1550.0, radius_um=5.0, n_eff=2.4, n_g=4.2, r1=0.98, r2=0.98, a=1.0):
        n = n_eff - (n_g - n_eff) * (wl - 1550.0) / 1550.0
        phi = 2 * jnp.pi * n * 2 * jnp.pi * radius_um * 1e-6 / (wl * 1e-9)
        e = jnp.exp(1j * phi)
        den = 1 - r1 * r2 * a * e
        d = -jnp.sqrt((1 - r1**2) * (1 - r2**2) * a) * jnp.exp(0.5j * phi) / den
        return sax.reciprocal(
            {
                ("in", "through"): (r1 - r2 * a * e) / den,
                ("in", "drop"): d,
                ("add", "through"): d,
                ("add", "drop"): (r2 - r1 * a * e) / den,
            }
        )

    def grating(wl=1550.0, peak_loss_db=3.0, center=1550.0, bw=35.0, level=1.0):
        loss = peak_loss_db + level * ((wl - center) / (0.5 * bw)) ** 2
        return sax.reciprocal({("fiber", "wg"): jnp.sqrt(10 ** (-loss / 10)) + 0j})

    instances = {}
    for name, comp in net.instances.items():
        if name.startswith("ring"):
            instances[name] = {
                "component": "ring",
                "settings": dict(
                    radius_um=comp.radius_um,
                    n_eff=comp._mode_and_n0[1],
                    n_g=comp.n_g,
                    r1=comp.self_coupling,
                    r2=comp.drop_coupling,
                    a=comp.round_trip_amplitude,
                ),
            }
        elif name.startswith("gc"):
            instances[name] = {
                "component": "grating",
                "settings": dict(
                    peak_loss_db=comp.peak_loss_db,
                    center=comp.center_wavelength_nm,
                    bw=comp.bandwidth_nm,
                    level=comp.bandwidth_level_db,
                ),
            }
        else:
            instances[name] = {
                "component": "waveguide",
                "settings": dict(
                    length_um=comp.length_um,
                    n_eff=comp.n_eff,
                    n_g=comp.n_g,
                    loss_db_per_cm=comp.loss_db_per_cm,
                ),
            }
    netlist = {
        "instances": instances,
        "connections": dict(net.connections),
        "ports": dict(net.ports),
    }
    circuit, _ = sax.circuit(
        netlist=netlist, models={"waveguide": waveguide, "ring": ring, "grating": grating}
    )
    return circuit


def test_bench_demux_sax_default_solver(benchmark):
    net = demux()
    circuit = _sax_demux(net)
    wl = WL
    ref = net.s_matrix(wl)
    names = list(net.ports)
    s = circuit(wl=wl)  # first call compiles
    for k in range(4):
        got = np.asarray(s["in", f"out{k}"])
        np.testing.assert_allclose(got, ref[:, names.index(f"out{k}"), 0], atol=1e-9)
    benchmark(lambda: np.asarray(circuit(wl=wl)["in", "out0"]))


def test_bench_demux_sax_jitted(benchmark):
    """SAX circuit under ``jax.jit`` (compiled once for this wavelength array)."""
    jax = pytest.importorskip("jax")
    net = demux()
    circuit = jax.jit(_sax_demux(net))
    wl = WL
    ref = net.s_matrix(wl)[:, 2, 0]
    np.testing.assert_allclose(np.asarray(circuit(wl=wl)["in", "out0"]), ref, atol=1e-9)
    benchmark(lambda: np.asarray(circuit(wl=wl)["in", "out0"]))
