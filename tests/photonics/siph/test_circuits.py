"""Ready circuits against closed-form cascades written in the test."""

import numpy as np
import pytest
from scipy import constants

from rof.errors import RofError
from rof.photonics.siph import MZI, GratingCoupler, Microring, mzi_lattice, ring_demux
from rof.photonics.siph.circuits import channel_wavelengths_nm


def wg_field(wl, length_um, loss=2.0, n_eff=2.4, n_g=4.2):
    n = n_eff - (n_g - n_eff) * (wl - 1550.0) / 1550.0
    a = np.exp(-0.5 * loss * 100 * np.log(10) / 10 * length_um * 1e-6)
    return a * np.exp(2j * np.pi * n * length_um * 1e-6 / (wl * 1e-9))


def ring_fields(wl, ring):
    """Test's own add-drop field transfers (through, drop) from the Airy model."""
    phi = ring.round_trip_phase(wl)
    r1, r2, a = ring.self_coupling, ring.drop_coupling, ring.round_trip_amplitude
    e = np.exp(1j * phi)
    den = 1 - r1 * r2 * a * e
    k1k2 = np.sqrt((1 - r1**2) * (1 - r2**2))
    return (r1 - r2 * a * e) / den, -k1k2 * np.sqrt(a) * np.exp(0.5j * phi) / den


def test_channel_grid():
    wl = channel_wavelengths_nm(4, 100.0, 1550.0)
    f = constants.c / (wl * 1e-9)
    np.testing.assert_allclose(-np.diff(f), 100e9, rtol=1e-9)


@pytest.mark.parametrize("n_ch", [4, 8])
def test_demux_equals_closed_form_cascade(n_ch):
    gc = GratingCoupler(peak_loss_db=2.5, bandwidth_nm=30.0)
    net = ring_demux(n_ch, 100.0, grating=gc, bus_length_um=40.0, drop_length_um=15.0)
    wl = np.linspace(1548.0, 1550.0 + n_ch * 0.9, 4001)
    s = net.s_matrix(wl)
    names = list(net.ports)
    bus = np.ones(wl.size, dtype=complex)
    t_gc = np.sqrt(10 ** (-gc.loss_db(wl) / 10))
    for k in range(n_ch):
        ring = net.instances[f"ring{k}"]
        through, drop = ring_fields(wl, ring)
        bus = bus * wg_field(wl, 40.0)
        expect = bus * drop * wg_field(wl, 15.0) * t_gc
        got = s[:, names.index(f"out{k}"), names.index("in")]
        np.testing.assert_allclose(got, expect, atol=1e-12)
        bus = bus * through
    np.testing.assert_allclose(s[:, names.index("through"), names.index("in")], bus, atol=1e-12)


def test_demux_channels_peak_on_grid():
    net = ring_demux(4, 200.0)
    grid = channel_wavelengths_nm(4, 200.0)
    wl = np.linspace(1549.0, 1556.5, 75001)
    s = net.s_matrix(wl)
    for k in range(4):
        peak = wl[np.argmax(np.abs(s[:, 2 + k, 0]))]
        assert abs(peak - grid[k]) < 2e-3


def test_demux_grid_wider_than_fsr_is_rejected():
    with pytest.raises(RofError, match="channel_spacing_ghz"):
        ring_demux(8, 400.0)
    with pytest.raises(RofError, match="add-drop"):
        ring_demux(2, 100.0, ring=Microring(radius_um=5.0, n_eff=2.4, n_g=4.2, self_coupling=0.9))


def test_lattice_single_stage_equals_mzi_and_multi_stage_equals_matrix_product():
    wl = np.linspace(1540, 1560, 1001)
    one = mzi_lattice((0.5, 0.5), (25.0,), arm_length_um=100.0)
    mzi = MZI(arm_length_um=100.0, delta_length_um=25.0)
    np.testing.assert_allclose(one.s_matrix(wl), mzi.s_matrix(wl), atol=1e-12)

    kap, dls, ph = (0.5, 0.25, 0.8), (20.0, 40.0), (0.4, -1.1)
    net = mzi_lattice(kap, dls, phases_rad=ph, arm_length_um=100.0)
    h = np.broadcast_to(np.eye(2, dtype=complex), (wl.size, 2, 2))

    def coupler(k):
        t, c = np.sqrt(1 - k), 1j * np.sqrt(k)
        return np.array([[t, c], [c, t]])

    h = coupler(kap[0]) @ h
    for k, (dl, p) in enumerate(zip(dls, ph, strict=True)):
        d = np.zeros((wl.size, 2, 2), dtype=complex)
        d[:, 0, 0] = wg_field(wl, 100.0 + dl) * np.exp(1j * p)
        d[:, 1, 1] = wg_field(wl, 100.0)
        h = coupler(kap[k + 1]) @ (d @ h)
    s = net.s_matrix(wl)  # ports in1, in2, out1, out2
    np.testing.assert_allclose(s[:, 2:, :2], h, atol=1e-12)


def test_lattice_bad_lengths():
    with pytest.raises(RofError, match="len"):
        mzi_lattice((0.5, 0.5, 0.5), (10.0,))
