"""The one link builder: link tables -> RoFLink, the WDM node's site links, site budgets.

References: the components built by hand from the same parameters (the builder must
add nothing), the WDM node's own per-site figures (loss, crosstalk) and the received
power as launch power minus fiber and node loss in dB.
"""

from __future__ import annotations

import numpy as np
import pytest

from rof.errors import ConfigError
from rof.link import RoFLink, build_link, site_budgets
from rof.photonics import CWLaser, DirectLaser, Fiber, MachZehnderModulator, Photodiode
from rof.photonics.siph import MicroringModulator, WdmNode, resonance_shift_nm_per_k


def test_mzm_table_builds_the_same_link_as_the_components():
    link = build_link(
        {
            "transmitter": {"type": "mzm", "laser_power_dbm": 16.0, "v_pi_v": 4.0},
            "fiber": {"length_km": 12.0, "dispersion_ps_per_nm_km": 16.0},
            "detector": {"responsivity_a_per_w": 0.7},
            "link": {"optical_loss_db": 2.0},
        }
    )
    ref = RoFLink(
        MachZehnderModulator(CWLaser(power_dbm=16.0), v_pi_v=4.0),
        Fiber(12.0, dispersion_ps_per_nm_km=16.0),
        Photodiode(responsivity_a_per_w=0.7),
        optical_loss_db=2.0,
    )
    assert link == ref


def test_defaults_type_mzm_and_a_20_km_fiber_at_the_transmitters_wavelength():
    link = build_link({"transmitter": {"wavelength_nm": 1310.0}})
    assert isinstance(link.transmitter, MachZehnderModulator)
    assert link.fiber.length_km == 20.0 and link.fiber.wavelength_nm == 1310.0


def test_dml_table_reaches_every_parameter():
    keys = {
        "bias_current_ma": 45.0,
        "threshold_current_ma": 8.0,
        "slope_efficiency_w_per_a": 0.25,
        "rin_db_per_hz": -152.0,
        "chirp_alpha": 2.0,
        "relaxation_frequency_hz": 8e9,
        "damping_rate_per_s": 3e10,
        "adiabatic_corner_hz": 4e9,
    }
    link = build_link({"transmitter": {"type": "dml", **keys}})
    assert link.transmitter == DirectLaser(**keys)


def test_ring_geometry_and_modulator_keys_reach_the_ring():
    link = build_link(
        {
            "transmitter": {
                "type": "ring",
                "laser_power_dbm": 7.0,
                "wavelength_nm": 1310.0,
                "ring_radius_um": 8.0,
                "ring_self_coupling": 0.99,
                "ring_loss_db_per_cm": 10.0,
                "ring_detuning_pm": -20.0,
                "ring_shift_pm_per_v": 30.0,
                "linewidth_hz": 1e5,
            }
        }
    )
    tx = link.transmitter
    assert isinstance(tx, MicroringModulator)
    assert tx.ring.radius_um == 8.0 and tx.ring.self_coupling == 0.99
    assert tx.ring.loss_db_per_cm == 10.0 and tx.linewidth_hz == 1e5
    assert tx.detuning_nm == pytest.approx(-0.020, abs=1e-9)
    assert tx.wavelength_nm == pytest.approx(1310.0 - 0.020, abs=1e-9)


def test_ring_temperature_offset_with_and_without_heater_locking():
    def ring(**kw):
        return build_link({"transmitter": {"type": "ring", **kw}}).transmitter

    locked = ring(temperature_offset_k=0.5)
    free = ring(temperature_offset_k=0.5, heater_locking=False)
    assert locked.detuning_nm == pytest.approx(locked.design_detuning_nm, abs=1e-9)
    rate = resonance_shift_nm_per_k(free.ring)
    assert free.detuning_nm == pytest.approx(free.design_detuning_nm - 0.5 * rate, rel=1e-3)


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        (
            {"transmitter": {"type": "mzm", "v_pi": 3.0}},
            "transmitter.v_pi = 3.0 is not a known key",
        ),
        ({"transmitter": {"type": "mzm", "v_pi": 3.0}}, "did you mean 'v_pi_v'"),
        ({"transmitter": {"type": "vcsel"}}, "transmitter.type = 'vcsel' is not known"),
        ({"transmitter": {"type": "mzm", "v_pi_v": -1.0}}, "v_pi_v"),
        ({"transmitter": {"type": "ring", "ring_self_coupling": 1.2}}, "self_coupling = 1.2"),
        ({"transmitter": {"type": "ring", "heater_locking": "no"}}, "heater_locking"),
        ({"transmitter": {"type": "ring", "wdm_channels": 2, "wdm_site": 2}}, "wdm_site"),
        ({"fiber": {"length_km": float("nan")}}, "fiber.length_km"),
        ({"detector": {"responsivity": 0.8}}, "detector.responsivity = 0.8 is not a known key"),
        ({"transmitter": "mzm"}, "transmitter"),
        (
            {"transmitter": {"type": "ring", "wdm_channels": 4}, "link": {"optical_loss_db": 1.0}},
            "come from the WDM node",
        ),
    ],
)
def test_bad_tables_are_one_line_config_errors(table, needle):
    with pytest.raises(ConfigError, match=needle) as info:
        build_link(table, source="f.toml")
    assert "\n" not in str(info.value) and str(info.value).startswith("f.toml: ")


