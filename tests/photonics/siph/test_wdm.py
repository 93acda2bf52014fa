"""WDM node: per-site loss and crosstalk, thermal penalties, and RoFLink budgets."""

import itertools
import math

import numpy as np
import pytest

from rof.errors import RofError
from rof.photonics.siph import GratingCoupler, WdmNode
from rof.photonics.siph.circuits import channel_wavelengths_nm


def airy_drop_through(wl, ring):
    phi = ring.round_trip_phase(wl)
    r1, r2, a = ring.self_coupling, ring.drop_coupling, ring.round_trip_amplitude
    den = 1 - 2 * r1 * r2 * a * np.cos(phi) + (r1 * r2 * a) ** 2
    through = (r2**2 * a**2 - 2 * r1 * r2 * a * np.cos(phi) + r1**2) / den
    drop = (1 - r1**2) * (1 - r2**2) * a / den
    return through, drop


def test_site_figures_match_independent_power_cascade():
    node = WdmNode(
        n_channels=4, channel_spacing_ghz=200.0, grating=None, bus_length_um=0.0, drop_length_um=0.0
    )
    wl = channel_wavelengths_nm(4, 200.0)
    mods = node.modulators()
    launch = np.array([m.mean_power_w() for m in mods])
    bus = np.array(
        [np.prod([mods[m].ring.through(wl[j])[0] for m in range(4) if m != j]) for j in range(4)]
    )
    demux = node.demux()
    p = np.zeros((4, 4))
    for j in range(4):
        upstream = 1.0
        for i in range(4):
            through, drop = airy_drop_through(wl[j], demux.instances[f"ring{i}"])
            p[i, j] = launch[j] * bus[j] * upstream * drop[0]
            upstream *= through[0]
    for i, site in enumerate(node.sites()):
        expect = [p[i, j] / p[i, i] for j in range(4) if j != i]
        np.testing.assert_allclose(site.crosstalk_ratios, expect, rtol=1e-9)
        assert site.optical_loss_db == pytest.approx(-10 * np.log10(p[i, i] / launch[i]), rel=1e-9)
        sxr = -10 * math.log10(sum(r * r for r in expect))  # RF: ratio**2 per interferer
        assert site.signal_to_crosstalk_db == pytest.approx(sxr, rel=1e-9)


def test_gratings_add_their_loss():
    gc = GratingCoupler(peak_loss_db=3.0, bandwidth_nm=1000.0)
    with_gc = WdmNode(grating=gc).sites()
    without = WdmNode(grating=None).sites()
    for a, b in zip(with_gc, without, strict=True):
        assert a.optical_loss_db - b.optical_loss_db == pytest.approx(6.0, abs=0.01)


def test_thermal_penalty_zero_when_locked_grows_when_not():
    node = WdmNode()
    assert np.allclose(node.snr_penalty_db(30.0, 0.0, False), 0.0, atol=1e-9)
    assert np.allclose(node.snr_penalty_db(30.0, 5.0, True), 0.0, atol=1e-9)
    pens = [node.snr_penalty_db(30.0, dt, False).mean() for dt in (0.05, 0.1, 0.2, 0.4)]
    assert all(b > a > 0 for a, b in itertools.pairwise(pens))
    site = node.sites(0.4, False)[0]
    assert site.resonance_offset_nm == pytest.approx(0.4 * 1550 * 1.86e-4 / 4.2, rel=0.01)
    assert node.sites(0.4, True)[0].heater_power_mw < 12.5  # warmer chip needs less heat


def test_grid_wider_than_ring_fsr_is_rejected():
    with pytest.raises(RofError, match=r"WdmNode.channel_spacing_ghz"):
        WdmNode(n_channels=16, channel_spacing_ghz=200.0)
    with pytest.raises(RofError, match=r"WdmNode.n_channels"):
        WdmNode(n_channels=0)
    with pytest.raises(RofError, match="heater_locking"):
        WdmNode(heater_locking="yes")
