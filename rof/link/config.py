"""The tables that describe one analog link, validated by pydantic: one set of keys.

A link file (``scenarios/links/*.toml``) and a scenario's ``[fronthaul]`` use the same
tables and the same keys:

``[transmitter]``
    ``type = "mzm" | "dml" | "ring" | "ddmzm" | "pm" | "heterodyne"`` (a discriminated union,
    :data:`TRANSMITTERS`)
    plus that device's parameters, named as in its dataclass
    (:class:`~rof.photonics.MachZehnderModulator` with its :class:`~rof.photonics.CWLaser`
    as ``laser_power_dbm``, ``wavelength_nm``, ``rin_db_per_hz``, ``linewidth_hz``;
    :class:`~rof.photonics.DirectLaser`; :class:`~rof.photonics.siph.MicroringModulator`
    with its ring's geometry as ``ring_*``, its heaters as ``heater_*`` and the smart
    edge's WDM node as ``wdm_*``).
``[fiber]``, ``[detector]``, ``[amplifier]``
    :class:`~rof.photonics.Fiber`, :class:`~rof.photonics.Photodiode`,
    :class:`~rof.photonics.EDFA` keywords; ``detector.response_file`` names a measured
    2-port Touchstone file (read by scikit-rf, path relative to the working directory)
    whose :math:`S_{21}` replaces the photodiode's first-order roll-off
    (:class:`~rof.photonics.measured.MeasuredPhotodiode`).
``[link]``
    ``optical_loss_db`` and ``crosstalk_ratios`` of :class:`~rof.link.RoFLink`.

A key left out takes the component's own default (one default per parameter, in the
component); the component checks the ranges and its error names the parameter.
Adding a transmitter: its class (with ``small_signal()`` and ``field()``), a table
class here with ``build()`` and one line in :data:`TRANSMITTERS`.
"""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from typing import Annotated, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "TRANSMITTERS",
    "AmplifierTable",
    "DetectorTable",
    "DmlTable",
    "DualDriveTable",
    "FiberTable",
    "HeterodyneTable",
    "LinkParts",
    "LinkTable",
    "LossTable",
    "MzmTable",
    "PmTable",
    "RingTable",
    "TransmitterTable",
]

Num = float | None


class Table(BaseModel):
    """Strict, frozen, unknown keys refused; ``None`` means the component's default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    def given(self, *names: str, rename: dict[str, str] | None = None) -> dict:
        """Keyword arguments of the fields that are set (not None), renamed."""
        rename = rename or {}
        keys = names or tuple(type(self).model_fields)
        out = {}
        for k in keys:
            v = getattr(self, k)
            if v is not None and k != "type":
                out[rename.get(k, k)] = v
        return out


class TransmitterBase(Table):
    """What every transmitter table offers the builder (:mod:`rof.link.build`)."""

    #: The table's ``type`` tag.
    kind: ClassVar[str] = ""

    @abstractmethod
    def build(self):
        """The transmitter (a :class:`rof.photonics.protocols.Transmitter`)."""

    def wdm_node(self, n_channels: int):
        """The WDM node feeding ``n_channels`` sites, or None: one transmitter per link."""
        return None

    def link_channel(self) -> tuple[int, int]:
        """``(channels, channel)`` of a link file's link on a WDM node; (1, 0) for none."""
        return 1, 0

    #: Component parameter -> table key where they differ (error messages name the key).
    _KEYS: ClassVar[dict[str, str]] = {}

    def key_of(self, param: str) -> str:
        """The table key that sets a component's parameter ``param``."""
        return self._KEYS.get(param, param)


class MzmTable(TransmitterBase):
    """CW laser plus Mach-Zehnder modulator (:class:`~rof.photonics.MachZehnderModulator`)."""

    kind: ClassVar[str] = "mzm"
    type: Literal["mzm"] = "mzm"
    laser_power_dbm: Num = None
    wavelength_nm: Num = None
    rin_db_per_hz: Num = None
    linewidth_hz: Num = None
    v_pi_v: Num = None
    bias_rad: Num = None
    insertion_loss_db: Num = None
    extinction_ratio_db: Num = None
    bandwidth_hz: Num = None
    chirp_alpha: Num = None
    input_impedance_ohm: Num = None

    _LASER: ClassVar[dict[str, str]] = {
        "laser_power_dbm": "power_dbm",
        "wavelength_nm": "wavelength_nm",
        "rin_db_per_hz": "rin_db_per_hz",
        "linewidth_hz": "linewidth_hz",
    }

    _KEYS: ClassVar[dict[str, str]] = {"power_dbm": "laser_power_dbm"}

    def build(self):
        from rof.photonics import CWLaser, MachZehnderModulator

        laser = CWLaser(**self.given(*self._LASER, rename=self._LASER))
        mod = [k for k in type(self).model_fields if k not in self._LASER and k != "type"]
        return MachZehnderModulator(laser=laser, **self.given(*mod))


