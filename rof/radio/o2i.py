"""Outdoor-to-indoor (O2I) building penetration loss, TR 38.901 V17 section 7.4.3.1.

.. math:: PL = PL_b + PL_{tw} + PL_{in} + N(0, \\sigma_P^2)

with the material losses of Table 7.4.3-1 (``L = a + b f``, f in GHz) and the low-
and high-loss models of Table 7.4.3-2:

.. math:: PL_{tw} = 5 - 10\\log_{10}\\sum_i p_i 10^{-L_{material,i}/10},\\qquad
          PL_{in} = 0.5\\, d_{2D-in}

where d_2D-in is the minimum of two independent uniform draws on [0, 25] m for UMa
and UMi and on [0, 10] m for RMa (Table 7.4.3-2 note), and sigma_P = 4.4 dB (low
loss) or 6.5 dB (high loss). The O2I loss is drawn once per UT and applies to all
its links (the same building wall and indoor distance whatever the site). RMa uses
the low-loss model only; InH has no O2I loss (every UT is indoors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_range
from rof.radio._tables import read_table
from rof.radio.tr38901 import SCENARIOS, get_scenario

__all__ = [
    "O2I_MODELS",
    "O2ILoss",
    "draw_o2i_loss",
    "material_loss_db",
    "o2i_mean_loss_db",
    "o2i_wall_loss_db",
]

#: Building types of Table 7.4.3-2.
O2I_MODELS: tuple[str, ...] = ("low", "high")


def material_loss_db(material: str, fc_ghz):
    """Penetration loss of one material, dB (Table 7.4.3-1): ``a + b fc``."""
    rows = {r["material"]: r for r in read_table("tr38901_table7.4.3-1_r17.csv")}
    check_choice("material", material, tuple(rows))
    r = rows[material]
    return float(r["a_db"]) + float(r["b_db_per_ghz"]) * np.asarray(fc_ghz, float)


def _model_row(model: str) -> dict[str, str]:
    check_choice("o2i_model", model, O2I_MODELS)
    return next(r for r in read_table("tr38901_table7.4.3-2_r17.csv") if r["model"] == model)


def o2i_wall_loss_db(model: str, fc_ghz):
    """Through-wall loss PL_tw of Table 7.4.3-2, dB, for ``model`` in {"low", "high"}."""
    r = _model_row(model)
    lin = float(r["weight1"]) * 10.0 ** (-material_loss_db(r["material1"], fc_ghz) / 10.0)
    lin = lin + float(r["weight2"]) * 10.0 ** (-material_loss_db(r["material2"], fc_ghz) / 10.0)
    return 5.0 - 10.0 * np.log10(lin)


def o2i_mean_loss_db(scenario: str, model: str, fc_ghz):
    """Mean O2I loss, dB: PL_tw + 0.5 E[d_2D-in] with E[min(U1, U2)] = d_max / 3."""
    check_choice("scenario", scenario, tuple(n for n, s in SCENARIOS.items() if s.has_o2i))
    per_m = float(_model_row(model)["pl_in_db_per_m"])
    return o2i_wall_loss_db(model, fc_ghz) + per_m * SCENARIOS[scenario].o2i_d_in_max_m / 3.0


@dataclass(frozen=True)
class O2ILoss:
    """Per-UT O2I draws.

    Attributes
    ----------
    loss_db : ndarray, (n_ue,)
        PL_tw + PL_in + N(0, sigma_P^2), dB; 0 for outdoor UTs.
    d2d_in_m : ndarray, (n_ue,)
        Indoor distance d_2D-in, m; 0 for outdoor UTs.
    high_loss : ndarray of bool, (n_ue,)
        Whether the UT's building follows the high-loss model.
    """

    loss_db: np.ndarray
    d2d_in_m: np.ndarray
    high_loss: np.ndarray


def draw_o2i_loss(
    scenario: str,
    indoor,
    fc_ghz: float,
    rng: np.random.Generator,
    *,
    high_loss_fraction: float = 0.5,
    sigma_low_db: float | None = None,
    sigma_high_db: float | None = None,
) -> O2ILoss:
    """Draw the O2I penetration loss of each UT (TR 38.901 section 7.4.3.1).

    Parameters
    ----------
    scenario : {"UMa", "UMi", "InH", "RMa"}
        A name of :data:`rof.radio.tr38901.SCENARIOS`, which gives the d_2D-in range
        and the building types: InH returns zeros (no O2I); RMa forces the low-loss
        model.
    indoor : array_like of bool, (n_ue,)
        Indoor flag per UT.
    fc_ghz : float
        Carrier frequency, GHz.
    rng : numpy.random.Generator
        Source of the draws (building type, two uniforms, one normal per UT, in
        that order, drawn for every UT so the stream does not depend on ``indoor``).
    high_loss_fraction : float
        Share of indoor UTs in high-loss buildings, in [0, 1] (TR 38.901 Table 7.8-1
        calibrates UMa/UMi with 50 % / 50 %).
    sigma_low_db, sigma_high_db : float, optional
        Standard deviations sigma_P of the low- and high-loss models, dB, in [0, 20]
        (default: Table 7.4.3-2's 4.4 and 6.5 dB).
    """
    sc = get_scenario(scenario)
    frac = check_range("high_loss_fraction", high_loss_fraction, 0.0, 1.0)
    check_range("fc_ghz", fc_ghz, 0.5, 100.0)
    ind = np.asarray(indoor, bool)
    n = ind.shape[0]
    high = rng.random(n) < frac
    u = rng.random((2, n))
    z = rng.standard_normal(n)
    if not sc.has_o2i or n == 0:
        zeros = np.zeros(n)
        return O2ILoss(zeros, zeros.copy(), np.zeros(n, bool))
    if not sc.o2i_high_loss:
        high = np.zeros(n, bool)
    d_in = sc.o2i_d_in_max_m * u.min(axis=0)
    low_r, high_r = _model_row("low"), _model_row("high")
    tw = np.where(high, o2i_wall_loss_db("high", fc_ghz), o2i_wall_loss_db("low", fc_ghz))
    s_low = float(low_r["sigma_p_db"]) if sigma_low_db is None else sigma_low_db
    s_high = float(high_r["sigma_p_db"]) if sigma_high_db is None else sigma_high_db
    check_range("o2i_sigma_low_db", s_low, 0.0, 20.0)
    check_range("o2i_sigma_high_db", s_high, 0.0, 20.0)
    sigma = np.where(high, s_high, s_low)
    loss = tw + float(low_r["pl_in_db_per_m"]) * d_in + sigma * z
    return O2ILoss(
        loss_db=np.where(ind, loss, 0.0),
        d2d_in_m=np.where(ind, d_in, 0.0),
        high_loss=high & ind,
    )
