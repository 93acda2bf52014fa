"""Erbium-doped fiber amplifier used as an optical pre-amplifier."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rof._validate import check_range
from rof.errors import ParameterError
from rof.units import C_M_PER_S, H_J_S, db_to_lin

__all__ = ["EDFA"]


@dataclass(frozen=True)
class EDFA:
    """EDFA with gain :math:`G` and noise figure :math:`F`, placed at the fiber output.

    Amplified spontaneous emission (ASE) per polarisation mode has the one-sided
    power spectral density :math:`\\rho = n_{sp} h\\nu (G - 1)` with the population
    inversion factor from the noise figure,
    :math:`F = (1 + 2 n_{sp}(G-1))/G` (Olsson, "Lightwave systems with optical
    amplifiers", J. Lightwave Technol. 7(7), 1071-1082, 1989; Desurvire, *Erbium-Doped
    Fiber Amplifiers*, Wiley 1994, ch. 2). At a photodiode of responsivity
    :math:`\\mathcal{R}` receiving signal power :math:`P_s` and ASE through a
    rectangular optical filter of width :math:`B_o` (both polarisations), the
    one-sided photocurrent noise densities at RF frequency :math:`f` are

    .. math::

        S_{s\\text{-}sp} = 4\\mathcal{R}^2 P_s \\rho, \\qquad
        S_{sp\\text{-}sp} = 4\\mathcal{R}^2 \\rho^2 (B_o - f)^+,

    and the ASE adds the DC photocurrent :math:`2\\mathcal{R}\\rho B_o` (its shot
    noise). The first is Olsson's signal-spontaneous term; the second is the
    triangular self-convolution of the flat ASE spectrum for two polarisations
    (Olsson 1989, spontaneous-spontaneous beat noise).

    Parameters
    ----------
    gain_db : float
        Small-signal gain, dB (0 < G <= 50).
    noise_figure_db : float
        Noise figure, dB; at least the quantum limit :math:`10\\log_{10}(2 - 1/G)`
        (:math:`n_{sp} \\ge 1`), at most 20.
    optical_bandwidth_hz : float
        Width :math:`B_o` of the optical band-pass filter after the amplifier, Hz (> 0).
    """

    gain_db: float = 20.0
    noise_figure_db: float = 5.0
    optical_bandwidth_hz: float = 100e9

    def __post_init__(self):
        check_range("EDFA.gain_db", self.gain_db, 0.0, 50.0, lo_open=True)
        g = float(db_to_lin(self.gain_db))
        limit = 10.0 * math.log10(2.0 - 1.0 / g)
        check_range("EDFA.noise_figure_db", self.noise_figure_db, limit, 20.0)
        check_range(
            "EDFA.optical_bandwidth_hz", self.optical_bandwidth_hz, 0.0, 10e12, lo_open=True
        )
        if not math.isfinite(g):  # pragma: no cover - guarded by the range above
            raise ParameterError(f"EDFA.gain_db = {self.gain_db!r} is out of range")

    @property
    def gain(self) -> float:
        """Linear gain :math:`G`."""
        return float(db_to_lin(self.gain_db))

    @property
    def n_sp(self) -> float:
        """Inversion factor :math:`n_{sp} = (F G - 1) / (2 (G - 1))`."""
        g = self.gain
        return (float(db_to_lin(self.noise_figure_db)) * g - 1.0) / (2.0 * (g - 1.0))

    def ase_psd_w_per_hz(self, wavelength_nm: float) -> float:
        """ASE density per polarisation at the amplifier output, :math:`n_{sp}h\\nu(G-1)`, W/Hz."""
        nu = C_M_PER_S / (wavelength_nm * 1e-9)
        return self.n_sp * H_J_S * nu * (self.gain - 1.0)