class DmlTable(TransmitterBase):
    """Directly modulated laser (:class:`~rof.photonics.DirectLaser`)."""

    kind: ClassVar[str] = "dml"
    type: Literal["dml"] = "dml"
    wavelength_nm: Num = None
    bias_current_ma: Num = None
    threshold_current_ma: Num = None
    slope_efficiency_w_per_a: Num = None
    rin_db_per_hz: Num = None
    chirp_alpha: Num = None
    relaxation_frequency_hz: Num = None
    damping_rate_per_s: Num = None
    adiabatic_corner_hz: Num = None
    input_impedance_ohm: Num = None

    def build(self):
        from rof.photonics import DirectLaser

        return DirectLaser(**self.given())


class RingTable(TransmitterBase):
    """Silicon microring modulator (:class:`~rof.photonics.siph.MicroringModulator`).

    ``wavelength_nm`` is the ring's design resonance (the laser sits ``ring_detuning_pm``
    away, by default at the steepest point of the blue flank). ``ring_*`` set the
    :class:`~rof.photonics.siph.Microring` (defaults of
    :func:`~rof.photonics.siph.default_modulator_ring`) and the modulator; with
    ``temperature_offset_k`` the ring is detuned by :math:`(d\\lambda/dT)\\Delta T`, or
    by the heater loop's residual when ``heater_locking`` (default true). With
    ``wdm_channels > 1`` this link is channel ``wdm_site`` of the smart edge's WDM node
    (:class:`~rof.photonics.siph.WdmNode`): its modulator, wavelength, the node's
    insertion loss and the other channels' crosstalk (a scenario sets the channels from
    its sites); ``wdm_*`` set the node's grid, feeder, demux waveguides, grating
    couplers (``wdm_grating_*``) and demux ring (``wdm_demux_*``, defaults of
    :func:`~rof.photonics.siph.default_demux_ring`).
    """

    kind: ClassVar[str] = "ring"
    type: Literal["ring"] = "ring"
    laser_power_dbm: Num = None
    wavelength_nm: Num = None
    rin_db_per_hz: Num = None
    linewidth_hz: Num = None
    input_impedance_ohm: Num = None
    ring_radius_um: Num = None
    ring_n_eff: Num = None
    ring_n_g: Num = None
    ring_self_coupling: Num = None
    ring_drop_coupling: Num = None
    ring_loss_db_per_cm: Num = None
    ring_detuning_pm: Num = None
    ring_shift_pm_per_v: Num = None
    ring_rc_bandwidth_hz: Num = None
    ring_insertion_loss_db: Num = None
    ring_reference_wavelength_nm: Num = None
    ring_dn_dt_per_k: Num = None
    temperature_offset_k: float = 0.0
    heater_locking: bool = True
    heater_efficiency_mw_per_fsr: Num = None
    heater_max_power_mw: Num = None
    heater_bias_power_mw: Num = None
    heater_lock_error_pm: Num = None
    wdm_channels: Annotated[int, Field(ge=1, le=64)] = 1
    wdm_site: Annotated[int, Field(ge=0)] = 0
    wdm_channel_spacing_ghz: Num = None
    wdm_feeder_length_km: Num = None
    wdm_bus_length_um: Num = None
    wdm_drop_length_um: Num = None
    wdm_grating_loss_db: Num = None
    wdm_grating_center_nm: Num = None
    wdm_grating_bandwidth_nm: Num = None
    wdm_grating_bandwidth_level_db: Num = None
    wdm_demux_radius_um: Num = None
    wdm_demux_n_eff: Num = None
    wdm_demux_n_g: Num = None
    wdm_demux_self_coupling: Num = None
    wdm_demux_drop_coupling: Num = None
    wdm_demux_loss_db_per_cm: Num = None
    wdm_demux_reference_wavelength_nm: Num = None
    wdm_demux_dn_dt_per_k: Num = None

    _RING: ClassVar[dict[str, str]] = {
        "ring_radius_um": "radius_um",
        "ring_n_eff": "n_eff",
        "ring_n_g": "n_g",
        "ring_self_coupling": "self_coupling",
        "ring_drop_coupling": "drop_coupling",
        "ring_loss_db_per_cm": "loss_db_per_cm",
        "ring_reference_wavelength_nm": "reference_wavelength_nm",
        "ring_dn_dt_per_k": "dn_dt_per_k",
        "wavelength_nm": "resonance_nm",
    }
    _MOD: ClassVar[dict[str, str]] = {
        "laser_power_dbm": "laser_power_dbm",
        "rin_db_per_hz": "rin_db_per_hz",
        "linewidth_hz": "linewidth_hz",
        "input_impedance_ohm": "input_impedance_ohm",
        "ring_detuning_pm": "detuning_pm",
        "ring_shift_pm_per_v": "shift_pm_per_v",
        "ring_rc_bandwidth_hz": "rc_bandwidth_hz",
        "ring_insertion_loss_db": "insertion_loss_db",
    }

    _THERMAL: ClassVar[dict[str, str]] = {
        "heater_efficiency_mw_per_fsr": "heater_efficiency_mw_per_fsr",
        "heater_max_power_mw": "max_power_mw",
        "heater_bias_power_mw": "bias_power_mw",
        "heater_lock_error_pm": "lock_error_pm",
    }
    _GRATING: ClassVar[dict[str, str]] = {
        "wdm_grating_loss_db": "peak_loss_db",
        "wdm_grating_center_nm": "center_wavelength_nm",
        "wdm_grating_bandwidth_nm": "bandwidth_nm",
        "wdm_grating_bandwidth_level_db": "bandwidth_level_db",
    }
    _DEMUX: ClassVar[dict[str, str]] = {
        "wdm_demux_radius_um": "radius_um",
        "wdm_demux_n_eff": "n_eff",
        "wdm_demux_n_g": "n_g",
        "wdm_demux_self_coupling": "self_coupling",
        "wdm_demux_drop_coupling": "drop_coupling",
        "wdm_demux_loss_db_per_cm": "loss_db_per_cm",
        "wdm_demux_reference_wavelength_nm": "reference_wavelength_nm",
        "wdm_demux_dn_dt_per_k": "dn_dt_per_k",
    }
    _NODE: ClassVar[dict[str, str]] = {
        "wdm_channel_spacing_ghz": "channel_spacing_ghz",
        "wdm_feeder_length_km": "feeder_length_km",
        "wdm_bus_length_um": "bus_length_um",
        "wdm_drop_length_um": "drop_length_um",
    }

    #: An error names the modulator ring's key for a Microring parameter (the demux
    #: ring's ``wdm_demux_*`` keys share its parameter names).
    _KEYS: ClassVar[dict[str, str]] = {
        **{v: k for k, v in _DEMUX.items()},
        **{v: k for k, v in _RING.items()},
        **{v: k for k, v in _MOD.items()},
        **{v: k for k, v in _THERMAL.items()},
        **{v: k for k, v in _GRATING.items()},
        **{v: k for k, v in _NODE.items()},
        "n_channels": "wdm_channels",
    }

    @model_validator(mode="after")
    def _site(self):
        if self.wdm_site >= self.wdm_channels:
            raise ValueError(
                f"wdm_site = {self.wdm_site} is not allowed; allowed: 0 to wdm_channels - 1 "
                f"= {self.wdm_channels - 1}"
            )
        return self

    def _thermal(self):
        from rof.photonics.siph import ThermalTuning

        return ThermalTuning(**self.given(*self._THERMAL, rename=self._THERMAL))

    def build(self):
        """The modulator alone, its ring at the heater loop's residual offset."""
        from rof.photonics.siph import (
            MicroringModulator,
            default_modulator_ring,
            resonance_shift_nm_per_k,
        )

        ring = dataclasses.replace(
            default_modulator_ring(), **self.given(*self._RING, rename=self._RING)
        )
        resid = self._thermal().residual_detuning_nm(
            ring, self.temperature_offset_k, self.heater_locking
        )
        ring = dataclasses.replace(
            ring, temperature_offset_k=resid / resonance_shift_nm_per_k(ring)
        )
        return MicroringModulator(ring=ring, **self.given(*self._MOD, rename=self._MOD))

    def link_channel(self) -> tuple[int, int]:
        return self.wdm_channels, self.wdm_site

    def wdm_node(self, n_channels: int):
        """The smart edge's WDM node for ``n_channels`` sites (a scenario's ring sites)."""
        from rof.photonics.siph import GratingCoupler, WdmNode, default_demux_ring

        tx = self.build()
        design = dataclasses.replace(
            tx, ring=dataclasses.replace(tx.ring, temperature_offset_k=0.0)
        )
        demux = dataclasses.replace(
            default_demux_ring(), **self.given(*self._DEMUX, rename=self._DEMUX)
        )
        return WdmNode(
            n_channels=n_channels,
            first_wavelength_nm=design.wavelength_nm,
            modulator=design,
            demux_ring=demux,
            temperature_offset_k=self.temperature_offset_k,
            heater_locking=self.heater_locking,
            thermal=self._thermal(),
            grating=GratingCoupler(**self.given(*self._GRATING, rename=self._GRATING)),
            **self.given(*self._NODE, rename=self._NODE),
        )


