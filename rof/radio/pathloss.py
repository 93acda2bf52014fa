"""Large-scale path loss of 3GPP TR 38.901 (Table 7.4.1-1) and a power law.

Scenarios: ``"UMa"`` (urban macro), ``"UMi"`` (urban micro, street canyon),
``"InH"`` (indoor hotspot, office) and ``"RMa"`` (rural macro), LOS and NLOS, with
breakpoint distances; plus :func:`pathloss_power_law` for analytical checks.

Validity ranges (from ``tables/tr38901_table7.4.1-1_r17.csv``)
----------------------------------------------------------------
* Distances below the TR's minimum (10 m 2-D for UMa, UMi and RMa; 1 m 3-D for
  InH) are clamped to that minimum, keeping the vertical separation, as is common
  practice in system-level simulators (the TR gives no model closer in).
* Distances beyond the maximum (5 km; 10 km for RMa LOS; 150 m for InH) are
  evaluated by extrapolating the far-field formula. ``on_range="warn"`` (default)
  also emits a :class:`RuntimeWarning`, ``"raise"`` raises
  :class:`~rof.errors.ParameterError`, ``"ignore"`` extrapolates silently (the link
  table uses it: far interferers only enter the background sum).
* Carrier frequencies and antenna heights outside the table's ranges always raise
  :class:`~rof.errors.ParameterError` naming the parameter, value and range.

UMa effective environment height
--------------------------------
Table 7.4.1-1 note 1 draws h_E = 1 m with probability 1/(1 + C(d_2D, h_UT)) and
otherwise uniformly from {12, 15, ..., h_UT - 1.5} m. :func:`pathloss_38901` uses
the *expected* value of that distribution (:func:`uma_effective_height_m`), which
equals 1 m exactly whenever h_UT < 13 m; pass ``h_e_m`` (e.g. from
:func:`draw_uma_effective_height_m`) to use a drawn value instead.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from rof._validate import check_choice, check_range
from rof.errors import ParameterError
from rof.radio._tables import read_table
from rof.radio.tr38901 import SCENARIO_NAMES, get_scenario
from rof.radio.tr38901.model import PL_RMA

__all__ = [
    "C_TR_M_PER_S",
    "SCENARIOS",
    "breakpoint_distance_m",
    "draw_uma_effective_height_m",
    "pathloss_38901",
    "pathloss_power_law",
    "read_table",
    "scenario_limits",
    "uma_effective_height_from_uniform_m",
    "uma_effective_height_m",
]

#: Scenario names of TR 38.901 supported by :func:`pathloss_38901` (the registry
#: :data:`rof.radio.tr38901.SCENARIOS`).
SCENARIOS: tuple[str, ...] = SCENARIO_NAMES

#: Propagation speed of the breakpoint formulas: TR 38.901 Table 7.4.1-1 note 1 sets
#: c = 3.0e8 m/s (not the exact 299 792 458 m/s).
C_TR_M_PER_S: float = 3.0e8


def scenario_limits(scenario: str, los: bool) -> dict[str, float | str]:
    """Row of TR 38.901 Table 7.4.1-1 (sigma_SF and applicability) for one state.

    See :meth:`rof.radio.tr38901.model.Tr38901Scenario.limits`.
    """
    return get_scenario(scenario).limits(los)


def breakpoint_distance_m(fc_ghz, h_bs_m, h_ut_m, h_e_m=1.0, *, effective: bool = True):
    """Breakpoint distance of TR 38.901 Table 7.4.1-1, notes 1 and 5.

    .. math:: d'_{BP} = 4 (h_{BS} - h_E)(h_{UT} - h_E) f_c / c  \\quad(\\text{UMa, UMi})
    .. math:: d_{BP} = 2 \\pi h_{BS} h_{UT} f_c / c  \\quad(\\text{RMa, ``effective=False``})

    Parameters
    ----------
    fc_ghz : array_like
        Carrier frequency, GHz (converted to Hz inside, as the TR requires).
    h_bs_m, h_ut_m : array_like
        Antenna heights, m.
    h_e_m : array_like
        Effective environment height, m (1 m for UMi; see
        :func:`uma_effective_height_m` for UMa). Effective heights below 0 are
        clipped to 0 (breakpoint at 0: the far-field branch applies everywhere).
    effective : bool
        ``True`` for the UMa/UMi effective-height form, ``False`` for RMa.
    """
    fc_hz = np.asarray(fc_ghz, dtype=float) * 1e9
    h_bs = np.asarray(h_bs_m, dtype=float)
    h_ut = np.asarray(h_ut_m, dtype=float)
    if not effective:
        return 2.0 * np.pi * h_bs * h_ut * fc_hz / C_TR_M_PER_S
    h_e = np.asarray(h_e_m, dtype=float)
    return 4.0 * np.maximum(h_bs - h_e, 0.0) * np.maximum(h_ut - h_e, 0.0) * fc_hz / C_TR_M_PER_S


def _uma_c(d2d_m, h_ut_m):
    """C(d_2D, h_UT) of TR 38.901 Table 7.4.1-1 note 1 (same form as C' in Table 7.4.2-1)."""
    d2d = np.asarray(d2d_m, dtype=float)
    h_ut = np.asarray(h_ut_m, dtype=float)
    g = np.where(d2d > 18.0, 1.25 * (d2d / 100.0) ** 3 * np.exp(-d2d / 150.0), 0.0)
    c = np.where(h_ut >= 13.0, (np.clip(h_ut, 13.0, 23.0) - 13.0) / 10.0, 0.0) ** 1.5
    return c * g


def _uma_he_set(h_ut):
    """Largest value and count of the set {12, 15, ..., h_UT - 1.5} (at least {12})."""
    n = np.maximum(np.floor((np.asarray(h_ut, dtype=float) - 1.5 - 12.0) / 3.0), 0.0) + 1.0
    return 12.0 + 3.0 * (n - 1.0), n


def uma_effective_height_m(d2d_m, h_ut_m):
    """Expected UMa effective environment height, m (TR 38.901 Table 7.4.1-1 note 1).

    .. math:: E[h_E] = \\frac{1 + C\\, \\bar h}{1 + C},\\qquad
              \\bar h = \\text{mean}\\{12, 15, \\dots, h_{UT} - 1.5\\}

    where ``C = C(d_2D, h_UT)``; the set is taken as ``{12}`` when h_UT - 1.5 < 12.
    Equals 1 m for h_UT < 13 m.
    """
    c = _uma_c(d2d_m, h_ut_m)
    last, _ = _uma_he_set(h_ut_m)
    return (1.0 + c * 0.5 * (12.0 + last)) / (1.0 + c)


def draw_uma_effective_height_m(d2d_m, h_ut_m, rng: np.random.Generator):
    """Draw UMa effective environment heights, m, per TR 38.901 Table 7.4.1-1 note 1."""
    d2d, h_ut = np.broadcast_arrays(np.asarray(d2d_m, float), np.asarray(h_ut_m, float))
    c = _uma_c(d2d, h_ut)
    _, n = _uma_he_set(h_ut)
    one = rng.random(d2d.shape) < 1.0 / (1.0 + c)
    k = np.floor(rng.random(d2d.shape) * n)
    return np.where(one, 1.0, 12.0 + 3.0 * k)


def uma_effective_height_from_uniform_m(d2d_m, h_ut_m, u):
    """UMa effective environment height of note 1 from one uniform ``u`` in [0, 1), m.

    ``h_E = 1 m`` where ``u < 1 / (1 + C(d_2D, h_UT))``; otherwise the
    ``floor((u - p_1) / (1 - p_1) n)``-th of the ``n`` values {12, 15, ..., h_UT - 1.5}
    (TR 38.901 Table 7.4.1-1 note 1: h_E = 1 m with probability 1 / (1 + C), else
    uniform over that set). One uniform per link lets the numba link table draw it
    from the link's counter-based uniform (:func:`rof.radio.kernels_channel.link_uniform`).
    """
    d2d, h_ut, u = np.broadcast_arrays(
        np.asarray(d2d_m, float), np.asarray(h_ut_m, float), np.asarray(u, float)
    )
    p1 = 1.0 / (1.0 + _uma_c(d2d, h_ut))
    _, n = _uma_he_set(h_ut)
    k = np.minimum(np.floor((u - p1) / np.maximum(1.0 - p1, 1e-300) * n), n - 1.0)
    return np.where(u < p1, 1.0, 12.0 + 3.0 * np.maximum(k, 0.0))


def _check_heights_fc(sc, fc, h_bs, h_ut):
    lim = sc.limits(True)
    check_range("fc_ghz", fc, lim["fc_min_ghz"], lim["fc_max_ghz"])
    check_range(f"h_bs_m ({sc.name})", h_bs, lim["h_bs_min_m"], lim["h_bs_max_m"])
    check_range(f"h_ut_m ({sc.name})", h_ut, lim["h_ut_min_m"], lim["h_ut_max_m"])


def _range_policy(sc, d2d, d3d, los, on_range):
    """Clamp below-minimum distances; apply ``on_range`` beyond the maximum."""
    scenario = sc.name
    lim_los = sc.limits(True)
    lim_nlos = sc.limits(False)
    d_min = lim_los["d_min_m"]
    d_max = np.where(los, lim_los["d_max_m"], lim_nlos["d_max_m"])
    dist = d3d if lim_los["distance"] == "3d" else d2d
    beyond = dist > d_max
    if np.any(beyond) and on_range != "ignore":
        first = float(dist[beyond].flat[0])
        msg = (
            f"distance {first:g} m exceeds the {scenario} validity range of TR 38.901 "
            f"Table 7.4.1-1 (<= {float(d_max[beyond].flat[0]):g} m, "
            f"{lim_los['distance'].upper()})"
        )
        if on_range == "raise":
            raise ParameterError(msg)
        warnings.warn(msg + "; the formula is extrapolated", RuntimeWarning, stacklevel=3)
    dv2 = np.maximum(d3d * d3d - d2d * d2d, 0.0)  # squared vertical separation
    if lim_los["distance"] == "3d":
        d3d = np.maximum(d3d, d_min)
        d2d = np.sqrt(np.maximum(d3d * d3d - dv2, 0.0))
    else:
        d2d = np.maximum(d2d, d_min)
        d3d = np.sqrt(d2d * d2d + dv2)
    return d2d, d3d


def _pl_log_distance_los(f, d2d, d3d, fc, h_bs, h_ut, h_e):
    """LOS ``PL1 = a + b log10(d3D) + c log10(fc)``, with the second slope beyond d'BP
    where ``f.breakpoint`` (UMa: a=28, b=22, k=9; UMi: a=32.4, b=21, k=9.5)."""
    pl1 = f.los_a + f.los_b * np.log10(d3d) + f.los_c * np.log10(fc)
    if not f.breakpoint:
        return pl1
    dbp = breakpoint_distance_m(fc, h_bs, h_ut, h_e)
    pl2 = (
        f.los_a
        + 40.0 * np.log10(d3d)
        + f.los_c * np.log10(fc)
        - f.bp_coef * np.log10(np.maximum(dbp * dbp + (h_bs - h_ut) ** 2, 1e-12))
    )
    return np.where(d2d <= dbp, pl1, pl2)


def _pl_log_distance_nlos(f, d3d, fc, h_ut):
    """NLOS ``PL' = a' + b' log10(d3D) + c' log10(fc) - e' (hUT - 1.5)``."""
    return f.nlos_a + f.nlos_b * np.log10(d3d) + f.nlos_c * np.log10(fc) - f.nlos_e * (h_ut - 1.5)


def _pl_rma_los(d2d, d3d, fc, h_bs, h_ut, h):
    """RMa LOS PL1/PL2 of TR 38.901 Table 7.4.1-1 (W enters only the NLOS formula)."""
    dbp = breakpoint_distance_m(fc, h_bs, h_ut, effective=False)

    def pl1(d):
        return (
            20.0 * np.log10(40.0 * np.pi * d * fc / 3.0)
            + min(0.03 * h**1.72, 10.0) * np.log10(d)
            - min(0.044 * h**1.72, 14.77)
            + 0.002 * math.log10(h) * d
        )

    return np.where(d2d <= dbp, pl1(d3d), pl1(dbp) + 40.0 * np.log10(d3d / dbp))


def _pl_rma_nlos(d3d, fc, h_bs, h_ut, h, w):
    """RMa NLOS PL' of TR 38.901 Table 7.4.1-1 (before the max with LOS)."""
    return (
        161.04
        - 7.1 * math.log10(w)
        + 7.5 * math.log10(h)
        - (24.37 - 3.7 * (h / h_bs) ** 2) * np.log10(h_bs)
        + (43.42 - 3.1 * np.log10(h_bs)) * (np.log10(d3d) - 3.0)
        + 20.0 * np.log10(fc)
        - (3.2 * np.log10(11.75 * h_ut) ** 2 - 4.97)
    )


def pathloss_38901(
    scenario: str,
    d2d_m,
    d3d_m,
    fc_ghz,
    h_bs_m,
    h_ut_m,
    los,
    *,
    h_e_m=None,
    street_width_m: float = 20.0,
    building_height_m: float = 5.0,
    on_range: str = "warn",
):
    """Basic path loss of 3GPP TR 38.901 V17 Table 7.4.1-1, dB.

    LOS (``d_BP`` = breakpoint, :func:`breakpoint_distance_m`):

    * UMa: PL1 = 28.0 + 22 log10(d3D) + 20 log10(fc) for d2D <= d'BP, else
      PL2 = 28.0 + 40 log10(d3D) + 20 log10(fc) - 9 log10(d'BP^2 + (hBS - hUT)^2).
    * UMi: 32.4 + 21 log10(d3D) + 20 log10(fc), else
      32.4 + 40 log10(d3D) + 20 log10(fc) - 9.5 log10(d'BP^2 + (hBS - hUT)^2).
    * InH: 32.4 + 17.3 log10(d3D) + 20 log10(fc).
    * RMa: PL1 = 20 log10(40 pi d3D fc / 3) + min(0.03 h^1.72, 10) log10(d3D)
      - min(0.044 h^1.72, 14.77) + 0.002 log10(h) d3D, else
      PL2 = PL1(dBP) + 40 log10(d3D / dBP).

    NLOS: PL = max(PL_LOS, PL'_NLOS) with PL'_UMa = 13.54 + 39.08 log10(d3D) +
    20 log10(fc) - 0.6 (hUT - 1.5); PL'_UMi = 35.3 log10(d3D) + 22.4 + 21.3 log10(fc)
    - 0.3 (hUT - 1.5); PL'_InH = 38.3 log10(d3D) + 17.30 + 24.9 log10(fc); PL'_RMa =
    161.04 - 7.1 log10(W) + 7.5 log10(h) - (24.37 - 3.7 (h/hBS)^2) log10(hBS) +
    (43.42 - 3.1 log10(hBS)) (log10(d3D) - 3) + 20 log10(fc) - (3.2 (log10(11.75
    hUT))^2 - 4.97).

    Parameters
    ----------
    scenario : {"UMa", "UMi", "InH", "RMa"}
        A name of the registry :data:`rof.radio.tr38901.SCENARIOS`, whose
        :class:`~rof.radio.tr38901.model.Formulas` give the coefficients above.
    d2d_m, d3d_m : array_like
        Horizontal and 3-D BS-UT distances, m (broadcast together).
    fc_ghz : array_like
        Carrier frequency, GHz.
    h_bs_m, h_ut_m : array_like
        BS and UT antenna heights, m (ranges in the module docstring's table).
    los : array_like of bool
        Line-of-sight state per link.
    h_e_m : array_like, optional
        UMa effective environment height, m; default is its expected value
        (:func:`uma_effective_height_m`). UMi always uses 1 m.
    street_width_m, building_height_m : float
        RMa average street width W and building height h, m (TR defaults 20 and 5;
        applicable 5..50 m).
    on_range : {"warn", "raise", "ignore"}
        Policy for distances beyond the TR's maximum (see the module docstring).

    Returns
    -------
    ndarray
        Path loss in dB, the broadcast shape of the inputs.

    Examples
    --------
    >>> round(float(pathloss_38901("UMi", 100.0, 100.0, 3.5, 10.0, 1.5, True)), 2)
    85.28
    """
    sc = get_scenario(scenario)
    check_choice("on_range", on_range, ("warn", "raise", "ignore"))
    d2d, d3d, fc, h_bs, h_ut, los = np.broadcast_arrays(
        np.asarray(d2d_m, float),
        np.asarray(d3d_m, float),
        np.asarray(fc_ghz, float),
        np.asarray(h_bs_m, float),
        np.asarray(h_ut_m, float),
        np.asarray(los, bool),
    )
    check_range("d2d_m", d2d, 0.0)
    check_range("d3d_m", d3d, 0.0)
    if np.any(d3d < d2d * (1.0 - 1e-9)):
        raise ParameterError("d3d_m is smaller than d2d_m for some links; allowed: d3d_m >= d2d_m")
    _check_heights_fc(sc, fc, h_bs, h_ut)
    h = check_range("building_height_m", building_height_m, 5.0, 50.0)
    w = check_range("street_width_m", street_width_m, 5.0, 50.0)
    d2d, d3d = _range_policy(sc, d2d, d3d, los, on_range)
    f = sc.formulas
    if f.pathloss_form == PL_RMA:
        pl_los = _pl_rma_los(d2d, d3d, fc, h_bs, h_ut, h)
        pl_nlos = np.maximum(pl_los, _pl_rma_nlos(d3d, fc, h_bs, h_ut, h, w))
    else:
        if f.h_e_uma:
            h_e = uma_effective_height_m(d2d, h_ut) if h_e_m is None else np.asarray(h_e_m, float)
        else:
            h_e = f.h_e_m
        pl_los = _pl_log_distance_los(f, d2d, d3d, fc, h_bs, h_ut, h_e)
        pl_nlos = np.maximum(pl_los, _pl_log_distance_nlos(f, d3d, fc, h_ut))
    out = np.where(los, pl_los, pl_nlos)
    return out if out.ndim else float(out)


def pathloss_power_law(d_m, exponent, reference_loss_db, d0_m=1.0):
    """Power-law path loss, dB: ``PL = PL(d0) + 10 n log10(d / d0)``.

    The log-distance model (Rappaport, *Wireless Communications*, 2nd ed., eq. 4.68)
    used by stochastic-geometry analyses (Andrews, Baccelli and Ganti, IEEE Trans.
    Commun. 59(11), 2011) with no clamp near the transmitter. TR 36.942's macro
    model 128.1 + 37.6 log10(R/km) is ``exponent=3.76, reference_loss_db=128.1,
    d0_m=1000``.

    Parameters
    ----------
    d_m : array_like
        Distance, m (> 0).
    exponent : float
        Path-loss exponent n (> 0).
    reference_loss_db : float
        Loss at the reference distance d0, dB.
    d0_m : float
        Reference distance, m (> 0).
    """
    d = check_range("d_m", d_m, 0.0, lo_open=True)
    n = check_range("exponent", exponent, 0.0, lo_open=True)
    pl0 = check_range("reference_loss_db", reference_loss_db)
    d0 = check_range("d0_m", d0_m, 0.0, lo_open=True)
    return pl0 + 10.0 * n * np.log10(np.asarray(d) / d0)
