"""The large-scale calibration of 3GPP TR 38.901 section 7.8.1: coupling loss and
geometry CDFs of UMa and UMi, against the companies' published results.

Configuration (TR 38.901 Table 7.8-1, large-scale calibration): 19 sites x 3 sectors
with wrap-around; UMa ISD 500 m, BS at 25 m; UMi ISD 200 m, BS at 10 m; 6 GHz (also
30 and 70 GHz); BS antenna configuration 1 (a 10 x 1 vertical panel of Table 7.3-1
elements, 0.5 lambda spacing, electrical tilt to zenith 102 deg:
``rof.radio.arrays.BS_PRESETS["config1_10x1"]``); UT omni 0 dBi; 80 % indoor UTs on
the floors of Table 7.2-1, half in high-loss buildings (Table 7.4.3-2); minimum
BS-UT 2-D distance 35 m (UMa) and 10 m (UMi); UMa's effective environment height
drawn per link (Table 7.4.1-1 note 1); shadowing on; each UT served by the cell of
largest coupling gain. The statistics are

* coupling loss = -(gain to the serving cell), dB, the gain being the link table's
  large-scale gain (antenna gain - path loss - shadowing - O2I loss);
* geometry = serving gain / sum of every other cell's gain (SIR without noise or
  fast fading), dB.

The published curves are the medians over the companies' results of 3GPP
R1-165974 ("Summary of calibration results for IMT-2020 self evaluation", large-scale
calibration, Aug. 2016) at 5, 10, ..., 95 %, shipped in
``tables/r1-165974_large_scale_calibration.csv`` as transcribed in Fraunhofer HHI's
QuaDRiGa (``tutorials/calib_3GPP_ref_data.m``, arrays ``cl38900a`` and
``gf38900a``). They were computed with TR 38.900 V14.0.0, whose UMa LOS parameters
TR 38.901 V14.1.0 later changed (QuaDRiGa's tutorial notes the same caveat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rof._validate import check_choice, check_int_range
from rof.radio._tables import read_table
from rof.radio.deployment import make_deployment
from rof.radio.linktable import build_link_table

__all__ = [
    "CALIBRATION_SETUPS",
    "PERCENTILES",
    "REFERENCE_TABLE",
    "CalibrationResult",
    "calibration_drop",
    "compare_with_published",
    "published_percentiles",
    "run_calibration",
]

#: Table of the published percentiles (R1-165974 via QuaDRiGa).
REFERENCE_TABLE = "r1-165974_large_scale_calibration.csv"
#: Percentiles of the published curves, %.
PERCENTILES = tuple(range(5, 100, 5))

#: Layout of Table 7.8-1 per scenario: ISD, BS height, minimum BS-UT distance.
CALIBRATION_SETUPS = {
    "UMa": {"inter_site_distance_m": 500.0, "site_height_m": 25.0, "min_ue_distance_m": 35.0},
    "UMi": {"inter_site_distance_m": 200.0, "site_height_m": 10.0, "min_ue_distance_m": 10.0},
}


@dataclass(frozen=True)
class CalibrationResult:
    """Coupling loss and geometry of every UT over the drops, dB."""

    scenario: str
    fc_ghz: float
    coupling_loss_db: np.ndarray
    geometry_db: np.ndarray
    #: The drop each UT belongs to (the independent unit: UTs of one drop share the
    #: sites' shadowing and layout); ``None``: one drop.
    drop: np.ndarray | None = None

    def percentiles(self, pct=PERCENTILES) -> dict[str, np.ndarray]:
        """5..95 % points of both statistics.

        The coupling loss is read, as in the published curves, at the percentiles of
        the coupling *gain* (-loss): its 5 % point is the 95 % point of the loss.
        """
        p = np.asarray(pct, float)
        return {
            "coupling_loss_db": -np.percentile(-self.coupling_loss_db, p),
            "geometry_db": np.percentile(self.geometry_db, p),
        }

    def percentile_intervals(
        self, pct=(5, 50, 95), *, confidence: float = 0.95, n_resamples: int = 999, seed=0
    ) -> dict[str, np.ndarray]:
        """Bootstrap confidence intervals of :meth:`percentiles` at ``pct``, dB.

        A cluster bootstrap over drops (Davison & Hinkley 1997, Sec. 3.8: resample the
        independent units, here whole drops, with replacement), percentile intervals by
        :func:`scipy.stats.bootstrap`. Returns ``{metric: (len(pct), 2) array}`` of
        (low, high); with one drop there is nothing to resample and the interval is
        NaN.
        """
        from scipy.stats import bootstrap

        p = np.asarray(pct, float)
        drop = np.zeros(self.coupling_loss_db.size, int) if self.drop is None else self.drop
        labels, idx = np.unique(drop, return_inverse=True)
        n = labels.size
        out = {m: np.full((p.size, 2), np.nan) for m in ("coupling_loss_db", "geometry_db")}
        if n < 2:
            return out
        order = np.argsort(idx, kind="stable")
        bounds = np.searchsorted(idx[order], np.arange(n + 1))
        cl, geo = self.coupling_loss_db[order], self.geometry_db[order]

        def stat(sample):
            take = np.concatenate([np.arange(bounds[d], bounds[d + 1]) for d in sample])
            return np.concatenate([-np.percentile(-cl[take], p), np.percentile(geo[take], p)])

        res = bootstrap(
            (np.arange(n),),
            stat,
            vectorized=False,
            paired=False,
            confidence_level=confidence,
            n_resamples=n_resamples,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
        lo, hi = res.confidence_interval
        k = p.size
        out["coupling_loss_db"] = np.column_stack([lo[:k], hi[:k]])
        out["geometry_db"] = np.column_stack([lo[k:], hi[k:]])
        return out


def calibration_drop(
    scenario: str = "UMa",
    *,
    rng: np.random.Generator,
    fc_ghz: float = 6.0,
    ue_per_site: int = 120,
    antenna="config1_10x1",
    indoor_fraction: float = 0.8,
    k: int = 8,
    deployment: dict | None = None,
    link: dict | None = None,
):
    """One drop of the calibration: (coupling loss, geometry) of every UT, dB.

    ``deployment`` overrides :func:`~rof.radio.deployment.make_deployment`'s keys
    (defaults: :data:`CALIBRATION_SETUPS`, 19 hex sites, 3 sectors, wrap-around) and
    ``link`` the link-table options (defaults: ``antenna``, random h_E, 50 % high-loss
    buildings). The geometry is exact: the link table's background holds every cell
    beyond the ``k`` strongest.
    """
    check_choice("scenario", scenario, tuple(CALIBRATION_SETUPS))
    setup = CALIBRATION_SETUPS[scenario]
    dep_kw = dict(
        layout="hex",
        n_sites=19,
        inter_site_distance_m=setup["inter_site_distance_m"],
        sectors=3,
        wraparound=True,
        ue_per_site=ue_per_site,
        indoor_fraction=indoor_fraction,
        site_height_m=setup["site_height_m"],
        min_ue_distance_m=setup["min_ue_distance_m"],
        scenario=scenario,
    )
    dep_kw.update(deployment or {})
    dep = make_deployment(rng=rng, **dep_kw)
    opts = dict(antenna=antenna, effective_height="random", high_loss_fraction=0.5)
    opts.update(link or {})
    lt = build_link_table(
        dep, scenario=scenario, fc_ghz=fc_ghz, k=min(k, dep.n_cells), rng=rng, **opts
    )
    g = lt.gain_db.astype(float)
    lin = 10.0 ** (g / 10.0)
    interference = lin[:, 1:].sum(axis=1) + lt.background_gain
    return -g[:, 0], 10.0 * np.log10(lin[:, 0] / interference)


def run_calibration(
    scenario: str = "UMa", *, drops: int = 5, seed: int = 0, **kwargs
) -> CalibrationResult:
    """Pool :func:`calibration_drop` over ``drops`` drops seeded from ``seed``."""
    drops = check_int_range("drops", drops, 1, 10_000)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(drops)]
    cl, geo = zip(*(calibration_drop(scenario, rng=r, **kwargs) for r in rngs), strict=True)
    drop = np.concatenate([np.full(c.size, i, np.int32) for i, c in enumerate(cl)])
    return CalibrationResult(
        scenario,
        float(kwargs.get("fc_ghz", 6.0)),
        np.concatenate(cl),
        np.concatenate(geo),
        drop,
    )


def published_percentiles(scenario: str, fc_ghz: float = 6.0) -> dict[str, np.ndarray]:
    """R1-165974's median curves at :data:`PERCENTILES`: coupling loss (positive, dB)
    and geometry (dB) for ``scenario`` in {"UMa", "UMi"} at 6, 30 or 70 GHz."""
    rows = [
        r
        for r in read_table(REFERENCE_TABLE)
        if r["scenario"] == scenario and float(r["fc_ghz"]) == float(fc_ghz)
    ]
    if not rows:
        have = sorted({(r["scenario"], float(r["fc_ghz"])) for r in read_table(REFERENCE_TABLE)})
        raise KeyError(f"no published calibration for {scenario} at {fc_ghz} GHz; have {have}")
    out = {}
    for metric in ("coupling_loss_db", "geometry_db"):
        sel = sorted((float(r["percentile"]), float(r[metric])) for r in rows)
        out[metric] = np.array([v for _, v in sel])
    return out


def compare_with_published(result: CalibrationResult, pct=(5, 50, 95)) -> list[dict]:
    """Rows (metric, percentile, ours, published, difference) at ``pct``."""
    ref = published_percentiles(result.scenario, result.fc_ghz)
    ours = result.percentiles(PERCENTILES)
    ci = result.percentile_intervals(pct)
    rows = []
    for metric in ("coupling_loss_db", "geometry_db"):
        for p in pct:
            i = PERCENTILES.index(int(p))
            o, r = float(ours[metric][i]), float(ref[metric][i])
            rows.append(
                dict(
                    scenario=result.scenario,
                    metric=metric,
                    percentile=int(p),
                    ours_db=o,
                    published_db=r,
                    difference_db=o - r,
                    ci_low_db=float(ci[metric][list(pct).index(p), 0]),
                    ci_high_db=float(ci[metric][list(pct).index(p), 1]),
                )
            )
    return rows