class DualDriveTable(TransmitterBase):
    """Dual-drive MZM (:class:`~rof.photonics.DualDriveMZM`): ``format = "dsb" | "ssb"``
    (default ``"ssb"``) sets the arms (:data:`rof.photonics.dualdrive.FORMATS`); an arm
    key given as well overrides the format's value."""

    kind: ClassVar[str] = "ddmzm"
    type: Literal["ddmzm"] = "ddmzm"
    format: Literal["dsb", "ssb"] = "ssb"
    laser_power_dbm: Num = None
    wavelength_nm: Num = None
    rin_db_per_hz: Num = None
    linewidth_hz: Num = None
    v_pi_v: Num = None
    bias1_rad: Num = None
    bias2_rad: Num = None
    drive_phase1_rad: Num = None
    drive_phase2_rad: Num = None
    insertion_loss_db: Num = None
    extinction_ratio_db: Num = None
    bandwidth_hz: Num = None
    input_impedance_ohm: Num = None

    _KEYS: ClassVar[dict[str, str]] = {"power_dbm": "laser_power_dbm"}

    def build(self):
        from rof.photonics import CWLaser, DualDriveMZM

        laser = CWLaser(**self.given(*MzmTable._LASER, rename=MzmTable._LASER))
        skip = {*MzmTable._LASER, "type", "format"}
        mod = [k for k in type(self).model_fields if k not in skip]
        return DualDriveMZM.from_format(self.format, laser, **self.given(*mod))


