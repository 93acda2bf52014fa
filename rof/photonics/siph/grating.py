"""Grating coupler (fiber-to-chip)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.photonics.siph._common import SComponent, reciprocal, wavelength_array

__all__ = ["GratingCoupler"]


@dataclass(frozen=True)
class GratingCoupler(SComponent):
    """Grating coupler with a Gaussian spectral response, ports ``("fiber", "wg")``.

    The coupling efficiency of a uniform grating coupler is well described near its
    peak by a Gaussian in wavelength, i.e. a parabola in dB (Chrostowski & Hochberg,
    *Silicon Photonics Design*, 2015, sec. 5.2 and Fig. 5.9; Taillaert et al., Jpn.
    J. Appl. Phys. 45, 6071 (2006)):

    .. math:: \\eta(\\lambda)\\,[\\mathrm{dB}] = -IL_{peak} - X
              \\left(\\frac{\\lambda - \\lambda_c}{BW_X/2}\\right)^2,

    where :math:`BW_X` is the full bandwidth at :math:`X` dB below the peak (X = 1
    or 3 dB usually quoted). The field transmission is :math:`\\sqrt{\\eta}` with no
    added phase; reciprocal, reflectionless.

    Parameters
    ----------
    peak_loss_db : float
        Insertion loss at the peak, dB (>= 0). Default 3.0.
    center_wavelength_nm : float
        Peak wavelength, nm.
    bandwidth_nm : float
        Full bandwidth at ``bandwidth_level_db`` below the peak, nm (> 0).
    bandwidth_level_db : float
        Level X (dB) at which ``bandwidth_nm`` is specified, e.g. 1.0 or 3.0 (> 0).
    """

    peak_loss_db: float = 3.0
    center_wavelength_nm: float = 1550.0
    bandwidth_nm: float = 35.0
    bandwidth_level_db: float = 1.0

    ports = ("fiber", "wg")

    def __post_init__(self):
        check_range("GratingCoupler.peak_loss_db", self.peak_loss_db, 0.0, None)
        check_range(
            "GratingCoupler.center_wavelength_nm",
            self.center_wavelength_nm,
            0.0,
            None,
            lo_open=True,
        )
        check_range("GratingCoupler.bandwidth_nm", self.bandwidth_nm, 0.0, None, lo_open=True)
        check_range(
            "GratingCoupler.bandwidth_level_db", self.bandwidth_level_db, 0.0, None, lo_open=True
        )

    def loss_db(self, wavelength_nm) -> np.ndarray:
        """Insertion loss vs wavelength, dB (>= peak loss), shape ``(n_wl,)``."""
        wl = wavelength_array(wavelength_nm)
        x = (wl - self.center_wavelength_nm) / (0.5 * self.bandwidth_nm)
        return self.peak_loss_db + self.bandwidth_level_db * x * x

    @property
    def sigma_nm(self) -> float:
        """Standard deviation sigma of the equivalent Gaussian, nm.

        :math:`\\eta \\propto e^{-(\\lambda-\\lambda_c)^2/2\\sigma^2}`.
        """
        # X dB at half-bandwidth h: X = 10 log10(e) h^2 / (2 sigma^2)
        h = 0.5 * self.bandwidth_nm
        return h * math.sqrt(10.0 * math.log10(math.e) / (2.0 * self.bandwidth_level_db))

    def sdict(self, wavelength_nm):
        t = np.sqrt(10.0 ** (-self.loss_db(wavelength_nm) / 10.0)) + 0j
        return reciprocal({("wg", "fiber"): t})
