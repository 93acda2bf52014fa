"""The ``[fronthaul]`` table: the analog RoF link from the edge node to each site."""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from rof.scenario.section import HC_OVER_Q_UM, Section

__all__ = ["Fronthaul"]


class Fronthaul(Section):
    """Analog RoF links from the edge node to each site.

    Lengths in km, optical powers in dBm, RF drive in dBm, RIN in dB/Hz, currents in
    mA. A photodiode's responsivity and a laser's slope efficiency cannot exceed the
    one-carrier-per-photon limit q lambda / (h c) = lambda_um / 1.23984 A/W (and its
    inverse in W/A) (Agrawal, *Fiber-Optic Communication Systems*, 4th ed., eqs. 4.1.3
    and 3.5.8).
    """

    section: ClassVar[str] = "fronthaul"
    edge_location: Literal["centroid"] | list[float] = "centroid"
    fiber_route_factor: Annotated[float, Field(ge=1.0, le=10.0)] = 1.5
    fiber_length_km: Annotated[float, Field(ge=0.0, le=200.0)] | None = None
    transmitter: Literal["dml", "mzm", "ring"] = "mzm"
    laser_power_dbm: Annotated[float, Field(ge=-10.0, le=30.0)] = 10.0
    v_pi_v: Annotated[float, Field(gt=0.0, le=50.0)] = 3.5
    wavelength_nm: Annotated[float, Field(ge=1260.0, le=1675.0)] = 1550.0
    dispersion_ps_per_nm_km: Annotated[float, Field(ge=-100.0, le=100.0)] = 17.0
    attenuation_db_per_km: Annotated[float, Field(ge=0.0, le=10.0)] = 0.2
    rin_db_per_hz: Annotated[float, Field(ge=-180.0, le=-100.0)] = -155.0
    photodiode_responsivity_a_per_w: Annotated[float, Field(gt=0.0)] = 0.8
    rf_drive_dbm: Annotated[float, Field(ge=-60.0, le=30.0)] = 0.0
    chirp_alpha: Annotated[float, Field(ge=-10.0, le=10.0)] = 3.0
    slope_efficiency_w_per_a: Annotated[float, Field(gt=0.0)] = 0.3
    bias_current_ma: Annotated[float, Field(gt=0.0, le=1000.0)] = 50.0
    threshold_current_ma: Annotated[float, Field(ge=0.0, le=1000.0)] = 10.0
    wdm_channel_spacing_ghz: Annotated[float, Field(ge=12.5, le=5000.0)] = 100.0
    temperature_offset_k: Annotated[float, Field(ge=-100.0, le=100.0)] = 0.0
    heater_locking: bool = True

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
