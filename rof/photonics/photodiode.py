"""PIN photodiode with a resistively matched load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.units import K_B_J_PER_K, Q_C

__all__ = ["Photodiode"]


@dataclass(frozen=True)
class Photodiode:
    """Photodiode followed by a resistive match into the load (Cox 2004, ch. 3).

    The photodiode is a current source :math:`i = \\mathcal{R} P` shunted by a
    matching resistor equal to the load :math:`R_L`, so half of the RF photocurrent
    reaches the load and the matched resistor delivers the available thermal noise
    :math:`k T` per hertz (Cox, *Analog Optical Links*, 2004, ch. 3 (resistive
    match), ch. 5 (thermal noise)). Photocurrent noise (shot :math:`2qI`, dark
    :math:`2qI_d`, RIN, beat noise) therefore reaches the load as
    :math:`S_i R_L |H_{pd}|^2 / 4`. The transit/RC response is first order,
    :math:`|H_{pd}(f)|^2 = 1/(1 + (f/f_{pd})^2)`.

    Parameters
    ----------
    responsivity_a_per_w : float
        Responsivity :math:`\\mathcal{R}`, A/W (0 to 1.6).
    dark_current_a : float
        Dark current, A (0 to 1e-3).
    bandwidth_hz : float
        3-dB bandwidth :math:`f_{pd}`, Hz (> 0).
    load_ohm : float
        Load (and matching) resistance, ohm (> 0).
    temperature_k : float
        Physical temperature of the matching resistor, K (0 to 1000].
    saturation_current_a : float
        Largest mean photocurrent the diode handles linearly, A (> 0). A link whose
        mean photocurrent exceeds it raises :class:`rof.errors.ParameterError` rather
        than report a gain the device cannot deliver.
    """

    responsivity_a_per_w: float = 0.8
    dark_current_a: float = 10e-9
    bandwidth_hz: float = 20e9
    load_ohm: float = 50.0
    temperature_k: float = 290.0
    saturation_current_a: float = 20e-3

    def __post_init__(self):
        check_range(
            "Photodiode.responsivity_a_per_w", self.responsivity_a_per_w, 0.0, 1.6, lo_open=True
        )
        check_range("Photodiode.dark_current_a", self.dark_current_a, 0.0, 1e-3)
        check_range("Photodiode.bandwidth_hz", self.bandwidth_hz, 0.0, lo_open=True)
        check_range("Photodiode.load_ohm", self.load_ohm, 0.0, lo_open=True)
        check_range("Photodiode.temperature_k", self.temperature_k, 0.0, 1000.0, lo_open=True)
        check_range(
            "Photodiode.saturation_current_a", self.saturation_current_a, 0.0, 1.0, lo_open=True
        )

    def complex_response(self, f_hz) -> np.ndarray:
        """Field-to-voltage response :math:`1/(1 + jf/f_{pd})` of the waveform model."""
        return 1.0 / (1.0 + 1j * (np.asarray(f_hz, dtype=float) / self.bandwidth_hz))

    def response_sq(self, rf_hz) -> np.ndarray:
        """Power response :math:`|H_{pd}(f)|^2 = 1/(1 + (f/f_{pd})^2)`, linear."""
        f = np.asarray(rf_hz, dtype=float) / self.bandwidth_hz
        return 1.0 / (1.0 + f * f)

    @property
    def thermal_noise_w_per_hz(self) -> float:
        """Thermal noise the matched load receives, :math:`k T`, W/Hz."""
        return K_B_J_PER_K * self.temperature_k

    @property
    def dark_noise_a2_per_hz(self) -> float:
        """One-sided dark-current shot noise :math:`2 q I_d`, A^2/Hz."""
        return 2.0 * Q_C * self.dark_current_a

    def check_saturation(self, photocurrent_a) -> None:
        """Raise :class:`ParameterError` if any mean photocurrent exceeds saturation."""
        i = np.asarray(photocurrent_a, dtype=float)
        if np.any(i > self.saturation_current_a):
            worst = float(np.max(i))
            raise ParameterError(
                f"Photodiode.saturation_current_a = {self.saturation_current_a:g} A is exceeded "
                f"by a mean photocurrent of {worst:.4g} A; allowed: photocurrent <= saturation "
                "(lower the optical power or add optical_loss_db)"
            )
