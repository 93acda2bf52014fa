"""The ``[fronthaul]`` table: the analog RoF link from the edge node to each site.

The link's components are the tables of a link file (:mod:`rof.link.config`, the same
keys everywhere): ``[fronthaul.transmitter]`` (``type = "mzm" | "dml" | "ring"`` and
that device's parameters, ring geometry and WDM node included),
``[fronthaul.fiber]``, ``[fronthaul.detector]``, optional ``[fronthaul.amplifier]``
and ``[fronthaul.link]``; :func:`rof.link.build_link` builds them. The site keys stay
in ``[fronthaul]`` itself: ``edge_location``, ``fiber_route_factor``,
``fiber_length_km`` (the fiber table's ``length_km`` is set per site) and
``rf_drive_dbm``. With a ring every site is one channel of the smart edge's WDM node.

The flat keys of earlier scenarios (``transmitter = "mzm"``, ``laser_power_dbm``,
``photodiode_responsivity_a_per_w``, ...) are still read, with a
:class:`DeprecationWarning` naming each key's new place, and keep their earlier
meaning and defaults (a DML of the flat form is biased at 50 mA with -155 dB/Hz RIN).
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from rof.link.config import LinkParts
from rof.scenario.section import HC_OVER_Q_UM, CrossFieldError, Section

__all__ = ["LEGACY_KEYS", "Fronthaul", "LegacyFronthaul"]

#: Links built from validated [fronthaul] tables, by the tables' JSON (bounded).
_LINKS: dict[str, Any] = {}
_LINKS_MAX = 64
_NAMES_A_FILE = re.compile(r'_file":"')

#: Flat key of the earlier ``[fronthaul]`` -> its place in the tables; the transmitter
#: keys list the types that read them.
LEGACY_KEYS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "laser_power_dbm": ("transmitter", "laser_power_dbm", ("mzm", "ring")),
    "v_pi_v": ("transmitter", "v_pi_v", ("mzm",)),
    "wavelength_nm": ("transmitter", "wavelength_nm", ("mzm", "dml", "ring")),
    "rin_db_per_hz": ("transmitter", "rin_db_per_hz", ("mzm", "dml", "ring")),
    "chirp_alpha": ("transmitter", "chirp_alpha", ("dml",)),
    "slope_efficiency_w_per_a": ("transmitter", "slope_efficiency_w_per_a", ("dml",)),
    "bias_current_ma": ("transmitter", "bias_current_ma", ("dml",)),
    "threshold_current_ma": ("transmitter", "threshold_current_ma", ("dml",)),
    "wdm_channel_spacing_ghz": ("transmitter", "wdm_channel_spacing_ghz", ("ring",)),
    "temperature_offset_k": ("transmitter", "temperature_offset_k", ("ring",)),
    "heater_locking": ("transmitter", "heater_locking", ("ring",)),
    "dispersion_ps_per_nm_km": ("fiber", "dispersion_ps_per_nm_km", ()),
    "attenuation_db_per_km": ("fiber", "attenuation_db_per_km", ()),
    "photodiode_responsivity_a_per_w": ("detector", "responsivity_a_per_w", ()),
}


class LegacyFronthaul(Section):
    """The flat form of earlier scenarios, with its ranges and defaults (read-only).

    A photodiode's responsivity and a laser's slope efficiency cannot exceed the
    one-carrier-per-photon limit q lambda / (h c) = lambda_um / 1.23984 A/W (and its
    inverse in W/A) (Agrawal, *Fiber-Optic Communication Systems*, 4th ed., eqs. 4.1.3
    and 3.5.8).
    """

    section: ClassVar[str] = "fronthaul"
    transmitter: Literal["dml", "mzm", "ring"] = "mzm"
    laser_power_dbm: Annotated[float, Field(ge=-10.0, le=30.0)] = 10.0
    v_pi_v: Annotated[float, Field(gt=0.0, le=50.0)] = 3.5
    wavelength_nm: Annotated[float, Field(ge=1260.0, le=1675.0)] = 1550.0
    dispersion_ps_per_nm_km: Annotated[float, Field(ge=-100.0, le=100.0)] = 17.0
    attenuation_db_per_km: Annotated[float, Field(ge=0.0, le=10.0)] = 0.2
    rin_db_per_hz: Annotated[float, Field(ge=-180.0, le=-100.0)] = -155.0
    photodiode_responsivity_a_per_w: Annotated[float, Field(gt=0.0)] = 0.8
    chirp_alpha: Annotated[float, Field(ge=-10.0, le=10.0)] = 3.0
    slope_efficiency_w_per_a: Annotated[float, Field(gt=0.0)] = 0.3
    bias_current_ma: Annotated[float, Field(gt=0.0, le=1000.0)] = 50.0
    threshold_current_ma: Annotated[float, Field(ge=0.0, le=1000.0)] = 10.0
    wdm_channel_spacing_ghz: Annotated[float, Field(ge=12.5, le=5000.0)] = 100.0
    temperature_offset_k: Annotated[float, Field(ge=-100.0, le=100.0)] = 0.0
    heater_locking: bool = True

    @model_validator(mode="after")
    def _physics(self):
        limit = self.wavelength_nm / 1000.0 / HC_OVER_Q_UM
        if self.photodiode_responsivity_a_per_w > limit:
            self._bad(
                "photodiode_responsivity_a_per_w",
                f"<= {limit:.3f} A/W at {self.wavelength_nm:g} nm (quantum efficiency 1)",
            )
        if self.slope_efficiency_w_per_a > 1.0 / limit:
            self._bad(
                "slope_efficiency_w_per_a",
                f"<= {1.0 / limit:.3f} W/A at {self.wavelength_nm:g} nm (one photon per electron)",
            )
        if self.bias_current_ma <= self.threshold_current_ma:
            self._bad(
                "bias_current_ma", f"> threshold_current_ma = {self.threshold_current_ma:g} mA"
            )
        return self


def _legacy_error(exc: ValidationError) -> CrossFieldError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "transmitter"
    msg = err.get("msg", "").removeprefix("Value error, ")
    return CrossFieldError("fronthaul", key, err.get("input"), msg)


def _new_place(key: str) -> str:
    table, new, _ = LEGACY_KEYS[key]
    return f"fronthaul.{table}.{new}"


def _from_legacy(data: dict) -> dict:
    """Fold the flat keys of ``data`` into the tables (see the module docstring)."""
    given = {k: data[k] for k in LEGACY_KEYS if k in data}
    tx = data.get("transmitter")
    if not given and not isinstance(tx, str):
        return data
    moved = ", ".join(f"fronthaul.{k} -> {_new_place(k)}" for k in given)
    if isinstance(tx, str):
        moved = ", ".join(filter(None, (f"fronthaul.transmitter = {tx!r} -> "
                                        "[fronthaul.transmitter] type", moved)))  # fmt: skip
    warnings.warn(
        f"flat [fronthaul] keys are deprecated: {moved}", DeprecationWarning, stacklevel=2
    )
    try:
        flat = LegacyFronthaul.model_validate(
            {**given, **({"transmitter": tx} if isinstance(tx, str) else {})}
        )
    except ValidationError as exc:
        raise _legacy_error(exc) from None
    out = {k: v for k, v in data.items() if k not in LEGACY_KEYS}
    if isinstance(tx, str) or tx is None:  # flat form: the type's keys with their old defaults
        keys, table = LEGACY_KEYS, {"type": flat.transmitter}
    else:
        keys, table = given, dict(tx)
    kind = table.get("type", "mzm")
    for key in keys:
        where, new, types = LEGACY_KEYS[key]
        if where == "transmitter" and kind in types:
            table[new] = getattr(flat, key)
        elif where != "transmitter":
            out[where] = {**out.get(where, {}), new: getattr(flat, key)}
    out["transmitter"] = table
    return out


class Fronthaul(Section, LinkParts):
    """Analog RoF links from the edge node to each site (see the module docstring).

    Lengths in km, RF drive in dBm; the component tables as in :mod:`rof.link.config`.
    """

    section: ClassVar[str] = "fronthaul"
    edge_location: Literal["centroid"] | list[float] = "centroid"
    fiber_route_factor: Annotated[float, Field(ge=1.0, le=10.0)] = 1.5
    fiber_length_km: Annotated[float, Field(ge=0.0, le=200.0)] | None = None
    rf_drive_dbm: Annotated[float, Field(ge=-60.0, le=30.0)] = 0.0
    _built: Any = PrivateAttr(default=None)  # the link, built once (rof_link)

    @classmethod
    def key_paths(cls) -> list[str]:
        """Every settable key below ``fronthaul.``: site keys, each table's keys (all
        transmitter types), and the deprecated flat keys."""
        from rof.link.config import TRANSMITTERS

        out = [k for k in cls.model_fields if k not in LinkParts.model_fields]
        out.append("transmitter")
        for table in TRANSMITTERS.values():
            out += [f"transmitter.{k}" for k in table.model_fields if f"transmitter.{k}" not in out]
        for name in ("fiber", "detector", "amplifier", "link"):
            model = LinkParts.model_fields[name].annotation
            model = next(a for a in getattr(model, "__args__", (model,)) if a is not type(None))
            out += [f"{name}.{k}" for k in model.model_fields]
        return out + [k for k in LEGACY_KEYS if k not in out]

    @model_validator(mode="before")
    @classmethod
    def _tables(cls, data):
        """Fold the flat keys in, then validate the link tables with messages that name
        the nested key (``fronthaul.transmitter.v_pi``)."""
        if not isinstance(data, dict):
            return data
        data = _from_legacy(data)
        names = [k for k in LinkParts.model_fields if isinstance(data.get(k), dict)]
        if not names:
            return data
        from rof.link.build import error_parts
        from rof.link.config import LinkTable

        try:
            tables = LinkTable.model_validate({k: data[k] for k in names})
        except ValidationError as exc:
            key, value, problem, allowed = error_parts(exc.errors()[0])
            raise CrossFieldError("fronthaul", key, value, allowed, problem) from None
        return {**data, **{k: getattr(tables, k) for k in names}}

    @field_validator("edge_location", mode="before")
    @classmethod
    def _xy(cls, v):
        if v == "centroid":
            return v
        ok = isinstance(v, list) and len(v) == 2
        ok = ok and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v)
        if not (ok and all(math.isfinite(x) for x in v)):
            raise ValueError("allowed: 'centroid' or [x_m, y_m], two finite numbers in metres")
        return [float(x) for x in v]

    @model_validator(mode="after")
    def _sites(self):
        if self.fiber.length_km is not None:
            raise CrossFieldError(
                "fronthaul",
                "fiber.length_km",
                self.fiber.length_km,
                "leave it out: fronthaul.fiber_length_km (one length for every site) or "
                "fiber_route_factor sets each site's length",
            )
        if self.transmitter.link_channel() != (1, 0):
            raise CrossFieldError(
                "fronthaul",
                "transmitter.wdm_channels",
                self.transmitter.link_channel()[0],
                "leave wdm_channels and wdm_site out: every site is one channel of the node",
            )
        self._build_check()
        return self

    def rof_link(self):
        """The link these tables describe (:func:`rof.link.build_link`), fiber 0 km long.

        A ring's is the lone modulator (the sites' WDM-node links come from
        :func:`rof.link.site_budgets`).
        """
        if self._built is not None:
            return self._built
        parts = self.parts().model_copy(
            update={"fiber": self.fiber.model_copy(update={"length_km": 0.0})}
        )
        # Every sweep point and override validates a new table; equal tables share one
        # (immutable) link instead of building and range-checking every component again.
        key = parts.model_dump_json()
        link = _LINKS.get(key)
        if link is None:
            from rof.link.build import build_link

            link = build_link(parts, source="fronthaul")
            if not _NAMES_A_FILE.search(key):  # a measured file may change on disk
                if len(_LINKS) >= _LINKS_MAX:
                    _LINKS.clear()
                _LINKS[key] = link
        self._built = link
        return link

    def _build_check(self):
        """Build the components once, so a value out of a component's range fails here."""
        from rof.errors import RofError
        from rof.link.build import LinkKeyError

        try:
            self.rof_link()
        except LinkKeyError as exc:
            raise CrossFieldError(
                "fronthaul", exc.key, exc.value, exc.allowed, exc.problem
            ) from None
        except RofError as exc:  # "fronthaul: <table>: <message>"
            _, table, msg = [*str(exc).split(": ", 2), "", ""][:3]
            table = table if table in LinkParts.model_fields else "transmitter"
            raise CrossFieldError(
                "fronthaul", table, self.transmitter.type, msg or str(exc)
            ) from None
