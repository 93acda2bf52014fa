"""The entry points DESIGN.md names as binding exist with their documented meanings.

Independent checks drive the package through these names; each is exercised here
with a physical or structural property, so a rename or a changed meaning fails.
"""

from __future__ import annotations

import numpy as np
import pytest


def test_photonics_and_link_entry_points():
    from rof.link import RoFLink
    from rof.photonics import EDFA, CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode

    fiber = Fiber(20.0, attenuation_db_per_km=0.2, dispersion_ps_per_nm_km=17.0,
                  wavelength_nm=1550.0, group_index=1.468)  # fmt: skip
    # latency = L n_g / c
    assert fiber.latency_s == pytest.approx(20e3 * 1.468 / 299792458.0, rel=1e-12)
    # no fading at DC-like frequencies; linear ratio vs back-to-back
    assert fiber.power_fading(np.array([1e6]))[0] == pytest.approx(1.0, abs=1e-6)
    mzm = MachZehnderModulator(laser=CWLaser(power_dbm=10.0), v_pi_v=3.5)
    link = RoFLink(mzm, fiber, Photodiode(), amplifier=None)
    b = link.budget(np.array([1e9, 3.5e9]), rf_in_dbm=0.0, bandwidth_hz=100e6)
    fields = ("gain_db", "noise_figure_db", "snr_db", "iip3_dbm", "oip3_dbm", "sfdr_db_hz23",
              "evm_percent", "received_optical_power_dbm", "latency_s")  # fmt: skip
    for field in fields:
        assert np.shape(getattr(b, field)) in ((2,), ()), field
    # OIP3 = IIP3 + gain for every frequency
    np.testing.assert_allclose(b.oip3_dbm, b.iip3_dbm + b.gain_db, atol=1e-9)
    assert DirectLaser() is not None and EDFA(gain_db=10.0, noise_figure_db=5.0) is not None


def test_signals_entry_points():
    from rof.signals import evm_percent, nr_ofdm

    w = nr_ofdm(20, 30, "64QAM", 2, np.random.default_rng(0))
    ref = np.array([1 + 1j, -1 - 1j, 1 - 1j])
    # EVM is rms error over rms reference in percent, not squared
    assert evm_percent(ref * 1.1, ref) == pytest.approx(10.0, rel=1e-9)
    assert w.samples.size > 0


def test_microring_entry_point():
    from rof.photonics.siph import Microring

    ring = Microring(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.95)
    lam = 1550.0
    # FSR = lambda^2 / (n_g L)
    assert ring.fsr_nm == pytest.approx(lam**2 / (4.2 * 2 * np.pi * 10e3), rel=5e-3)
    t = ring.through(np.linspace(1545, 1555, 101))
    assert np.all((t >= 0) & (t <= 1 + 1e-12))
    assert ring.loaded_q > 0 and ring.extinction_db > 0
    add_drop = Microring(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.95,
                         drop_coupling=0.95, loss_db_per_cm=0.0)  # fmt: skip
    wl = np.linspace(1545, 1555, 101)
    # lossless add-drop ring: through + drop = 1
    np.testing.assert_allclose(add_drop.through(wl) + add_drop.drop(wl), 1.0, atol=1e-9)


def test_radio_entry_points():
    from rof.radio import hex_sites, pathloss_38901, ppp_sites

    xy = hex_sites(7, 200.0)
    assert xy.shape == (7, 2)
    assert np.sort(np.hypot(*xy.T))[1:] == pytest.approx(np.full(6, 200.0))
    pts = ppp_sites(100.0, 1.0, np.random.default_rng(1))
    assert pts.ndim == 2 and pts.shape[1] == 2
    # UMi LOS below the breakpoint: 32.4 + 21 log10(d3d) + 20 log10(fc)
    pl = pathloss_38901("UMi", 50.0, np.hypot(50.0, 8.5), 3.5, 10.0, 1.5, True)
    assert pl == pytest.approx(32.4 + 21 * np.log10(np.hypot(50.0, 8.5)) + 20 * np.log10(3.5))


def test_edge_sweep_and_learnware_entry_points(tmp_path):
    from rof.edge import simulate
    from rof.learnware import Dock, RKMESpecification
    from rof.sweep import Scenario, run_sweep

    scn = {
        "name": "api",
        "seed": 1,
        "deployment": {
            "n_sites": 1,
            "inter_site_distance_m": 200.0,
            "sectors": 1,
            "ue_per_site": 3,
            "wraparound": False,
        },
        "radio": {"bandwidth_mhz": 5.0, "fading": "rayleigh"},
        "run": {"ttis": 20, "warmup_ttis": 5, "drops": 2},
    }
    r = simulate(scn)
    assert r.ue_throughput_bps.shape == (2 * 3,)  # the users of both drops
    assert isinstance(r.kpis, dict) and r.sinr_db.size
    s = Scenario.from_dict(scn)
    out = run_sweep(s, tmp_path / "one.h5")
    assert out.exists()
    x = np.random.default_rng(0).normal(size=(300, 3))
    spec = RKMESpecification.fit(x, reduced_size=20, rng=np.random.default_rng(0))
    assert spec.z.shape == (20, 3) and spec.beta.sum() == pytest.approx(1.0)
    assert spec.mmd(spec) == pytest.approx(0.0, abs=1e-9)
    assert callable(Dock.submit) and callable(Dock.search) and callable(Dock.load)
