"""Line-of-sight probability of 3GPP TR 38.901 V17 Table 7.4.2-1."""

from __future__ import annotations

import numpy as np

from rof._validate import check_choice, check_range
from rof.radio.tr38901 import get_scenario
from rof.radio.tr38901.model import LOS_EXPONENTIAL, LOS_STREET

__all__ = ["INH_VARIANTS", "los_probability_38901"]

#: InH office variants of Table 7.4.2-1; "mixed" is the default.
INH_VARIANTS: tuple[str, ...] = ("mixed", "open")


def los_probability_38901(scenario: str, d2d_m, h_ut_m=1.5, *, inh_office: str = "mixed"):
    """LOS probability of TR 38.901 Table 7.4.2-1.

    * RMa: 1 for d <= 10 m, else exp(-(d - 10)/1000).
    * UMi street canyon: 1 for d <= 18 m, else 18/d + exp(-d/36)(1 - 18/d).
    * UMa: 1 for d <= 18 m, else [18/d + exp(-d/63)(1 - 18/d)]
      [1 + C'(h_UT) 5/4 (d/100)^3 exp(-d/150)], C'(h_UT) = 0 for h_UT <= 13 m and
      ((h_UT - 13)/10)^1.5 for 13 < h_UT <= 23 m.
    * InH mixed office: 1 for d <= 1.2 m, exp(-(d - 1.2)/4.7) for 1.2 < d < 6.5 m,
      0.32 exp(-(d - 6.5)/32.6) beyond.
    * InH open office: 1 for d <= 5 m, exp(-(d - 5)/70.8) for 5 < d <= 49 m,
      0.54 exp(-(d - 49)/211.7) beyond.

    Parameters
    ----------
    scenario : {"UMa", "UMi", "InH", "RMa"}
        A name of :data:`rof.radio.tr38901.SCENARIOS`; its
        :class:`~rof.radio.tr38901.model.Formulas` select the form and coefficients.
    d2d_m : array_like
        Horizontal distance, m; for indoor UTs of UMa/UMi/RMa the outdoor part
        d_2D-out (TR 38.901 Table 7.4.2-1 note).
    h_ut_m : array_like
        UT height, m (only UMa uses it; validated to [1.5, 22.5] m there).
    inh_office : {"mixed", "open"}
        InH office variant.

    Returns
    -------
    ndarray
        Probability in [0, 1], broadcast shape of ``d2d_m`` and ``h_ut_m``.
    """
    sc = get_scenario(scenario)
    check_choice("inh_office", inh_office, INH_VARIANTS)
    d, h = np.broadcast_arrays(np.asarray(d2d_m, float), np.asarray(h_ut_m, float))
    check_range("d2d_m", d, 0.0)
    f = sc.formulas
    with np.errstate(divide="ignore", invalid="ignore"):
        if f.los_form == LOS_EXPONENTIAL:
            p = np.where(d <= f.los_d1_m, 1.0, np.exp(-(d - f.los_d1_m) / f.los_d2_m))
        elif f.los_form == LOS_STREET:
            p = _street(f, d, h, sc)
        elif inh_office == "mixed":
            p = np.where(
                d <= 1.2,
                1.0,
                np.where(d < 6.5, np.exp(-(d - 1.2) / 4.7), 0.32 * np.exp(-(d - 6.5) / 32.6)),
            )
        else:
            p = np.where(
                d <= 5.0,
                1.0,
                np.where(d <= 49.0, np.exp(-(d - 5.0) / 70.8), 0.54 * np.exp(-(d - 49.0) / 211.7)),
            )
    p = np.clip(p, 0.0, 1.0)
    return p if p.ndim else float(p)


def _street(f, d, h, sc):
    """UMi/UMa form: ``d1/d + exp(-d/d2)(1 - d1/d)``, with UMa's UT-height factor."""
    d1 = f.los_d1_m
    base = d1 / d + np.exp(-d / f.los_d2_m) * (1.0 - d1 / d)
    if not f.los_h_ut_factor:
        return np.where(d <= d1, 1.0, base)
    lim = sc.limits(True)
    check_range(f"h_ut_m ({sc.name})", h, lim["h_ut_min_m"], lim["h_ut_max_m"])
    c = np.where(h <= 13.0, 0.0, ((h - 13.0) / 10.0) ** 1.5)
    boost = 1.0 + c * 1.25 * (d / 100.0) ** 3 * np.exp(-d / 150.0)
    return np.where(d <= d1, 1.0, base * boost)
