"""Straight waveguide and phase shifters (thermal or carrier depletion)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_range
from rof.photonics.siph._common import (
    SComponent,
    db_per_cm_to_np_per_m,
    dispersive_n_eff,
    reciprocal,
    wavelength_array,
)

__all__ = ["PhaseShifter", "Waveguide"]


@dataclass(frozen=True)
class Waveguide(SComponent):
    """Straight single-mode waveguide, ports ``("in", "out")``.

    .. math:: S_{out,in} = S_{in,out} = e^{-\\alpha L/2}\\,
              e^{i 2\\pi n_{eff}(\\lambda) L/\\lambda} \\, e^{i\\phi_{extra}},

    with :math:`n_{eff}(\\lambda)` to first order in wavelength through the group
    index (Chrostowski & Hochberg, *Silicon Photonics Design*, 2015, sec. 3.1)
    and :math:`\\alpha` the power attenuation (Bogaerts et al., Laser Photonics Rev.
    6, 47 (2012), sec. 2). No reflections.

    Parameters
    ----------
    length_um : float
        Physical length, um (>= 0).
    n_eff : float
        Effective index at ``reference_wavelength_nm`` (> 0). Default 2.4 (220 nm x
        500 nm silicon wire, TE0, 1550 nm).
    n_g : float
        Group index (>= 1). Default 4.2.
    loss_db_per_cm : float
        Propagation loss, dB/cm (>= 0).
    reference_wavelength_nm : float
        Wavelength at which ``n_eff`` is given, nm.
    phase_rad : float
        Extra wavelength-independent phase (a phase shifter's setting), rad.
    extra_loss_db : float
        Lumped excess loss (e.g. a doped phase shifter), dB (>= 0).

    Examples
    --------
    >>> wg = Waveguide(length_um=100.0)
    >>> round(float(abs(wg.s_matrix(1550.0)[0, 1, 0]) ** 2), 4)
    0.9954
    """

    length_um: float
    n_eff: float = 2.4
    n_g: float = 4.2
    loss_db_per_cm: float = 2.0
    reference_wavelength_nm: float = 1550.0
    phase_rad: float = 0.0
    extra_loss_db: float = 0.0

    ports = ("in", "out")

    def __post_init__(self):
        check_range("Waveguide.length_um", self.length_um, 0.0, None)
        check_range("Waveguide.n_eff", self.n_eff, 0.0, None, lo_open=True)
        check_range("Waveguide.n_g", self.n_g, 1.0, None)
        check_range("Waveguide.loss_db_per_cm", self.loss_db_per_cm, 0.0, None)
        check_range(
            "Waveguide.reference_wavelength_nm",
            self.reference_wavelength_nm,
            0.0,
            None,
            lo_open=True,
        )
        check_range("Waveguide.phase_rad", self.phase_rad)
        check_range("Waveguide.extra_loss_db", self.extra_loss_db, 0.0, None)

    def transmission(self, wavelength_nm) -> np.ndarray:
        """Complex field transmission ``in -> out``, shape ``(n_wl,)``."""
        wl = wavelength_array(wavelength_nm)
        length_m = self.length_um * 1e-6
        n = dispersive_n_eff(wl, self.n_eff, self.n_g, self.reference_wavelength_nm)
        amp = math.exp(
            -0.5 * db_per_cm_to_np_per_m(self.loss_db_per_cm) * length_m
            - self.extra_loss_db * math.log(10.0) / 20.0
        )
        phase = 2.0 * np.pi * n * length_m / (wl * 1e-9) + self.phase_rad
        return amp * np.exp(1j * phase)

    def sdict(self, wavelength_nm):
        return reciprocal({("out", "in"): self.transmission(wavelength_nm)})


@dataclass(frozen=True)
class PhaseShifter:
    """Drive-to-phase law of a thermal or carrier-depletion phase shifter.

    * ``kind="thermal"`` (resistive heater over the waveguide):
      :math:`\\Delta\\phi = \\pi P/P_\\pi`, linear in electrical power (Harris et al.,
      "Efficient, compact and low loss thermo-optic phase shifter in silicon", Opt.
      Express 22, 10487 (2014); P_pi about 20-25 mW for plain heaters).
      ``drive`` is the heater power in mW; no optical loss change.
    * ``kind="depletion"`` (reverse-biased PN junction):
      :math:`\\Delta\\phi = \\pi V/V_\\pi` with :math:`V_\\pi = V_\\pi L / L`, the
      small-signal linear compact model of Reed et al., "Silicon optical
      modulators", Nat. Photonics 4, 518 (2010), sec. "Carrier depletion" (the
      figure of merit V_pi L, typically 1.5-3 V cm). ``drive`` is the reverse
      voltage in V; the doped section adds ``doping_loss_db_per_cm``.

    Parameters
    ----------
    kind : {"thermal", "depletion"}
    length_um : float
        Length of the phase-shifter section, um (> 0).
    p_pi_mw : float
        Heater power for a pi shift, mW (thermal).
    v_pi_l_v_cm : float
        Modulation efficiency V_pi L, V cm (depletion).
    doping_loss_db_per_cm : float
        Free-carrier loss of the doped section, dB/cm (depletion).
    """

    kind: str = "thermal"
    length_um: float = 100.0
    p_pi_mw: float = 22.0
    v_pi_l_v_cm: float = 2.0
    doping_loss_db_per_cm: float = 10.0

    def __post_init__(self):
        check_choice("PhaseShifter.kind", self.kind, ("thermal", "depletion"))
        check_range("PhaseShifter.length_um", self.length_um, 0.0, None, lo_open=True)
        check_range("PhaseShifter.p_pi_mw", self.p_pi_mw, 0.0, None, lo_open=True)
        check_range("PhaseShifter.v_pi_l_v_cm", self.v_pi_l_v_cm, 0.0, None, lo_open=True)
        check_range("PhaseShifter.doping_loss_db_per_cm", self.doping_loss_db_per_cm, 0.0, None)

    def phase_rad(self, drive: float) -> float:
        """Phase shift for a heater power (mW, thermal) or reverse voltage (V, depletion)."""
        if self.kind == "thermal":
            check_range("PhaseShifter drive (heater power, mW)", drive, 0.0, None)
            return math.pi * drive / self.p_pi_mw
        check_range("PhaseShifter drive (voltage, V)", drive)
        v_pi = self.v_pi_l_v_cm / (self.length_um * 1e-4)
        return math.pi * drive / v_pi

    @property
    def loss_db(self) -> float:
        """Optical excess loss of the section, dB (0 for a heater)."""
        if self.kind == "thermal":
            return 0.0
        return self.doping_loss_db_per_cm * self.length_um * 1e-4
