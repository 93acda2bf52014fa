"""Thermal drift and heater tuning of silicon microrings."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rof._validate import check_range
from rof.photonics.siph.microring import Microring

__all__ = ["ThermalTuning", "resonance_shift_nm_per_k"]


def resonance_shift_nm_per_k(ring: Microring) -> float:
    """Resonance shift per kelvin, :math:`d\\lambda/dT = \\lambda\\,(dn/dT)/n_g`, nm/K.

    Padmaraju & Bergman, "Resolving the thermal challenges for silicon microring
    resonator devices", Nanophotonics 3, 269 (2014), sec. 1 (about 70 pm/K for
    silicon wires at 1550 nm with n_g = 4.2 and dn/dT = 1.86e-4 /K).
    """
    return ring.resonance_wavelength_nm * ring.dn_dt_per_k / ring.n_g


@dataclass(frozen=True)
class ThermalTuning:
    """Integrated heater of a ring and its wavelength-locking loop.

    The heater red-shifts the resonance linearly in electrical power, one FSR per
    ``heater_efficiency_mw_per_fsr`` (Padmaraju & Bergman 2014, sec. 3; typical
    20-30 mW/FSR for doped-silicon or metal heaters). A heater can only heat, so a
    locked ring is parked at ``bias_power_mw`` and the loop moves the power within
    ``[0, max_power_mw]`` to cancel the drift :math:`\\Delta\\lambda_T =
    (d\\lambda/dT)\\,\\Delta T`; what the range cannot cancel stays as residual
    detuning, plus the loop's ``lock_error_pm``. Without locking the whole drift
    remains.

    Parameters
    ----------
    heater_efficiency_mw_per_fsr : float
        Heater power per FSR of tuning, mW (> 0).
    max_power_mw : float
        Largest heater power, mW (> 0).
    bias_power_mw : float, optional
        Heater power at the design temperature, mW; default half of ``max_power_mw``.
    lock_error_pm : float
        Residual error of the locking loop, pm (>= 0).
    """

    heater_efficiency_mw_per_fsr: float = 25.0
    max_power_mw: float = 25.0
    bias_power_mw: float | None = None
    lock_error_pm: float = 0.0

    def __post_init__(self):
        check_range(
            "ThermalTuning.heater_efficiency_mw_per_fsr",
            self.heater_efficiency_mw_per_fsr,
            0.0,
            None,
            lo_open=True,
        )
        check_range("ThermalTuning.max_power_mw", self.max_power_mw, 0.0, None, lo_open=True)
        if self.bias_power_mw is not None:
            check_range("ThermalTuning.bias_power_mw", self.bias_power_mw, 0.0, self.max_power_mw)
        check_range("ThermalTuning.lock_error_pm", self.lock_error_pm, 0.0, None)

    @property
    def bias_mw(self) -> float:
        return 0.5 * self.max_power_mw if self.bias_power_mw is None else self.bias_power_mw

    def shift_nm_per_mw(self, ring: Microring) -> float:
        """Heater tuning rate FSR / efficiency, nm/mW."""
        return ring.fsr_nm / self.heater_efficiency_mw_per_fsr

    def heater_power_mw(self, ring: Microring, temperature_offset_k: float) -> float:
        """Heater power the loop settles at for a temperature offset, mW (clipped)."""
        drift = resonance_shift_nm_per_k(ring) * temperature_offset_k
        wanted = self.bias_mw - drift / self.shift_nm_per_mw(ring)
        return min(max(wanted, 0.0), self.max_power_mw)

    def residual_detuning_nm(
        self, ring: Microring, temperature_offset_k: float, locking: bool
    ) -> float:
        """Resonance offset from its design wavelength, nm (positive = red shift).

        Without locking: :math:`(d\\lambda/dT)\\,\\Delta T`. With locking: the part the
        heater range cannot cancel, plus ``lock_error_pm``.
        """
        check_range("temperature_offset_k", temperature_offset_k, -300.0, 1000.0)
        drift = resonance_shift_nm_per_k(ring) * temperature_offset_k
        if not locking:
            return drift
        p = self.heater_power_mw(ring, temperature_offset_k)
        residual = drift + (p - self.bias_mw) * self.shift_nm_per_mw(ring)
        return residual + math.copysign(self.lock_error_pm * 1e-3, residual or 1.0)