class PmTable(TransmitterBase):
    """Phase modulator (:class:`~rof.photonics.PhaseModulator`), detected through the
    fiber's dispersion (PM-to-IM conversion)."""

    kind: ClassVar[str] = "pm"
    type: Literal["pm"] = "pm"
    laser_power_dbm: Num = None
    wavelength_nm: Num = None
    rin_db_per_hz: Num = None
    linewidth_hz: Num = None
    v_pi_v: Num = None
    insertion_loss_db: Num = None
    bandwidth_hz: Num = None
    input_impedance_ohm: Num = None

    _KEYS: ClassVar[dict[str, str]] = {"power_dbm": "laser_power_dbm"}

    def build(self):
        from rof.photonics import CWLaser, PhaseModulator

        laser = CWLaser(**self.given(*MzmTable._LASER, rename=MzmTable._LASER))
        mod = [k for k in type(self).model_fields if k not in MzmTable._LASER and k != "type"]
        return PhaseModulator(laser=laser, **self.given(*mod))


class HeterodyneTable(TransmitterBase):
    """Two-laser optical heterodyne (:class:`~rof.photonics.OpticalHeterodyne`): the
    signal laser (``signal_*``) carries the data line, the LO laser (``lo_*``) sits one RF
    carrier away; both share ``wavelength_nm`` and ``rin_db_per_hz``."""

    kind: ClassVar[str] = "heterodyne"
    type: Literal["heterodyne"] = "heterodyne"
    signal_power_dbm: Num = None
    signal_linewidth_hz: Num = None
    lo_power_dbm: Num = None
    lo_linewidth_hz: Num = None
    wavelength_nm: Num = None
    rin_db_per_hz: Num = None
    v_pi_v: Num = None
    insertion_loss_db: Num = None
    frequency_error_hz: Num = None
    drift_hz_per_s: Num = None
    input_impedance_ohm: Num = None

    _COMMON: ClassVar[tuple[str, ...]] = ("wavelength_nm", "rin_db_per_hz")

    def build(self):
        from rof.photonics import CWLaser, OpticalHeterodyne

        common = self.given(*self._COMMON)
        lasers = {}
        for side, default_dbm in (("signal", 16.0), ("lo", 3.0)):
            p = getattr(self, f"{side}_power_dbm")
            lw = getattr(self, f"{side}_linewidth_hz")
            kw = {"power_dbm": default_dbm if p is None else p} | common
            if lw is not None:
                kw["linewidth_hz"] = lw
            lasers[side] = _side_laser(CWLaser, side, kw)
        skip = {
            "type",
            *self._COMMON,
            "signal_power_dbm",
            "signal_linewidth_hz",
            "lo_power_dbm",
            "lo_linewidth_hz",
        }
        rest = [k for k in type(self).model_fields if k not in skip]
        return OpticalHeterodyne(
            signal_laser=lasers["signal"], lo_laser=lasers["lo"], **self.given(*rest)
        )