def _ring_node_table(**kw):
    return {
        "transmitter": {
            "type": "ring",
            "laser_power_dbm": 12.0,
            "wdm_channels": 4,
            "wdm_feeder_length_km": 5.0,
            **kw,
        },
        "detector": {"responsivity_a_per_w": 0.8},
    }


def test_wdm_site_link_carries_the_nodes_loss_crosstalk_and_channel():
    pd = Photodiode()
    node = WdmNode(
        n_channels=4,
        channel_spacing_ghz=100.0,
        first_wavelength_nm=build_link(_ring_node_table(wdm_channels=1)).transmitter.wavelength_nm,
        modulator=build_link(_ring_node_table(wdm_channels=1)).transmitter,
        feeder_length_km=5.0,
    )
    sites, mods = node.sites(), node.modulators()
    for i in range(4):
        table = _ring_node_table(wdm_site=i)
        table["fiber"] = {"length_km": 1.0 + i}
        link = build_link(table)
        site = sites[i]
        assert link.transmitter == mods[i]
        assert link.optical_loss_db == pytest.approx(site.optical_loss_db)
        assert link.crosstalk_ratios == pytest.approx(site.crosstalk_ratios)
        assert link.fiber.length_km == pytest.approx(6.0 + i)
        assert link.fiber.wavelength_nm == pytest.approx(site.wavelength_nm)
        b = link.budget(3.5e9, 0.0, 100e6)
        fiber_loss = Fiber(6.0 + i).loss_db
        p_rx = 10 * np.log10(mods[i].mean_power_w() * 1e3) - fiber_loss - site.optical_loss_db
        assert float(b.received_optical_power_dbm) == pytest.approx(p_rx, abs=1e-9)
        clean = RoFLink(link.transmitter, link.fiber, pd, optical_loss_db=site.optical_loss_db)
        assert float(b.sndr_db) < float(clean.budget(3.5e9, 0.0, 100e6).sndr_db)


def test_heater_locking_restores_the_aligned_nodes_sndr():
    def sndr(**kw):
        link = build_link({**_ring_node_table(**kw), "fiber": {"length_km": 1.0}})
        return float(link.budget(3.5e9, -20.0).sndr_db)

    aligned = sndr(temperature_offset_k=0.0)
    assert sndr(temperature_offset_k=0.6) == pytest.approx(aligned, abs=1e-9)
    assert sndr(temperature_offset_k=0.6, heater_locking=False) < aligned - 3.0


def test_site_budgets_of_a_shared_link_are_its_budget_over_the_lengths():
    table = {"transmitter": {"type": "dml"}}
    lengths = np.array([0.5, 3.0, 7.5])
    out = site_budgets(table, 3.5e9, 0.0, 100e6, lengths)
    link = build_link(table)
    for i, length in enumerate(lengths):
        b = link.budget(3.5e9, 0.0, 100e6, length_km=length)
        assert out["sndr_db"][i] == pytest.approx(float(b.sndr_db), rel=1e-12)
        assert out["latency_s"][i] == pytest.approx(float(b.latency_s), rel=1e-12)


def test_site_budgets_on_the_wdm_node_give_each_site_its_channel():
    table = {"transmitter": {"type": "ring", "laser_power_dbm": 12.0}}
    lengths = np.array([1.0, 2.0, 4.0])
    out = site_budgets(table, 3.5e9, -10.0, 100e6, lengths)
    for i, length in enumerate(lengths):
        t = {
            "transmitter": {**table["transmitter"], "wdm_channels": 3, "wdm_site": i},
            "fiber": {"length_km": length},
        }
        b = build_link(t).budget(3.5e9, -10.0, 100e6)
        assert out["evm_percent"][i] == pytest.approx(float(b.evm_percent), rel=1e-12)
        assert out["sndr_db"][i] < 60.0  # the other channels' crosstalk is there
