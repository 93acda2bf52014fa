"""Directional coupler (2x2)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.siph._common import SComponent, reciprocal, wavelength_array

__all__ = ["DirectionalCoupler"]


@dataclass(frozen=True)
class DirectionalCoupler(SComponent):
    """Directional coupler, ports ``("in1", "in2", "out1", "out2")``.

    Field transfer (Yariv, Electron. Lett. 36, 321 (2000), eq. 1; Chrostowski &
    Hochberg, *Silicon Photonics Design*, 2015, sec. 4.1 (directional couplers)):

    .. math::
        \\begin{pmatrix} b_{out1} \\\\ b_{out2} \\end{pmatrix} = \\sqrt{\\eta}
        \\begin{pmatrix} t & i\\kappa \\\\ i\\kappa & t \\end{pmatrix}
        \\begin{pmatrix} a_{in1} \\\\ a_{in2} \\end{pmatrix},\\qquad
        \\kappa^2 = \\sin^2\\!\\left(\\frac{\\pi L}{2 L_c(\\lambda)}\\right),\\;
        t = \\sqrt{1-\\kappa^2},

    with the cross-over length :math:`L_c = \\lambda / (2\\Delta n)` set by the
    even/odd supermode index difference :math:`\\Delta n(\\lambda) = \\Delta n_0 +
    (d\\Delta n/d\\lambda)(\\lambda - \\lambda_0)`, :math:`\\Delta n_0 = \\lambda_0/(2
    L_{c,0})`. The coupler is reciprocal and reflectionless; ``in1 -> out1`` is the
    bar path. Give either ``length_um`` and ``coupling_length_um`` (physical mode),
    or ``power_coupling`` (a wavelength-flat :math:`\\kappa^2`).

    Parameters
    ----------
    length_um : float, optional
        Coupling-section length L, um (>= 0).
    coupling_length_um : float, optional
        Cross-over length L_c at ``reference_wavelength_nm``, um (> 0); a coupler of
        length L_c transfers all power.
    power_coupling : float, optional
        Power cross-coupling :math:`\\kappa^2` in [0, 1] (flat in wavelength).
    delta_n_slope_per_um : float
        :math:`d\\Delta n/d\\lambda`, 1/um (0: only the explicit 1/lambda dependence).
    reference_wavelength_nm : float
        Wavelength at which ``coupling_length_um`` is given, nm.
    excess_loss_db : float
        Excess loss :math:`-10\\log_{10}\\eta`, dB (>= 0).
    """

    length_um: float | None = None
    coupling_length_um: float | None = None
    power_coupling: float | None = None
    delta_n_slope_per_um: float = 0.0
    reference_wavelength_nm: float = 1550.0
    excess_loss_db: float = 0.0

    ports = ("in1", "in2", "out1", "out2")

    def __post_init__(self):
        physical = self.length_um is not None or self.coupling_length_um is not None
        if physical == (self.power_coupling is not None):
            raise ParameterError(
                "DirectionalCoupler needs either length_um and coupling_length_um, or "
                "power_coupling (exactly one of the two forms)"
            )
        if physical:
            if self.length_um is None or self.coupling_length_um is None:
                raise ParameterError(
                    "DirectionalCoupler.length_um and .coupling_length_um must be given together"
                )
            check_range("DirectionalCoupler.length_um", self.length_um, 0.0, None)
            check_range(
                "DirectionalCoupler.coupling_length_um",
                self.coupling_length_um,
                0.0,
                None,
                lo_open=True,
            )
        else:
            check_range("DirectionalCoupler.power_coupling", self.power_coupling, 0.0, 1.0)
        check_range("DirectionalCoupler.delta_n_slope_per_um", self.delta_n_slope_per_um)
        check_range(
            "DirectionalCoupler.reference_wavelength_nm",
            self.reference_wavelength_nm,
            0.0,
            None,
            lo_open=True,
        )
        check_range("DirectionalCoupler.excess_loss_db", self.excess_loss_db, 0.0, None)

    def kappa2(self, wavelength_nm) -> np.ndarray:
        """Power cross-coupling :math:`\\kappa^2(\\lambda)`, shape ``(n_wl,)``."""
        wl = wavelength_array(wavelength_nm)
        if self.power_coupling is not None:
            return np.full(wl.shape, float(self.power_coupling))
        wl_um = wl * 1e-3
        wl0_um = self.reference_wavelength_nm * 1e-3
        dn = wl0_um / (2.0 * self.coupling_length_um) + self.delta_n_slope_per_um * (wl_um - wl0_um)
        return np.sin(np.pi * dn * self.length_um / wl_um) ** 2

    def coupling_length_at(self, wavelength_nm) -> np.ndarray:
        """Cross-over length :math:`L_c(\\lambda) = \\lambda/(2\\Delta n)`, um (physical mode)."""
        if self.coupling_length_um is None:
            raise ParameterError("DirectionalCoupler.coupling_length_um is not set")
        wl_um = wavelength_array(wavelength_nm) * 1e-3
        wl0_um = self.reference_wavelength_nm * 1e-3
        dn = wl0_um / (2.0 * self.coupling_length_um) + self.delta_n_slope_per_um * (wl_um - wl0_um)
        return wl_um / (2.0 * dn)

    def sdict(self, wavelength_nm):
        k2 = self.kappa2(wavelength_nm)
        eta = math.sqrt(10.0 ** (-self.excess_loss_db / 10.0))
        t = eta * np.sqrt(1.0 - k2) + 0j
        k = 1j * eta * np.sqrt(k2)
        return reciprocal(
            {
                ("out1", "in1"): t,
                ("out2", "in2"): t,
                ("out2", "in1"): k,
                ("out1", "in2"): k,
            }
        )
