"""Build a ring transmitter from the ``[fronthaul]`` settings of a scenario or link file."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from rof.errors import ConfigError, RofError
from rof.photonics.siph.grating import GratingCoupler
from rof.photonics.siph.microring import Microring
from rof.photonics.siph.modulator import MicroringModulator, default_modulator_ring
from rof.photonics.siph.thermal import ThermalTuning, resonance_shift_nm_per_k
from rof.photonics.siph.wdm import WdmNode

__all__ = ["RING_KEYS", "WDM_KEYS", "ring_transmitter_from_config", "wdm_node_from_config"]

#: Keys read by :func:`ring_transmitter_from_config` (value: what it sets).
RING_KEYS: dict[str, str] = {
    "laser_power_dbm": "MicroringModulator.laser_power_dbm",
    "wavelength_nm": "ring resonance_nm (design resonance; the laser sits detuning_pm away)",
    "rin_db_per_hz": "MicroringModulator.rin_db_per_hz",
    "ring_radius_um": "Microring.radius_um",
    "ring_n_eff": "Microring.n_eff",
    "ring_n_g": "Microring.n_g",
    "ring_self_coupling": "Microring.self_coupling",
    "ring_drop_coupling": "Microring.drop_coupling",
    "ring_loss_db_per_cm": "Microring.loss_db_per_cm",
    "ring_detuning_pm": "MicroringModulator.detuning_pm",
    "ring_shift_pm_per_v": "MicroringModulator.shift_pm_per_v",
    "ring_rc_bandwidth_hz": "MicroringModulator.rc_bandwidth_hz",
    "ring_insertion_loss_db": "MicroringModulator.insertion_loss_db",
    "temperature_offset_k": "ring temperature offset, K",
    "heater_locking": "whether the heater loop cancels the offset (bool)",
    "heater_efficiency_mw_per_fsr": "ThermalTuning.heater_efficiency_mw_per_fsr",
    "heater_max_power_mw": "ThermalTuning.max_power_mw",
}

#: Extra keys read by :func:`wdm_node_from_config`.
WDM_KEYS: dict[str, str] = {
    "wdm_channel_spacing_ghz": "WdmNode.channel_spacing_ghz (default 100)",
    "wdm_feeder_length_km": "WdmNode.feeder_length_km (default 0: fiber lengths per site)",
    "wdm_grating_loss_db": "GratingCoupler.peak_loss_db of the demux couplers (default 3)",
}


def ring_transmitter_from_config(cfg: Mapping) -> MicroringModulator:
    """Microring-modulator transmitter from a flat ``[fronthaul]``-style mapping.

    Reads the keys of :data:`RING_KEYS` (all optional; defaults are those of
    :func:`default_modulator_ring`, :class:`MicroringModulator` and
    :class:`ThermalTuning`) and ignores the other fronthaul keys (``transmitter``,
    ``v_pi_v``, fiber settings, ...). An unknown key that starts with ``ring_``,
    ``heater_`` or ``wdm_`` is a :class:`ConfigError`, so typos do not pass silently. With a
    temperature offset, the ring is detuned by :math:`(d\\lambda/dT)\\Delta T`
    (or by the locking loop's residual when ``heater_locking`` is true, the default).

    Examples
    --------
    >>> tx = ring_transmitter_from_config({"transmitter": "ring", "laser_power_dbm": 8.0})
    >>> round(tx.wavelength_nm, 2)
    1549.97
    """
    if not isinstance(cfg, Mapping):
        raise ConfigError(f"ring transmitter settings must be a table; got {type(cfg).__name__}")
    for key in cfg:
        if str(key).startswith(("ring_", "heater_", "wdm_")) and key not in (RING_KEYS | WDM_KEYS):
            allowed = ", ".join(
                k for k in RING_KEYS | WDM_KEYS if k.startswith(("ring_", "heater_", "wdm_"))
            )
            raise ConfigError(f"fronthaul.{key} is not a known ring setting; allowed: {allowed}")
    base = default_modulator_ring()
    ring_fields = {
        "ring_radius_um": "radius_um",
        "ring_n_eff": "n_eff",
        "ring_n_g": "n_g",
        "ring_self_coupling": "self_coupling",
        "ring_drop_coupling": "drop_coupling",
        "ring_loss_db_per_cm": "loss_db_per_cm",
    }
    mod_fields = {
        "laser_power_dbm": "laser_power_dbm",
        "rin_db_per_hz": "rin_db_per_hz",
        "ring_detuning_pm": "detuning_pm",
        "ring_shift_pm_per_v": "shift_pm_per_v",
        "ring_rc_bandwidth_hz": "rc_bandwidth_hz",
        "ring_insertion_loss_db": "insertion_loss_db",
    }
    try:
        ring_kw = {f: cfg[k] for k, f in ring_fields.items() if k in cfg}
        ring_kw["resonance_nm"] = float(cfg.get("wavelength_nm", base.resonance_nm))
        ring: Microring = dataclasses.replace(base, **ring_kw)
        thermal = ThermalTuning(
            heater_efficiency_mw_per_fsr=cfg.get("heater_efficiency_mw_per_fsr", 25.0),
            max_power_mw=cfg.get("heater_max_power_mw", 25.0),
        )
        dt = float(cfg.get("temperature_offset_k", 0.0))
        lock = cfg.get("heater_locking", True)
        if not isinstance(lock, bool):
            raise ConfigError(f"fronthaul.heater_locking = {lock!r} is not a bool")
        resid = thermal.residual_detuning_nm(ring, dt, lock)
        ring = dataclasses.replace(
            ring, temperature_offset_k=resid / resonance_shift_nm_per_k(ring)
        )
        mod_kw = {f: cfg[k] for k, f in mod_fields.items() if k in cfg}
        return MicroringModulator(ring=ring, **mod_kw)
    except ConfigError:
        raise
    except RofError as exc:
        raise ConfigError(f"fronthaul ring transmitter: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"fronthaul ring transmitter: {exc}") from None


def wdm_node_from_config(cfg: Mapping, n_channels: int) -> WdmNode:
    """The smart edge's :class:`WdmNode` for ``n_channels`` sites from ``[fronthaul]`` keys.

    Reads :data:`RING_KEYS` (modulator template, thermal state) and
    :data:`WDM_KEYS`; the demux ring is :func:`default_demux_ring`. Raises
    :class:`ConfigError` when the channel grid does not fit in one ring FSR.

    Examples
    --------
    >>> node = wdm_node_from_config({"wdm_channel_spacing_ghz": 100.0}, 4)
    >>> len(node.sites())
    4
    """
    tx = ring_transmitter_from_config(cfg)
    design = dataclasses.replace(tx, ring=dataclasses.replace(tx.ring, temperature_offset_k=0.0))
    try:
        return WdmNode(
            n_channels=n_channels,
            channel_spacing_ghz=cfg.get("wdm_channel_spacing_ghz", 100.0),
            first_wavelength_nm=design.wavelength_nm,
            modulator=design,
            feeder_length_km=cfg.get("wdm_feeder_length_km", 0.0),
            temperature_offset_k=float(cfg.get("temperature_offset_k", 0.0)),
            heater_locking=cfg.get("heater_locking", True),
            thermal=ThermalTuning(
                heater_efficiency_mw_per_fsr=cfg.get("heater_efficiency_mw_per_fsr", 25.0),
                max_power_mw=cfg.get("heater_max_power_mw", 25.0),
            ),
            grating=GratingCoupler(peak_loss_db=cfg.get("wdm_grating_loss_db", 3.0)),
        )
    except RofError as exc:
        raise ConfigError(f"fronthaul WDM node: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"fronthaul WDM node: {exc}") from None
