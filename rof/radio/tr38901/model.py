"""What TR 38.901 says about one scenario, as one object both code paths read.

A :class:`Tr38901Scenario` holds everything ``rof`` uses about one scenario of
3GPP TR 38.901 V17: the coefficients of its path-loss and LOS-probability formulas
(:class:`Formulas`, a NamedTuple of numbers that the numba link-table kernel takes
as it is and the NumPy functions of :mod:`rof.radio.pathloss` and
:mod:`rof.radio.los` read field by field), its O2I penetration model, the indoor UT
heights of its layout, and its nominal layout numbers. The rows of the standard's
tables (Table 7.4.1-1: shadow-fading sigma and validity ranges; Table 7.5-6:
shadow-fading decorrelation distances) stay in ``rof/radio/tables`` and are read
through the object's methods.

Formula families
----------------
The TR's path-loss formulas come in two forms, selected by
:attr:`Formulas.pathloss_form`:

* :data:`PL_LOG_DISTANCE` (UMa, UMi, InH):
  ``PL1 = a + b log10(d3D) + c log10(fc)`` for LOS, with, where
  :attr:`Formulas.breakpoint` is set, the second slope
  ``PL2 = a + 40 log10(d3D) + c log10(fc) - k log10(d'BP^2 + (hBS - hUT)^2)`` beyond
  ``d'BP = 4 (hBS - hE)(hUT - hE) fc / c`` (Table 7.4.1-1 note 1), and
  ``PL' = a' + b' log10(d3D) + c' log10(fc) - e' (hUT - 1.5)`` for NLOS, taken as
  ``max(PL_LOS, PL')``;
* :data:`PL_RMA`: the rural macro formulas with building height and street width.

and the LOS probabilities (Table 7.4.2-1) in three, by :attr:`Formulas.los_form`:

* :data:`LOS_STREET` (UMa, UMi): 1 for ``d <= d1``, else
  ``d1/d + exp(-d/d2)(1 - d1/d)``, times UMa's height factor
  ``1 + C'(hUT) 5/4 (d/100)^3 exp(-d/150)`` where :attr:`Formulas.los_h_ut_factor`;
* :data:`LOS_EXPONENTIAL` (RMa): 1 for ``d <= d1``, else ``exp(-(d - d1)/d2)``;
* :data:`LOS_INH_OFFICE` (InH): the mixed and open office variants.

A new scenario whose formulas take one of these forms is a new module beside
``uma.py`` plus its rows in the two tables (see :mod:`rof.radio.tr38901`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from rof._validate import check_choice
from rof.radio._tables import read_table

__all__ = [
    "LOS_EXPONENTIAL",
    "LOS_INH_OFFICE",
    "LOS_STREET",
    "PL_LOG_DISTANCE",
    "PL_RMA",
    "SF_TABLE",
    "TABLE",
    "Formulas",
    "Tr38901Scenario",
]

#: Path-loss forms (:attr:`Formulas.pathloss_form`).
PL_LOG_DISTANCE: int = 0
PL_RMA: int = 1
#: LOS-probability forms (:attr:`Formulas.los_form`).
LOS_STREET: int = 0
LOS_EXPONENTIAL: int = 1
LOS_INH_OFFICE: int = 2

#: Table 7.4.1-1: sigma_SF and validity ranges per scenario and LOS state.
TABLE = "tr38901_table7.4.1-1_r17.csv"
#: Table 7.5-6 Part-1: shadow-fading decorrelation distance per scenario and state.
SF_TABLE = "tr38901_table7.5-6_r17.csv"

_NAN = math.nan


class Formulas(NamedTuple):
    """Coefficients of one scenario's path-loss and LOS-probability formulas.

    Every field is a number (the link-table kernel takes the tuple as one argument);
    the module docstring gives the formulas. Unused fields keep their NaN default.

    Attributes
    ----------
    pathloss_form : int
        :data:`PL_LOG_DISTANCE` or :data:`PL_RMA`.
    los_a, los_b, los_c : float
        LOS ``PL1 = a + b log10(d3D / m) + c log10(fc / GHz)``, dB.
    breakpoint : bool
        Whether LOS has the second slope beyond d'BP.
    h_e_uma : bool
        Effective environment height from UMa's note 1 (its expected value, see
        :func:`rof.radio.pathloss.uma_effective_height_m`); otherwise ``h_e_m``.
    h_e_m : float
        Fixed effective environment height, m (UMi: 1 m).
    bp_coef : float
        ``k`` of the second slope, dB per decade of ``d'BP^2 + (hBS - hUT)^2``.
    nlos_a, nlos_b, nlos_c, nlos_e : float
        NLOS ``PL' = a' + b' log10(d3D) + c' log10(fc) - e' (hUT - 1.5)``, dB.
    los_form : int
        :data:`LOS_STREET`, :data:`LOS_EXPONENTIAL` or :data:`LOS_INH_OFFICE`.
    los_d1_m, los_d2_m : float
        Distances of the LOS-probability formula, m.
    los_h_ut_factor : bool
        UMa's UT-height factor ``C'(hUT)`` of Table 7.4.2-1.
    """

    pathloss_form: int
    los_a: float = _NAN
    los_b: float = _NAN
    los_c: float = _NAN
    breakpoint: bool = False
    h_e_uma: bool = False
    h_e_m: float = _NAN
    bp_coef: float = _NAN
    nlos_a: float = _NAN
    nlos_b: float = _NAN
    nlos_c: float = _NAN
    nlos_e: float = _NAN
    los_form: int = LOS_STREET
    los_d1_m: float = _NAN
    los_d2_m: float = _NAN
    los_h_ut_factor: bool = False


@dataclass(frozen=True)
class Tr38901Scenario:
    """Everything ``rof`` uses about one TR 38.901 scenario (module docstring).

    Attributes
    ----------
    name : str
        The TR's short name ("UMa", "UMi", "InH", "RMa"), as in the tables.
    formulas : Formulas
        Path-loss (Table 7.4.1-1) and LOS-probability (Table 7.4.2-1) coefficients.
    o2i_d_in_max_m : float or None
        Upper bound of each of the two uniform draws of d_2D-in, m (Table 7.4.3-2
        note); ``None`` when the scenario has no O2I loss (InH: every UT is indoors).
    o2i_high_loss : bool
        Whether high-loss buildings occur (RMa: low-loss model only, section 7.4.3.1).
    indoor_floor_heights : bool
        Whether indoor UTs stand on the floors of Table 7.2-1's note,
        ``3 (n_fl - 1) + 1.5`` m (UMa, UMi); otherwise they keep the outdoor height.
    h_bs_m, h_ut_m : float
        Nominal BS and UT antenna heights of Table 7.2-1, m.
    isd_m : float or None
        Nominal inter-site distance of Table 7.2-1, m (``None`` for InH).
    rician_k_db : float
        Mean Ricean K factor of LOS links, dB (Table 7.5-6, mu_K).
    """

    name: str
    formulas: Formulas
    o2i_d_in_max_m: float | None
    o2i_high_loss: bool
    indoor_floor_heights: bool
    h_bs_m: float
    h_ut_m: float
    isd_m: float | None
    rician_k_db: float

    @property
    def has_o2i(self) -> bool:
        """Whether indoor UTs get an O2I loss (and the O2I shadowing state)."""
        return self.o2i_d_in_max_m is not None

    def limits(self, los: bool) -> dict[str, float | str]:
        """Row of Table 7.4.1-1 for one LOS state (sigma_SF and applicability).

        Returns a dict with float values for ``sigma_sf_db``, ``sigma_sf_after_bp_db``,
        ``d_min_m``, ``d_max_m``, ``h_bs_min_m``, ``h_bs_max_m``, ``h_bs_nominal_m``,
        ``h_ut_min_m``, ``h_ut_max_m``, ``fc_min_ghz``, ``fc_max_ghz`` and the string
        ``distance`` (``"2d"`` or ``"3d"``: which distance the range applies to).
        """
        state = "LOS" if los else "NLOS"
        for row in read_table(TABLE):
            if row["scenario"] == self.name and row["los"] == state:
                return {
                    k: (v if k in ("scenario", "los", "distance") else float(v))
                    for k, v in row.items()
                }
        raise KeyError(f"{TABLE} has no {self.name} {state} row")

    @property
    def min_distance_3d(self) -> bool:
        """Whether the minimum distance applies to d_3D (InH) rather than d_2D."""
        return self.limits(True)["distance"] == "3d"

    def sf_states(self) -> tuple[str, ...]:
        """Shadowing states of Table 7.5-6 for this scenario ("LOS", "NLOS"[, "O2I"])."""
        return tuple(r["state"] for r in read_table(SF_TABLE) if r["scenario"] == self.name)

    def sf_decorrelation_m(self, state: str) -> float:
        """Shadow-fading decorrelation distance of Table 7.5-6 Part-1, m."""
        rows = [r for r in read_table(SF_TABLE) if r["scenario"] == self.name]
        check_choice(f"state ({self.name})", state, tuple(r["state"] for r in rows))
        return float(next(r for r in rows if r["state"] == state)["sf_decorrelation_m"])

    def sigma_sf_db(self, los: bool, *, after_breakpoint: bool = False) -> float:
        """Shadow-fading standard deviation sigma_SF of Table 7.4.1-1, dB."""
        lim = self.limits(bool(los))
        return float(lim["sigma_sf_after_bp_db"] if after_breakpoint else lim["sigma_sf_db"])
