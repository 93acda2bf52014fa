"""Shared pieces of the silicon-photonic component models.

Conventions used by every component in :mod:`rof.photonics.siph`
-----------------------------------------------------------------
* Wavelengths are vacuum wavelengths in nanometres; every model accepts a scalar
  or a 1-D array and returns arrays over a leading wavelength axis.
* S-parameters are complex field amplitudes normalised so that ``|S_ij|**2`` is a
  power ratio. ``S[..., i, j]`` is the wave leaving port ``i`` for a unit wave
  entering port ``j`` (matrix convention). Components return their non-zero
  entries as an *S-dict* ``{(port_i, port_j): array(n_wl)}`` (the SAX idea:
  nothing hidden that a dict can say) and the dense matrix through
  :meth:`SComponent.s_matrix`, with ports ordered as in ``ports``.
* Propagation over a phase :math:`\\phi = 2\\pi n_{eff} L/\\lambda` multiplies the
  field by :math:`a\\,e^{+i\\phi}` (the convention of Bogaerts et al., "Silicon
  microring resonators", Laser Photonics Rev. 6, 47 (2012), and of SAX); a
  lossless 2x2 coupler is :math:`[[t, i\\kappa], [i\\kappa, t]]`, :math:`t^2 +
  \\kappa^2 = 1` (Yariv, *Electron. Lett.* 36, 321 (2000), eq. 1).
"""

from __future__ import annotations

import math

import numpy as np

from rof._validate import check_range

__all__ = [
    "SComponent",
    "amplitude_from_loss",
    "db_per_cm_to_np_per_m",
    "dispersive_n_eff",
    "wavelength_array",
]


def wavelength_array(wavelength_nm, name: str = "wavelength_nm") -> np.ndarray:
    """Validate wavelengths and return them as a 1-D float array in nm.

    Parameters
    ----------
    wavelength_nm : float or array_like
        Vacuum wavelength(s), nm, each > 0 and finite.
    name : str
        Name used in the error message.
    """
    wl = np.atleast_1d(np.asarray(wavelength_nm, dtype=float))
    if wl.ndim != 1:
        from rof.errors import ParameterError

        raise ParameterError(f"{name} must be a scalar or a 1-D array; got shape {wl.shape}")
    check_range(name, wl, 0.0, None, lo_open=True)
    return wl


def db_per_cm_to_np_per_m(loss_db_per_cm: float) -> float:
    """Power attenuation coefficient alpha in 1/m from a loss in dB/cm.

    :math:`\\alpha = 100\\,\\ln(10)/10 \\cdot \\mathrm{dB/cm}`, so that the power after
    length :math:`L` is :math:`e^{-\\alpha L}`.
    """
    return loss_db_per_cm * 100.0 * math.log(10.0) / 10.0


def amplitude_from_loss(loss_db_per_cm: float, length_m: float) -> float:
    """Single-pass field amplitude transmission :math:`a = e^{-\\alpha L/2}`.

    Bogaerts et al. (2012), sec. 2 (definition of the single-pass amplitude :math:`a`,
    :math:`a^2 = e^{-\\alpha L}`).
    """
    return math.exp(-0.5 * db_per_cm_to_np_per_m(loss_db_per_cm) * length_m)


def dispersive_n_eff(wavelength_nm, n_eff: float, n_g: float, reference_nm: float):
    """Effective index with first-order dispersion set by the group index.

    .. math:: n_{eff}(\\lambda) = n_{eff,0} - (n_g - n_{eff,0})
              \\frac{\\lambda - \\lambda_0}{\\lambda_0},

    the first-order Taylor model that follows from :math:`n_g = n_{eff} - \\lambda\\,
    dn_{eff}/d\\lambda` (Chrostowski & Hochberg, *Silicon Photonics Design*,
    Cambridge Univ. Press, 2015, sec. 3.1 (waveguide compact model); Bogaerts et
    al. 2012, sec. 2 (group index)).
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    return n_eff - (n_g - n_eff) * (wl - reference_nm) / reference_nm


class SComponent:
    """Mixin for components that return an S-dict over wavelength.

    Subclasses define ``ports`` (tuple of port names, the matrix order) and
    ``sdict(wavelength_nm)`` returning the non-zero entries.
    """

    ports: tuple[str, ...] = ()

    def sdict(self, wavelength_nm) -> dict[tuple[str, str], np.ndarray]:  # pragma: no cover
        raise TypeError(f"{type(self).__name__} does not define sdict()")

    def s_matrix(self, wavelength_nm) -> np.ndarray:
        """Dense S-matrix, shape ``(n_wavelengths, n_ports, n_ports)``, complex.

        Ports are ordered as in :attr:`ports`; ``S[k, i, j]`` is the field leaving
        port ``i`` for a unit field entering port ``j`` at wavelength ``k``.
        """
        wl = wavelength_array(wavelength_nm)
        ports = self.ports
        index = {p: n for n, p in enumerate(ports)}
        out = np.zeros((wl.size, len(ports), len(ports)), dtype=complex)
        for (pi, pj), val in self.sdict(wl).items():
            out[:, index[pi], index[pj]] = val
        return out


def reciprocal(entries: dict[tuple[str, str], np.ndarray]) -> dict[tuple[str, str], np.ndarray]:
    """Complete an S-dict with the reciprocal entries ``S_ji = S_ij``."""
    out = dict(entries)
    for (pi, pj), val in entries.items():
        out.setdefault((pj, pi), val)
    return out
