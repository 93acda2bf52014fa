"""Mach-Zehnder interferometer built from two couplers and two arms."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rof._validate import check_range
from rof.photonics.siph._common import SComponent, reciprocal, wavelength_array
from rof.photonics.siph.coupler import DirectionalCoupler
from rof.photonics.siph.waveguide import PhaseShifter, Waveguide

__all__ = ["MZI"]


def _half() -> DirectionalCoupler:
    return DirectionalCoupler(power_coupling=0.5)


@dataclass(frozen=True)
class MZI(SComponent):
    """Two-coupler Mach-Zehnder interferometer, ports ``("in1", "in2", "out1", "out2")``.

    Transfer matrix (Madsen & Zhao, *Optical Filter Design and Analysis*, Wiley,
    1999, sec. 4.2 (the MZI as a two-coupler lattice)):

    .. math:: H(\\lambda) = C_{out}\\,\\mathrm{diag}\\big(A_1 e^{i\\phi_1},
              A_2 e^{i\\phi_2}\\big)\\, C_{in},

    with :math:`C` the :class:`DirectionalCoupler` matrices, arm 1 (``in1``'s bar
    path) of length ``arm_length_um + delta_length_um`` carrying the phase
    shifter, arm 2 of length ``arm_length_um``. For 50/50 couplers and equal arm
    losses the cross port obeys :math:`|H_{out2,in1}|^2 = A^2\\cos^2(\\Delta\\phi/2)`
    and the bar port :math:`A^2\\sin^2(\\Delta\\phi/2)`, :math:`\\Delta\\phi =
    \\phi_1 - \\phi_2`. Reciprocal and reflectionless.

    Parameters
    ----------
    coupler_in, coupler_out : DirectionalCoupler
        Input and output couplers (default: ideal 50/50).
    arm_length_um : float
        Length of arm 2, um (>= 0).
    delta_length_um : float
        Arm imbalance, arm 1 minus arm 2, um (>= -arm_length_um).
    n_eff, n_g, loss_db_per_cm, reference_wavelength_nm : float
        Arm waveguide parameters (see :class:`Waveguide`).
    phase_shifter : PhaseShifter, optional
        Phase shifter on arm 1; its length is part of arm 1.
    drive : float
        Phase-shifter drive: heater power in mW (thermal) or reverse voltage in V
        (depletion).
    phase_rad : float
        Additional fixed phase on arm 1 (e.g. a bias), rad.
    """

    coupler_in: DirectionalCoupler = field(default_factory=_half)
    coupler_out: DirectionalCoupler = field(default_factory=_half)
    arm_length_um: float = 200.0
    delta_length_um: float = 0.0
    n_eff: float = 2.4
    n_g: float = 4.2
    loss_db_per_cm: float = 2.0
    reference_wavelength_nm: float = 1550.0
    phase_shifter: PhaseShifter | None = None
    drive: float = 0.0
    phase_rad: float = 0.0

    ports = ("in1", "in2", "out1", "out2")

    def __post_init__(self):
        check_range("MZI.arm_length_um", self.arm_length_um, 0.0, None)
        check_range("MZI.delta_length_um", self.delta_length_um, -self.arm_length_um, None)
        check_range("MZI.drive", self.drive)
        check_range("MZI.phase_rad", self.phase_rad)
        # arm waveguides validate n_eff, n_g, loss
        self.arms()

    def arms(self) -> tuple[Waveguide, Waveguide]:
        """The two arm waveguides (arm 1 with the phase shifter's phase and loss)."""
        extra_phase, extra_loss = self.phase_rad, 0.0
        if self.phase_shifter is not None:
            extra_phase += self.phase_shifter.phase_rad(self.drive)
            extra_loss = self.phase_shifter.loss_db
        common = dict(
            n_eff=self.n_eff,
            n_g=self.n_g,
            loss_db_per_cm=self.loss_db_per_cm,
            reference_wavelength_nm=self.reference_wavelength_nm,
        )
        arm1 = Waveguide(
            length_um=self.arm_length_um + self.delta_length_um,
            phase_rad=extra_phase,
            extra_loss_db=extra_loss,
            **common,
        )
        arm2 = Waveguide(length_um=self.arm_length_um, **common)
        return arm1, arm2

    def transfer(self, wavelength_nm) -> np.ndarray:
        """Forward transfer matrix :math:`H`, shape ``(n_wl, 2, 2)``.

        Rows are (out1, out2), columns (in1, in2).
        """
        wl = wavelength_array(wavelength_nm)
        arm1, arm2 = self.arms()
        c1 = self.coupler_in.s_matrix(wl)[:, 2:, :2]
        c2 = self.coupler_out.s_matrix(wl)[:, 2:, :2]
        d = np.zeros((wl.size, 2, 2), dtype=complex)
        d[:, 0, 0] = arm1.transmission(wl)
        d[:, 1, 1] = arm2.transmission(wl)
        return c2 @ d @ c1

    def sdict(self, wavelength_nm):
        h = self.transfer(wavelength_nm)
        return reciprocal(
            {
                ("out1", "in1"): h[:, 0, 0],
                ("out1", "in2"): h[:, 0, 1],
                ("out2", "in1"): h[:, 1, 0],
                ("out2", "in2"): h[:, 1, 1],
            }
        )
