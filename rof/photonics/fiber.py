"""Standard single-mode fiber: loss, chromatic dispersion, latency, RF power fading."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_range
from rof.photonics._common import check_wavelength
from rof.units import C_M_PER_S

__all__ = ["Fiber", "fading_ratio", "pm_to_im_rin", "theta_per_hz2"]


def theta_per_hz2(length_km, dispersion_ps_per_nm_km: float, wavelength_nm: float) -> np.ndarray:
    """Dispersion phase coefficient :math:`\\theta / f^2 = \\pi L D \\lambda^2 / c`, 1/Hz^2.

    ``length_km`` may be an array; D in ps/(nm km) converts to s/m^2 by 1e-6.
    """
    lam = wavelength_nm * 1e-9
    return (
        math.pi
        * np.asarray(length_km, dtype=float)
        * 1e3
        * dispersion_ps_per_nm_km
        * 1e-6
        * lam
        * lam
        / C_M_PER_S
    )


def fading_ratio(theta, chirp_alpha: float, corner_over_f=0.0) -> np.ndarray:
    """RF power after dispersion relative to back-to-back.

    :math:`(1+\\alpha^2)\\cos^2(\\theta + \\arctan\\alpha)
    + \\alpha^2 (f_c/f)^2 \\sin^2\\theta` for the dispersion phase ``theta`` (rad, any
    shape), chirp ``chirp_alpha`` and the adiabatic-chirp corner over the RF frequency
    ``corner_over_f`` (:math:`f_c/f`, 0 = transient chirp only).

    See :meth:`Fiber.power_fading` for the source and sign convention.
    """
    th = np.asarray(theta, dtype=float)
    c = np.cos(th + math.atan(chirp_alpha))
    adiabatic = (chirp_alpha * np.asarray(corner_over_f, dtype=float) * np.sin(th)) ** 2
    return (1.0 + chirp_alpha * chirp_alpha) * c * c + adiabatic


def pm_to_im_rin(theta, rf_hz, linewidth_hz: float) -> np.ndarray:
    """Laser phase noise converted to intensity noise by dispersion, one-sided RIN, 1/Hz.

    A Lorentzian laser of linewidth :math:`\\Delta\\nu` has white frequency noise,
    i.e. a one-sided phase-noise density :math:`S_\\phi(f) = \\Delta\\nu / (\\pi f^2)`
    (Henry, IEEE J. Quantum Electron. 18(2), 259-264, 1982). A phase modulation
    :math:`\\phi\\cos 2\\pi f t` becomes, after the dispersion phase :math:`\\theta`
    (:func:`theta_per_hz2`), the intensity modulation :math:`-2\\phi\\sin\\theta\\,
    \\cos 2\\pi f t` (small-signal fiber response to FM, Wang & Petermann, "Small
    signal analysis for dispersive optical fiber communication systems", J. Lightwave
    Technol. 10(1), 96-100, 1992: the FM-to-IM term of their fiber transfer function; the same
    :math:`\\sin\\theta` that gives the chirped fading of :meth:`Fiber.power_fading`), so

    .. math:: \\mathrm{RIN}_{PM}(f) = 4\\sin^2\\theta\\,\\frac{\\Delta\\nu}{\\pi f^2}
              \\;\\xrightarrow{\\theta \\ll 1}\\; 4\\pi\\Delta\\nu
              \\Big(\\frac{L D\\lambda^2}{c}\\Big)^2 f^2,

    whose low-dispersion limit is the PM-to-IM result of Marshall, Crosignani & Yariv,
    "Laser phase noise to intensity noise conversion by lowest-order group-velocity
    dispersion in optical fiber: exact theory", Opt. Lett. 25(3), 165-167, 2000
    (small-dispersion limit). Valid while the phase noise accumulated over the dispersive delay
    spread, :math:`2\\pi\\Delta\\nu\\,L D\\lambda^2 f / c`, is small (always the case
    for MHz linewidths and RF carriers). The laser's own intensity noise, which a
    chirp-free modulator passes on without a correlated phase, fades like a chirp-free
    intensity modulation instead, :math:`\\cos^2\\theta` (:func:`fading_ratio` with
    :math:`\\alpha = 0`).

    Parameters
    ----------
    theta : array_like
        Dispersion phase :math:`\\theta = \\theta_L f^2`, rad.
    rf_hz : array_like
        RF frequency, Hz (> 0).
    linewidth_hz : float
        Lorentzian (FWHM) linewidth, Hz.

    Returns
    -------
    ndarray
        One-sided RIN density of the converted phase noise, 1/Hz.
    """
    s = np.sin(np.asarray(theta, dtype=float))
    f = np.asarray(rf_hz, dtype=float)
    return 4.0 * s * s * linewidth_hz / (math.pi * f * f)


@dataclass(frozen=True)
class Fiber:
    """A span of single-mode fiber.

    Parameters
    ----------
    length_km : float
        Length, km (0 to 1000).
    attenuation_db_per_km : float
        Loss, dB/km (0 to 10).
    dispersion_ps_per_nm_km : float
        Chromatic dispersion parameter :math:`D`, ps/(nm km), at ``wavelength_nm``
        (-100 to 100); positive = anomalous (standard SMF at 1550 nm: about +17).
    wavelength_nm : float
        Signal wavelength for :math:`D` and the fading phase, nm (1260 to 1675).
    group_index : float
        Group index :math:`n_g` (1 to 5), for the latency.
    """

    length_km: float
    attenuation_db_per_km: float = 0.2
    dispersion_ps_per_nm_km: float = 17.0
    wavelength_nm: float = 1550.0
    group_index: float = 1.468

    def __post_init__(self):
        check_range("Fiber.length_km", self.length_km, 0.0, 1000.0)
        check_range("Fiber.attenuation_db_per_km", self.attenuation_db_per_km, 0.0, 10.0)
        check_range("Fiber.dispersion_ps_per_nm_km", self.dispersion_ps_per_nm_km, -100.0, 100.0)
        check_wavelength("Fiber.wavelength_nm", self.wavelength_nm)
        check_range("Fiber.group_index", self.group_index, 1.0, 5.0)

    @property
    def loss_db(self) -> float:
        """Total attenuation :math:`\\alpha_{dB} L`, dB."""
        return self.attenuation_db_per_km * self.length_km

    @property
    def transmission(self) -> float:
        """Optical power transmission :math:`10^{-\\alpha_{dB} L/10}`, linear."""
        return 10.0 ** (-self.loss_db / 10.0)

    @property
    def latency_s(self) -> float:
        """One-way propagation delay :math:`L n_g / c`, s."""
        return self.length_km * 1e3 * self.group_index / C_M_PER_S

    def power_fading(self, rf_hz, chirp_alpha: float = 0.0, adiabatic_corner_hz=0.0):
        """Dispersion-induced RF power fading of double-sideband IM/DD, vs back-to-back.

        .. math::

            \\frac{P_{RF}(L)}{P_{RF}(0)} = (1 + \\alpha^2)\\cos^2\\left(\\theta +
            \\arctan\\alpha\\right) + \\alpha^2\\frac{f_c^2}{f^2}\\sin^2\\theta,
            \\qquad \\theta = \\frac{\\pi L D \\lambda^2 f^2}{c}.

        The last term is the adiabatic chirp of a directly modulated laser (corner
        :math:`f_c`, :class:`~rof.photonics.DirectLaser`): a relative power modulation
        :math:`m` carries the phase :math:`\\frac{\\alpha}{2}(1 - j f_c/f)\\,m`, and the
        fiber turns intensity and phase into :math:`m(\\cos\\theta - 2\\frac{\\phi}{m}
        \\sin\\theta)`; the transient part gives the first term, the adiabatic part, in
        quadrature, the second (small-signal fiber response with transient and adiabatic
        chirp: Wang & Petermann, "Small signal analysis for dispersive optical fiber
        communication systems", J. Lightwave Technol. 10(1), 96-100, 1992).

        Sources: Devaux, Sorel & Kerdiles, "Simple measurement of fiber dispersion and
        of chirp parameter of intensity modulated light emitter", J. Lightwave Technol.
        11(12), 1937-1940, 1993 (Eq. (1)); chirp-free case :math:`\\cos^2\\theta` in
        Smith, Novak & Ahmed, IEEE Trans. Microw. Theory Tech. 45(8), 1410-1415, 1997.
        Small-signal (first-order) result; the dispersion slope is neglected.

        Sign convention: :math:`D > 0` is anomalous dispersion (SMF at 1550 nm) and
        :math:`\\alpha > 0` means the instantaneous frequency rises with the optical
        power (Henry factor of a DML). Then the nulls sit at
        :math:`\\theta_k = (k + 1/2)\\pi - \\arctan\\alpha`, i.e.
        :math:`f_k = \\sqrt{c\\,(k + 1/2 - \\arctan(\\alpha)/\\pi) / (L D \\lambda^2)}`:
        positive chirp on SMF moves the first null to lower frequency. Formulas written
        with :math:`\\beta_2 = -D\\lambda^2/(2\\pi c)` or the opposite chirp sign have
        :math:`-\\arctan\\alpha` instead.

        Parameters
        ----------
        rf_hz : array_like
            RF modulation frequency, Hz (> 0).
        chirp_alpha : float
            Transmitter chirp (linewidth-enhancement) factor; 0 for a push-pull MZM.
        adiabatic_corner_hz : float
            Adiabatic-chirp corner :math:`f_c`, Hz (>= 0; 0 = transient chirp only).

        Returns
        -------
        ndarray
            Linear RF power ratio, shape of ``rf_hz``; 1 at zero length.
        """
        f = check_range("Fiber.power_fading rf_hz", rf_hz, 0.0, lo_open=True)
        check_range("Fiber.power_fading chirp_alpha", chirp_alpha, -20.0, 20.0)
        f_c = check_range("Fiber.power_fading adiabatic_corner_hz", adiabatic_corner_hz, 0.0)
        theta = theta_per_hz2(self.length_km, self.dispersion_ps_per_nm_km, self.wavelength_nm)
        f = np.asarray(f, dtype=float)
        return fading_ratio(theta * f**2, float(chirp_alpha), np.asarray(f_c) / f)

    def null_frequencies_hz(self, n: int = 3, chirp_alpha: float = 0.0) -> np.ndarray:
        """First ``n`` fading-null frequencies (see :meth:`power_fading`), Hz; empty at L D = 0."""
        ld = self.length_km * 1e3 * self.dispersion_ps_per_nm_km * 1e-6
        if ld == 0.0:
            return np.empty(0)
        lam = self.wavelength_nm * 1e-9
        k = np.arange(n + 1) + 0.5 - math.atan(chirp_alpha) / math.pi
        if ld < 0:  # normal dispersion: theta < 0, nulls where -theta = arctan(alpha) + (k-1/2) pi
            k = np.arange(n + 1) + 0.5 + math.atan(chirp_alpha) / math.pi
        k = k[k > 0][:n]
        return np.sqrt(C_M_PER_S * k / (abs(ld) * lam * lam))