def _side_laser(cls, side: str, kw: dict):
    """A CWLaser whose range error names the table key (``lo_linewidth_hz``)."""
    from rof.errors import ParameterError

    try:
        return cls(**kw)
    except ParameterError as exc:
        msg = str(exc)
        for param in ("power_dbm", "linewidth_hz"):
            msg = msg.replace(f"CWLaser.{param}", f"HeterodyneTable.{side}_{param}")
        raise ParameterError(msg) from None


#: The registry: ``type`` tag -> table class. A new transmitter adds one line.
TRANSMITTERS: dict[str, type[TransmitterBase]] = {
    t.kind: t for t in (MzmTable, DmlTable, RingTable, DualDriveTable, PmTable, HeterodyneTable)
}

#: The ``[transmitter]`` table: the registered tables, told apart by ``type``.
TransmitterTable = Annotated[
    Union[tuple(TRANSMITTERS.values())],  # noqa: UP007 (a union built from the registry)
    Field(discriminator="type"),
]


class FiberTable(Table):
    """:class:`~rof.photonics.Fiber`; ``wavelength_nm`` defaults to the transmitter's."""

    length_km: Num = None
    attenuation_db_per_km: Num = None
    dispersion_ps_per_nm_km: Num = None
    wavelength_nm: Num = None
    group_index: Num = None


class DetectorTable(Table):
    """:class:`~rof.photonics.Photodiode`."""

    responsivity_a_per_w: Num = None
    dark_current_a: Num = None
    bandwidth_hz: Num = None
    load_ohm: Num = None
    temperature_k: Num = None
    saturation_current_a: Num = None
    response_file: str | None = None


class AmplifierTable(Table):
    """:class:`~rof.photonics.EDFA` pre-amplifier."""

    gain_db: Num = None
    noise_figure_db: Num = None
    optical_bandwidth_hz: Num = None


class LossTable(Table):
    """Extra loss and WDM crosstalk of :class:`~rof.link.RoFLink` (not with a WDM node),
    and ``drive_response_file``: a measured 2-port (driver amplifier, electrode) in front
    of the transmitter (:class:`~rof.photonics.measured.MeasuredDrive`)."""

    optical_loss_db: Num = None
    crosstalk_ratios: tuple[float, ...] | None = None
    drive_response_file: str | None = None


def _default_type(data):
    """A transmitter table without ``type`` is an MZM (the CLI's default)."""
    if isinstance(data, dict) and isinstance(data.get("transmitter"), dict):
        tx = data["transmitter"]
        if "type" not in tx:
            data = {**data, "transmitter": {"type": "mzm", **tx}}
    return data


class LinkParts(BaseModel):
    """The component tables of one link (shared by link files and ``[fronthaul]``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
    transmitter: TransmitterTable = MzmTable()
    fiber: FiberTable = FiberTable()
    detector: DetectorTable = DetectorTable()
    amplifier: AmplifierTable | None = None
    link: LossTable | None = None

    @model_validator(mode="before")
    @classmethod
    def _type(cls, data):
        return _default_type(data)

    def parts(self) -> LinkTable:
        """These tables as a :class:`LinkTable` (what :func:`rof.link.build_link` takes)."""
        return LinkTable(
            transmitter=self.transmitter,
            fiber=self.fiber,
            detector=self.detector,
            amplifier=self.amplifier,
            link=self.link,
        )


class LinkTable(LinkParts):
    """One link: the tables of a link file without ``name``, ``[signal]``, ``[fronthaul]``."""
