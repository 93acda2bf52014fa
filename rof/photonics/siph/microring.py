"""Microring resonator, all-pass and add-drop (Bogaerts et al. 2012)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.photonics.siph._common import (
    SComponent,
    amplitude_from_loss,
    dispersive_n_eff,
    reciprocal,
    wavelength_array,
)

__all__ = ["DN_DT_SILICON_PER_K", "Microring"]

#: Thermo-optic coefficient of crystalline silicon at 1.5 um and 300 K, 1/K
#: (Cocorullo & Rendina, Electron. Lett. 28, 83 (1992)).
DN_DT_SILICON_PER_K: float = 1.86e-4


@dataclass(frozen=True)
class Microring(SComponent):
    """Microring resonator coupled to one (all-pass) or two (add-drop) buses.

    Power transmissions (Bogaerts et al., "Silicon microring resonators", Laser
    Photonics Rev. 6, 47 (2012), sec. 2 (ring resonator theory)), round-trip phase
    :math:`\\phi = 2\\pi n_{eff}(\\lambda) L/\\lambda`, :math:`L = 2\\pi R`,
    single-pass amplitude :math:`a = e^{-\\alpha L/2}`:

    .. math::
        T_{through}^{all-pass} = \\frac{a^2 - 2ra\\cos\\phi + r^2}
                                      {1 - 2ar\\cos\\phi + (ra)^2},\\quad
        T_{through} = \\frac{r_2^2a^2 - 2r_1r_2a\\cos\\phi + r_1^2}
                            {1 - 2r_1r_2a\\cos\\phi + (r_1r_2a)^2},\\quad
        T_{drop} = \\frac{(1-r_1^2)(1-r_2^2)a}{1 - 2r_1r_2a\\cos\\phi + (r_1r_2a)^2}.

    Derived figures (same section): :math:`FSR = \\lambda^2/(n_g L)`, :math:`FWHM =
    (1 - r_1r_2a)\\lambda^2 / (\\pi n_g L \\sqrt{r_1r_2a})` and
    :math:`Q_{loaded} = \\lambda_{res}/FWHM`, with :math:`r_2 = 1` for the
    all-pass ring.

    Resonances. The mode's effective index follows the first-order dispersion
    model of :func:`~rof.photonics.siph._common.dispersive_n_eff` plus the
    thermo-optic shift ``dn_dt_per_k * temperature_offset_k``. Resonances sit at
    :math:`n_{eff}(\\lambda) L = m\\lambda`; without ``resonance_nm`` they follow
    from ``n_eff`` and the circumference alone.

    Trim. If ``resonance_nm`` is given, the mode order :math:`m` nearest to it is
    chosen and the effective index at the reference wavelength is trimmed (by at
    most about :math:`\\lambda/(2L)`, what a fabricated ring plus its trim heater
    does) so that resonance :math:`m` sits exactly at ``resonance_nm`` at zero
    temperature offset, keeping the group index ``n_g``.

    S-matrix ports: all-pass ``("in", "through")``; add-drop ``("in", "through",
    "add", "drop")``, with ``add`` on the drop bus so that light entering ``add``
    leaves at ``through`` on resonance. Field transfers (derived from two
    :class:`DirectionalCoupler`-convention couplers and two half rings):
    :math:`S_{through,in} = (r_1 - r_2 a e^{i\\phi})/\\Delta`,
    :math:`S_{drop,in} = S_{through,add} = -\\kappa_1\\kappa_2\\sqrt{a}e^{i\\phi/2}/\\Delta`,
    :math:`S_{drop,add} = (r_2 - r_1 a e^{i\\phi})/\\Delta`,
    :math:`\\Delta = 1 - r_1 r_2 a e^{i\\phi}`; reciprocal.

    Parameters
    ----------
    radius_um : float
        Ring radius, um (> 0).
    n_eff, n_g : float
        Effective index at ``reference_wavelength_nm`` (> 0) and group index (>= 1).
    self_coupling : float
        Field self-coupling :math:`r_1` of the input (bus) coupler, in (0, 1).
    drop_coupling : float, optional
        Field self-coupling :math:`r_2` of the drop-side coupler, in (0, 1) (same
        convention as ``self_coupling``); ``None`` for an all-pass ring.
    loss_db_per_cm : float
        Ring waveguide loss, dB/cm (>= 0).
    reference_wavelength_nm : float
        Wavelength at which ``n_eff`` is given, nm.
    resonance_nm : float, optional
        Wanted resonance wavelength at zero temperature offset, nm.
    temperature_offset_k : float
        Ring temperature minus its design temperature, K.
    dn_dt_per_k : float
        Thermo-optic coefficient of the mode, 1/K (default: silicon).

    Examples
    --------
    >>> ring = Microring(radius_um=10.0, n_eff=2.4, n_g=4.2, self_coupling=0.95,
    ...                 resonance_nm=1550.0)
    >>> round(ring.fsr_nm, 2)
    9.1
    """

    radius_um: float
    n_eff: float
    n_g: float
    self_coupling: float
    drop_coupling: float | None = None
    loss_db_per_cm: float = 2.0
    reference_wavelength_nm: float = 1550.0
    resonance_nm: float | None = None
    temperature_offset_k: float = 0.0
    dn_dt_per_k: float = DN_DT_SILICON_PER_K

    def __post_init__(self):
        check_range("Microring.radius_um", self.radius_um, 0.0, None, lo_open=True)
        check_range("Microring.n_eff", self.n_eff, 0.0, None, lo_open=True)
        check_range("Microring.n_g", self.n_g, 1.0, None)
        check_range(
            "Microring.self_coupling", self.self_coupling, 0.0, 1.0, lo_open=True, hi_open=True
        )
        if self.drop_coupling is not None:
            check_range(
                "Microring.drop_coupling", self.drop_coupling, 0.0, 1.0, lo_open=True, hi_open=True
            )
        check_range("Microring.loss_db_per_cm", self.loss_db_per_cm, 0.0, None)
        check_range(
            "Microring.reference_wavelength_nm",
            self.reference_wavelength_nm,
            0.0,
            None,
            lo_open=True,
        )
        if self.resonance_nm is not None:
            check_range("Microring.resonance_nm", self.resonance_nm, 0.0, None, lo_open=True)
        check_range("Microring.temperature_offset_k", self.temperature_offset_k, -300.0, 1000.0)
        check_range("Microring.dn_dt_per_k", self.dn_dt_per_k)

    # ------------------------------------------------------------------ geometry
    @property
    def ports(self) -> tuple[str, ...]:
        if self.drop_coupling is None:
            return ("in", "through")
        return ("in", "through", "add", "drop")

    @property
    def is_add_drop(self) -> bool:
        return self.drop_coupling is not None

    @property
    def circumference_um(self) -> float:
        """Round-trip length :math:`L = 2\\pi R`, um."""
        return 2.0 * math.pi * self.radius_um

    @property
    def round_trip_amplitude(self) -> float:
        """Single-pass (round-trip) field amplitude :math:`a = e^{-\\alpha L/2}`."""
        return amplitude_from_loss(self.loss_db_per_cm, self.circumference_um * 1e-6)

    @property
    def _r2(self) -> float:
        return 1.0 if self.drop_coupling is None else float(self.drop_coupling)

    @cached_property
    def _mode_and_n0(self) -> tuple[int, float]:
        """Design mode order and the (possibly trimmed) effective index at the reference."""
        lam = self.reference_wavelength_nm if self.resonance_nm is None else self.resonance_nm
        length_nm = self.circumference_um * 1e3
        n = float(dispersive_n_eff(lam, self.n_eff, self.n_g, self.reference_wavelength_nm))
        m = max(1, round(n * length_nm / lam))
        if self.resonance_nm is None:
            return m, float(self.n_eff)
        # n_eff(lambda) = n_g - B lambda keeps the group index; choose B so that
        # (n_g - B lambda_r) L = m lambda_r.
        b = self.n_g / lam - m / length_nm
        return m, self.n_g - b * self.reference_wavelength_nm

    def n_eff_at(self, wavelength_nm) -> np.ndarray:
        """Mode effective index incl. dispersion, trim and thermo-optic shift."""
        return (
            dispersive_n_eff(
                wavelength_nm, self._mode_and_n0[1], self.n_g, self.reference_wavelength_nm
            )
            + self.dn_dt_per_k * self.temperature_offset_k
        )

    def round_trip_phase(self, wavelength_nm) -> np.ndarray:
        """Round-trip phase :math:`\\phi = 2\\pi n_{eff}(\\lambda) L/\\lambda`, rad."""
        wl = wavelength_array(wavelength_nm)
        return 2.0 * np.pi * self.n_eff_at(wl) * self.circumference_um * 1e3 / wl

    @property
    def mode_order(self) -> int:
        """Azimuthal order m of the resonance nearest the design wavelength.

        Fixed by the design (zero temperature offset), so a heated ring keeps
        tracking the same resonance.
        """
        return self._mode_and_n0[0]

    @property
    def resonance_wavelength_nm(self) -> float:
        """Wavelength of resonance ``mode_order`` at the current temperature, nm.

        With :math:`n_{eff}(\\lambda) = A - B\\lambda` (first-order model) the
        condition :math:`n_{eff} L = m\\lambda` gives :math:`\\lambda_m = A L /(m + B L)`
        exactly.
        """
        length_nm = self.circumference_um * 1e3
        lam0 = self.reference_wavelength_nm
        b = (self.n_g - self._mode_and_n0[1]) / lam0
        a_coef = float(self.n_eff_at(lam0)) + b * lam0
        return a_coef * length_nm / (self.mode_order + b * length_nm)

    # ------------------------------------------------------------------ figures
    @property
    def fsr_nm(self) -> float:
        """Free spectral range :math:`\\lambda_{res}^2/(n_g L)`, nm (Bogaerts 2012, sec. 2)."""
        lam = self.resonance_wavelength_nm
        return lam * lam / (self.n_g * self.circumference_um * 1e3)

    @property
    def fwhm_nm(self) -> float:
        """Resonance full width at half maximum, nm (Bogaerts 2012, sec. 2)."""
        lam = self.resonance_wavelength_nm
        x = self.self_coupling * self._r2 * self.round_trip_amplitude
        return (
            (1.0 - x)
            * lam
            * lam
            / (math.pi * self.n_g * self.circumference_um * 1e3 * math.sqrt(x))
        )

    @property
    def loaded_q(self) -> float:
        """Loaded quality factor :math:`\\lambda_{res}/FWHM` (Bogaerts 2012, sec. 2)."""
        return self.resonance_wavelength_nm / self.fwhm_nm

    @property
    def finesse(self) -> float:
        """Finesse FSR/FWHM."""
        return self.fsr_nm / self.fwhm_nm

    @property
    def critical_self_coupling(self) -> float:
        """Self-coupling :math:`r_1` for critical coupling: :math:`r_1 = r_2 a`."""
        return self._r2 * self.round_trip_amplitude

    @property
    def extinction_db(self) -> float:
        """Through-port extinction :math:`10\\log_{10}(T_{max}/T_{min})`, dB.

        :math:`T_{min} = (r_1 - r_2a)^2/(1 - r_1r_2a)^2` on resonance and
        :math:`T_{max} = (r_1 + r_2a)^2/(1 + r_1r_2a)^2` half an FSR away
        (Bogaerts 2012, sec. 2, at :math:`\\cos\\phi = \\pm 1`); ``inf`` at
        critical coupling.
        """
        r1, r2, a = self.self_coupling, self._r2, self.round_trip_amplitude
        t_min = (r1 - r2 * a) ** 2 / (1.0 - r1 * r2 * a) ** 2
        t_max = (r1 + r2 * a) ** 2 / (1.0 + r1 * r2 * a) ** 2
        if t_min == 0.0:
            return math.inf
        return 10.0 * math.log10(t_max / t_min)

    # ------------------------------------------------------------------ spectra
    def through(self, wavelength_nm) -> np.ndarray:
        """Through-port power transmission (linear), shape ``(n_wl,)``."""
        phi = self.round_trip_phase(wavelength_nm)
        r1, r2, a = self.self_coupling, self._r2, self.round_trip_amplitude
        c = np.cos(phi)
        den = 1.0 - 2.0 * r1 * r2 * a * c + (r1 * r2 * a) ** 2
        return (r2 * r2 * a * a - 2.0 * r1 * r2 * a * c + r1 * r1) / den

    def drop(self, wavelength_nm) -> np.ndarray:
        """Drop-port power transmission (linear), shape ``(n_wl,)``; add-drop rings only."""
        if self.drop_coupling is None:
            raise ParameterError(
                "Microring.drop_coupling = None (all-pass ring) has no drop port; "
                "allowed: a value in (0, 1)"
            )
        phi = self.round_trip_phase(wavelength_nm)
        r1, r2, a = self.self_coupling, self._r2, self.round_trip_amplitude
        den = 1.0 - 2.0 * r1 * r2 * a * np.cos(phi) + (r1 * r2 * a) ** 2
        return (1.0 - r1 * r1) * (1.0 - r2 * r2) * a / den

    def through_field(self, wavelength_nm) -> np.ndarray:
        """Complex through-port field transmission :math:`S_{through,in}`."""
        phi = self.round_trip_phase(wavelength_nm)
        r1, r2, a = self.self_coupling, self._r2, self.round_trip_amplitude
        e = np.exp(1j * phi)
        return (r1 - r2 * a * e) / (1.0 - r1 * r2 * a * e)

    def sdict(self, wavelength_nm):
        phi = self.round_trip_phase(wavelength_nm)
        r1, r2, a = self.self_coupling, self._r2, self.round_trip_amplitude
        half = np.exp(0.5j * phi)
        e = half * half
        den = 1.0 - r1 * r2 * a * e
        entries = {("through", "in"): (r1 - r2 * a * e) / den}
        if self.drop_coupling is not None:
            k1k2 = math.sqrt((1.0 - r1 * r1) * (1.0 - r2 * r2))
            d = (-k1k2 * math.sqrt(a)) * half / den
            entries[("drop", "in")] = d
            entries[("through", "add")] = d
            entries[("drop", "add")] = (r2 - r1 * a * e) / den
        return reciprocal(entries)
