"""The scenario's [fronthaul]: the link tables of rof.link.config, and the flat legacy form.

References: the link that rof.link.build_link makes from a link file's tables with the
same keys (the scenario must add nothing), and the earlier flat form's meaning (its
defaults: a DML at 50 mA with -155 dB/Hz RIN).
"""

from __future__ import annotations

import warnings

import pytest

from rof.errors import ConfigError
from rof.link import build_link
from rof.scenario import Scenario

BASE = {"name": "fh", "deployment": {"n_sites": 7, "inter_site_distance_m": 200.0}}


def _scn(fronthaul: dict) -> Scenario:
    return Scenario.from_dict({**BASE, "fronthaul": fronthaul})


def test_tables_build_the_same_link_as_a_link_file():
    tables = {
        "transmitter": {"type": "mzm", "laser_power_dbm": 12.0, "v_pi_v": 4.0},
        "fiber": {"dispersion_ps_per_nm_km": 16.5},
        "detector": {"responsivity_a_per_w": 0.9},
    }
    fh = _scn(tables).fronthaul
    ref = build_link({**tables, "fiber": {**tables["fiber"], "length_km": 0.0}})
    assert fh.rof_link() == ref


def test_flat_form_warns_with_the_new_keys_and_keeps_its_meaning():
    flat = {
        "transmitter": "mzm",
        "laser_power_dbm": 12.0,
        "v_pi_v": 4.0,
        "dispersion_ps_per_nm_km": 16.5,
        "photodiode_responsivity_a_per_w": 0.9,
    }
    with pytest.warns(DeprecationWarning) as record:
        old = _scn(flat).fronthaul
    text = str(record[0].message)
    assert (
        "fronthaul.photodiode_responsivity_a_per_w -> fronthaul.detector.responsivity_a_per_w"
        in (text)
    )
    assert "fronthaul.v_pi_v -> fronthaul.transmitter.v_pi_v" in text
    new = _scn(
        {
            "transmitter": {"type": "mzm", "laser_power_dbm": 12.0, "v_pi_v": 4.0},
            "fiber": {"dispersion_ps_per_nm_km": 16.5},
            "detector": {"responsivity_a_per_w": 0.9},
        }
    ).fronthaul
    assert old.rof_link() == new.rof_link()


def test_flat_dml_keeps_its_earlier_defaults():
    with pytest.warns(DeprecationWarning):
        tx = _scn({"transmitter": "dml"}).fronthaul.rof_link().transmitter
    assert tx.bias_current_ma == 50.0 and tx.rin_db_per_hz == -155.0 and tx.chirp_alpha == 3.0
    # The tables take the component's own defaults.
    tx = _scn({"transmitter": {"type": "dml"}}).fronthaul.rof_link().transmitter
    assert tx.bias_current_ma == 40.0 and tx.rin_db_per_hz == -150.0


def test_ring_geometry_is_reachable_from_a_scenario():
    fh = _scn(
        {"transmitter": {"type": "ring", "ring_radius_um": 8.0, "ring_self_coupling": 0.99}}
    ).fronthaul
    ring = fh.rof_link().transmitter.ring
    assert ring.radius_um == 8.0 and ring.self_coupling == 0.99


def test_overrides_reach_nested_keys_and_the_flat_ones_still_work():
    scn = _scn({"transmitter": {"type": "mzm", "v_pi_v": 3.5}})
    assert (
        scn.with_overrides({"fronthaul.transmitter.v_pi_v": 5.0}).fronthaul.transmitter.v_pi_v
        == 5.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        low = scn.with_overrides({"fronthaul.laser_power_dbm": 0.0})
        ring = scn.with_overrides({"fronthaul.transmitter": "ring"})
    assert low.fronthaul.transmitter.laser_power_dbm == 0.0
    assert low.fronthaul.transmitter.v_pi_v == 3.5
    assert ring.fronthaul.transmitter.type == "ring"


def test_toml_round_trip_keeps_the_tables():
    scn = _scn({"transmitter": {"type": "ring", "ring_radius_um": 8.0}, "amplifier": {}})
    again = Scenario.from_dict(scn.to_dict())
    assert again.fronthaul == scn.fronthaul


@pytest.mark.parametrize(
    ("fronthaul", "needle"),
    [
        ({"fiber": {"length_km": 3.0}}, "fronthaul.fiber.length_km"),
        ({"transmitter": {"type": "ring", "wdm_channels": 4}}, "transmitter.wdm_channels"),
        ({"transmitter": {"type": "mzm", "v_pi_v": -1.0}}, "v_pi_v"),
        ({"transmitter": {"type": "dml", "bias_current_ma": 5.0}}, "bias_current_ma"),
        ({"transmitter": "vcsel"}, "fronthaul.transmitter"),
        ({"photodiode_responsivity_a_per_w": 2.0}, "photodiode_responsivity_a_per_w = 2.0"),
    ],
)
def test_bad_values_are_one_line_config_errors(fronthaul, needle):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ConfigError, match=needle) as info:
            _scn(fronthaul)
    assert "\n" not in str(info.value)


def test_equal_tables_share_one_built_link_and_changed_ones_do_not():
    # Every sweep point and override rebuilt (and range-checked) the same link.
    base = Scenario.from_dict({"name": "share"})
    same = base.with_overrides({"seed": 3})
    other = base.with_overrides({"fronthaul.transmitter.laser_power_dbm": 12.0})
    assert same.fronthaul.rof_link() is base.fronthaul.rof_link()
    assert other.fronthaul.rof_link() is not base.fronthaul.rof_link()
    hi, lo = other.fronthaul.rof_link(), base.fronthaul.rof_link()
    assert hi.transmitter.small_signal().mean_power_w > lo.transmitter.small_signal().mean_power_w
