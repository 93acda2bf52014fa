"""Large-scale parameters of the TR 38.901 section 7.5 fast-fading model.

The numbers are those of 3GPP TR 38.901 V17.1.0 Table 7.5-6 Part-1 (UMa and
UMi-Street Canyon, LOS, NLOS and O2I), kept as data in
``rof/radio/tables/tr38901_table7.5-6_spatial_r17.csv``; the cluster-count scaling
factors C_phi^NLOS and C_theta^NLOS of Tables 7.5-2/7.5-4 and the ray offsets of
Table 7.5-3 sit beside it. What depends on the link geometry, the mean of lgZSD and
the ZOD offset mu_offset,ZOD, follows Table 7.5-7 (UMa) and Table 7.5-8 (UMi):

* UMa LOS: ``mu_lgZSD = max(-0.5, -2.1 d2D/km - 0.01 (hUT - 1.5) + 0.75)``, offset 0;
* UMa NLOS/O2I: ``max(-0.5, -2.1 d2D/km - 0.01 (hUT - 1.5) + 0.9)``, offset
  ``e(fc) - 10^(a(fc) log10(max(b(fc), d2D)) + c(fc) - 0.07 (hUT - 1.5))`` with
  ``a = 0.208 log10(fc) - 0.782``, ``b = 25``, ``c = -0.13 log10(fc) + 2.03``,
  ``e = 7.66 log10(fc) - 5.96``;
* UMi LOS: ``max(-0.21, -14.8 d2D/km + 0.01 |hUT - hBS| + 0.83)``, offset 0;
* UMi NLOS/O2I: ``max(-0.5, -3.1 d2D/km + 0.01 max(hUT - hBS, 0) + 0.2)``, offset
  ``-10^(-1.5 log10(max(10, d2D)) + 3.3)``.

The LSPs of a link are drawn (step 4) as ``X = mu + sigma * (C^(1/2) z)`` with ``z``
standard normal and ``C`` the cross-correlation matrix of the table, in the TR's
order ``[SF, K, DS, ASD, ASA, ZSD, ZSA]`` (the symmetric square root of ``C``; the
table's matrices are positive semi-definite only up to rounding, so negative
eigenvalues are clipped to 0). DS, ASD, ASA, ZSD, ZSA are lognormal (base 10), K and
SF normal in dB. The angle spreads are capped as TR 38.901 step 4 says: ASA, ASD at
104 deg, ZSA, ZSD at 52 deg.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from rof._validate import check_range
from rof.errors import ParameterError
from rof.radio._tables import read_table

__all__ = [
    "LSP_NAMES",
    "RAY_OFFSETS_DEG",
    "SCENARIOS",
    "STATES",
    "SpatialParams",
    "correlation_sqrt",
    "draw_lsps",
    "scaling_factors",
    "spatial_params",
    "zsd_mean_and_offset",
]

#: Table of the LSPs (Table 7.5-6 Part-1).
TABLE = "tr38901_table7.5-6_spatial_r17.csv"
#: C_phi^NLOS (Table 7.5-2) and C_theta^NLOS (Table 7.5-4) by cluster count.
SCALING_TABLE = "tr38901_table7.5-2-3-4_r17.csv"
#: Ray offsets of Table 7.5-3.
OFFSETS_TABLE = "tr38901_table7.5-3_r17.csv"

#: Scenarios and states the spatial model has parameters for.
SCENARIOS: tuple[str, ...] = ("UMa", "UMi")
STATES: tuple[str, ...] = ("LOS", "NLOS", "O2I")
#: Order of the correlated LSP vector (TR 38.901 step 4).
LSP_NAMES: tuple[str, ...] = ("sf", "k", "ds", "asd", "asa", "zsd", "zsa")

#: Table 7.5-3 ray offsets alpha_m, deg (m = 1..20).
RAY_OFFSETS_DEG: np.ndarray = np.array(
    [float(r["alpha_deg"]) for r in read_table(OFFSETS_TABLE)], float
)


class SpatialParams(NamedTuple):
    """One (scenario, state) row of Table 7.5-6 evaluated at a carrier frequency.

    Log-domain means/stds are of log10(DS/s), log10(ASD/deg), ...; ``mu_lgzsd`` is
    not here (it depends on the link, :func:`zsd_mean_and_offset`).
    """

    scenario: str
    state: str
    mu_lgds: float
    sigma_lgds: float
    mu_lgasd: float
    sigma_lgasd: float
    mu_lgasa: float
    sigma_lgasa: float
    mu_lgzsa: float
    sigma_lgzsa: float
    sigma_lgzsd: float
    mu_k_db: float
    sigma_k_db: float
    sigma_sf_db: float
    r_tau: float
    mu_xpr_db: float
    sigma_xpr_db: float
    n_clusters: int
    n_rays: int
    c_ds_s: float
    c_asd_deg: float
    c_asa_deg: float
    c_zsa_deg: float
    zeta_db: float
    c_phi_nlos: float
    c_theta_nlos: float
    corr: np.ndarray  # (7, 7) in LSP_NAMES order

    @property
    def los(self) -> bool:
        return self.state == "LOS"


def _f(row, key) -> float:
    v = row[key]
    return float(v) if v not in ("", None) else 0.0


def scaling_factors(n_clusters: int) -> tuple[float, float]:
    """(C_phi^NLOS, C_theta^NLOS) of Tables 7.5-2 and 7.5-4 for ``n_clusters``."""
    for r in read_table(SCALING_TABLE):
        if int(r["n_clusters"]) == int(n_clusters):
            ct = r["c_theta_nlos"]
            return float(r["c_phi_nlos"]), float(ct) if ct else math.nan
    raise ParameterError(
        f"n_clusters = {n_clusters} has no C_phi in Table 7.5-2; allowed: "
        f"{[int(r['n_clusters']) for r in read_table(SCALING_TABLE)]}"
    )


def spatial_params(scenario: str, state: str, fc_ghz: float) -> SpatialParams:
    """Table 7.5-6 Part-1 for ``scenario`` ("UMa", "UMi") and ``state``
    ("LOS", "NLOS", "O2I") at carrier ``fc_ghz`` (0.5..100 GHz)."""
    if scenario not in SCENARIOS:
        raise ParameterError(
            f"scenario = {scenario!r} has no spatial-channel parameters; allowed: {list(SCENARIOS)}"
        )
    if state not in STATES:
        raise ParameterError(f"state = {state!r} is unknown; allowed: {list(STATES)}")
    fc = float(check_range("fc_ghz", fc_ghz, 0.5, 100.0))
    row = next(r for r in read_table(TABLE) if r["scenario"] == scenario and r["state"] == state)
    fc = max(fc, float(row["fc_min_ghz"]))
    lx = math.log10(fc if row["form"] == "fc" else 1.0 + fc)

    def lin(name):
        return _f(row, name + "_a") * lx + _f(row, name + "_c")

    names = LSP_NAMES
    corr = np.eye(7)
    for key in row:
        if key.startswith("corr_"):
            a, b = key[5:].split("_")
            i, j = names.index(a), names.index(b)
            corr[i, j] = corr[j, i] = _f(row, key)
    n = int(row["n_clusters"])
    c_phi, c_theta = scaling_factors(n)
    c_ds_ns = max(
        _f(row, "c_ds_min_ns"), _f(row, "c_ds_b_ns") - _f(row, "c_ds_c_ns") * math.log10(fc)
    )
    return SpatialParams(
        scenario=scenario,
        state=state,
        mu_lgds=lin("mu_lgds"),
        sigma_lgds=lin("sigma_lgds"),
        mu_lgasd=lin("mu_lgasd"),
        sigma_lgasd=lin("sigma_lgasd"),
        mu_lgasa=lin("mu_lgasa"),
        sigma_lgasa=lin("sigma_lgasa"),
        mu_lgzsa=lin("mu_lgzsa"),
        sigma_lgzsa=lin("sigma_lgzsa"),
        sigma_lgzsd=_f(row, "sigma_lgzsd"),
        mu_k_db=_f(row, "mu_k_db"),
        sigma_k_db=_f(row, "sigma_k_db"),
        sigma_sf_db=_f(row, "sigma_sf_db"),
        r_tau=_f(row, "r_tau"),
        mu_xpr_db=_f(row, "mu_xpr_db"),
        sigma_xpr_db=_f(row, "sigma_xpr_db"),
        n_clusters=n,
        n_rays=int(row["n_rays"]),
        c_ds_s=c_ds_ns * 1e-9,
        c_asd_deg=_f(row, "c_asd_deg"),
        c_asa_deg=_f(row, "c_asa_deg"),
        c_zsa_deg=_f(row, "c_zsa_deg"),
        zeta_db=_f(row, "zeta_db"),
        c_phi_nlos=c_phi,
        c_theta_nlos=c_theta,
        corr=corr,
    )


def zsd_mean_and_offset(p: SpatialParams, fc_ghz, d2d_m, h_ut_m, h_bs_m):
    """(mu_lgZSD, mu_offset,ZOD in deg) of Tables 7.5-7/7.5-8 (module docstring).

    Broadcasts over ``d2d_m``, ``h_ut_m``, ``h_bs_m``.
    """
    d = np.asarray(d2d_m, float)
    hu = np.asarray(h_ut_m, float)
    hb = np.asarray(h_bs_m, float)
    fc = max(float(fc_ghz), 6.0 if p.scenario == "UMa" else 2.0)
    zero = np.zeros(np.broadcast(d, hu, hb).shape)
    if p.scenario == "UMa":
        base = -2.1 * d / 1000.0 - 0.01 * (hu - 1.5)
        if p.los:
            return np.maximum(-0.5, base + 0.75) + zero, zero
        lf = math.log10(fc)
        a, b, c, e = 0.208 * lf - 0.782, 25.0, -0.13 * lf + 2.03, 7.66 * lf - 5.96
        off = e - 10.0 ** (a * np.log10(np.maximum(b, d)) + c - 0.07 * (hu - 1.5))
        return np.maximum(-0.5, base + 0.9) + zero, off + zero
    if p.los:
        return np.maximum(-0.21, -14.8 * d / 1000.0 + 0.01 * np.abs(hu - hb) + 0.83) + zero, zero
    mu = np.maximum(-0.5, -3.1 * d / 1000.0 + 0.01 * np.maximum(hu - hb, 0.0) + 0.2)
    off = -(10.0 ** (-1.5 * np.log10(np.maximum(10.0, d)) + 3.3))
    return mu + zero, off + zero


def correlation_sqrt(corr: np.ndarray, los: bool) -> np.ndarray:
    """Symmetric square root of the LSP cross-correlation matrix (K dropped in NLOS)."""
    c = np.array(corr, float)
    if not los:  # no K factor: its row/column do not couple anything
        c[1, :] = c[:, 1] = 0.0
        c[1, 1] = 1.0
    w, v = np.linalg.eigh(c)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


class Lsps(NamedTuple):
    """Drawn large-scale parameters of L links (linear units)."""

    ds_s: np.ndarray
    asd_deg: np.ndarray
    asa_deg: np.ndarray
    zsd_deg: np.ndarray
    zsa_deg: np.ndarray
    k_db: np.ndarray
    sf_db: np.ndarray
    mu_lgzsd: np.ndarray
    zod_offset_deg: np.ndarray


def draw_lsps(p: SpatialParams, fc_ghz, d2d_m, h_ut_m, h_bs_m, rng: np.random.Generator) -> Lsps:
    """Correlated LSPs of TR 38.901 step 4 for links in state ``p.state``.

    Parameters
    ----------
    p : SpatialParams
    fc_ghz : float
    d2d_m, h_ut_m, h_bs_m : ndarray, (L,)
        Link geometry (for lgZSD, Tables 7.5-7/7.5-8).
    rng : numpy.random.Generator
        Draws one (L, 7) standard normal array.
    """
    d2d_m = np.asarray(d2d_m, float)
    n = d2d_m.shape[0]
    mu_zsd, off = zsd_mean_and_offset(p, fc_ghz, d2d_m, h_ut_m, h_bs_m)
    z = rng.standard_normal((n, 7)) @ correlation_sqrt(p.corr, p.los).T
    k_db = p.mu_k_db + p.sigma_k_db * z[:, 1] if p.los else np.full(n, -np.inf)
    return Lsps(
        ds_s=10.0 ** (p.mu_lgds + p.sigma_lgds * z[:, 2]),
        asd_deg=np.minimum(10.0 ** (p.mu_lgasd + p.sigma_lgasd * z[:, 3]), 104.0),
        asa_deg=np.minimum(10.0 ** (p.mu_lgasa + p.sigma_lgasa * z[:, 4]), 104.0),
        zsd_deg=np.minimum(10.0 ** (mu_zsd + p.sigma_lgzsd * z[:, 5]), 52.0),
        zsa_deg=np.minimum(10.0 ** (p.mu_lgzsa + p.sigma_lgzsa * z[:, 6]), 52.0),
        k_db=k_db,
        sf_db=p.sigma_sf_db * z[:, 0],
        mu_lgzsd=mu_zsd,
        zod_offset_deg=off,
    )
