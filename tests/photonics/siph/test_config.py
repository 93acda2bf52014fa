"""ring_transmitter_from_config for `rof link` with transmitter = "ring"."""

import pytest

from rof.errors import ConfigError
from rof.photonics.siph import (
    MicroringModulator,
    resonance_shift_nm_per_k,
    ring_transmitter_from_config,
    wdm_node_from_config,
)


def test_defaults_and_keys():
    tx = ring_transmitter_from_config({"transmitter": "ring", "v_pi_v": 3.5})
    assert isinstance(tx, MicroringModulator)
    assert tx.ring.resonance_wavelength_nm == pytest.approx(1550.0, abs=1e-9)
    tx = ring_transmitter_from_config(
        {
            "laser_power_dbm": 7.0,
            "wavelength_nm": 1310.0,
            "rin_db_per_hz": -150.0,
            "ring_radius_um": 8.0,
            "ring_self_coupling": 0.99,
            "ring_detuning_pm": -20.0,
            "ring_shift_pm_per_v": 30.0,
            "ring_rc_bandwidth_hz": 20e9,
        }
    )
    assert tx.laser_power_dbm == 7.0 and tx.rin_db_per_hz == -150.0
    assert tx.ring.radius_um == 8.0 and tx.ring.self_coupling == 0.99
    assert tx.detuning_nm == pytest.approx(-0.020, abs=1e-9)
    assert tx.wavelength_nm == pytest.approx(1310.0 - 0.020, abs=1e-9)


def test_temperature_offset_with_and_without_locking():
    locked = ring_transmitter_from_config({"temperature_offset_k": 0.5})
    free = ring_transmitter_from_config({"temperature_offset_k": 0.5, "heater_locking": False})
    assert locked.detuning_nm == pytest.approx(locked.design_detuning_nm, abs=1e-9)
    rate = resonance_shift_nm_per_k(free.ring)
    assert free.detuning_nm == pytest.approx(free.design_detuning_nm - 0.5 * rate, rel=1e-3)


@pytest.mark.parametrize(
    ("cfg", "needle"),
    [
        ({"ring_radius": 5.0}, "fronthaul.ring_radius is not a known ring setting"),
        ({"ring_self_coupling": 1.2}, "Microring.self_coupling = 1.2"),
        ({"heater_locking": "no"}, "heater_locking"),
        ({"ring_shift_pm_per_v": "x"}, "shift_pm_per_v"),
    ],
)
def test_bad_config_is_a_config_error(cfg, needle):
    with pytest.raises(ConfigError, match=needle):
        ring_transmitter_from_config(cfg)


def test_wdm_node_from_config():
    cfg = {
        "wdm_channel_spacing_ghz": 100.0,
        "temperature_offset_k": 0.3,
        "heater_locking": False,
        "laser_power_dbm": 6.0,
        "wdm_grating_loss_db": 2.0,
    }
    node = wdm_node_from_config(cfg, 8)
    assert node.n_channels == 8 and node.channel_spacing_ghz == 100.0
    assert node.temperature_offset_k == 0.3 and node.heater_locking is False
    assert node.modulator.laser_power_dbm == 6.0
    assert node.modulator.ring.temperature_offset_k == 0.0  # the node applies the offset
    assert node.grating.peak_loss_db == 2.0
    with pytest.raises(ConfigError, match="channel_spacing_ghz"):
        wdm_node_from_config({"wdm_channel_spacing_ghz": 400.0}, 19)
    with pytest.raises(ConfigError, match="wdm_spacing"):
        wdm_node_from_config({"wdm_spacing": 1.0}, 2)
